"""Forms of the CSV import: the upload, and the checked file sent back to be imported."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.ui.forms import Form

from .imports import ImportKind
from .models import CIType


class ImportForm(Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=ImportKind.choices, initial=ImportKind.CIS
    )
    ci_type = forms.ModelChoiceField(
        label=_("CI type"),
        queryset=CIType.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("For rows whose type column is empty (CI files only)."),
    )
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, comma or semicolon separated, with a header row.")
    )


class ImportCommitForm(Form):
    """The checked file, sent back to be imported."""

    kind = forms.ChoiceField(choices=ImportKind.choices, widget=forms.HiddenInput)
    ci_type = forms.ModelChoiceField(queryset=CIType.objects.all(), required=False, widget=forms.HiddenInput)
    content = forms.CharField(widget=forms.HiddenInput, strip=False)
