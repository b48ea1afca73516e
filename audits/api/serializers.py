"""API serializers of audits and improvement."""

from rest_framework import serializers

from audits.models import Document, Objective
from itsm.records import allowed_transitions


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = [
            "id",
            "code",
            "name",
            "description",
            "comparison",
            "target",
            "unit",
            "measure_key",
            "method",
            "actions",
            "owner",
            "department",
            "review_interval_months",
            "next_review",
            "status",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "reference",
            "title",
            "code",
            "doc_type",
            "version",
            "confidentiality",
            "owner",
            "summary",
            "state",
            "approved_by",
            "approved_at",
            "effective_from",
            "created_at",
            "created_by",
            "updated_at",
            "allowed_transitions",
        ]
        read_only_fields = [
            "reference",
            "state",
            "approved_by",
            "approved_at",
            "effective_from",
            "created_at",
            "created_by",
            "updated_at",
        ]

    def get_allowed_transitions(self, document: Document) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(document, request.user) if request is not None else []
