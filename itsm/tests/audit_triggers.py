"""Test-only access to the audit trail's append-only triggers (created by migration 0004).

Tests that tamper with the trail as a database superuser would, and test-database flushes (which
must empty every table), remove the triggers for a moment and put them back with the migration's own
functions.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

_migration = importlib.import_module("itsm.migrations.0004_audit_trail")


class _Executor:
    """The two things the migration's functions use of a schema editor, usable inside a transaction."""

    def __init__(self, using: str) -> None:
        self.connection = connections[using]

    def execute(self, sql: str, params: Any = None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)


def create_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    _migration.create_append_only_triggers(None, _Executor(using))


def drop_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    _migration.drop_append_only_triggers(None, _Executor(using))


@contextmanager
def triggers_dropped(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block without the append-only triggers; they are back afterwards, whatever happens."""
    drop_triggers(using)
    try:
        yield
    finally:
        create_triggers(using)
