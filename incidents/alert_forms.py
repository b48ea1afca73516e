"""The integration form: the severity mapping as eight choices rather than JSON."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from configuration.models import ConfigurationItem

from .alert_choices import Severity
from .alert_models import DEFAULT_SEVERITY_MAP, Integration
from .choices import Impact, Urgency
from .models import Category


def _level_field(kind: str, severity: Any) -> forms.TypedChoiceField:
    choices = Impact.choices if kind == "impact" else Urgency.choices
    label = (_("%(severity)s: impact") if kind == "impact" else _("%(severity)s: urgency")) % {
        "severity": severity.label
    }
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int)


class IntegrationForm(forms.ModelForm):
    class Meta:
        model = Integration
        fields = [
            "name",
            "description",
            "enabled",
            "service",
            "configuration_item",
            "category",
            "assignment_team",
            "auto_resolve",
            "storm_threshold",
            "storm_window_minutes",
            "rate_limit_per_minute",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = Category.objects.filter(
            is_active=True
        )
        cast(
            forms.ModelChoiceField, self.fields["configuration_item"]
        ).queryset = ConfigurationItem.objects.order_by("name", "id")
        mapping = (self.instance.severity_map if self.instance.pk else None) or DEFAULT_SEVERITY_MAP
        for severity in Severity:
            for kind in ("impact", "urgency"):
                name = f"{severity.value}_{kind}"
                self.fields[name] = _level_field(kind, severity)
                self.initial.setdefault(
                    name, mapping.get(severity.value, DEFAULT_SEVERITY_MAP[severity.value])[kind]
                )

    def severity_map(self) -> dict[str, dict[str, int]]:
        return {
            severity.value: {
                "impact": self.cleaned_data[f"{severity.value}_impact"],
                "urgency": self.cleaned_data[f"{severity.value}_urgency"],
            }
            for severity in Severity
        }

    def service_data(self) -> dict[str, Any]:
        """What the services take: the model fields plus the assembled severity mapping."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["severity_map"] = self.severity_map()
        return data
