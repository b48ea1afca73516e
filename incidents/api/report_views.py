"""``GET /api/v1/incident-reports/summary/``: the numbers of the incident report page as JSON."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.periods import PeriodParametersSerializer
from itsm.models import Team
from itsm.policy import policy
from service_levels.models import Customer, Service

from .. import reports
from ..models import Incident, ServiceRequest


class IncidentReportParametersSerializer(PeriodParametersSerializer):
    """Query parameters: ``from``/``to`` (ISO dates, both inclusive; default the last 30 days),
    ``service``, ``team``, ``customer`` (ids)."""

    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)

    max_days = reports.MAX_DAYS
    too_long_message = gettext_lazy("Choose a period of at most 366 days.")


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
