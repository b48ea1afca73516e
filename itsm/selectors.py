"""Reads of the core. Selectors own their joins; the policy scopes them where a user is given."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .choices import Role
from .models import Department, Team, User
from .policy import policy


def user_list() -> QuerySet[User]:
    return User.objects.select_related("department").prefetch_related("groups")


def _count(model: Any, link: str, **filters: Any) -> Subquery:
    """A correlated COUNT: evaluated only for the rows of the page, so LIMIT still uses the sort index
    (an aggregate JOIN would group and sort the whole table first)."""
    rows = model.objects.filter(**{link: OuterRef("pk")}, **filters).order_by().values(link)
    return Subquery(rows.annotate(n=Count("*")).values("n"), output_field=IntegerField())


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("lead", "department").annotate(
        member_count=Coalesce(_count(Team.members.through, "team", user__is_active=True), 0)
    )


def team_detail(*, user: Any, pk: int) -> Team:
    queryset = policy.scope(user, "view", Team.objects.select_related("lead", "department")).prefetch_related(
        Prefetch("members", queryset=User.objects.filter(is_active=True).order_by("username"))
    )
    return queryset.get(pk=pk)


def department_list() -> QuerySet[Department]:
    return Department.objects.select_related("head").annotate(
        member_count=Coalesce(_count(User, "department", is_active=True), 0),
        team_count=Coalesce(_count(Team, "department"), 0),
    )


def role_counts() -> list[tuple[Role, int]]:
    """Active people per role, in the order of ``Role``."""
    counts = dict(
        Group.objects.filter(name__in=Role.values)
        .annotate(n=Count("user", filter=Q(user__is_active=True, user__is_system=False)))
        .values_list("name", "n")
    )
    return [(role, counts.get(role.value, 0)) for role in Role]


def teams_of(user: Any) -> list[Team]:
    return list(user.teams.filter(is_active=True).select_related("lead").order_by("name"))


def role_history(user: Any) -> list[Any]:
    """The person's history rows with who changed them, newest first (roles are tracked with them)."""
    return list(user.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])
