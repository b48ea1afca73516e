"""API views of SLA clocks: read only (the clock engine is their only writer)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.viewsets import PolicyReadOnlyViewSet
from service_levels.clock_filters import ClockFilter
from service_levels.clocks import clock_explain
from service_levels.models import Clock

from .clock_serializers import ClockSerializer


class ClockViewSet(PolicyReadOnlyViewSet):
    """SLA clocks of every record: filter by state, kind, agreement, team, priority, record (type and id,
    or reference) and due time; ``…/<id>/explain/`` says why the clock says what it says."""

    policy_target = Clock
    policy_actions = {"explain": "view"}
    queryset = Clock.objects.select_related("agreement", "calendar_version__calendar")
    serializer_class = ClockSerializer
    filterset_class = ClockFilter
    ordering = "-id"

    @extend_schema(filters=False, responses={200: OpenApiResponse(description="The clock's explanation.")})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def explain(self, request: Any, pk: Any = None) -> Response:
        """Target, calendar (name, version, rules), thresholds, each running and paused segment with the
        working spans that counted and the holidays it crossed, the event log, and whether recomputing
        from the log gives the stored state."""
        clock = self.get_object()
        return Response(clock_explain(clock))
