"""The breach sweep: one conditional claim per threshold, stamps at the true instants (also when late),
events, escalation and notifications once; idempotent, bounded, concurrency-safe and with a query
count that does not depend on how many clocks are open."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itsm.notifications import Notification
from service_levels import clocks as engine
from service_levels.choices import ClockEventKind, ClockKind, ClockState
from service_levels.clocks import claim_sql, clocks_for, clocks_pause, clocks_start, clocks_sweep
from service_levels.models import Clock, ClockEvent
from service_levels.tasks import sla_sweep_task

from .clock_fixtures import Setup, local, make_record, make_setup

pytestmark = pytest.mark.django_db
MONDAY_9 = local(2025, 9, 22, 9)


@pytest.fixture
def setup(make_user: Any) -> Setup:
    return make_setup(make_user)


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Escalation and recipient hooks for the stand-in record type, removed after the test."""
    calls: dict[str, list[Any]] = {"escalations": [], "recipients": []}
    monkeypatch.setattr(engine, "_escalations", {})
    monkeypatch.setattr(engine, "_recipients", {})
    return calls


def start(setup: Setup, record: Any, at: datetime.datetime = MONDAY_9, priority: str = "P1") -> list[Clock]:
    return clocks_start(
        record=record,
        customer=setup.customer,
        service=setup.service,
        team=setup.team,
        priority=priority,
        at=at,
        actor=setup.owner,
    )


def events_of(clock: Clock) -> list[tuple[str, datetime.datetime]]:
    return list(clock.events.order_by("at", "id").values_list("kind", "at"))


def test_each_threshold_is_claimed_once_and_stamped_at_its_true_instant(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record)
    summary = clocks_sweep(now=local(2025, 9, 22, 9, 23))
    # SLA response (30 min): warned at 9:22:30. OLA response (15 min): warning, critical and breach.
    assert (summary.warned, summary.critical, summary.breached) == (2, 1, 1)
    sla = Clock.objects.get(agreement=setup.sla, kind=ClockKind.RESPONSE)
    ola = Clock.objects.get(agreement=setup.ola, kind=ClockKind.RESPONSE)
    assert (sla.warning_level, sla.warned_at, sla.breached_at) == (1, local(2025, 9, 22, 9, 22, 30), None)
    assert (ola.warning_level, ola.breached_at) == (2, local(2025, 9, 22, 9, 15))
    assert events_of(ola)[1:] == [
        (ClockEventKind.WARNING, local(2025, 9, 22, 9, 11, 15)),
        (ClockEventKind.CRITICAL, local(2025, 9, 22, 9, 13, 30)),
        (ClockEventKind.BREACH, local(2025, 9, 22, 9, 15)),
    ]
    assert ola.state == ClockState.RUNNING  # breached, still open until the record stops it
    # one notification per clock for the highest level it reached, to the agreement owner and team lead
    sent = sorted(Notification.objects.values_list("event", "event_key", "recipient__email"))
    assert sent == [
        ("sla.breach", f"clock:{ola.pk}:breach", "lead@example.com"),
        ("sla.breach", f"clock:{ola.pk}:breach", "slm@example.com"),
        ("sla.warning", f"clock:{sla.pk}:warning", "lead@example.com"),
        ("sla.warning", f"clock:{sla.pk}:warning", "slm@example.com"),
    ]
    assert record.reference in Notification.objects.get(event="sla.breach", recipient=setup.owner).subject
    # running it again claims nothing and notifies nobody again
    again = clocks_sweep(now=local(2025, 9, 22, 9, 23))
    assert (again.warned, again.critical, again.breached, again.notified) == (0, 0, 0, 0)
    assert Notification.objects.count() == 4
    assert ClockEvent.objects.filter(kind__in=["warning", "critical", "breach"]).count() == 4


def test_a_late_sweep_catches_up_with_the_true_instants(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record)
    summary = clocks_sweep(now=local(2025, 9, 25, 12))  # the workers were down for three days
    assert (summary.warned, summary.critical, summary.breached) == (4, 4, 4)
    due = {c.kind + c.agreement.kind: c for c in clocks_for(record)}
    assert due["resolutionsla"].breached_at == local(2025, 9, 22, 14, 30)
    assert due["responsesla"].breached_at == local(2025, 9, 22, 9, 30)
    for clock in due.values():
        assert clock.breached_at == clock.due_at
        kinds = [kind for kind, _at in events_of(clock)]
        assert kinds == ["start", "warning", "critical", "breach"]
    assert set(Notification.objects.values_list("event", flat=True)) == {"sla.breach"}
    assert Notification.objects.count() == 8  # four clocks, two people each
    assert clocks_sweep(now=local(2025, 9, 26)).breached == 0


def test_paused_stopped_and_gap_clocks_are_never_claimed(setup: Setup) -> None:
    paused, gap = make_record(setup.owner), make_record(setup.owner)
    start(setup, paused)
    clocks_pause(record=paused, at=local(2025, 9, 22, 9, 1), reason="waiting", actor=setup.owner)
    start(setup, gap, priority="P4")
    Clock.objects.filter(agreement=setup.ola).delete()  # leave only the SLA's gap clocks for ``gap``
    summary = clocks_sweep(now=local(2026, 1, 1))
    assert (summary.warned, summary.critical, summary.breached) == (0, 0, 0)


def test_escalation_and_recipient_hooks_of_the_owning_process(setup: Setup, hooks: dict[str, Any]) -> None:
    record = make_record(setup.owner)
    start(setup, record)
    engine.register_escalation(
        "audits.document", lambda rec, clock, level: hooks["escalations"].append((rec.pk, clock.pk, level))
    )
    engine.register_recipients("audits.document", lambda rec, clock, level: [rec.owner, setup.other_lead])
    clocks_sweep(now=local(2025, 9, 22, 9, 23))
    ola = Clock.objects.get(agreement=setup.ola, kind=ClockKind.RESPONSE)
    sla = Clock.objects.get(agreement=setup.sla, kind=ClockKind.RESPONSE)
    assert sorted(hooks["escalations"]) == sorted(
        [(record.pk, ola.pk, "breach"), (record.pk, sla.pk, "warning")]
    )
    assert set(
        Notification.objects.filter(event_key=f"clock:{ola.pk}:breach").values_list(
            "recipient__email", flat=True
        )
    ) == {
        "slm@example.com",
        "lead@example.com",
        "lead2@example.com",
    }


def test_a_failing_escalation_hook_is_logged_and_holds_up_nothing(
    setup: Setup, hooks: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    record = make_record(setup.owner)
    start(setup, record)

    def broken(rec: Any, clock: Clock, level: str) -> None:
        Notification.objects.create(recipient=setup.owner, event="x", event_key="x", subject="x")
        raise RuntimeError("escalation service down")

    engine.register_escalation("audits.document", broken)
    summary = clocks_sweep(now=local(2025, 9, 22, 9, 23))
    assert (summary.failed, summary.escalated, summary.breached) == (2, 0, 1)
    assert "SLA escalation hook failed" in caplog.text
    assert not Notification.objects.filter(event="x").exists()  # the hook's own writes rolled back
    assert Clock.objects.filter(breached_at__isnull=False).count() == 1  # the claim itself stands


def test_claims_are_bounded_per_pass_and_the_task_sweeps_until_done(setup: Setup) -> None:
    for _n in range(3):
        start(setup, make_record(setup.owner))
    first = clocks_sweep(now=local(2025, 9, 23), limit=5)
    assert (first.breached, first.more) == (5, True)
    second = clocks_sweep(now=local(2025, 9, 23), limit=5)
    assert (second.breached, second.more) == (5, True)
    assert clocks_sweep(now=local(2025, 9, 23), limit=5).breached == 2
    assert Clock.objects.filter(breached_at__isnull=True).count() == 0


def test_the_task_is_scheduled_every_minute_and_sweeps(setup: Setup) -> None:
    assert settings.ITSM_PERIODIC_TASKS["SLA breach sweep"] == {
        "task": "service_levels.tasks.sla_sweep_task",
        "every": 60,
    }
    start(setup, make_record(setup.owner), at=local(2025, 9, 22, 9))
    result = sla_sweep_task.delay().get()
    assert result["breached"] == 4
    assert sla_sweep_task.delay().get()["breached"] == 0


def _sweep_queries(setup: Setup, open_records: int) -> int:
    for _n in range(open_records):
        start(setup, make_record(setup.owner), at=local(2025, 9, 24, 9))  # not due by the sweep
    start(setup, make_record(setup.owner), at=MONDAY_9)
    with CaptureQueriesContext(connection) as queries:
        summary = clocks_sweep(now=local(2025, 9, 23))
    assert summary.breached == 4
    Clock.objects.all().delete()
    Notification.objects.all().delete()
    return len(queries)


def test_the_query_count_does_not_depend_on_the_number_of_open_clocks(setup: Setup) -> None:
    clocks_sweep(now=local(2025, 9, 22))  # warm the content-type cache
    few, many = _sweep_queries(setup, 2), _sweep_queries(setup, 40)
    # claims (3), events (one per level claimed: 3), the clocks' facts, their people, preferences,
    # notifications, and the transaction's savepoint (2)
    assert few == many == 12


def test_the_claims_are_index_range_scans_over_running_clocks() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the plan is checked on SQLite; the bench checks PostgreSQL")
    for level, index in (
        ("warning", "sl_clock_warn_running"),
        ("critical", "sl_clock_crit_running"),
        ("breach", "sl_clock_due_running"),
    ):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + claim_sql(level), ["2025-01-01 00:00:00"] * 2)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert f"USING INDEX {index}" in plan
        assert "SCAN" not in plan


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_never_claim_a_clock_twice(make_user: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is proven on PostgreSQL (CI runs the suite there)")
    setup = make_setup(make_user)
    for _n in range(20):
        start(setup, make_record(setup.owner))
    barrier = threading.Barrier(4)
    results: list[int] = []

    def sweep() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(clocks_sweep(now=local(2025, 9, 23)).breached)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sweep) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 80
    assert ClockEvent.objects.filter(kind=ClockEventKind.BREACH).count() == 80
    assert Notification.objects.filter(event="sla.breach").count() == 80 * 2
