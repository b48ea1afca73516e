"""API of planned activities: ``/api/v1/planned-activities/`` (list, retrieve, create, update through
the services; an update needs a ``reason``) and ``/api/v1/planned-occurrences/`` (the cycles, read;
``POST …/<id>/complete/`` for a task done by hand)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from itsm.models import Team, User
from itsm.planned import (
    PlannedActivity,
    PlannedOccurrence,
    get_kind,
    planned_activity_create,
    planned_activity_list,
    planned_activity_update,
    planned_occurrence_complete,
    planned_occurrence_list,
)
from itsm.planned_filters import PlannedActivityFilter, PlannedOccurrenceFilter
from itsm.ui.views import acting_user

from .viewsets import PolicyReadOnlyViewSet, ServiceWriteViewSet

PEOPLE = User.objects.filter(is_active=True, is_system=False)


def _reference(obj: Any) -> dict[str, Any] | None:
    """A generic link as ``{"type": "app_label.model", "id": "…", "url": "…"}``."""
    if obj is None:
        return None
    url = getattr(obj, "get_absolute_url", None)
    return {"type": obj._meta.label_lower, "id": str(obj.pk), "name": str(obj), "url": url() if url else ""}


class PlannedActivitySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(max_length=40, help_text="A registered kind, e.g. task; fixed once created.")
    kind_label = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    last_created = serializers.SerializerMethodField()
    owner = serializers.PrimaryKeyRelatedField(queryset=PEOPLE)
    escalate_to = serializers.PrimaryKeyRelatedField(queryset=PEOPLE, required=False, allow_null=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Why the schedule changes (required on update; kept in the history and audit trail).",
    )

    class Meta:
        model = PlannedActivity
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "description",
            "owner",
            "team",
            "interval_months",
            "interval_days",
            "next_due",
            "lead_days",
            "reminder_days",
            "escalate_to",
            "escalate_after_days",
            "is_active",
            "status",
            "draft_on",
            "subject",
            "last_created",
            "last_completed_on",
            "created_at",
            "url",
            "reason",
        ]
        read_only_fields = ["draft_on", "last_completed_on", "created_at"]

    def get_kind_label(self, activity: PlannedActivity) -> str:
        return str(activity.kind_label)

    def get_status(self, activity: PlannedActivity) -> str:
        return str(activity.status(timezone.localdate()).value)

    def get_subject(self, activity: PlannedActivity) -> dict[str, Any] | None:
        return _reference(activity.subject) if activity.subject_object_id else None

    def get_last_created(self, activity: PlannedActivity) -> dict[str, Any] | None:
        if not activity.last_created_object_id:
            return None
        record = activity.last_created
        if isinstance(record, PlannedOccurrence) and record.activity_id == activity.pk:
            record.activity = activity  # a task's draft is its own cycle: no query per row for its name
        return _reference(record)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if attrs.get("kind", self.instance.kind) != self.instance.kind:
                raise serializers.ValidationError(
                    {"kind": _("The kind of a planned activity cannot change.")}
                )
            attrs.pop("kind", None)
            if not attrs.get("reason", "").strip():
                raise serializers.ValidationError(
                    {"reason": _("Say why the schedule changes (for the audit trail).")}
                )
        else:
            attrs.pop("reason", None)
            if get_kind(attrs.get("kind", "")) is None:
                raise serializers.ValidationError({"kind": _("Unknown kind of planned activity.")})
        return attrs


class PlannedActivityViewSet(ServiceWriteViewSet):
    """Planned activities: staff read; management and each kind's area owners create and update;
    nobody deletes (set ``is_active`` to false)."""

    policy_target = PlannedActivity
    queryset = planned_activity_list().prefetch_related("subject", "last_created")
    serializer_class = PlannedActivitySerializer
    filterset_class = PlannedActivityFilter
    ordering = "id"

    def create_service(self, data: dict[str, Any]) -> PlannedActivity:
        return planned_activity_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: PlannedActivity, data: dict[str, Any]) -> PlannedActivity:
        reason = data.pop("reason")
        return planned_activity_update(
            activity=instance, actor=acting_user(self.request), data=data, reason=reason
        )


class PlannedOccurrenceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="activity.kind", read_only=True)
    title = serializers.CharField(source="activity.title", read_only=True)
    overdue = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = PlannedOccurrence
        fields = [
            "id",
            "activity",
            "kind",
            "title",
            "due",
            "state",
            "overdue",
            "record",
            "created_at",
            "reminded_at",
            "escalated_at",
            "completed_at",
            "note",
            "url",
        ]
        read_only_fields = fields

    def get_overdue(self, occurrence: PlannedOccurrence) -> bool:
        return occurrence.is_overdue(timezone.localdate())

    def get_record(self, occurrence: PlannedOccurrence) -> dict[str, Any] | None:
        if not occurrence.record_object_id or occurrence.completes_by_hand:
            return None
        return _reference(occurrence.record)


class CompleteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class PlannedOccurrenceViewSet(PolicyReadOnlyViewSet):
    """The cycles of planned activities: what was due, and whether it was done or missed (filter by
    ``due_after``/``due_before``, ``kind``, ``state``, ``activity`` for an evidence pack)."""

    policy_target = PlannedOccurrence
    queryset = planned_occurrence_list().prefetch_related("record")
    serializer_class = PlannedOccurrenceSerializer
    filterset_class = PlannedOccurrenceFilter
    ordering = "-id"

    @extend_schema(request=CompleteInputSerializer, responses=PlannedOccurrenceSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        """Mark a task's cycle done (only cycles with no record of their own); the next cycle is scheduled."""
        occurrence = self.get_object()
        data = CompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        planned_occurrence_complete(
            occurrence=occurrence, actor=acting_user(request), note=data.validated_data["note"]
        )
        return Response(self.get_serializer(occurrence).data)
