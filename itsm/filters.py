"""One FilterSet per model, shared by list pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import Department, Team, User
from .ui.forms import SearchInput


class SearchFilterMixin:
    search_fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


class UserFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("username", "display_name", "first_name", "last_name", "email")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, field_name="groups__name")
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "department", "is_active"]


class TeamFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("name", "code", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Team
        fields = ["q", "department", "is_active"]


class DepartmentFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("name", "code", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)

    class Meta:
        model = Department
        fields = ["q"]
