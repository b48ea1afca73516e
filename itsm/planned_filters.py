"""FilterSets of planned activities and their cycles, shared by the list page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .filters import SearchFilterMixin
from .models import Team, User
from .planned import (
    OccurrenceState,
    PlannedActivity,
    PlannedOccurrence,
    ScheduleStatus,
    kind_choices,
    with_status,
)
from .ui.forms import SearchInput


class PlannedActivityFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("title", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=kind_choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ScheduleStatus.choices, method="filter_status"
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=User.objects.filter(is_active=True, is_system=False)
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = PlannedActivity
        fields = ["q", "kind", "status", "owner", "team", "is_active"]

    def filter_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return with_status(queryset, value, timezone.localdate())


class PlannedOccurrenceFilter(django_filters.FilterSet):
    activity = django_filters.NumberFilter(label=_("Planned activity"), field_name="activity_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=kind_choices, field_name="activity__kind")
    state = django_filters.ChoiceFilter(label=_("State"), choices=OccurrenceState.choices)
    due = django_filters.DateFromToRangeFilter(label=_("Due"))

    class Meta:
        model = PlannedOccurrence
        fields = ["activity", "kind", "state", "due"]
