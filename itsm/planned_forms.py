"""Forms of planned activities: set one up, edit its schedule (with a reason), complete a task."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .planned import PlannedActivity, creatable_kinds
from .ui.forms import Form, ModelForm

SCHEDULE_FIELDS = [
    "title",
    "description",
    "owner",
    "team",
    "interval_months",
    "interval_days",
    "next_due",
    "lead_days",
    "reminder_days",
    "escalate_after_days",
    "escalate_to",
]
WIDGETS = {
    "description": forms.Textarea(attrs={"rows": 3}),
    "next_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
}


class PlannedActivityCreateForm(ModelForm):
    """A new activity of a kind this person may set up (kinds with a subject are set up by their app)."""

    kind = forms.ChoiceField(label=_("Kind"))

    class Meta:
        model = PlannedActivity
        fields = ["kind", *SCHEDULE_FIELDS]
        widgets = WIDGETS

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)  # noqa: S101 (declared above)
        kind_field.choices = [(k.key, k.label) for k in creatable_kinds(user)]


class PlannedActivityUpdateForm(ModelForm):
    """What operators change: schedule, owner, escalation, active; always with a reason."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        help_text=_("Kept in the history and the audit trail."),
    )

    class Meta:
        model = PlannedActivity
        fields = [*SCHEDULE_FIELDS, "is_active"]
        widgets = WIDGETS


class OccurrenceCompleteForm(Form):
    note = forms.CharField(label=_("What was done"), max_length=4000, required=False)
