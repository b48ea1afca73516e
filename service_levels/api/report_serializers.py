"""API serializers of service reporting: report definitions, service reviews, report parameters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from itsm.api.periods import PeriodParametersSerializer
from itsm.records import allowed_transitions
from service_levels.models import ReportDefinition, ServiceReview


class ReportDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportDefinition
        fields = [
            "id",
            "code",
            "name",
            "purpose",
            "audience",
            "frequency",
            "source",
            "customer",
            "owner",
            "agreed_with",
            "is_active",
        ]


class ServiceReviewSerializer(serializers.ModelSerializer):
    """A review; ``performance`` is the snapshot attached for its period (read only)."""

    allowed_transitions = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ServiceReview
        fields = [
            "id",
            "reference",
            "title",
            "agreement",
            "owner",
            "due_on",
            "period_start",
            "period_end",
            "state",
            "overdue",
            "performance",
            "held_on",
            "attendees",
            "minutes",
            "actions",
            "created_at",
            "created_by",
            "updated_at",
            "allowed_transitions",
        ]
        read_only_fields = [
            "reference",
            "state",
            "performance",
            "held_on",
            "minutes",
            "actions",
            "created_at",
            "created_by",
            "updated_at",
        ]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}, "owner": {"required": False}}

    def get_allowed_transitions(self, review: ServiceReview) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return allowed_transitions(review, request.user)

    def get_overdue(self, review: ServiceReview) -> bool:
        from service_levels.review_services import review_is_overdue

        return review_is_overdue(review)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            self.instance is not None
            and "agreement" in attrs
            and attrs["agreement"] != self.instance.agreement
        ):
            raise serializers.ValidationError({"agreement": [_("The agreement of a review cannot change.")]})
        start = attrs.get("period_start", getattr(self.instance, "period_start", None))
        end = attrs.get("period_end", getattr(self.instance, "period_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"period_end": [_("The period cannot end before it starts.")]})
        return attrs


class ServiceReviewHoldSerializer(serializers.Serializer):
    held_on = serializers.DateField(required=False)
    attendees = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    minutes = serializers.CharField(allow_blank=False, max_length=100_000)
    actions = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ReportPeriodSerializer(PeriodParametersSerializer):
    """Query parameters of the report endpoints (``from``/``to`` are ISO dates, both inclusive)."""

    customer = serializers.IntegerField(required=False, min_value=1)
    service = serializers.IntegerField(required=False, min_value=1)
    agreement = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1)
    group_by = serializers.ChoiceField(
        choices=["agreement", "service", "customer", "team", "priority", "month"],
        required=False,
        default="agreement",
    )
    months = serializers.IntegerField(required=False, min_value=1, max_value=36, default=12)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)

    max_days = 3 * 366 + 1
    too_long_message = gettext_lazy("Choose a period of at most three years.")
