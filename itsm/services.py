"""Writes of the core: teams and departments, each with its actor and reason in history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import saved_filters
from .choices import Role
from .history import create_audited, save_with_history, update_audited
from .models import Department, Team, User
from .policy import policy


def _check_lead(lead: User | None, members: Any) -> None:
    if lead is not None and lead not in members:
        raise ValidationError({"lead": _("The lead must be a member of the team.")})


@transaction.atomic
def team_create(*, actor: User, data: dict[str, Any], members: list[User] | None = None) -> Team:
    team = create_audited(Team, actor=actor, data=data)  # permission first; a refusal below rolls back
    _check_lead(team.lead, members or [])
    if members is not None:
        team.members.set(members)
    saved_filters.invalidate_cache_on_commit()  # the new team is a choice for sharing filters
    return team


@transaction.atomic
def team_update(
    *,
    team: Team,
    actor: User,
    data: dict[str, Any],
    members: list[User] | None = None,
    reason: str = "update",
) -> Team:
    # Permission first; a refusal below rolls the update back.
    update_audited(team, actor=actor, data=data, reason=reason)
    _check_lead(team.lead, members if members is not None else list(team.members.all()))
    if members is not None and set(members) != set(team.members.all()):
        team._history_user = actor  # type: ignore[attr-defined]
        team._change_reason = reason  # type: ignore[attr-defined]
        team.members.set(members)
    saved_filters.invalidate_cache_on_commit()  # who sees the filters shared with the team may change
    return team


@transaction.atomic
def department_create(*, actor: User, data: dict[str, Any]) -> Department:
    return create_audited(Department, actor=actor, data=data)


@transaction.atomic
def department_update(*, department: Department, actor: User, data: dict[str, Any]) -> Department:
    return update_audited(department, actor=actor, data=data)


@transaction.atomic
def user_roles_set(*, user: User, actor: User, roles: list[str], reason: str) -> User:
    """Give a person exactly these roles; the change is a history row (and audit entry) with the
    actor and the reason. Nobody changes their own roles (segregation of duties)."""
    policy.require(actor, "change", user)
    if actor.pk == user.pk:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the roles change (for the audit trail).")})
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown roles: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}}
        )
    keep = user.groups.exclude(name__in=Role.values)
    wanted = [*keep, *Group.objects.filter(name__in=roles)]
    if set(wanted) != set(user.groups.all()):
        user._history_user = actor  # type: ignore[attr-defined]
        user._change_reason = reason  # type: ignore[attr-defined]
        user.groups.set(wanted)
        if hasattr(user, "_role_names"):
            del user._role_names
    return user


@transaction.atomic
def user_preferences_update(*, user: User, actor: User, data: dict[str, Any]) -> User:
    """A person changes their own language, time zone, theme, display name and phone."""
    if actor.pk != user.pk:
        policy.require(actor, "change", user)
    fields = [name for name in ("language", "time_zone", "theme", "display_name", "phone") if name in data]
    stored = User.objects.get(pk=user.pk)
    changed = [name for name in fields if getattr(stored, name) != data[name]]
    for name in fields:
        setattr(user, name, data[name])
    user.full_clean(exclude=["password", "username"])
    if changed:
        save_with_history(user, actor=actor, reason="preferences")
    return user
