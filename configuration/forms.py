"""Forms of configuration management.

The CI form renders the CI type's attribute schema as fields (``attr_<key>``) and checks them with
the same validation the services use, so each attribute shows its own message.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from itsm.ui.forms import Form, ModelForm
from service_levels.models import Service, ServiceComponent

from .attributes import validate_attributes
from .choices import AttributeType
from .models import CIType, ConfigurationItem, RelationshipType

ATTRIBUTE_PREFIX = "attr_"


def _attribute_field(spec: dict[str, Any]) -> forms.Field:
    kind = spec.get("type")
    common: dict[str, Any] = {
        "label": spec.get("label") or spec.get("key"),
        "required": bool(spec.get("required")),
        "help_text": spec.get("help", ""),
    }
    if kind == AttributeType.NUMBER:
        return forms.DecimalField(**common, max_digits=20, decimal_places=6)
    if kind == AttributeType.DATE:
        return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    if kind == AttributeType.CHOICE:
        choices = [("", "—")] + [(c, c) for c in spec.get("choices", [])]
        return forms.ChoiceField(**common, choices=choices)
    if kind == AttributeType.REFERENCE:
        common["help_text"] = common["help_text"] or _(
            "The reference of a CI of type %(type)s, e.g. CI-000123."
        ) % {"type": spec.get("reference_type", "")}
        return forms.CharField(
            **common, max_length=20, widget=forms.TextInput(attrs={"placeholder": "CI-000123"})
        )
    return forms.CharField(**common, max_length=2000)


class ConfigurationItemForm(ModelForm):
    """Create or edit a CI of one type: its fields plus the type's attributes."""

    rfc_reference = forms.CharField(
        label=_("RFC"),
        required=False,
        max_length=40,
        help_text=_("The approved RFC behind this change (required for live CIs under change control)."),
    )

    class Meta:
        model = ConfigurationItem
        fields = [
            "name",
            "description",
            "version",
            "importance",
            "location",
            "owner",
            "team",
            "asset_tag",
            "supplier_reference",
            "contract_reference",
            "licence_model",
            "licence_quantity",
            "licence_expires_on",
            "licence_notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "licence_notes": forms.Textarea(attrs={"rows": 2}),
            "licence_expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, ci_type: CIType, rfc_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ci_type = ci_type
        self.schema = ci_type.attributes
        if ci_type.naming_rule_help:
            self.fields["name"].help_text = ci_type.naming_rule_help
        values = self.instance.attributes if self.instance.pk else {}
        for spec in self.schema:
            name = ATTRIBUTE_PREFIX + spec["key"]
            self.fields[name] = _attribute_field(spec)
            if spec["key"] in (values or {}):
                self.initial[name] = values[spec["key"]]
        # The RFC goes last, next to the save button; it is never pre-filled: each change names its own.
        self.fields["rfc_reference"] = self.fields.pop("rfc_reference")
        self.fields["rfc_reference"].required = rfc_required
        self.initial["rfc_reference"] = ""

    def attribute_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(ATTRIBUTE_PREFIX)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw: dict[str, Any] = {}
        for spec in self.schema:
            value = cleaned.get(ATTRIBUTE_PREFIX + spec["key"])
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif value is not None and not isinstance(value, str):
                value = str(value)
            raw[spec["key"]] = value
        values, errors = validate_attributes(self.schema, raw)
        for key, message in errors.items():
            name = ATTRIBUTE_PREFIX + key
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
            elif name not in self.fields:
                self.add_error(None, message)
        cleaned["attributes"] = values
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """What the services take: the model fields, ``attributes`` and ``rfc_reference``."""
        data = {
            name: self.cleaned_data[name] for name in self._meta.fields or [] if name in self.cleaned_data
        }
        data["attributes"] = self.cleaned_data["attributes"]
        if self.cleaned_data.get("rfc_reference"):
            data["rfc_reference"] = self.cleaned_data["rfc_reference"]
        return data


class CITypeForm(ModelForm):
    attribute_schema = forms.JSONField(
        label=_("Attribute schema"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_(
            'A JSON list of fields: {"key": "ram_gb", "label": "RAM (GB)", "type": "number", "required": true}. '
            'Types: text, number, date, choice (with "choices": [...]), reference (with "reference_type": '
            '"<CI type code>").'
        ),
    )

    class Meta:
        model = CIType
        fields = [
            "code",
            "name",
            "description",
            "attribute_schema",
            "change_controlled",
            "allowed_relationship_types",
            "naming_rule",
            "naming_rule_help",
            "owner",
            "icon",
            "color",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "allowed_relationship_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed_relationship_types"].queryset = RelationshipType.objects.order_by("name")  # type: ignore[attr-defined]

    def clean_attribute_schema(self) -> Any:
        return self.cleaned_data.get("attribute_schema") or []

    def service_data(self) -> tuple[dict[str, Any], list[RelationshipType]]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "allowed_relationship_types"}
        return data, list(self.cleaned_data.get("allowed_relationship_types") or [])


class RelationshipTypeForm(ModelForm):
    class Meta:
        model = RelationshipType
        fields = [
            "code",
            "name",
            "inverse_name",
            "description",
            "acyclic",
            "propagates_impact",
            "impact_direction",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


TARGET_KINDS = [("ci", _("A CI")), ("service", _("A service")), ("component", _("A service component"))]


class RelationshipForm(Form):
    """Add a link from a CI: the type (those allowed for the CI's type), the target and a reason."""

    relationship_type = forms.ModelChoiceField(
        label=_("Relationship"), queryset=RelationshipType.objects.none()
    )
    target_kind = forms.ChoiceField(
        label=_("Points at"), choices=TARGET_KINDS, initial="ci", widget=forms.RadioSelect
    )
    target = forms.CharField(
        label=_("Target CI"),
        required=False,
        max_length=200,
        help_text=_("Its reference (CI-000123) or its exact name."),
    )
    target_service: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Target service"), required=False, queryset=Service.objects.none()
    )
    target_component: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Target component"), required=False, queryset=ServiceComponent.objects.none()
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    rfc_reference = forms.CharField(label=_("RFC"), required=False, max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(
        self, *args: Any, source: ConfigurationItem, services: Any, components: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["relationship_type"].queryset = source.ci_type.allowed_relationship_types.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("name")
        self.fields["target_service"].queryset = services  # type: ignore[attr-defined]
        self.fields["target_component"].queryset = components  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("target_kind")
        if kind == "ci":
            text = (cleaned.get("target") or "").strip()
            if not text:
                self.add_error("target", _("Name the CI this one points at."))
            else:
                found = list(
                    ConfigurationItem.objects.filter(reference=text.upper())[:1]
                    or ConfigurationItem.objects.filter(name__iexact=text).exclude(state="disposed")[:2]
                )
                if not found:
                    self.add_error("target", _("No CI has this reference or name."))
                elif len(found) > 1:
                    self.add_error("target", _("Several CIs have this name; use the reference."))
                else:
                    cleaned["target_ci"] = found[0]
        elif kind == "service" and not cleaned.get("target_service"):
            self.add_error("target_service", _("Choose the service."))
        elif kind == "component" and not cleaned.get("target_component"):
            self.add_error("target_component", _("Choose the component."))
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["target_kind"]
        return {
            "relationship_type": data["relationship_type"],
            "target": data.get("target_ci") if kind == "ci" else None,
            "target_service": data.get("target_service") if kind == "service" else None,
            "target_component": data.get("target_component") if kind == "component" else None,
            "description": data.get("description", ""),
            "rfc_reference": data.get("rfc_reference", ""),
            "reason": data["reason"],
        }


class RelationshipRemoveForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    rfc_reference = forms.CharField(label=_("RFC"), required=False, max_length=40)


def form_errors(form: forms.Form, error: ValidationError) -> ValidationError:
    """A service's ``ValidationError`` with the keys the form does not have folded into its general
    errors, so ``form.add_error(None, …)`` can show all of it inline."""
    if not hasattr(error, "error_dict"):
        return error
    mapped: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        name = key if key in form.fields else "__all__"
        if key in ("note", "reason") and "reason" in form.fields:
            name = "reason"
        mapped.setdefault(name, []).extend(messages)
    return ValidationError(mapped)
