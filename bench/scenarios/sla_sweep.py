"""S4: the SLA breach sweep over many open clocks, with 100 newly breached.

Product: ``service_levels.clocks.clocks_sweep(now=...)``, what the every-minute beat task runs: three
conditional claims (warning, critical, breach: each one ``UPDATE … WHERE id IN (SELECT … ORDER BY …
LIMIT 1000) AND <same condition> RETURNING id``, a range scan on a partial index of running clocks),
100 breach events appended (the clocks' history, one ``INSERT … SELECT``), the notification facts
read in one joined query, and 100 notifications queued in the outbox (the agreement's owner; the team
has no lead), all in one transaction.

Baseline: the bare indexed statement on the same table, in a transaction of its own:
``UPDATE service_levels_clock SET breached_at = due_at WHERE state = 'running' AND breached_at IS NULL
AND due_at < %s RETURNING id``.

Data: ``rows`` open (running) clocks due in the future, inserted by ``INSERT … SELECT`` from a
generated series. Before every call (untimed) 100 new clocks are added, due one second before the
``now`` that call uses (already past their warning and critical thresholds, so only the breach claim
finds them); ``now`` moves one second per call. So every call, product or baseline, claims 100 clocks
that no call claimed before, as a real sweep does, and nothing is ever reset.

PostgreSQL: the bench runs a ``DATABASE_URL`` database inside one rolled-back transaction. Claiming
rows inside one long transaction leaves every claimed row's old index entry in the scanned range
(nothing can be cleaned up before a commit), so both sides slow down call after call (the bare UPDATE
took 93 ms after 300 calls). This scenario therefore runs all its work on a connection of its own, in a
worker thread, with commits; its rows are written with ``bulk_create``/SQL (no history, so no
append-only audit entries) and deleted again afterwards. Both sides pay the same hand-over to the
thread.

Scale: before growing to ``rows`` clocks the scenario measures the same comparison with 1,000 open
clocks; ``T(rows)/T(1k)`` (the product's median at ``rows`` over its median at 1,000, both timed inside
the product call) is added to the results after the run. Targets (S4): ratio ≤ 5 and T(1M)/T(1k) ≤ 2.
"""

from __future__ import annotations

import datetime
import queue
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from audits.models import Document
from bench.fixtures import count_queries, run_prefix
from bench.harness import BenchError, Scenario, measure
from itsm.models import Team, User
from itsm.notifications import Notification
from service_levels.clocks import claim_sql, clocks_sweep
from service_levels.models import (
    Agreement,
    BusinessCalendar,
    CalendarVersion,
    Clock,
    ClockEvent,
    Customer,
)

DUE = 100
SMALL = 1_000
SMALL_ROUNDS = 60
NOW = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
TABLE = Clock._meta.db_table
BARE = (
    f"UPDATE {TABLE} SET breached_at = due_at "  # noqa: S608 (a constant table name)
    "WHERE state = 'running' AND breached_at IS NULL AND due_at < %s RETURNING id"
)
INSERT_BATCH = 200_000
T = TypeVar("T")


class Runner:
    """Runs callables on the caller's connection, or (inside the bench's rolled-back transaction) on a
    connection of its own in a worker thread, where each call commits."""

    def __init__(self) -> None:
        self.threaded = connection.in_atomic_block
        self._jobs: queue.Queue[tuple[Callable[[], Any], queue.Queue[tuple[bool, Any]]] | None] = (
            queue.Queue()
        )
        if self.threaded:
            self._thread = threading.Thread(target=self._work, daemon=True)
            self._thread.start()

    def _work(self) -> None:
        from django.db import connection as own

        try:
            while (job := self._jobs.get()) is not None:
                call, answer = job
                try:
                    answer.put((True, call()))
                except Exception as error:  # handed back to the caller
                    answer.put((False, error))
        finally:
            own.close()

    def run(self, call: Callable[[], T]) -> T:
        if not self.threaded:
            return call()
        answer: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
        self._jobs.put((call, answer))
        ok, value = answer.get()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        if self.threaded:
            self._jobs.put(None)
            self._thread.join()


class Fixtures:
    """The rows of one run, made without history (so nothing lands in the append-only audit trail)."""

    def __init__(self, tag: str) -> None:
        self.owner = User.objects.bulk_create(
            [User(username=f"bench-{tag}-slm", email=f"bench-{tag}@example.com")]
        )[0]
        self.team = Team.objects.bulk_create([Team(name=f"Bench {tag} desk", code=f"bench-{tag}-desk")])[0]
        self.calendar = BusinessCalendar.objects.bulk_create(
            [BusinessCalendar(code=f"bench-{tag}", name=f"Bench {tag} 24x7")]
        )[0]
        self.version = CalendarVersion.objects.bulk_create(
            [
                CalendarVersion(
                    calendar=self.calendar,
                    number=1,
                    time_zone="UTC",
                    always_open=True,
                    created_by=self.owner,
                    valid_from=NOW,
                )
            ]
        )[0]
        self.customer = Customer.objects.bulk_create(
            [Customer(code=f"bench-{tag}", name=f"Bench {tag}", relationship_owner=self.owner)]
        )[0]
        self.agreement = Agreement.objects.bulk_create(
            [
                Agreement(
                    reference=f"SLA-B{tag}",
                    kind="sla",
                    title="Bench SLA",
                    customer=self.customer,
                    calendar=self.calendar,
                    owner=self.owner,
                    effective_from=NOW.date(),
                    state="agreed",
                    agreed_by=self.owner,
                    created_by=self.owner,
                    updated_by=self.owner,
                )
            ]
        )[0]
        self.document_type = ContentType.objects.get_for_model(Document)
        self.calls = 0

    def now(self) -> datetime.datetime:
        """The instant the current call sweeps at."""
        return NOW + datetime.timedelta(seconds=self.calls)

    def add_due(self) -> None:
        """100 new clocks due one second before the next call's ``now`` (warned and critical already)."""
        self.calls += 1
        due = self.now() - datetime.timedelta(seconds=1)
        Clock.objects.bulk_create(
            Clock(
                content_type=self.document_type,
                object_id=f"due-{self.calls}-{n}",
                record_reference=f"DOC-B{self.calls}-{n}",
                kind="resolution",
                agreement=self.agreement,
                team=self.team,
                priority="P2",
                target_seconds=8 * 3600,
                calendar_version=self.version,
                started_at=due - datetime.timedelta(hours=8),
                segment_started_at=due - datetime.timedelta(hours=8),
                due_at=due,
                warn_at=due - datetime.timedelta(hours=2),
                critical_at=due - datetime.timedelta(minutes=48),
                warning_level=2,
                warned_at=due - datetime.timedelta(minutes=48),
            )
            for n in range(DUE)
        )

    def open_future(self, count: int, *, first: int) -> None:
        """``count`` running clocks due from a day after ``NOW`` on, by INSERT … SELECT."""
        _insert_open(
            count,
            first=first,
            fields={
                "ct": self.document_type.pk,
                "agreement": self.agreement.pk,
                "team": self.team.pk,
                "version": self.version.pk,
            },
        )

    def remove(self) -> None:
        keys = Clock.objects.filter(agreement=self.agreement).values("pk")
        with transaction.atomic():
            Notification.objects.filter(recipient=self.owner)._raw_delete(Notification.objects.db)
            ClockEvent.objects.filter(clock_id__in=keys)._raw_delete(ClockEvent.objects.db)
            Clock.objects.filter(agreement=self.agreement)._raw_delete(Clock.objects.db)
            for model, pk in (
                (Agreement, self.agreement.pk),
                (Customer, self.customer.pk),
                (CalendarVersion, self.version.pk),
                (BusinessCalendar, self.calendar.pk),
                (Team, self.team.pk),
                (User, self.owner.pk),
            ):
                model.objects.filter(pk=pk)._raw_delete(model.objects.db)


def build(*, rows: int) -> Scenario:
    runner = Runner()
    data = runner.run(lambda: Fixtures(run_prefix()))
    samples: list[int] = []

    def sweep() -> object:
        start = time.perf_counter_ns()
        summary = clocks_sweep(now=data.now())
        samples.append(time.perf_counter_ns() - start)
        return summary

    def bare() -> list[Any]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BARE, [connection.ops.adapt_datetimefield_value(data.now())])
            return cursor.fetchall()

    def product() -> object:
        return runner.run(sweep)

    def baseline() -> object:
        return runner.run(bare)

    def before_each() -> None:
        runner.run(data.add_due)

    try:
        runner.run(lambda: data.open_future(SMALL, first=1))
        statements = runner.run(lambda: _check(data, sweep, bare))
        small = measure(
            Scenario("S4-1k", "", "", "", product=product, baseline=baseline, before_each=before_each),
            rounds=SMALL_ROUNDS,
            warmup=5,
        )
        t_small = statistics.median(samples)
        runner.run(lambda: data.open_future(rows - SMALL, first=SMALL + 1))
        open_count = runner.run(
            lambda: Clock.objects.filter(agreement=data.agreement, due_at__gt=NOW).count()
        )
        if open_count < rows:
            raise BenchError(f"S4: expected {rows:,} open clocks due later, found {open_count:,}.")
        runner.run(lambda: _check(data, sweep, bare))
        plans = runner.run(lambda: _plans(data.now()))
    except BaseException:
        runner.run(data.remove)
        runner.close()
        raise
    samples.clear()
    info = {
        "plans": plans,
        "rows": f"{rows:,} open clocks (+ {DUE} newly due per call), {connection.vendor}"
        + (", own connection with commits" if runner.threaded else ""),
        "queries": f"product {statements[0]}, baseline {statements[1]} SQL statements per call",
        "at 1k": f"product median {small.product.median_ns / 1e6:.3f} ms, baseline"
        f" {small.baseline.median_ns / 1e6:.3f} ms, ratio {small.ratio:.2f}x ({SMALL_ROUNDS} rounds)",
    }

    def teardown() -> None:
        if samples:
            t_large = statistics.median(samples)
            info["scale"] = (
                f"T({rows:,})/T(1k) = {t_large / t_small:.2f}"
                f" ({t_large / 1e6:.3f} ms / {t_small / 1e6:.3f} ms, product medians timed inside the call)"
            )
        try:
            runner.run(data.remove)
        finally:
            runner.close()

    return Scenario(
        name="S4",
        title=f"SLA breach sweep over {rows:,} open clocks with {DUE} newly breached vs the bare indexed UPDATE",
        product_label=f"clocks_sweep(): 3 claims + {DUE} breach events + {DUE} outbox rows, one transaction",
        baseline_label="UPDATE … SET breached_at = due_at WHERE state='running' AND breached_at IS NULL"
        " AND due_at < now RETURNING id",
        product=product,
        baseline=baseline,
        before_each=before_each,
        teardown=teardown,
        info=info,
    )


def _insert_open(count: int, *, fields: dict[str, int], first: int) -> None:
    """``count`` running clocks due in the future, by INSERT … SELECT (object ids ``open-<n>``: records
    the sweep never reads)."""
    columns = (
        "content_type_id, object_id, record_reference, kind, agreement_id, team_id, priority, target_seconds,"
        " calendar_version_id, warn_percent, critical_percent, started_at, segment_started_at,"
        " elapsed_business_seconds, paused_business_seconds, due_at, warn_at, critical_at, state,"
        " warning_level"
    )
    start = first
    end = first + count
    while start < end:
        stop = min(end, start + INSERT_BATCH)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {TABLE} ({columns}) SELECT %s, 'open-' || n, 'BENCH-' || n,"  # noqa: S608
                    " 'resolution', %s, %s, 'P2', 28800, %s, 75, 90, %s, %s, 0, 0,"
                    " %s + n * interval '1 second', %s + n * interval '1 second' - interval '2 hours',"
                    " %s + n * interval '1 second' - interval '48 minutes', 'running', 0"
                    " FROM generate_series(%s, %s) AS n",
                    [
                        fields["ct"],
                        fields["agreement"],
                        fields["team"],
                        fields["version"],
                        NOW,
                        NOW,
                        NOW + datetime.timedelta(days=1),
                        NOW + datetime.timedelta(days=1),
                        NOW + datetime.timedelta(days=1),
                        start,
                        stop - 1,
                    ],
                )
            else:
                base = connection.ops.adapt_datetimefield_value(NOW)
                cursor.execute(
                    "WITH RECURSIVE seq(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "  # noqa: S608
                    f"INSERT INTO {TABLE} ({columns}) SELECT %s, 'open-' || n, 'BENCH-' || n, 'resolution',"
                    " %s, %s, 'P2', 28800, %s, 75, 90, %s, %s, 0, 0,"
                    " datetime(%s, '+1 day', '+' || n || ' seconds'),"
                    " datetime(%s, '+1 day', '-2 hours', '+' || n || ' seconds'),"
                    " datetime(%s, '+1 day', '-48 minutes', '+' || n || ' seconds'), 'running', 0 FROM seq",
                    [
                        start,
                        stop - 1,
                        fields["ct"],
                        fields["agreement"],
                        fields["team"],
                        fields["version"],
                        base,
                        base,
                        base,
                        base,
                        base,
                    ],
                )
        start = stop
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")


def _plans(now: datetime.datetime) -> str:
    """How the database runs the breach claim and the bare statement (the index each one uses)."""
    value = connection.ops.adapt_datetimefield_value(now)
    found = []
    for label, sql, params in (("claim", claim_sql("breach"), [value, value]), ("bare", BARE, [value])):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " | ".join(str(row[-1]).strip() for row in cursor.fetchall())
        found.append(f"{label}: {plan}")
    return "; ".join(found)


def _check(data: Fixtures, sweep: Callable[[], object], bare: Callable[[], list[Any]]) -> tuple[int, int]:
    """The product claims exactly the 100 new clocks, stamps the true due time, writes 100 events and
    100 outbox rows, and a second sweep claims nothing; the baseline claims exactly the next 100.
    Returns the statement counts of one call of each."""
    data.add_due()
    due = Clock.objects.filter(agreement=data.agreement, object_id__startswith=f"due-{data.calls}-")
    product_statements = count_queries(sweep)
    stamped = due.filter(breached_at=data.now() - datetime.timedelta(seconds=1)).count()
    events = ClockEvent.objects.filter(clock__in=due, kind="breach").count()
    outbox = Notification.objects.filter(
        recipient=data.owner, event="sla.breach", object_id__startswith="due-"
    )
    outbox_count = outbox.filter(object_id__startswith=f"due-{data.calls}-").count()
    if (stamped, events, outbox_count) != (DUE, DUE, DUE):
        raise BenchError(
            f"S4 product: expected {DUE} breaches stamped, events and notifications, got {stamped}, {events},"
            f" {outbox_count}."
        )
    if clocks_sweep(now=data.now()).breached != 0:
        raise BenchError("S4 product: a second sweep claimed clocks again.")
    data.add_due()
    claimed: list[Any] = []
    baseline_statements = count_queries(lambda: claimed.extend(bare()))
    if len(claimed) != DUE:
        raise BenchError(f"S4 baseline: claimed {len(claimed)} clocks, not {DUE}.")
    return product_statements, baseline_statements
