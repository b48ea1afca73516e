"""FilterSets of audits and improvement, shared by list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from itsm.filters import SearchFilterMixin
from itsm.ui.forms import SearchInput

from .choices import DocumentState, DocumentType, ObjectiveStatus
from .models import Document, Objective


class ObjectiveFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("code", "name", "description")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ObjectiveStatus.choices)

    class Meta:
        model = Objective
        fields = ["q", "status", "department", "owner"]


class DocumentFilter(SearchFilterMixin, django_filters.FilterSet):
    search_fields = ("reference", "title", "code", "summary")
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    state = django_filters.ChoiceFilter(label=_("State"), choices=DocumentState.choices)
    doc_type = django_filters.ChoiceFilter(label=_("Type"), choices=DocumentType.choices)

    class Meta:
        model = Document
        fields = ["q", "state", "doc_type", "owner"]
