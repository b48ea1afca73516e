"""Incident fixtures of the S3 scenarios: many incidents and their SLA clocks, written in bulk.

Two support teams ("populations") share the incident table: the big one holds ``big`` incidents, the
small one ``small``. Their incidents are logged over the same two years, so the small team's rows lie
spread among the big team's (as a real desk's queues do). 90 % are closed, the rest open (assigned, in
progress, on hold). Each incident has one resolution clock: met for closed ones, running (due in the
future) or paused for open ones, so every row of the queue shows an SLA badge.

Speed: rows are built in Python from a few thousand precomputed titles and descriptions and written
with ``executemany`` on SQLite (one prepared statement; the FTS5 trigram triggers fill the search
index row by row, as they do for the product) and with ``COPY`` on PostgreSQL (the GIN full-text index
and the B-tree indexes are maintained as the rows arrive). Ids are given explicitly, so each clock is
written with its incident in the same pass; on PostgreSQL the id sequence is moved past them.
No history rows and no audit entries are written (the scenarios time reads). Everything is removed
again with raw DELETEs (the FTS5 delete trigger keeps the search index in step).
"""

from __future__ import annotations

import datetime
import io
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from incidents.models import Incident
from incidents.search import COLUMNS, FTS_TABLE, SQLITE_TRIGGERS
from itsm.maintenance import refresh_statistics
from itsm.models import Team, User
from service_levels.models import BusinessCalendar, CalendarVersion, Clock, Customer, Service

SEED = 20261122
START = datetime.datetime(2024, 11, 1, tzinfo=datetime.UTC)
SPAN_SECONDS = 2 * 365 * 86400
FUTURE = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
BATCH = 50_000
FTS_INSERT_TRIGGER = "incidents_incident_fts_ai"
# A made-up product name: its trigrams (quo, uok, okk, kka, kaw, awa, war, are) are rare in the
# generated text, so it is a selective search term. Exactly RARE_ROWS incidents of each team carry it.
RARE_TERM = "Quokkaware"
RARE_ROWS = 20

WORDS = (
    "mail",
    "server",
    "outage",
    "printer",
    "network",
    "switch",
    "latency",
    "login",
    "password",
    "reset",
    "vpn",
    "tunnel",
    "disk",
    "full",
    "backup",
    "failed",
    "database",
    "replica",
    "slow",
    "timeout",
    "certificate",
    "expired",
    "invoice",
    "portal",
    "error",
    "page",
    "blank",
    "laptop",
    "battery",
    "screen",
    "broken",
    "keyboard",
    "mouse",
    "wifi",
    "drop",
    "payroll",
    "report",
    "export",
    "stuck",
    "queue",
    "job",
    "scheduler",
    "firewall",
    "rule",
    "blocked",
    "proxy",
    "upload",
    "attachment",
    "calendar",
    "sync",
    "mobile",
    "device",
    "update",
    "patch",
    "restart",
    "memory",
    "leak",
    "service",
    "unavailable",
    "gateway",
    "storage",
    "quota",
    "share",
    "permission",
    "denied",
    "account",
    "locked",
    "phone",
    "headset",
    "meeting",
    "room",
    "projector",
    "licence",
    "renewal",
    "ticket",
    "escalation",
    "customer",
    "billing",
    "order",
)


@dataclass
class Population:
    """One team's incidents: the filter value the queue and the API use, and what a page should show."""

    team: Team
    count: int
    first_id: int
    references: list[str] = field(default_factory=list)  # newest first: the first page's rows

    @property
    def last_id(self) -> int:
        return self.first_id + self.count - 1


@dataclass
class Fixtures:
    tag: str
    agent: User
    owner: User
    service: Service
    customer: Customer
    version: CalendarVersion
    populations: dict[str, Population] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _texts(rng: random.Random, count: int, low: int, high: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))) for _ in range(count)]


TITLES = _texts(random.Random(SEED), 4_999, 3, 7)
DESCRIPTIONS = _texts(random.Random(SEED + 1), 4_973, 12, 30)


def make_base(*, tag: str, agent: User) -> Fixtures:
    """The people, service, customer and calendar the incidents refer to (no history rows)."""
    owner = User.objects.bulk_create([User(username=f"bench-{tag}-owner", email=f"bench-{tag}@example.com")])[
        0
    ]
    service = Service.objects.bulk_create(
        [Service(code=f"bench-{tag}", name=f"Bench {tag} mail", owner=owner)]
    )[0]
    customer = Customer.objects.bulk_create(
        [Customer(code=f"bench-{tag}", name=f"Bench {tag} customer", relationship_owner=owner)]
    )[0]
    calendar = BusinessCalendar.objects.bulk_create([BusinessCalendar(code=f"bench-{tag}", name="24x7")])[0]
    version = CalendarVersion.objects.bulk_create(
        [
            CalendarVersion(
                calendar=calendar,
                number=1,
                time_zone="UTC",
                always_open=True,
                created_by=owner,
                valid_from=START,
            )
        ]
    )[0]
    return Fixtures(tag=tag, agent=agent, owner=owner, service=service, customer=customer, version=version)


def _next_id(model: type[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1


def add_population(data: Fixtures, *, name: str, count: int) -> Population:
    """``count`` incidents of a new team (named ``name``) with their clocks; returns the population."""
    team = Team.objects.bulk_create([Team(name=f"Bench {data.tag} {name}", code=f"bench-{data.tag}-{name}")])[
        0
    ]
    started = time.perf_counter()
    population = Population(team=team, count=count, first_id=_next_id(Incident))
    clock_id = _next_id(Clock)
    rare = {round(k * count / RARE_ROWS) for k in range(RARE_ROWS)}
    step = SPAN_SECONDS / count
    incident_columns, clock_columns = _columns(Incident), _columns(Clock)
    content_type = ContentType.objects.get_for_model(Incident).pk
    with _search_index_by_batch():
        for first in range(0, count, BATCH):
            incidents: list[dict[str, Any]] = []
            clocks: list[dict[str, Any]] = []
            for n in range(first, min(count, first + BATCH)):
                pk = population.first_id + n
                created = START + datetime.timedelta(seconds=n * step)
                incident = _incident(data, population, n, pk, created=created)
                if n in rare:
                    incident["title"] = f"{incident['title']} {RARE_TERM}"
                incidents.append(incident)
                clocks.append(_clock(incident, pk=clock_id + n, content_type=content_type, data=data))
            with transaction.atomic():
                _write(Incident, incident_columns, incidents)
                _write(Clock, clock_columns, clocks)
                _index_batch(incidents[0]["id"], incidents[-1]["id"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Incident, Clock):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                )
    data.seconds[name] = time.perf_counter() - started
    population.references = list(
        Incident.objects.filter(assignment_team=team)
        .order_by("-created_at", "-id")
        .values_list("reference", flat=True)[:50]
    )
    data.populations[name] = population
    return population


@contextmanager
def _search_index_by_batch() -> Iterator[None]:
    """SQLite: the FTS5 insert trigger is dropped for the load and put back afterwards; each batch's
    rows enter the search index with one ``INSERT … SELECT`` instead (the same index content; the
    per-row trigger took 0.55 ms per incident, 20x what the batch does). PostgreSQL: nothing to do,
    COPY maintains the GIN index."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_INSERT_TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_TRIGGERS[FTS_INSERT_TRIGGER])


def _index_batch(first: int, last: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, {', '.join(COLUMNS)}) SELECT id, {', '.join(COLUMNS)}"  # noqa: S608
                " FROM incidents_incident WHERE id BETWEEN %s AND %s",
                [first, last],
            )


def _incident(
    data: Fixtures, population: Population, n: int, pk: int, *, created: datetime.datetime
) -> dict[str, Any]:
    kind = n % 20
    row: dict[str, Any] = {
        "id": pk,
        "reference": f"B{data.tag}-{pk:08d}",
        "created_at": created,
        "created_by_id": data.agent.pk,
        "updated_at": created,
        "updated_by_id": data.agent.pk,
        "title": TITLES[n % len(TITLES)],
        "description": DESCRIPTIONS[n % len(DESCRIPTIONS)],
        "channel": ("phone", "email", "portal", "monitoring")[n % 4],
        "reported_by_id": data.owner.pk,
        "customer_id": data.customer.pk,
        "service_id": data.service.pk,
        "impact": 1 + n % 4,
        "urgency": 1 + (n // 4) % 4,
        "priority": ("P1", "P2", "P3", "P4")[n % 4],
        "assignment_team_id": population.team.pk,
        "assignee_id": data.agent.pk,
        "first_response_at": created + datetime.timedelta(minutes=10),
    }
    if kind < 18:  # closed
        resolved = created + datetime.timedelta(hours=4)
        row.update(
            state="closed",
            resolution_code="fixed",
            resolution_notes="restarted the service",
            resolved_at=resolved,
            resolved_by_id=data.agent.pk,
            closed_at=resolved + datetime.timedelta(days=3),
            closed_by_id=data.agent.pk,
        )
    elif kind == 18:
        row.update(state="on_hold", on_hold_reason="awaiting_customer")
    else:
        row.update(state="in_progress" if n % 40 == 19 else "assigned")
    return row


def _clock(incident: dict[str, Any], *, pk: int, content_type: int, data: Fixtures) -> dict[str, Any]:
    created = incident["created_at"]
    row: dict[str, Any] = {
        "id": pk,
        "content_type_id": content_type,
        "object_id": str(incident["id"]),
        "record_reference": incident["reference"],
        "kind": "resolution",
        "team_id": incident["assignment_team_id"],
        "priority": incident["priority"],
        "target_seconds": 8 * 3600,
        "calendar_version_id": data.version.pk,
        "started_at": created,
        "segment_started_at": created,
    }
    if incident["state"] == "closed":
        row.update(
            state="met",
            due_at=created + datetime.timedelta(hours=8),
            warn_at=created + datetime.timedelta(hours=6),
            stopped_at=incident["resolved_at"],
            elapsed_business_seconds=4 * 3600,
        )
    elif incident["state"] == "on_hold":
        row.update(state="paused")
    else:
        due = FUTURE + datetime.timedelta(seconds=incident["id"] % 86400)
        row.update(state="running", due_at=due, warn_at=due - datetime.timedelta(hours=2))
    return row


def _columns(model: type[Any]) -> list[tuple[str, Any]]:
    """(column, default) of every concrete field; the defaults fill what a row leaves out."""
    columns = []
    for model_field in model._meta.concrete_fields:
        default = model_field.get_default() if model_field.has_default() else None
        if (
            default is None
            and not model_field.null
            and model_field.get_internal_type() in ("CharField", "TextField")
        ):
            default = ""
        columns.append((model_field.column, default))
    return columns


def _write(model: type[Any], columns: Sequence[tuple[str, Any]], rows: list[dict[str, Any]]) -> None:
    table = model._meta.db_table
    names = [name for name, _ in columns]
    name_list = ", ".join(connection.ops.quote_name(name) for name in names)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        buffer.writelines(_copy_lines(columns, rows))
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({name_list}) FROM STDIN", buffer)
        return
    # Every instant here is in UTC: what ``adapt_datetimefield_value`` stores, without its time zone work.
    values = [
        tuple(
            str(v.replace(tzinfo=None)) if isinstance(v, datetime.datetime) else v
            for v in (row.get(n, d) for n, d in columns)
        )
        for row in rows
    ]
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({name_list}) VALUES ({marks})", values)  # noqa: S608


def _copy_lines(columns: Sequence[tuple[str, Any]], rows: list[dict[str, Any]]) -> Iterator[str]:
    """Rows in COPY's text format (the generated texts hold no tabs, newlines or backslashes)."""
    for row in rows:
        cells = []
        for name, default in columns:
            value = row.get(name, default)
            if value is None:
                cells.append("\\N")
            elif isinstance(value, bool):
                cells.append("t" if value else "f")
            elif isinstance(value, datetime.datetime):
                cells.append(value.isoformat())
            else:
                cells.append(str(value))
        yield "\t".join(cells) + "\n"


def analyze() -> None:
    """Fresh planner statistics, as a running product has them: PostgreSQL's autovacuum would have
    analysed the tables after the load (it cannot see the bench's uncommitted rows); on SQLite the
    product's hourly task does it (``itsm.maintenance.refresh_statistics``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Incident, Clock, Team):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    else:
        refresh_statistics()


def remove(data: Fixtures) -> None:
    """Raw DELETEs of everything above (no collector, no history rows)."""
    db = Incident.objects.db
    content_type = ContentType.objects.get_for_model(Incident)
    for population in data.populations.values():
        Clock.objects.filter(
            content_type=content_type, team=population.team, calendar_version=data.version
        )._raw_delete(using=db)
        Incident.objects.filter(pk__gte=population.first_id, pk__lte=population.last_id)._raw_delete(using=db)
        Team.objects.filter(pk=population.team.pk)._raw_delete(using=db)
    CalendarVersion.objects.filter(pk=data.version.pk)._raw_delete(using=db)
    BusinessCalendar.objects.filter(code=f"bench-{data.tag}")._raw_delete(using=db)
    Customer.objects.filter(pk=data.customer.pk)._raw_delete(using=db)
    Service.objects.filter(pk=data.service.pk)._raw_delete(using=db)
    User.objects.filter(pk=data.owner.pk)._raw_delete(using=db)
