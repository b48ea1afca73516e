"""The "Saved filters" control of list pages: ``{% load saved_filters %}{% saved_filters_control %}``.

It reads the person's filters of the current list (named by the URL name of the page) from the cache
only, so it never costs the list page a query. On a cache miss it renders a placeholder that loads the
control from ``/saved-filters/control/`` (which warms the cache) with htmx, or links there without JS.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse

from itsm.policy import is_active_user
from itsm.saved_filter_forms import sharing_choices
from itsm.saved_filters import NEVER_SAVED, ListFilters, cached_list_filters

register = template.Library()


def control_context(
    request: HttpRequest, list_key: str, query: str, options: ListFilters | None
) -> dict[str, Any]:
    """What the control template shows (``options`` None: the placeholder that loads it)."""
    params = QueryDict(query, mutable=True)
    for name in NEVER_SAVED:
        params.pop(name, None)
    query = params.urlencode()
    context: dict[str, Any] = {"enabled": True, "request": request, "list_key": list_key, "query": query}
    if options is None:
        return {**context, "pending": True}
    try:
        path = reverse(list_key)
    except NoReverseMatch:
        path = ""
    current = f"{path}?{query}" if query else path
    return {
        **context,
        "filters": [(f, f.url == current) for f in options.filters],
        "sharing_choices": sharing_choices(options),
    }


@register.inclusion_tag("itsm/saved_filters_control.html", takes_context=True)
def saved_filters_control(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    view = context.get("view")
    if (
        request is None
        or match is None
        or not is_active_user(user)
        or not getattr(view, "saved_filters", True)
    ):
        return {"enabled": False}
    list_key = match.view_name
    result = control_context(request, list_key, request.GET.urlencode(), cached_list_filters(user, list_key))
    result["csrf_token"] = context.get("csrf_token")
    return result
