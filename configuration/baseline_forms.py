"""Forms of baselines and the "as of" view (the pages parse input; the services decide)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.ui.forms import Form
from service_levels.models import Service

from .attributes import REFERENCE_PATTERN
from .models import Baseline, CIType, ConfigurationItem

SCOPE_MODES = [
    ("filter", _("CIs selected by a filter")),
    ("cis", _("Named CIs")),
]


class BaselineForm(Form):
    """A draft baseline: its name and its scope, either named CIs or a filter (service, type, state)."""

    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. “ERP production”"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scope = forms.CharField(
        label=_("Scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the baseline covers and why."),
    )
    mode = forms.ChoiceField(
        label=_("CIs in the baseline"), choices=SCOPE_MODES, widget=forms.RadioSelect, initial="filter"
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.order_by("name"),
        required=False,
        help_text=_("The CIs linked to the service, and everything they run on or depend on."),
    )
    ci_type = forms.ModelChoiceField(
        label=_("Type"), queryset=CIType.objects.order_by("name"), required=False
    )
    live_only = forms.BooleanField(
        label=_("Live CIs only"), required=False, initial=True, help_text=_("Leave out CIs not yet live.")
    )
    cis = forms.CharField(
        label=_("Named CIs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "CI-000123, CI-000124"}),
        help_text=_("CI references, separated by commas, spaces or lines."),
    )

    def __init__(self, *args: Any, instance: Baseline | None = None, **kwargs: Any) -> None:
        if instance is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        elif instance is not None and not args:
            kwargs["initial"] = {**self.initial_from(instance), **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        self.instance = instance

    @staticmethod
    def initial_from(baseline: Baseline) -> dict[str, Any]:
        scope = baseline.scope_filter or {}
        initial: dict[str, Any] = {
            "name": baseline.name,
            "description": baseline.description,
            "scope": baseline.scope,
            "mode": scope.get("mode", "filter"),
            "service": scope.get("service"),
            "ci_type": scope.get("ci_type"),
            "live_only": scope.get("live_only", True),
        }
        if scope.get("mode") == "cis":
            references = ConfigurationItem.objects.filter(pk__in=scope.get("cis") or []).order_by("reference")
            initial["cis"] = ", ".join(references.values_list("reference", flat=True))
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == "cis":
            words = [w.strip().upper() for w in re.split(r"[\s,;]+", cleaned.get("cis") or "") if w.strip()]
            bad = [w for w in words if not REFERENCE_PATTERN.match(w)]
            found = dict(ConfigurationItem.objects.filter(reference__in=words).values_list("reference", "pk"))
            unknown = [w for w in words if w not in found and w not in bad]
            if not words:
                self.add_error("cis", _("Name at least one CI."))
            elif bad or unknown:
                self.add_error(
                    "cis", _("Unknown CI references: %(refs)s") % {"refs": ", ".join([*bad, *unknown][:10])}
                )
            else:
                cleaned["scope_filter"] = {"mode": "cis", "cis": [found[w] for w in words]}
        else:
            service, ci_type = cleaned.get("service"), cleaned.get("ci_type")
            cleaned["scope_filter"] = {
                "mode": "filter",
                "service": service.pk if service else None,
                "ci_type": ci_type.pk if ci_type else None,
                "live_only": bool(cleaned.get("live_only")),
            }
        return cleaned

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in ("name", "description", "scope")}
        data["scope_filter"] = self.cleaned_data["scope_filter"]
        return data


class AsOfForm(Form):
    date = forms.DateField(
        label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
