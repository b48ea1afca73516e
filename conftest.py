"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from itsm.celery import app as celery_app
from itsm.choices import Role


@pytest.fixture(autouse=True)
def _eager_celery_and_clean_cache() -> Iterator[None]:
    """Tasks run inline unless a test starts a real worker; throttling counters start at zero."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    cache.clear()
    yield
    celery_app.conf.task_always_eager = previous
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _audit_trail_flushable() -> Iterator[None]:
    """Transactional tests end with a flush that empties every table; the audit trail's append-only
    triggers refuse that, so they are dropped for the flush and created again right after it."""
    from django.test import TransactionTestCase

    from itsm.tests.audit_triggers import triggers_dropped

    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self: TransactionTestCase) -> None:
        with triggers_dropped():
            original(self)

    TransactionTestCase._fixture_teardown = fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from itsm.tests.factories import UserFactory

    def make(*roles: Role, **kwargs: Any) -> Any:
        return UserFactory(roles=list(roles), **kwargs)

    return make


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture(scope="module")
def _demo_seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The compact demo organisation, seeded once per test module inside a transaction that is rolled
    back when the module ends; each test runs in a savepoint within it (``db``), so tests still cannot
    see each other's writes. Seeding it per test made the suite several times slower."""
    import datetime

    from django.db import transaction
    from django.test import override_settings

    from itsm.demo import seed_demo

    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hasher:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_demo(today=datetime.date(2026, 11, 21), compact=True)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_seeded: None, db: Any) -> dict[str, Any]:
    """The demo organisation; ``demo["agent"]`` etc. are its users by username."""
    from itsm.demo import USERS
    from itsm.models import User

    return {u.username: u for u in User.objects.filter(username__in=[d.username for d in USERS])}
