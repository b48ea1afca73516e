"""FilterSets of report definitions and service reviews, shared by the list pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.filters import SearchFilterMixin
from itsm.ui.forms import SearchInput

from .models import Agreement, Customer, ReportDefinition, ServiceReview


class ReportDefinitionFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "purpose", "audience", "agreed_with")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    source = django_filters.ChoiceFilter(label=_("Data source"), choices=ReportDefinition.Source.choices)
    frequency = django_filters.ChoiceFilter(label=_("Frequency"), choices=ReportDefinition.Frequency.choices)
    customer = django_filters.ModelChoiceFilter(label=_("Customer"), queryset=Customer.objects.all())
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ReportDefinition
        fields = ["q", "source", "frequency", "customer", "owner", "is_active"]


class ServiceReviewFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "title", "agreement__reference", "agreement__title")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    state = django_filters.ChoiceFilter(label=_("State"), choices=ServiceReview.State.choices)
    agreement = django_filters.ModelChoiceFilter(label=_("Agreement"), queryset=Agreement.objects.all())
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"), field_name="agreement__customer", queryset=Customer.objects.all()
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    due_after = django_filters.DateFilter(label=_("Due from"), field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(label=_("Due until"), field_name="due_on", lookup_expr="lte")

    class Meta:
        model = ServiceReview
        fields = ["q", "state", "agreement", "customer", "owner", "overdue", "due_after", "due_before"]

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        overdue = {"state": ServiceReview.State.PLANNED, "due_on__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)
