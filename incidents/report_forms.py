"""The period and filters of the incident report page (the API validates the same in
``incidents/api/report_views.py``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.models import Team
from itsm.ui.forms import Form
from service_levels.models import Customer, Service

from .reports import MAX_DAYS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IncidentReportForm(Form):
    """Every field is optional (default: the last 30 days, all incidents)."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.order_by("name", "id"), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Assignment group"), queryset=Team.objects.order_by("name", "id"), required=False
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("name", "id"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period cannot end before it starts."))
        elif start and end and (end - start).days + 1 > MAX_DAYS:
            self.add_error("date_to", _("Choose a period of at most 366 days."))
        return data
