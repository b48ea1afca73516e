"""FilterSets of incident and service request management, shared by list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from itsm.choices import Priority
from itsm.filters import SearchFilterMixin
from itsm.models import Team
from itsm.ui.forms import SearchInput
from service_levels.models import Customer, Service

from . import selectors
from .choices import Channel, IncidentState, ServiceRequestState
from .models import Category, Incident, MajorIncidentReview, ServiceRequest

QUEUES = [
    ("mine", _("Assigned to me")),
    ("team", _("My teams' queue")),
    ("unassigned", _("Not assigned")),
    ("open", _("All open")),
    ("major", _("Major incidents")),
]


class IncidentFilter(django_filters.FilterSet):
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

    def search(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        return selectors.incident_search(queryset, value)

    def filter_queue(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return selectors.incident_queue(queryset, user, value)

    def filter_sla(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        return selectors.incident_sla_filter(queryset, value)


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


class ServiceRequestFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "title", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=ServiceRequestState.choices)

    class Meta:
        model = ServiceRequest
        fields = ["q", "state", "priority", "service", "customer", "assignment_team", "catalogue_item"]
