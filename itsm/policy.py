"""The permission policy: one place that answers "may this user do this action on this target".

Targets are process areas and pseudo-targets (``"incidents"``, ``"dashboard"``), model classes or model
instances (resolved to their ``app_label.model`` label). Each app registers its rules in its
``permissions.py``; anything without a rule is denied. The same rules scope querysets, so lists, detail
pages, API endpoints and exports agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet

Check = Callable[[Any, Any], bool]
Scope = Callable[[Any, QuerySet[Any]], QuerySet[Any]]


@dataclass(frozen=True)
class Rule:
    check: Check
    scope: Scope | None = None
    public: bool = False


def target_label(target: object) -> str:
    if isinstance(target, str):
        return target
    if isinstance(target, models.Model) or (isinstance(target, type) and issubclass(target, models.Model)):
        return target._meta.label_lower
    if isinstance(target, QuerySet):
        return target.model._meta.label_lower
    raise TypeError(f"Not a policy target: {target!r}")


def is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and not user.is_system)


class Policy:
    def __init__(self) -> None:
        self._rules: dict[tuple[str, str], Rule] = {}

    def register(
        self, target: object, action: str, check: Check, *, scope: Scope | None = None, public: bool = False
    ) -> None:
        key = (target_label(target), action)
        if key in self._rules:
            raise ValueError(f"A rule for {key} is already registered.")
        self._rules[key] = Rule(check=check, scope=scope, public=public)

    def has_rule(self, target: object, action: str) -> bool:
        return (target_label(target), action) in self._rules

    def rules(self) -> dict[tuple[str, str], Rule]:
        return dict(self._rules)

    def allows(self, user: Any, action: str, target: object) -> bool:
        rule = self._rules.get((target_label(target), action))
        if rule is None:
            return False
        if not rule.public and not is_active_user(user):
            return False
        obj = target if isinstance(target, models.Model) else None
        return bool(rule.check(user, obj))

    def require(self, user: Any, action: str, target: object) -> None:
        if not self.allows(user, action, target):
            raise PermissionDenied

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows of ``queryset`` the user may act on; none when the rule denies or has no scope."""
        rule = self._rules.get((target_label(queryset), action))
        if rule is None or (not rule.public and not is_active_user(user)):
            return queryset.none()
        if rule.scope is not None:
            return rule.scope(user, queryset)
        return queryset if rule.check(user, None) else queryset.none()


policy = Policy()


def anyone(user: Any, obj: Any) -> bool:
    return True


def signed_in(user: Any, obj: Any) -> bool:
    return is_active_user(user)


def has_any_perm(*perms: str) -> Check:
    def check(user: Any, obj: Any) -> bool:
        return is_active_user(user) and any(user.has_perm(p) for p in perms)

    check.__name__ = f"has_any_perm({', '.join(perms)})"
    return check


def is_staff_member(user: Any, obj: Any = None) -> bool:
    """Anyone who works in at least one process (every role but a plain requester)."""
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    return any(p.startswith("itsm.access_") for p in user.get_all_permissions())
