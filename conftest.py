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


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    """The demo organisation; ``demo["agent"]`` etc. are its users by username."""
    import datetime

    from itsm.demo import USERS, seed_demo
    from itsm.models import User

    seed_demo(today=datetime.date(2026, 11, 21), compact=True)
    return {u.username: u for u in User.objects.filter(username__in=[d.username for d in USERS])}
