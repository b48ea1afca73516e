"""Forms of CMDB audits: plan one, verify an item, record the RFC raised for a discrepancy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.models import User
from itsm.ui.forms import Form, ModelForm

from .audit_services import DEFAULT_SAMPLE_PERCENT
from .choices import AuditVerdict
from .models import CMDBAudit


def auditor_choices() -> Any:
    """People who may read the CMDB (the policy checks again when the audit is saved)."""
    return (
        User.objects.filter(is_active=True, is_system=False)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename__in=["access_configuration", "view_all_records"])
            | Q(user_permissions__codename__in=["access_configuration", "view_all_records"])
        )
        .distinct()
        .order_by("display_name", "username")
    )


class CMDBAuditForm(ModelForm):
    class Meta:
        model = CMDBAudit
        fields = [
            "title",
            "auditor",
            "period_start",
            "period_end",
            "planned_for",
            "scope",
            "sample_percent",
            "sample_minimum",
            "include_critical",
        ]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 2}),
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_for": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        auditor = self.fields["auditor"]
        assert isinstance(auditor, forms.ModelChoiceField)  # noqa: S101 (a ForeignKey field)
        auditor.queryset = auditor_choices()
        auditor.help_text = _("Never verifies a CI they own: those go to a second auditor.")
        if self.instance.pk is None:
            self.initial.setdefault("sample_percent", DEFAULT_SAMPLE_PERCENT)


class VerifyForm(Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            (AuditVerdict.CORRECT, AuditVerdict.CORRECT.label),
            (AuditVerdict.DISCREPANCY, AuditVerdict.DISCREPANCY.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, help_text=_("Required for a discrepancy.")
    )


class RaiseRfcForm(Form):
    rfc_reference = forms.CharField(
        label=_("RFC"), max_length=40, widget=forms.TextInput(attrs={"placeholder": "RFC-000123"})
    )
