"""Writes of the core: teams and departments, each with its actor and reason in history."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .history import save_with_history
from .models import Department, Team, User
from .policy import policy


@transaction.atomic
def team_create(*, actor: User, data: dict[str, Any], members: list[User] | None = None) -> Team:
    policy.require(actor, "add", Team)
    team = Team(**data)
    team.full_clean()
    save_with_history(team, actor=actor, reason="create")
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
    policy.require(actor, "change", team)
    for name, value in data.items():
        setattr(team, name, value)
    team.full_clean()
    save_with_history(team, actor=actor, reason=reason)
    if members is not None and set(members) != set(team.members.all()):
        team.members.set(members)
    return team


@transaction.atomic
def department_create(*, actor: User, data: dict[str, Any]) -> Department:
    policy.require(actor, "add", Department)
    department = Department(**data)
    department.full_clean()
    save_with_history(department, actor=actor, reason="create")
    return department


@transaction.atomic
def department_update(*, department: Department, actor: User, data: dict[str, Any]) -> Department:
    policy.require(actor, "change", department)
    for name, value in data.items():
        setattr(department, name, value)
    department.full_clean()
    save_with_history(department, actor=actor, reason="update")
    return department


@transaction.atomic
def user_preferences_update(*, user: User, actor: User, data: dict[str, Any]) -> User:
    """A person changes their own language, time zone and theme."""
    if actor.pk != user.pk:
        policy.require(actor, "change", user)
    for name in ("language", "time_zone", "theme", "display_name", "phone"):
        if name in data:
            setattr(user, name, data[name])
    user.full_clean(exclude=["password", "username"])
    save_with_history(user, actor=actor, reason="preferences")
    return user
