"""The typed attribute schema of CI types, and validation of a CI's attributes against it.

A schema is a list of fields::

    {"key": "ram_gb", "label": "RAM (GB)", "type": "number", "required": true}
    {"key": "os", "label": "Operating system", "type": "choice", "choices": ["Linux", "Windows"]}
    {"key": "cluster", "label": "Cluster", "type": "reference", "reference_type": "server"}

Values are stored as JSON: text and choice as strings, numbers as numbers, dates as ISO strings
(``2025-01-31``) and references as the referenced CI's reference (``CI-000123``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .choices import AttributeType

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
REFERENCE_PATTERN = re.compile(r"^CI-\d{1,12}$")
FIELD_KEYS = {"key", "label", "type", "required", "choices", "reference_type", "help"}


def validate_schema(schema: Any) -> list[str]:
    """Messages for everything wrong with a schema (empty when it is valid)."""
    if schema in (None, ""):
        return []
    if not isinstance(schema, list):
        return [_("The attribute schema must be a list of fields.")]
    errors: list[str] = []
    seen: set[str] = set()
    for position, field in enumerate(schema, 1):
        if not isinstance(field, dict):
            errors.append(_("Field %(n)s: must be an object with key, label and type.") % {"n": position})
            continue
        key = field.get("key")
        name = key if isinstance(key, str) and key else str(position)
        unknown = sorted(set(field) - FIELD_KEYS)
        if unknown:
            errors.append(
                _("Field %(name)s: unknown settings %(settings)s.")
                % {"name": name, "settings": ", ".join(unknown)}
            )
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            errors.append(
                _("Field %(name)s: the key must start with a letter and use only a-z, 0-9 and _.")
                % {"name": name}
            )
        elif key in seen:
            errors.append(_("Field %(name)s: the key is used twice.") % {"name": name})
        else:
            seen.add(key)
        if not isinstance(field.get("label", ""), str) or not str(field.get("label", "")).strip():
            errors.append(_("Field %(name)s: a label is required.") % {"name": name})
        kind = field.get("type")
        if kind not in AttributeType.values:
            errors.append(
                _("Field %(name)s: the type must be one of %(types)s.")
                % {"name": name, "types": ", ".join(AttributeType.values)}
            )
        if not isinstance(field.get("required", False), bool):
            errors.append(_("Field %(name)s: required must be true or false.") % {"name": name})
        choices = field.get("choices")
        if kind == AttributeType.CHOICE:
            if (
                not isinstance(choices, list)
                or not choices
                or not all(isinstance(c, str) and c for c in choices)
            ):
                errors.append(_("Field %(name)s: a choice field needs a list of choices.") % {"name": name})
        elif choices:
            errors.append(_("Field %(name)s: only choice fields have choices.") % {"name": name})
        reference_type = field.get("reference_type")
        if kind == AttributeType.REFERENCE:
            if not isinstance(reference_type, str) or not reference_type:
                errors.append(
                    _("Field %(name)s: a reference field names the CI type it refers to.") % {"name": name}
                )
        elif reference_type:
            errors.append(_("Field %(name)s: only reference fields refer to a CI type.") % {"name": name})
    return errors


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_value(field: dict[str, Any], value: Any) -> Any:
    """The stored form of ``value``; raises ``ValueError`` with a message when it does not fit."""
    kind = field.get("type")
    if kind == AttributeType.TEXT:
        if isinstance(value, (dict, list)):
            raise ValueError(_("Enter text."))
        text = str(value).strip()
        if len(text) > 2000:
            raise ValueError(_("At most 2000 characters."))
        return text
    if kind == AttributeType.NUMBER:
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        if isinstance(value, (int, float)):
            number = Decimal(str(value))
        else:
            try:
                number = Decimal(str(value).strip().replace(",", "."))
            except InvalidOperation:
                raise ValueError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == AttributeType.DATE:
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == AttributeType.CHOICE:
        text = str(value).strip()
        if text not in field.get("choices", []):
            raise ValueError(
                _("Choose one of %(choices)s.") % {"choices": ", ".join(field.get("choices", []))}
            )
        return text
    if kind == AttributeType.REFERENCE:
        text = str(value).strip().upper()
        if not REFERENCE_PATTERN.match(text):
            raise ValueError(_("Enter a CI reference such as CI-000123."))
        return text
    raise ValueError(_("Unknown attribute type."))


def validate_attributes(
    schema: list[dict[str, Any]], values: dict[str, Any], *, check_references: bool = True
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check ``values`` against ``schema``: the cleaned values, and a message per attribute key.

    Unknown keys, missing required values and values of the wrong type are reported per field;
    references must name an existing CI of the referenced type (one query for all of them).
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if not isinstance(values, dict):
        return {}, {"": _("The attributes must be an object of key and value.")}
    fields = {f["key"]: f for f in schema if isinstance(f, dict) and "key" in f}
    for key in values:
        if key not in fields:
            errors[str(key)] = _("This type has no attribute %(key)s.") % {"key": key}
    references: dict[str, tuple[str, str]] = {}  # key -> (reference, CI type code)
    for key, field in fields.items():
        value = values.get(key)
        if _is_empty(value):
            if field.get("required"):
                errors[key] = _("This attribute is required.")
            continue
        try:
            cleaned[key] = _clean_value(field, value)
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if field.get("type") == AttributeType.REFERENCE:
            references[key] = (cleaned[key], str(field.get("reference_type", "")))
    if references and check_references:
        from .models import ConfigurationItem

        found = dict(
            ConfigurationItem.objects.filter(reference__in=[r for r, _t in references.values()]).values_list(
                "reference", "ci_type__code"
            )
        )
        for key, (reference, type_code) in references.items():
            if reference not in found:
                errors[key] = _("No CI %(reference)s exists.") % {"reference": reference}
            elif type_code and found[reference] != type_code:
                errors[key] = _("%(reference)s is not a CI of type %(type)s.") % {
                    "reference": reference,
                    "type": type_code,
                }
    return cleaned, errors


def attribute_label(schema: list[dict[str, Any]], key: str) -> str:
    """The label of an attribute key (the key itself when the schema does not know it)."""
    for field in schema:
        if isinstance(field, dict) and field.get("key") == key:
            return str(field.get("label") or key)
    return key
