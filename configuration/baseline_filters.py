"""FilterSets of baselines and CMDB audits, shared by their list pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from itsm.filters import SearchFilterMixin
from itsm.ui.forms import SearchInput

from .choices import BaselineState, CMDBAuditState
from .models import Baseline, CMDBAudit


class BaselineFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "name", "description", "scope")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=BaselineState.choices)

    class Meta:
        model = Baseline
        fields = ["q", "state"]


class CMDBAuditFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "title", "scope")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    state = django_filters.MultipleChoiceFilter(label=_("State"), choices=CMDBAuditState.choices)

    class Meta:
        model = CMDBAudit
        fields = ["q", "state", "auditor"]
