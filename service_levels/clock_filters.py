"""The FilterSet of SLA clocks (the API list, and any page that lists clocks)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from itsm.choices import Priority
from itsm.models import Team

from .choices import AgreementKind, ClockKind, ClockState
from .models import Agreement, Clock


class ClockFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=ClockState.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ClockKind.choices)
    agreement = django_filters.ModelChoiceFilter(
        label=_("Agreement"), queryset=Agreement.objects.order_by("id")
    )
    agreement_kind = django_filters.ChoiceFilter(
        label=_("SLA or OLA"), field_name="agreement__kind", choices=AgreementKind.choices
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.order_by("name"))
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    record_type = django_filters.CharFilter(
        label=_("Record type"),
        method="filter_record_type",
        help_text=_("app_label.model, e.g. incidents.incident"),
    )
    object_id = django_filters.CharFilter(label=_("Record id"))
    record = django_filters.CharFilter(label=_("Record reference"), field_name="record_reference")
    due_before = django_filters.IsoDateTimeFilter(
        label=_("Due before"), field_name="due_at", lookup_expr="lt"
    )
    due_after = django_filters.IsoDateTimeFilter(
        label=_("Due at or after"), field_name="due_at", lookup_expr="gte"
    )
    breached = django_filters.BooleanFilter(
        label=_("Breached"), field_name="breached_at", lookup_expr="isnull", exclude=True
    )
    gap = django_filters.BooleanFilter(
        label=_("No target (gap)"), field_name="target_seconds", lookup_expr="isnull"
    )

    class Meta:
        model = Clock
        fields = [
            "state",
            "kind",
            "agreement",
            "agreement_kind",
            "team",
            "priority",
            "record_type",
            "object_id",
            "record",
            "due_before",
            "due_after",
            "breached",
            "gap",
        ]

    def filter_record_type(self, queryset: QuerySet[Clock], name: str, value: Any) -> QuerySet[Clock]:
        app_label, _dot, model = str(value).lower().partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type=content_type)
