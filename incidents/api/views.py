"""API views of incident and service request management: ``/api/v1/incidents/`` and
``/api/v1/major-incident-reviews/``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from incidents import selectors, services
from incidents.filters import IncidentFilter, ReviewFilter, ServiceRequestFilter
from incidents.models import Incident, MajorIncidentReview, RequestCatalogueItem, ServiceRequest
from itsm.api.serializers import NoteInputSerializer, NoteSerializer
from itsm.api.viewsets import RecordViewSet, ServiceWriteViewSet
from itsm.ui.views import acting_user

from .serializers import (
    TRANSITION_INPUTS,
    IncidentLogSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    MajorIncidentReviewSerializer,
    PrioritiseInput,
    RequestCatalogueItemSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestSerializer,
)


def _input_action(name: str, input_class: Any) -> Any:
    service = services.INCIDENT_TRANSITIONS[name]

    def run(self: IncidentViewSet, request: Any, pk: Any = None) -> Response:
        incident = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        service(incident=incident, actor=acting_user(request), **data.validated_data)
        return Response(IncidentSerializer(incident, context=self.get_serializer_context()).data)

    run.__name__ = name
    run.__doc__ = f"Run the '{name}' transition with its inputs (409 if the incident changed meanwhile)."
    return extend_schema(request=input_class, responses={200: IncidentSerializer})(
        action(detail=True, methods=["post"], url_path=name, url_name=name)(run)
    )


class IncidentViewSet(RecordViewSet):
    """Incidents: list (filters as on the queue, ``q`` is full-text search), log, edit, and every
    transition as ``POST …/<id>/<transition>/``; ``…/timeline/``, ``…/notes/`` and ``…/attachments/``."""

    policy_target = Incident
    policy_actions = {"create": "log", "clocks": "view"}
    queryset = selectors.incident_list()
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    ordering = "-id"
    transition_services = {
        name: services.INCIDENT_TRANSITIONS[name] for name in sorted(services.SIMPLE_TRANSITIONS)
    }
    record_argument = "incident"

    def get_queryset(self) -> Any:
        return selectors.incident_sla_annotate(super().get_queryset())

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return IncidentLogSerializer
        if self.action in ("update", "partial_update"):
            return IncidentUpdateSerializer
        return IncidentSerializer

    def create_service(self, data: dict[str, Any]) -> Incident:
        return services.incident_log(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Incident, data: dict[str, Any]) -> Incident:
        return services.incident_update(incident=instance, actor=acting_user(self.request), data=data)

    classify = _input_action("classify", TRANSITION_INPUTS["classify"])
    assign = _input_action("assign", TRANSITION_INPUTS["assign"])
    hold = _input_action("hold", TRANSITION_INPUTS["hold"])
    escalate = _input_action("escalate", TRANSITION_INPUTS["escalate"])
    resolve = _input_action("resolve", TRANSITION_INPUTS["resolve"])
    cancel = _input_action("cancel", TRANSITION_INPUTS["cancel"])
    declare_major = _input_action("declare_major", TRANSITION_INPUTS["declare_major"])

    @extend_schema(request=PrioritiseInput, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def prioritise(self, request: Any, pk: Any = None) -> Response:
        """Set the priority by hand; a priority other than the matrix's needs ``reason``."""
        incident = self.get_object()
        data = PrioritiseInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.incident_prioritise(incident=incident, actor=acting_user(request), **data.validated_data)
        return Response(IncidentSerializer(incident, context=self.get_serializer_context()).data)

    @extend_schema(methods=["GET"], responses={200: NoteSerializer(many=True)})
    @extend_schema(methods=["POST"], request=NoteInputSerializer, responses={201: NoteSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def notes(self, request: Any, pk: Any = None) -> Response:  # type: ignore[override]
        """GET: the notes you may read. POST ``{kind, body}``: a work note, or a comment (which notifies
        the requester, or the assignee when the requester writes)."""
        if request.method != "POST":
            return super().notes(request, pk)
        incident = self.get_object()
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.incident_note_add(
            incident=incident, actor=acting_user(request), **data.validated_data
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def clocks(self, request: Any, pk: Any = None) -> Response:
        """The incident's SLA clocks (target, due, state, paused time) with their explanation."""
        return Response(selectors.clock_data(self.get_object()))


class MajorIncidentReviewViewSet(RecordViewSet):
    policy_target = MajorIncidentReview
    queryset = selectors.review_list()
    serializer_class = MajorIncidentReviewSerializer
    filterset_class = ReviewFilter
    ordering = "-id"
    transition_services = services.REVIEW_TRANSITIONS
    record_argument = "review"
    http_method_names = ["get", "put", "patch", "post", "head", "options"]

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Reviews are opened by declaring a major incident."""
        from rest_framework.exceptions import MethodNotAllowed

        raise MethodNotAllowed("POST")

    def update_service(self, instance: MajorIncidentReview, data: dict[str, Any]) -> MajorIncidentReview:
        return services.review_update(review=instance, actor=acting_user(self.request), data=data)


class ServiceRequestViewSet(RecordViewSet):
    """Service requests: list (staff), ask (anyone signed in, for themselves; the desk for others), and
    ``POST …/<id>/approve|reject|start_fulfilment|fulfil|close|cancel/`` with ``{"note": …}``."""

    policy_target = ServiceRequest
    queryset = selectors.request_list()
    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestFilter
    ordering = "-id"
    transition_services = services.REQUEST_TRANSITIONS
    record_argument = "service_request"
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self) -> Any:
        return ServiceRequestCreateSerializer if self.action == "create" else ServiceRequestSerializer

    def create_service(self, data: dict[str, Any]) -> ServiceRequest:
        return services.service_request_create(actor=acting_user(self.request), data=data)


class RequestCatalogueItemViewSet(ServiceWriteViewSet):
    policy_target = RequestCatalogueItem
    queryset = selectors.catalogue_list()
    serializer_class = RequestCatalogueItemSerializer
    ordering = "id"

    def create_service(self, data: dict[str, Any]) -> RequestCatalogueItem:
        return services.catalogue_item_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: RequestCatalogueItem, data: dict[str, Any]) -> RequestCatalogueItem:
        return services.catalogue_item_update(item=instance, actor=acting_user(self.request), data=data)
