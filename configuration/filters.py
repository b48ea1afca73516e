"""FilterSets of configuration management, shared by list pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from itsm.filters import SearchFilterMixin
from itsm.models import Team
from itsm.ui.forms import SearchInput
from service_levels.models import Service

from .attributes import KEY_PATTERN
from .choices import CIState, Importance
from .models import CIType, ConfigurationItem, Relationship, RelationshipType


class ConfigurationItemFilter(SearchFilterMixin, django_filters.FilterSet):
    """CIs by text, type, state, importance, the service they are linked to and attribute values.

    ``attribute`` takes free text (searched in every attribute value) or ``key=value`` (that attribute
    contains the value), e.g. ``os=linux``.
    """

    search_fields = ("reference", "name", "asset_tag", "location")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    ci_type = django_filters.ModelChoiceFilter(
        label=_("Type"), queryset=CIType.objects.order_by("name"), field_name="ci_type"
    )
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=CIState.choices)
    importance = django_filters.ChoiceFilter(label=_("Importance"), choices=Importance.choices)
    service = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=Service.objects.order_by("name"), method="filter_service"
    )
    team = django_filters.ModelChoiceFilter(label=_("Support team"), queryset=Team.objects.order_by("name"))
    attribute = django_filters.CharFilter(
        label=_("Attribute"), method="filter_attribute", help_text=_("Text, or key=value (e.g. os=linux)")
    )

    class Meta:
        model = ConfigurationItem
        fields = ["q", "ci_type", "state", "importance", "service", "team", "owner", "attribute"]

    def filter_service(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        """CIs linked to the service directly or through one of its components."""
        if not value:
            return queryset
        linked = Relationship.objects.filter(Q(target_service=value) | Q(target_component__service=value))
        return queryset.filter(pk__in=linked.values("source_id"))

    def filter_attribute(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = (value or "").strip()
        if not text:
            return queryset
        key, sep, wanted = text.partition("=")
        key, wanted = key.strip(), wanted.strip()
        if sep and KEY_PATTERN.match(key) and wanted:
            return queryset.filter(**{f"attributes__{key}__icontains": wanted})
        return queryset.filter(attributes__icontains=text)


class CITypeFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)

    class Meta:
        model = CIType
        fields = ["q", "change_controlled", "is_active"]


class RelationshipTypeFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "inverse_name")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)

    class Meta:
        model = RelationshipType
        fields = ["q", "acyclic", "propagates_impact", "is_active"]


class RelationshipFilter(django_filters.FilterSet):
    """Links by either end, type, or the service they point at."""

    ci = django_filters.NumberFilter(label=_("CI (either end)"), method="filter_ci")

    class Meta:
        model = Relationship
        fields = ["source", "target", "relationship_type", "target_service", "target_component", "ci"]

    def filter_ci(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(Q(source_id=value) | Q(target_id=value))
