"""API views of service level management: the catalogue, customers, calendars and agreements.

Every write calls a service (``service_levels.services``); querysets are scoped by the policy and
prefetch what the serializers show, so list queries stay constant as rows grow.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.viewsets import RecordViewSet, ServiceWriteViewSet
from itsm.ui.views import acting_user
from service_levels import selectors, services
from service_levels.filters import (
    AgreementFilter,
    BusinessCalendarFilter,
    ContactFilter,
    CustomerFilter,
    ServiceComponentFilter,
    ServiceFilter,
)
from service_levels.models import (
    Agreement,
    AgreementTarget,
    BusinessCalendar,
    CalendarVersion,
    Contact,
    Customer,
    Service,
    ServiceComponent,
    ServiceDependency,
)

from .serializers import (
    AgreementSerializer,
    BusinessCalendarSerializer,
    CalendarReviseSerializer,
    CalendarVersionSerializer,
    ContactSerializer,
    CustomerSerializer,
    RemoveSerializer,
    RetireSerializer,
    ServiceComponentSerializer,
    ServiceDependencySerializer,
    ServiceSerializer,
    TargetsInputSerializer,
)


class ServiceViewSet(ServiceWriteViewSet):
    """The service catalogue. Writes accept ``authorising_change`` (an RFC reference kept in the history);
    ``POST …/retire/`` withdraws a service that no other live service depends on."""

    policy_target = Service
    queryset = selectors.service_list().prefetch_related(
        Prefetch("components", queryset=ServiceComponent.objects.order_by("name", "id")),
        Prefetch("dependencies", queryset=ServiceDependency.objects.order_by("id")),
    )
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    ordering = "code"
    policy_actions = {"retire": "change"}

    def create_service(self, data: dict[str, Any]) -> Service:
        return services.service_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Service, data: dict[str, Any]) -> Service:
        return services.service_update(service=instance, actor=acting_user(self.request), data=data)

    @extend_schema(request=RetireSerializer, responses={200: ServiceSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request: Any, pk: Any = None) -> Response:
        service = self.get_object()
        data = RetireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.service_retire(service=service, actor=acting_user(request), **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=service.pk)).data)


class _RemoveMixin(mixins.DestroyModelMixin):
    """``DELETE`` through a service; an optional ``authorising_change`` in the body or query string."""

    request: Any

    def authorising_change(self) -> str:
        source = self.request.data or self.request.query_params
        data = RemoveSerializer(data={"authorising_change": source.get("authorising_change", "")})
        data.is_valid(raise_exception=True)
        return str(data.validated_data["authorising_change"])


class ServiceComponentViewSet(_RemoveMixin, ServiceWriteViewSet):
    """Components of services (CIs will attach to them). Adding one needs permission to change its
    service; ``DELETE`` removes it with the dependencies on it."""

    policy_target = ServiceComponent
    queryset = selectors.component_list()
    serializer_class = ServiceComponentSerializer
    filterset_class = ServiceComponentFilter
    ordering = "id"

    def create_service(self, data: dict[str, Any]) -> ServiceComponent:
        service = data.pop("service")
        reference = data.pop("authorising_change", "")
        return services.component_add(
            service=service, actor=acting_user(self.request), data=data, authorising_change=reference
        )

    def update_service(self, instance: ServiceComponent, data: dict[str, Any]) -> ServiceComponent:
        reference = data.pop("authorising_change", "")
        return services.component_update(
            component=instance, actor=acting_user(self.request), data=data, authorising_change=reference
        )

    def perform_destroy(self, instance: ServiceComponent) -> None:
        services.component_remove(
            component=instance, actor=acting_user(self.request), authorising_change=self.authorising_change()
        )


class ServiceDependencyViewSet(_RemoveMixin, ServiceWriteViewSet):
    """Dependencies between services, or on a component. Refused with a sentence: a service depending on
    itself, twice on the same thing, or a dependency that would close a cycle."""

    policy_target = ServiceDependency
    queryset = ServiceDependency.objects.select_related("service", "depends_on", "component")
    serializer_class = ServiceDependencySerializer
    filterset_fields = ["service", "depends_on", "component", "kind"]
    ordering = "id"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> ServiceDependency:
        return services.dependency_add(actor=acting_user(self.request), **data)

    def perform_destroy(self, instance: ServiceDependency) -> None:
        services.dependency_remove(
            dependency=instance, actor=acting_user(self.request), authorising_change=self.authorising_change()
        )


class CustomerViewSet(ServiceWriteViewSet):
    """Customers (clause 7.1) with the services they receive, their contacts and relationship owner."""

    policy_target = Customer
    queryset = selectors.customer_list().prefetch_related(
        "services", Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name", "id"))
    )
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    ordering = "code"

    def create_service(self, data: dict[str, Any]) -> Customer:
        return services.customer_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Customer, data: dict[str, Any]) -> Customer:
        return services.customer_update(customer=instance, actor=acting_user(self.request), data=data)


class ContactViewSet(_RemoveMixin, ServiceWriteViewSet):
    """Contacts of customers; a new primary contact takes over from the previous one."""

    policy_target = Contact
    queryset = selectors.contact_list()
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering = "id"

    def create_service(self, data: dict[str, Any]) -> Contact:
        customer = data.pop("customer")
        return services.contact_add(customer=customer, actor=acting_user(self.request), data=data)

    def update_service(self, instance: Contact, data: dict[str, Any]) -> Contact:
        return services.contact_update(contact=instance, actor=acting_user(self.request), data=data)

    def perform_destroy(self, instance: Contact) -> None:
        services.contact_remove(contact=instance, actor=acting_user(self.request))


class BusinessCalendarViewSet(ServiceWriteViewSet):
    """Business calendars. Their rules are immutable versions: ``GET …/versions/`` lists them and
    ``POST …/revise/`` adds one (never editing an earlier version)."""

    policy_target = BusinessCalendar
    serializer_class = BusinessCalendarSerializer
    filterset_class = BusinessCalendarFilter
    ordering = "code"
    policy_actions = {"versions": "view", "revise": "revise"}

    def get_queryset(self) -> QuerySet[BusinessCalendar]:
        self.queryset = BusinessCalendar.objects.prefetch_related(
            Prefetch(
                "versions",
                queryset=CalendarVersion.objects.order_by("-valid_from", "-number"),
                to_attr="loaded_versions",
            )
        )
        return super().get_queryset()

    def create_service(self, data: dict[str, Any]) -> BusinessCalendar:
        rules = data.pop("rules")
        return services.calendar_create(actor=acting_user(self.request), data=data, rules=rules)

    def update_service(self, instance: BusinessCalendar, data: dict[str, Any]) -> BusinessCalendar:
        data.pop("rules", None)
        return services.calendar_update(calendar=instance, actor=acting_user(self.request), data=data)

    @extend_schema(responses={200: CalendarVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def versions(self, request: Any, pk: Any = None) -> Response:
        """Every version of the calendar, newest first."""
        calendar = self.get_object()
        versions = CalendarVersion.objects.filter(calendar=calendar).order_by("-number")
        return Response(CalendarVersionSerializer(versions, many=True).data)

    @extend_schema(request=CalendarReviseSerializer, responses={201: CalendarVersionSerializer})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def revise(self, request: Any, pk: Any = None) -> Response:
        """A new version of the rules (from ``valid_from``, now by default; never in the past)."""
        calendar = self.get_object()
        data = CalendarReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules = dict(data.validated_data)
        note = rules.pop("note")
        valid_from = rules.pop("valid_from", None)
        version = services.calendar_revise(
            calendar=calendar, actor=acting_user(request), rules=rules, note=note, valid_from=valid_from
        )
        return Response(CalendarVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class AgreementViewSet(RecordViewSet):
    """SLAs and OLAs: draft → agreed → superseded or expired. Drafts are edited (fields with ``PATCH``,
    targets with ``POST …/targets/``); ``POST …/agree/`` and ``…/expire/`` are the transitions;
    ``POST …/revise/`` makes a draft copy that supersedes the agreed one once agreed."""

    policy_target = Agreement
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering = "-reference"
    transition_services = services.AGREEMENT_TRANSITIONS
    record_argument = "agreement"
    policy_actions = {"targets": "change", "revise": "revise"}
    queryset = selectors.agreement_list().prefetch_related(
        "services", Prefetch("targets", queryset=AgreementTarget.objects.order_by("priority"))
    )

    def create_service(self, data: dict[str, Any]) -> Agreement:
        return services.agreement_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Agreement, data: dict[str, Any]) -> Agreement:
        return services.agreement_update(agreement=instance, actor=acting_user(self.request), data=data)

    def _fresh(self, agreement: Agreement) -> Agreement:
        return self.get_queryset().get(pk=agreement.pk)

    @extend_schema(request=TargetsInputSerializer, responses={200: AgreementSerializer})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def targets(self, request: Any, pk: Any = None) -> Response:
        """Replace the draft's targets: ``{"targets": [{"priority": "P1", "respond_minutes": 15,
        "resolve_minutes": 240}, …]}``; a priority left out has no target (a gap)."""
        agreement = self.get_object()
        data = TargetsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_targets_set(
            agreement=agreement, actor=acting_user(request), targets=data.validated_data["targets"]
        )
        return Response(self.get_serializer(self._fresh(agreement)).data)

    @extend_schema(request=None, responses={201: AgreementSerializer})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def revise(self, request: Any, pk: Any = None) -> Response:
        """A draft revision of an agreed agreement (fields, services and targets copied)."""
        revision = services.agreement_revise(agreement=self.get_object(), actor=acting_user(request))
        return Response(self.get_serializer(self._fresh(revision)).data, status=status.HTTP_201_CREATED)
