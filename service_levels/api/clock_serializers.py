"""API serializers of SLA clocks (read only)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from service_levels.models import Clock


class ClockSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField()
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True, default="")
    agreement_kind = serializers.CharField(source="agreement.kind", read_only=True, default="")
    calendar = serializers.CharField(source="calendar_version.calendar.name", read_only=True)
    calendar_version_number = serializers.IntegerField(source="calendar_version.number", read_only=True)
    gap = serializers.BooleanField(source="is_gap", read_only=True)
    explain_url = serializers.SerializerMethodField()

    class Meta:
        model = Clock
        fields = [
            "id",
            "record",
            "kind",
            "agreement",
            "agreement_reference",
            "agreement_kind",
            "team",
            "priority",
            "target_seconds",
            "gap",
            "calendar_version",
            "calendar",
            "calendar_version_number",
            "warn_percent",
            "critical_percent",
            "state",
            "started_at",
            "segment_started_at",
            "elapsed_business_seconds",
            "paused_business_seconds",
            "due_at",
            "warn_at",
            "critical_at",
            "warning_level",
            "warned_at",
            "breached_at",
            "stopped_at",
            "explain_url",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "id": {"type": "string"},
                "reference": {"type": "string"},
            },
        }
    )
    def get_record(self, clock: Clock) -> dict[str, Any]:
        content_type = ContentType.objects.get_for_id(clock.content_type_id)
        return {
            "type": f"{content_type.app_label}.{content_type.model}",
            "id": clock.object_id,
            "reference": clock.record_reference,
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_explain_url(self, clock: Clock) -> str:
        return reverse("sla-clock-explain", args=[clock.pk])
