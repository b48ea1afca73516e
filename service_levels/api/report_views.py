"""API of service reporting: report definitions, service reviews and the SLA report endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.viewsets import RecordViewSet, ServiceWriteViewSet
from itsm.ui.views import acting_user
from service_levels import reports, review_services
from service_levels.models import ReportDefinition, ServiceReview
from service_levels.report_filters import ReportDefinitionFilter, ServiceReviewFilter

from .report_serializers import (
    ReportDefinitionSerializer,
    ReportPeriodSerializer,
    ServiceReviewHoldSerializer,
    ServiceReviewSerializer,
)


class ReportDefinitionViewSet(ServiceWriteViewSet):
    """Report definitions (clause 6.2): identity, purpose, audience, frequency, data source, owner."""

    policy_target = ReportDefinition
    queryset = reports.report_definition_list()
    serializer_class = ReportDefinitionSerializer
    filterset_class = ReportDefinitionFilter
    ordering = "code"

    def create_service(self, data: dict[str, Any]) -> ReportDefinition:
        return review_services.report_definition_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: ReportDefinition, data: dict[str, Any]) -> ReportDefinition:
        return review_services.report_definition_update(
            definition=instance, actor=acting_user(self.request), data=data
        )


class ServiceReviewViewSet(RecordViewSet):
    """Service reviews: planned → held (``POST …/hold/`` with the minutes) → closed, or cancelled.

    Creating one attaches the agreement's performance for the period; ``POST …/refresh-performance/``
    recomputes it while the review is planned.
    """

    policy_target = ServiceReview
    queryset = reports.service_review_list()
    serializer_class = ServiceReviewSerializer
    filterset_class = ServiceReviewFilter
    ordering = "-reference"
    transition_services = review_services.REVIEW_TRANSITIONS
    record_argument = "review"
    policy_actions = {"hold": "hold", "refresh_performance": "change"}

    def create_service(self, data: dict[str, Any]) -> ServiceReview:
        return review_services.service_review_create(
            actor=acting_user(self.request),
            agreement=data["agreement"],
            due_on=data["due_on"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            owner=data.get("owner"),
            title=data.get("title", ""),
            attendees=data.get("attendees", ""),
        )

    def update_service(self, instance: ServiceReview, data: dict[str, Any]) -> ServiceReview:
        data.pop("agreement", None)
        return review_services.service_review_update(
            review=instance, actor=acting_user(self.request), data=data
        )

    @extend_schema(request=ServiceReviewHoldSerializer, responses={200: ServiceReviewSerializer})
    @action(detail=True, methods=["post"])
    def hold(self, request: Any, pk: Any = None) -> Response:
        """Record that the review took place: ``minutes`` (required), ``held_on`` (default today),
        ``attendees``, ``actions``, ``note``."""
        review = self.get_object()
        data = ServiceReviewHoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review_services.service_review_hold(review=review, actor=acting_user(request), **data.validated_data)
        return Response(self.get_serializer(review).data)

    @extend_schema(request=None, responses={200: ServiceReviewSerializer})
    @action(detail=True, methods=["post"], url_path="refresh-performance")
    def refresh_performance(self, request: Any, pk: Any = None) -> Response:
        """Recompute the attached performance for the review's period (planned reviews only)."""
        review = self.get_object()
        review_services.service_review_refresh_performance(review=review, actor=acting_user(request))
        return Response(self.get_serializer(review).data)


PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive); default: this month."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive)."),
    OpenApiParameter("customer", OpenApiTypes.INT),
    OpenApiParameter("service", OpenApiTypes.INT),
    OpenApiParameter("agreement", OpenApiTypes.INT),
    OpenApiParameter("team", OpenApiTypes.INT),
]


class SlaReportViewSet(viewsets.ViewSet):
    """SLA reports computed from the SLA clocks (the numbers of the SLA dashboard)."""

    policy_target = "service_level_reports"
    policy_action = "view"

    def _scope(self, request: Any) -> tuple[reports.ReportScope, dict[str, Any]]:
        params = ReportPeriodSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        scope = reports.ReportScope.build(
            start=data.get("date_from"),
            end=data.get("date_to"),
            customer=data.get("customer"),
            service=data.get("service"),
            agreement=data.get("agreement"),
            team=data.get("team"),
        )
        return scope, data

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(reports.GROUPINGS)),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def attainment(self, request: Any) -> Response:
        """Met / breached / % for response and resolution per group, with the total and objectives."""
        scope, data = self._scope(request)
        return Response(reports.attainment_report(scope, group_by=data["group_by"]))

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter("months", OpenApiTypes.INT)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def trend(self, request: Any) -> Response:
        """Attainment and volume per month for the ``months`` (default 12) ending with ``to``'s month."""
        scope, data = self._scope(request)
        return Response(reports.trend_report(scope, months=data["months"]))

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS[2:], OpenApiParameter("limit", OpenApiTypes.INT)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path="at-risk")
    def at_risk(self, request: Any) -> Response:
        """Running clocks closest to breach first, with the time left (``limit``, default 50)."""
        scope, data = self._scope(request)
        return Response(reports.at_risk_report(scope, limit=data["limit"]))
