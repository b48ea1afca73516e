"""FilterSets of audits and improvement, shared by list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from itsm.filters import SearchFilterMixin
from itsm.ui.forms import SearchInput

from .choices import ObjectiveStatus
from .models import Objective


class ObjectiveFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ObjectiveStatus.choices)

    class Meta:
        model = Objective
        fields = ["q", "status", "department", "owner"]
