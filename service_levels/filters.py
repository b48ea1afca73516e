"""FilterSets of service level management, shared by list pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from itsm.filters import SearchFilterMixin
from itsm.models import Team, User
from itsm.ui.forms import SearchInput

from .choices import AgreementKind, AgreementState, ServiceKind, ServiceStatus
from .models import Agreement, BusinessCalendar, Contact, Customer, Service, ServiceComponent


def _people(request: Any) -> QuerySet[User]:
    """Active people (never the system account), for the owner filters."""
    return User.objects.filter(is_active=True, is_system=False).order_by("display_name", "username")


class ServiceFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ServiceStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ServiceKind.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=_people)
    team = django_filters.ModelChoiceFilter(label=_("Support team"), queryset=Team.objects.order_by("name"))
    customers = django_filters.ModelChoiceFilter(
        label=_("Customer"), queryset=Customer.objects.order_by("name")
    )

    class Meta:
        model = Service
        fields = ["q", "status", "kind", "owner", "team", "customers"]


class ServiceComponentFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("name", "description", "service__name")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.order_by("name"))
    team = django_filters.ModelChoiceFilter(
        label=_("Responsible team"), queryset=Team.objects.order_by("name")
    )

    class Meta:
        model = ServiceComponent
        fields = ["q", "service", "team"]


class CustomerFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    is_internal = django_filters.BooleanFilter(label=_("Internal customer"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    relationship_owner = django_filters.ModelChoiceFilter(label=_("Relationship owner"), queryset=_people)
    services = django_filters.ModelChoiceFilter(
        label=_("Receives service"), queryset=Service.objects.order_by("name")
    )

    class Meta:
        model = Customer
        fields = ["q", "is_internal", "is_active", "relationship_owner", "services"]


class ContactFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("name", "job_title", "email", "phone")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"), queryset=Customer.objects.order_by("name")
    )
    is_primary = django_filters.BooleanFilter(label=_("Primary contact"))

    class Meta:
        model = Contact
        fields = ["q", "customer", "is_primary"]


class BusinessCalendarFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = BusinessCalendar
        fields = ["q", "is_active"]


class AgreementFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "title", "workload", "exceptions")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AgreementKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=AgreementState.choices)
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"), queryset=Customer.objects.order_by("name")
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service"), field_name="services", queryset=Service.objects.order_by("name")
    )
    team = django_filters.ModelChoiceFilter(label=_("Internal team"), queryset=Team.objects.order_by("name"))
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=_people)

    class Meta:
        model = Agreement
        fields = ["q", "kind", "state", "customer", "service", "team", "owner"]
