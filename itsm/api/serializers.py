"""Serializers of the core resources."""

from __future__ import annotations

from rest_framework import serializers

from itsm.choices import NoteKind, Role
from itsm.models import Department, Team, User
from itsm.notes import NOTE_MAX_LENGTH, Attachment, Note
from itsm.notifications import Notification


class UserSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    roles = serializers.ListField(source="role_names", child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "email",
            "department",
            "job_title",
            "roles",
            "is_active",
            "language",
            "time_zone",
        ]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True, is_system=False), required=False
    )

    class Meta:
        model = Team
        fields = ["id", "name", "code", "email", "department", "lead", "members", "description", "is_active"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "head", "description"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000)


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.__str__", read_only=True)
    author_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Note
        fields = ["id", "kind", "body", "author", "author_id", "created_at", "edited_at"]
        read_only_fields = fields


class NoteInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NoteKind.choices, default=NoteKind.WORK_NOTE)
    body = serializers.CharField(max_length=NOTE_MAX_LENGTH, allow_blank=True)


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.__str__", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "mime_type", "size", "sha256", "uploaded_by", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        request = self.context.get("request")
        url = attachment.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)


class RolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=True)
    reason = serializers.CharField(max_length=200)
