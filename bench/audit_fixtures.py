"""Audit-trail fixtures for the S7 scenarios (imported only after Django is set up).

The trail is append-only (the database refuses UPDATE and DELETE), so nothing made here is ever
removed: on SQLite the throw-away database goes, on PostgreSQL the run's transaction is rolled back.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from itsm.audit import AuditEntry, _iso, _lock_chain, canonical_json, chain_hash, chain_head
from itsm.models import Team

from .harness import BenchError

SEED_BATCH = 1000  # entries per INSERT: 11,000 parameters (SQLite allows 32,766)
_SEEDED_FIELDS = (
    "seq",
    "recorded_at",
    "actor",
    "content_type",
    "object_id",
    "object_repr",
    "action",
    "reason",
    "payload",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class ChainRange:
    first_seq: int
    last_seq: int

    @property
    def count(self) -> int:
        return self.last_seq - self.first_seq + 1


def _payload(*, model: str, pk: str, repr_: str, actor: int | None, at: datetime.datetime, n: int) -> str:
    """The canonical JSON ``append_entry`` would store for a change of a team (same keys and size)."""
    return canonical_json(
        {
            "model": model,
            "pk": pk,
            "repr": repr_,
            "action": "~",
            "actor": actor,
            "at": _iso(at),
            "reason": "update",
            "fields": {
                "id": int(pk),
                "name": repr_,
                "code": f"bench-seed-{pk}",
                "email": "",
                "department_id": None,
                "lead_id": None,
                "description": f"Seeded change {n} of the benchmark's audit trail.",
                "is_active": True,
                "members": [],
            },
        }
    )


def seed_chain(count: int, *, actor_id: int | None = None) -> ChainRange:
    """Append ``count`` valid entries after the current head, hashing in Python and inserting in batches.

    The same hashes ``append_entry`` would compute (``canonical_json`` / ``chain_hash``), written as
    multi-row INSERTs of ``SEED_BATCH`` entries (100,000 entries in a few seconds): one lock and one
    head read for the whole run instead of one per entry. Only INSERTs, which the append-only triggers
    allow.
    """
    content_type = ContentType.objects.get_for_model(Team)
    model = f"{content_type.app_label}.{content_type.model}"
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_chain()
        head_seq, prev_hash = chain_head()
        batch: list[Any] = []
        for n in range(1, count + 1):
            seq = head_seq + n
            pk = str(1_000_000 + n % 5000)
            repr_ = f"Seeded team {pk}"
            at = start + datetime.timedelta(microseconds=n * 7)
            payload = _payload(model=model, pk=pk, repr_=repr_, actor=actor_id, at=at, n=n)
            entry_hash = chain_hash(prev_hash, seq, payload)
            recorded_at = connection.ops.adapt_datetimefield_value(at)
            batch += (seq, recorded_at, actor_id, content_type.pk, pk, repr_, "~", "update", payload)
            batch += (prev_hash, entry_hash)
            prev_hash = entry_hash
            if len(batch) == SEED_BATCH * len(_SEEDED_FIELDS):
                cursor.execute(_insert_sql(SEED_BATCH), batch)
                batch = []
        if batch:
            cursor.execute(_insert_sql(len(batch) // len(_SEEDED_FIELDS)), batch)
    return ChainRange(head_seq + 1, head_seq + count)


def _insert_sql(rows: int) -> str:
    """``INSERT INTO <audit table> (<seeded columns>) VALUES (%s, ...), ...`` for ``rows`` rows."""
    columns = {field.name: str(field.column) for field in AuditEntry._meta.concrete_fields}
    quote = connection.ops.quote_name
    table = quote(AuditEntry._meta.db_table)
    names = ", ".join(quote(columns[name]) for name in _SEEDED_FIELDS)
    values = ", ".join([f"({', '.join(['%s'] * len(_SEEDED_FIELDS))})"] * rows)
    # Table and column names come from the model's metadata, quoted; every value is a parameter.
    return f"INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608


def count_statements(call: Callable[[], object]) -> int:
    """SQL statements one call sends, however many (Django's query log keeps only the last 9,000)."""
    count = 0

    def counting(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        call()
    return count


def expect_delta(what: str, counter: Callable[[], int], expected: int, call: Callable[[], object]) -> None:
    """Run ``call`` once and check that ``counter()`` grew by exactly ``expected``."""
    before = counter()
    call()
    grown = counter() - before
    if grown != expected:
        raise BenchError(f"{what}: expected {expected:,} new rows, got {grown:,}; the comparison is off.")


def remove_teams(*, tag: str) -> None:
    """Drop the scenario's teams with a plain DELETE (no history row per team, as in ``remove_fixtures``).

    The user stays: audit entries name it as actor (``on_delete=PROTECT``) and can never be deleted.
    """
    Team.objects.filter(code__startswith=f"bench-{tag}-")._raw_delete(using=Team.objects.db)
