"""Policy rules of the core: the shell's pages, people, teams and departments, the API schema."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from . import (
    planned_permissions,  # noqa: F401 (the planned activities' rules)
    saved_filter_permissions,  # noqa: F401 (the saved filters' rules)
)
from .choices import Area
from .models import Department, Team, User
from .notifications import Notification
from .policy import anyone, has_any_perm, is_staff_member, policy, signed_in

can_manage_people = has_any_perm("itsm.manage_people")
can_see_people = has_any_perm("itsm.access_people", "itsm.manage_people", "itsm.view_all_records")

policy.register("healthz", "view", anyone, public=True)
policy.register("login", "view", anyone, public=True)
policy.register("dashboard", "view", signed_in)
policy.register("profile", "view", signed_in)
policy.register("profile", "change", signed_in)
policy.register("api", "use", signed_in)
policy.register("api-docs", "view", signed_in)
# Generic pages of any record (notes, attachments): open to signed-in people; each request then asks
# the record's own rules (view → else 404; note / comment / attach / change → else 403).
policy.register("records", "view", signed_in)
policy.register("notifications", "view", signed_in)
policy.register(
    Notification,
    "view",
    lambda user, notification: notification is None or notification.recipient_id == user.pk,
    scope=lambda user, queryset: queryset.filter(recipient=user),
)
# The audit trail's verification page: those who may read every record (auditors, management, admins).
policy.register("audit-trail", "view", has_any_perm("itsm.view_all_records"))

for area in Area:
    policy.register(area.value, "access", has_any_perm(f"itsm.access_{area.value}"))


def _user_view(user: Any, obj: Any) -> bool:
    return can_see_people(user, obj) or (obj is not None and obj.pk == user.pk)


def _user_scope(user: Any, queryset: QuerySet[User]) -> QuerySet[User]:
    if can_see_people(user, None):
        return queryset.filter(is_system=False)
    return queryset.filter(pk=user.pk)


policy.register(User, "view", _user_view, scope=_user_scope)
policy.register(User, "change", can_manage_people)

for model in (Team, Department):
    policy.register(model, "view", is_staff_member)
    policy.register(model, "add", can_manage_people)
    policy.register(model, "change", can_manage_people)
