"""``GET /api/v1/incident-reports/summary/``: the numbers of the incident report page as JSON."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.models import Team
from itsm.policy import policy
from service_levels.models import Customer, Service

from .. import reports
from ..models import Incident, ServiceRequest


class IncidentReportParametersSerializer(serializers.Serializer):
    """Query parameters: ``from``/``to`` (ISO dates, both inclusive; default the last 30 days),
    ``service``, ``team``, ``customer`` (ids)."""

    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # ``from`` is a Python keyword: the query string says from/to, the code says date_from/date_to.
        mapped = {key: value for key, value in data.items() if key not in ("from", "to")}
        if "from" in data:
            mapped["date_from"] = data["from"]
        if "to" in data:
            mapped["date_to"] = data["to"]
        try:
            return super().to_internal_value(mapped)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            renamed = {{"date_from": "from", "date_to": "to"}.get(k, k): v for k, v in detail.items()}
            raise serializers.ValidationError(renamed) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"to": [_("The period cannot end before it starts.")]})
        if start and end and (end - start).days + 1 > reports.MAX_DAYS:
            raise serializers.ValidationError({"to": [_("Choose a period of at most 366 days.")]})
        return attrs


def caller_zone(user: Any) -> Any:
    """The caller's time zone (their profile), else the current one: the days of the report are theirs,
    also for token requests, which the session middleware does not see."""
    name = getattr(user, "time_zone", "") or ""
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


class IncidentReportViewSet(viewsets.ViewSet):
    """Incident reports: open incidents, created vs resolved per day, SLA attainment against the
    objectives, reopen rate, major incidents (read only)."""

    policy_target = "incident_reports"
    policy_action = "view"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (inclusive); default: 30 days ago."
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive); default: today."),
            OpenApiParameter("service", OpenApiTypes.INT),
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("customer", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Any) -> Response:
        """The whole report for the period and filters (the same numbers as ``/incidents/reports/``);
        days in the caller's time zone."""
        params = IncidentReportParametersSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        with timezone.override(caller_zone(request.user)):
            scope = reports.IncidentReportScope.build(
                start=data.get("date_from"),
                end=data.get("date_to"),
                service=data.get("service"),
                team=data.get("team"),
                customer=data.get("customer"),
            )
            base = policy.scope(request.user, "view", Incident.objects.all())
            requests = policy.scope(request.user, "view", ServiceRequest.objects.all())
            report = reports.incident_report(scope, base, requests=requests)
            return Response(reports.report_as_dict(report))
