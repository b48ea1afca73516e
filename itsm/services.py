"""Writes of the core: teams and departments, each with its actor and reason in history."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .history import create_audited, save_with_history, update_audited
from .models import Department, Team, User
from .policy import policy


@transaction.atomic
def team_create(*, actor: User, data: dict[str, Any], members: list[User] | None = None) -> Team:
    team = create_audited(Team, actor=actor, data=data)
    if members is not None:
        team.members.set(members)
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
    update_audited(team, actor=actor, data=data, reason=reason)
    if members is not None and set(members) != set(team.members.all()):
        team._history_user = actor  # type: ignore[attr-defined]
        team._change_reason = reason  # type: ignore[attr-defined]
        team.members.set(members)
    return team


@transaction.atomic
def department_create(*, actor: User, data: dict[str, Any]) -> Department:
    return create_audited(Department, actor=actor, data=data)


@transaction.atomic
def department_update(*, department: Department, actor: User, data: dict[str, Any]) -> Department:
    return update_audited(department, actor=actor, data=data)


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
