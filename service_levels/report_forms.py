"""Forms of service reporting and service reviews (the catalogue's forms live in ``forms.py``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.models import Team
from itsm.ui.forms import Form, ModelForm

from .models import Agreement, Customer, ReportDefinition, Service, ServiceReview

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportDefinitionForm(ModelForm):
    class Meta:
        model = ReportDefinition
        fields = [
            "code",
            "name",
            "purpose",
            "audience",
            "frequency",
            "source",
            "customer",
            "owner",
            "agreed_with",
            "is_active",
        ]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}


class ServiceReviewForm(ModelForm):
    """A review planned by hand (the planned-activity job plans the regular ones)."""

    class Meta:
        model = ServiceReview
        fields = ["agreement", "title", "owner", "due_on", "period_start", "period_end", "attendees"]
        widgets = {
            "due_on": DATE_INPUT,
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "attendees": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Left empty: named after the agreement and the period.")
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Left empty: the agreement's owner.")
        if "agreement" in self.fields:
            self.fields["agreement"].queryset = Agreement.objects.order_by("reference")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return data


class ServiceReviewEditForm(ServiceReviewForm):
    class Meta(ServiceReviewForm.Meta):
        fields = ["title", "owner", "due_on", "period_start", "period_end", "attendees"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True
        self.fields["title"].help_text = ""
        self.fields["owner"].required = True
        self.fields["owner"].help_text = ""


class ServiceReviewHoldForm(Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE_INPUT)
    attendees = forms.CharField(
        label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))
    actions = forms.CharField(
        label=_("Agreed actions"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(label=_("Comment for the record's timeline"), required=False)


class ReportPeriodForm(Form):
    """The period and filters of the SLA dashboard; every field is optional (default: this month)."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.all(), required=False)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.all(), required=False)
    agreement = forms.ModelChoiceField(label=_("Agreement"), queryset=Agreement.objects.all(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period cannot end before it starts."))
        if start and end and (end - start) > datetime.timedelta(days=3 * 366):
            self.add_error("date_to", _("Choose a period of at most three years."))
        return data


class BreachCauseForm(Form):
    cause = forms.CharField(
        label=_("Cause"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the target was missed (shown in the breach reports and the service review)."),
    )
