"""FilterSets of incident and service request management, shared by list pages and the API."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from itsm.choices import Priority
from itsm.filters import SearchFilterMixin
from itsm.models import Team
from itsm.ui.forms import SearchInput
from service_levels.models import Customer, Service

from . import selectors
from .choices import Channel, IncidentState, ServiceRequestState
from .models import Category, Incident, MajorIncidentReview, RequestCatalogueItem, ServiceRequest

QUEUES = [
    ("mine", _("Assigned to me")),
    ("team", _("My teams' queue")),
    ("unassigned", _("Not assigned")),
    ("open", _("All open")),
    ("major", _("Major incidents")),
]


class SharedChoicesMixin:
    """Select filters whose choices come from ``selectors.queue_choice_lists``: one query for all the
    selects of the panel, made only when a select is rendered (the API validates the same form and never
    reads the lists). A chosen value is still checked against the field's queryset."""

    # filter name -> key of ``queue_choice_lists``
    CHOICE_LISTS: ClassVar[dict[str, str]] = {}
    request: Any

    @property
    def form(self) -> Any:
        if not hasattr(self, "_form"):
            form = super().form  # type: ignore[misc]
            kinds = tuple(sorted({KIND_OF[key] for key in self.CHOICE_LISTS.values()}))
            for name, key in self.CHOICE_LISTS.items():
                field = form.fields.get(name)
                if field is not None:
                    field.widget.choices = CallableChoiceIterator(
                        partial(_choices, self.request, kinds, key, field.empty_label)
                    )
        return self._form  # type: ignore[attr-defined]


class IncidentFilter(SharedChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    queue = django_filters.ChoiceFilter(label=_("Queue"), choices=QUEUES, method="filter_queue")
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=IncidentState.choices)
    priority = django_filters.MultipleChoiceFilter(label=_("Priority"), choices=Priority.choices)
    assignment_team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.all())
    customer = django_filters.ModelChoiceFilter(label=_("Customer"), queryset=Customer.objects.all())
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.all())
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    is_major = django_filters.BooleanFilter(label=_("Major incident"))
    is_security = django_filters.BooleanFilter(label=_("Security incident"))
    sla = django_filters.ChoiceFilter(
        label=_("SLA"),
        choices=[("at_risk", _("At risk")), ("breached", _("Breached"))],
        method="filter_sla",
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Logged from")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Logged until")
    )

    class Meta:
        model = Incident
        fields = [
            "q",
            "queue",
            "state",
            "priority",
            "assignment_team",
            "service",
            "customer",
            "category",
            "channel",
            "is_major",
            "is_security",
            "sla",
            "assignee",
            "reported_by",
        ]

    CHOICE_LISTS: ClassVar[dict[str, str]] = {
        "assignment_team": "teams",
        "service": "services",
        "customer": "customers",
        "category": "categories",
        "assignee": "people",
        "reported_by": "people",
    }

    def search(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        return selectors.incident_search(queryset, value)

    def filter_queue(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return selectors.incident_queue(queryset, user, value)

    def filter_sla(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        return selectors.incident_sla_filter(queryset, value)


KIND_OF = {
    "teams": "team",
    "active_teams": "team",
    "services": "service",
    "customers": "customer",
    "categories": "category",
    "people": "person",
}


def queue_choice_lists(
    request: Any, kinds: tuple[str, ...] = selectors.CHOICE_KINDS
) -> dict[str, list[tuple[int, str]]]:
    """The choice lists, read once per request (the filter panel and the bulk form share them)."""
    kinds = tuple(sorted(kinds))
    cache: dict[tuple[str, ...], Any] = getattr(request, "_incident_choice_lists", None) or {}
    if kinds not in cache:
        cache[kinds] = selectors.queue_choice_lists(kinds)
        if request is not None:
            request._incident_choice_lists = cache
    return cache[kinds]


def _choices(request: Any, kinds: tuple[str, ...], key: str, empty_label: Any) -> list[tuple[Any, Any]]:
    blank = [("", empty_label)] if empty_label is not None else []
    return blank + list(queue_choice_lists(request, kinds).get(key, []))


class CategoryFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)

    class Meta:
        model = Category
        fields = ["q", "parent", "is_active", "is_security"]


class ReviewFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "incident__reference", "incident__title")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)

    class Meta:
        model = MajorIncidentReview
        fields = ["q", "state", "owner"]


class ServiceRequestFilter(SharedChoicesMixin, SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "title", "description")
    CHOICE_LISTS: ClassVar[dict[str, str]] = {
        "service": "services",
        "customer": "customers",
        "assignment_team": "teams",
    }
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=ServiceRequestState.choices)
    # Items are labelled "service: name": the services come with them (not a query per item).
    catalogue_item = django_filters.ModelChoiceFilter(
        label=_("Catalogue item"), queryset=RequestCatalogueItem.objects.select_related("service")
    )

    class Meta:
        model = ServiceRequest
        fields = ["q", "state", "priority", "service", "customer", "assignment_team", "catalogue_item"]
