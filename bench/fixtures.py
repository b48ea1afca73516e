"""Fixtures and checks shared by the scenarios (imported only after Django is set up)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from typing import Protocol, TypeVar

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itsm.choices import Role
from itsm.models import Team, User

from .harness import BenchError

SEED = 20261121


class _Response(Protocol):
    status_code: int


ResponseT = TypeVar("ResponseT", bound=_Response)


def run_prefix() -> str:
    """A short random tag so fixtures never collide with rows already in a caller's database."""
    return secrets.token_hex(3)


def create_user(*, tag: str, role: Role = Role.ADMINISTRATOR) -> User:
    user = User.objects.create_user(username=f"bench-{tag}-{role.value}", email=f"bench-{tag}@example.com")
    user.groups.add(Group.objects.get(name=role.value))
    return user


def seed_teams(*, tag: str, count: int) -> None:
    """``count`` teams whose name order differs from their insertion (primary key) order."""
    numbers = list(range(1, count + 1))
    random.Random(SEED).shuffle(numbers)
    Team.objects.bulk_create(
        [Team(name=f"Bench {tag} team {number:06d}", code=f"bench-{tag}-{number:06d}") for number in numbers],
        batch_size=1000,
    )


def remove_fixtures(*, tag: str, user: User) -> None:
    """Drop what ``seed_teams`` and ``create_user`` made, so the next scenario starts from its own rows.

    A plain DELETE: the seeded teams have no members or referencing rows, and going through the ORM
    collector would write a history row per team (18 s for 10,000 on SQLite).
    """
    Team.objects.filter(code__startswith=f"bench-{tag}-")._raw_delete(using=Team.objects.db)
    user.delete()


def expect_ok(response: ResponseT, what: str) -> ResponseT:
    if response.status_code != 200:
        raise BenchError(f"{what} answered {response.status_code}, not 200; the timing would be meaningless.")
    return response


def count_queries(call: Callable[[], object]) -> int:
    """The number of SQL statements one call runs (exact, so it is reported beside the times)."""
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)
