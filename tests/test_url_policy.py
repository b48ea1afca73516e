"""Every URL names its permission policy; a view without one fails this test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from itsm.api.permissions import PolicyPermission
from itsm.policy import policy
from itsm.ui.views import PUBLIC

# The admin site checks is_staff and model permissions itself.
EXEMPT_NAMESPACES = {"admin"}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry.callback


def declared_policy(callback: Any) -> tuple[str, Any] | None:
    if hasattr(callback, "itsm_policy"):
        return callback.itsm_policy
    api_class = getattr(callback, "cls", None)
    if api_class is not None:
        if not all(issubclass(p, PolicyPermission) for p in api_class.permission_classes):
            return None
        if getattr(api_class, "policy_target", None) is not None:
            return (getattr(api_class, "policy_action", "view") or "view", api_class.policy_target)
        return None
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        if hasattr(view_class, "itsm_policy"):
            return view_class.itsm_policy
        if getattr(view_class, "policy_target", None) is not None:
            return (view_class.policy_action, view_class.policy_target)
    return None


def test_every_url_declares_a_policy_with_a_registered_rule() -> None:
    missing, unregistered = [], []
    for route, namespace, callback in walk(get_resolver()):
        if namespace in EXEMPT_NAMESPACES:
            continue
        declared = declared_policy(callback)
        if declared is None:
            missing.append(route)
        elif declared != PUBLIC and not any(
            policy.has_rule(declared[1], action) for action in {declared[0], "view"}
        ):
            unregistered.append((route, declared))
    assert missing == [], f"URLs without an explicit permission policy: {missing}"
    assert unregistered == [], f"URLs whose policy names no registered rule: {unregistered}"


def test_the_walk_sees_the_api_and_pages() -> None:
    routes = {route for route, _, _ in walk(get_resolver())}
    assert "api/v1/teams/" in {r.replace("^", "").replace("$", "") for r in routes}
    assert "dashboard/" in routes
