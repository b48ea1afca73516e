"""Template helpers of the list, detail and form components."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from itsm.history import reason_label
from itsm.ui.lists import Column

register = template.Library()


@register.simple_tag
def query_with(query: QueryDict, **changes: Any) -> str:
    """The current query string with some parameters replaced (``None`` removes one)."""
    params = query.copy()
    params.pop("cursor", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag
def sort_link(column: Column, sort_key: str, query: QueryDict) -> SafeString:
    current = sort_key.lstrip("-") == column.key
    descending = sort_key.startswith("-")
    next_key = f"-{column.key}" if current and not descending else column.key
    state = ("descending" if descending else "ascending") if current else "none"
    arrow = ("▼" if descending else "▲") if current else ""
    href = "?" + query_with(query, sort=next_key)
    return format_html(
        '<a href="{}" hx-get="{}" hx-target="#results" hx-push-url="true" aria-sort="{}" class="sort-link">{} '
        '<span aria-hidden="true">{}</span></a>',
        href,
        href,
        state,
        column.label,
        arrow,
    )


@register.simple_tag
def filter_widget(field: Any) -> str:
    widget = field.field.widget
    is_select = widget.__class__.__name__ in ("Select", "NullBooleanSelect", "SelectMultiple")
    css = "form-select form-select-sm" if is_select else "form-control form-control-sm"
    attrs = {"class": css}
    if field.name == "q":
        attrs["data-shortcut"] = "search"
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def cell_value(value: Any) -> str:
    if value is None or value == "":
        return mark_safe('<span class="text-body-secondary">—</span>')
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return format_html(
            '<time datetime="{}">{}</time>', value.isoformat(), local.strftime("%Y-%m-%d %H:%M")
        )
    if isinstance(value, datetime.date):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), value.isoformat())
    return format_html("{}", value)


@register.filter
def reason(value: str | None) -> str:
    return reason_label(value)


@register.filter
def index(sequence: list[Any], position: int) -> Any:
    return sequence[position]
