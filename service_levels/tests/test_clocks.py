"""The SLA clock engine: starting, pausing, resuming, stopping, retargeting, reassigning and cancelling
clocks; recomputation from the event log; the explanation; the timeline; property tests."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from itsm.choices import Role
from itsm.notifications import Notification
from itsm.tests.factories import UserFactory
from itsm.timeline import timeline_for
from service_levels.calendars import business_seconds_between, spec_from_version
from service_levels.choices import ClockEventKind, ClockKind, ClockState
from service_levels.clocks import (
    clock_explain,
    clock_recompute,
    clocks_cancel,
    clocks_for,
    clocks_pause,
    clocks_reassign,
    clocks_resume,
    clocks_retarget,
    clocks_start,
    clocks_stop,
    clocks_sweep,
    format_seconds,
)
from service_levels.models import CalendarVersion, Clock, ClockEvent

from .clock_fixtures import Setup, local, make_record, make_setup

pytestmark = pytest.mark.django_db
HOUR = 3600


@pytest.fixture
def setup(make_user: Any) -> Setup:
    return make_setup(make_user)


def start(
    setup: Setup, record: Any, at: datetime.datetime, priority: str = "P1", **kwargs: Any
) -> list[Clock]:
    return clocks_start(
        record=record,
        customer=setup.customer,
        service=setup.service,
        team=setup.team,
        priority=priority,
        at=at,
        actor=setup.owner,
        **kwargs,
    )


def by_kind(record: Any) -> dict[tuple[str, str], Clock]:
    return {(c.agreement.kind, c.kind): c for c in clocks_for(record)}


# --- starting ---------------------------------------------------------------------------------------


def test_start_opens_a_response_and_a_resolution_clock_per_agreement_with_business_due_times(
    setup: Setup,
) -> None:
    record = make_record(setup.owner)
    clocks = start(setup, record, local(2025, 9, 22, 11, 0, 0, 123456))
    assert len(clocks) == 4
    c = by_kind(record)
    sla_response = c[("sla", ClockKind.RESPONSE)]
    assert sla_response.started_at == local(2025, 9, 22, 11)  # whole seconds
    assert sla_response.target_seconds == 30 * 60
    assert sla_response.due_at == local(2025, 9, 22, 11, 30)
    assert sla_response.warn_at == local(2025, 9, 22, 11, 22, 30)  # 75 % of 30 min
    assert sla_response.critical_at == local(2025, 9, 22, 11, 27)  # 90 %
    # 4 h: 11:00-12:00, lunch, 13:30-16:30
    assert c[("sla", ClockKind.RESOLUTION)].due_at == local(2025, 9, 22, 16, 30)
    assert c[("ola", ClockKind.RESPONSE)].due_at == local(2025, 9, 22, 11, 15)
    assert c[("ola", ClockKind.RESOLUTION)].due_at == local(2025, 9, 22, 14, 30)
    assert {cl.team_id for cl in clocks} == {setup.team.pk}
    assert {cl.calendar_version_id for cl in clocks} == {setup.version.pk}
    assert all(cl.state == ClockState.RUNNING and cl.record_reference == record.reference for cl in clocks)
    start_event = ClockEvent.objects.get(clock=sla_response)
    assert start_event.kind == ClockEventKind.START
    assert start_event.actor == setup.owner
    assert start_event.data["target_seconds"] == 1800
    assert start_event.data["version"] == 1


def test_a_repeated_start_starts_nothing_twice(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 11))
    assert start(setup, record, local(2025, 9, 22, 11, 5)) == []
    assert Clock.objects.count() == 4
    clock = Clock.objects.first()
    assert clock is not None
    clock.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clock.save()


def test_a_priority_without_a_target_is_a_visible_gap_never_a_default(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 11), priority="P4")
    gap = by_kind(record)[("sla", ClockKind.RESOLUTION)]
    assert gap.is_gap
    assert (gap.target_seconds, gap.due_at, gap.warn_at) == (None, None, None)
    assert list(gap.events.values_list("kind", flat=True)) == [ClockEventKind.START, ClockEventKind.NO_TARGET]
    assert by_kind(record)[("ola", ClockKind.RESOLUTION)].target_seconds == 1920 * 60  # the OLA has one
    clocks_sweep(now=local(2026, 1, 1))
    clocks_stop(record=record, kind=ClockKind.RESOLUTION, at=local(2025, 12, 1), actor=setup.owner)
    gap.refresh_from_db()
    assert gap.state == ClockState.STOPPED  # neither met nor breached
    assert gap.breached_at is None
    explanation = clock_explain(gap, now=local(2026, 1, 1))
    assert explanation["gap"] is True
    assert explanation["remaining_seconds"] is None


def test_no_agreement_no_clocks(setup: Setup) -> None:
    record = make_record(setup.owner)
    assert (
        clocks_start(
            record=record,
            customer=None,
            service=None,
            team=None,
            priority="P1",
            at=local(2025, 9, 22),
            actor=None,
        )
        == []
    )


def test_the_calendar_version_in_force_at_the_start_is_kept_after_a_revision(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 11))
    CalendarVersion.objects.create(
        calendar=setup.calendar,
        number=2,
        valid_from=local(2025, 9, 22, 12),
        time_zone="Asia/Shanghai",
        always_open=True,
        created_by=setup.owner,
    )
    clocks_pause(record=record, at=local(2025, 9, 22, 12, 30), reason="waiting", actor=setup.owner)
    clocks_resume(record=record, at=local(2025, 9, 22, 20), actor=setup.owner)
    clock = by_kind(record)[("sla", ClockKind.RESOLUTION)]
    assert clock.calendar_version == setup.version
    assert clock.elapsed_business_seconds == HOUR  # 11:00-12:00: the lunch break still did not count
    later = make_record(setup.owner)
    start(setup, later, local(2025, 9, 22, 20))
    assert by_kind(later)[("sla", ClockKind.RESOLUTION)].calendar_version.number == 2
    assert by_kind(later)[("sla", ClockKind.RESOLUTION)].due_at == local(2025, 9, 23)  # 24x7 now


# --- pausing and resuming ----------------------------------------------------------------------------


def test_a_pause_moves_the_due_time_by_the_business_time_it_lasted(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 19, 16), priority="P2")  # Friday; 8 h to resolve
    clock = by_kind(record)[("sla", ClockKind.RESOLUTION)]
    assert clock.due_at == local(2025, 9, 22, 16, 30)
    clocks_pause(
        record=record, at=local(2025, 9, 19, 17), reason="waiting for the customer", actor=setup.owner
    )
    clock.refresh_from_db()
    assert clock.state == ClockState.PAUSED
    assert (clock.due_at, clock.warn_at, clock.critical_at) == (None, None, None)  # no due time while paused
    assert clock.elapsed_business_seconds == HOUR
    clocks_resume(record=record, at=local(2025, 9, 22, 10), actor=setup.owner)
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert clock.paused_business_seconds == 2 * HOUR  # Friday 17-18 and Monday 9-10
    assert clock.elapsed_business_seconds == HOUR
    assert clock.due_at == local(2025, 9, 23, 9, 30)


def test_a_pause_spanning_only_non_working_time_changes_nothing(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 19, 16), priority="P2")
    clocks_pause(record=record, at=local(2025, 9, 19, 18, 30), reason="on hold", actor=setup.owner)
    clocks_resume(record=record, at=local(2025, 9, 22, 8), actor=setup.owner)
    clock = by_kind(record)[("sla", ClockKind.RESOLUTION)]
    assert clock.due_at == local(2025, 9, 22, 16, 30)
    assert clock.paused_business_seconds == 0
    assert clock.elapsed_business_seconds == 2 * HOUR


def test_pause_and_resume_apply_only_where_they_mean_something(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 9))
    assert clocks_resume(record=record, at=local(2025, 9, 22, 9, 5), actor=setup.owner) == []
    assert len(clocks_pause(record=record, at=local(2025, 9, 22, 9, 10), reason="x", actor=setup.owner)) == 4
    assert clocks_pause(record=record, at=local(2025, 9, 22, 9, 20), reason="x", actor=setup.owner) == []
    # an event never goes back before the clock's last event
    clocks_resume(record=record, at=local(2025, 9, 22, 8), actor=setup.owner)
    clock = by_kind(record)[("sla", ClockKind.RESPONSE)]
    assert clock.segment_started_at == local(2025, 9, 22, 9, 10)
    assert clock.due_at == local(2025, 9, 22, 9, 30)


# --- stopping ----------------------------------------------------------------------------------------


def test_stop_in_time_is_met_and_late_is_breached_at_the_true_due_time(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 11))
    clocks_stop(record=record, kind=ClockKind.RESPONSE, at=local(2025, 9, 22, 11, 30), actor=setup.owner)
    c = by_kind(record)
    assert c[("sla", ClockKind.RESPONSE)].state == ClockState.MET  # exactly at the due time: met
    assert c[("ola", ClockKind.RESPONSE)].state == ClockState.BREACHED  # due 11:15
    assert c[("ola", ClockKind.RESPONSE)].breached_at == local(2025, 9, 22, 11, 15)
    assert c[("sla", ClockKind.RESOLUTION)].state == ClockState.RUNNING
    # no sweep ran: the stop stamped the breach, logged it and notified the owner and the team lead once
    kinds = list(c[("ola", ClockKind.RESPONSE)].events.values_list("kind", flat=True))
    assert kinds == [
        ClockEventKind.START,
        ClockEventKind.WARNING,
        ClockEventKind.CRITICAL,
        ClockEventKind.BREACH,
        ClockEventKind.STOP,
    ]
    breach = Notification.objects.filter(event="sla.breach")
    assert sorted(n.recipient.email for n in breach) == ["lead@example.com", "slm@example.com"]
    assert not Notification.objects.filter(event__in=["sla.warning", "sla.critical"]).exists()
    clocks_sweep(now=local(2025, 9, 22, 12))
    assert Notification.objects.filter(event="sla.breach").count() == 2


def test_a_stop_past_the_due_time_outside_working_hours_is_still_a_breach(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 17, 30))  # the response is due at 18:00, closing time
    clocks_stop(record=record, kind=ClockKind.RESPONSE, at=local(2025, 9, 22, 18), actor=setup.owner)
    assert by_kind(record)[("sla", ClockKind.RESPONSE)].state == ClockState.MET  # due at 18:00 exactly
    other = make_record(setup.owner)
    start(setup, other, local(2025, 9, 22, 17, 30))
    clocks_stop(record=other, kind=ClockKind.RESPONSE, at=local(2025, 9, 22, 18, 0, 1), actor=setup.owner)
    assert by_kind(other)[("sla", ClockKind.RESPONSE)].state == ClockState.BREACHED


def test_cancel_ends_the_open_clocks(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 11))
    clocks_stop(record=record, kind=ClockKind.RESPONSE, at=local(2025, 9, 22, 11, 10), actor=setup.owner)
    cancelled = clocks_cancel(record=record, at=local(2025, 9, 22, 12), actor=setup.owner, reason="duplicate")
    assert {c.kind for c in cancelled} == {ClockKind.RESOLUTION}
    states = {k: c.state for k, c in by_kind(record).items()}
    assert states[("sla", ClockKind.RESPONSE)] == ClockState.MET
    assert states[("sla", ClockKind.RESOLUTION)] == ClockState.CANCELLED


# --- retarget, reassign, reopen ----------------------------------------------------------------------


def test_retarget_keeps_the_elapsed_time_against_the_new_target(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 9), priority="P3")  # resolve in 24 business hours
    clocks_retarget(
        record=record, priority="P1", at=local(2025, 9, 22, 10), actor=setup.owner, reason="major"
    )
    clock = by_kind(record)[("sla", ClockKind.RESOLUTION)]
    assert (clock.priority, clock.target_seconds, clock.elapsed_business_seconds) == ("P1", 4 * HOUR, HOUR)
    assert clock.due_at == local(2025, 9, 22, 14, 30)  # 10-12, 13:30-14:30
    event = clock.events.get(kind=ClockEventKind.RETARGET)
    assert event.data == {
        "old_priority": "P3",
        "old_target_seconds": 1440 * 60,
        "priority": "P1",
        "target_seconds": 4 * HOUR,
        "elapsed_seconds": HOUR,
    }
    assert event.reason == "major"
    # the same priority again changes nothing
    assert clocks_retarget(record=record, priority="P1", at=local(2025, 9, 22, 11), actor=setup.owner) == []


def test_a_target_already_used_up_is_due_at_the_retarget_and_a_breach_stays_a_breach(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 9), priority="P3")
    clocks_retarget(record=record, priority="P1", at=local(2025, 9, 22, 11), actor=setup.owner)
    response = by_kind(record)[("sla", ClockKind.RESPONSE)]
    assert response.due_at == local(2025, 9, 22, 11)  # 2 h used, 30 min allowed
    clocks_sweep(now=local(2025, 9, 22, 11, 0, 1))
    response.refresh_from_db()
    assert response.breached_at == local(2025, 9, 22, 11)
    clocks_retarget(record=record, priority="P3", at=local(2025, 9, 22, 11, 30), actor=setup.owner)
    clocks_stop(record=record, kind=ClockKind.RESPONSE, at=local(2025, 9, 22, 11, 40), actor=setup.owner)
    response.refresh_from_db()
    assert response.state == ClockState.BREACHED
    assert clock_recompute(response, as_of=local(2025, 9, 22, 12)).matches


def test_reassign_stops_the_old_teams_ola_and_starts_the_new_ones(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 9))
    clocks_stop(record=record, kind=ClockKind.RESPONSE, at=local(2025, 9, 22, 9, 10), actor=setup.owner)
    started = clocks_reassign(
        record=record, team=setup.other_team, at=local(2025, 9, 22, 10), actor=setup.owner
    )
    assert [(c.agreement, c.kind) for c in started] == [(setup.other_ola, ClockKind.RESOLUTION)]
    old_ola = Clock.objects.get(agreement=setup.ola, kind=ClockKind.RESOLUTION)
    assert old_ola.state == ClockState.MET  # held 1 h of its 2 h
    assert old_ola.team == setup.team
    stop = old_ola.events.get(kind=ClockEventKind.STOP)
    assert stop.data["handed_over"] is True
    sla = Clock.objects.get(agreement=setup.sla, kind=ClockKind.RESOLUTION)
    assert sla.team == setup.other_team
    assert sla.events.filter(kind=ClockEventKind.REASSIGN).get().data == {
        "old_team": setup.team.pk,
        "team": setup.other_team.pk,
    }
    new_ola = started[0]
    assert new_ola.started_at == local(2025, 9, 22, 10)
    assert new_ola.due_at == local(2025, 9, 22, 12)  # 120 min: 10-12
    # the reopen after resolution brings back the SLA and the current team's OLA, not the handed-over one
    clocks_stop(record=record, kind=ClockKind.RESOLUTION, at=local(2025, 9, 22, 11), actor=setup.owner)
    clocks_resume(record=record, at=local(2025, 9, 22, 14), actor=setup.owner, reason="reopened")
    states = {(c.agreement_id, c.kind): c.state for c in clocks_for(record)}
    assert states[(setup.ola.pk, ClockKind.RESOLUTION)] == ClockState.MET
    assert states[(setup.other_ola.pk, ClockKind.RESOLUTION)] == ClockState.RUNNING
    assert states[(setup.sla.pk, ClockKind.RESOLUTION)] == ClockState.RUNNING
    assert states[(setup.sla.pk, ClockKind.RESPONSE)] == ClockState.MET


def test_a_reopened_resolution_clock_counts_the_resolved_time_as_paused(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 9))
    clocks_stop(record=record, kind=ClockKind.RESOLUTION, at=local(2025, 9, 22, 10), actor=setup.owner)
    clocks_resume(record=record, at=local(2025, 9, 22, 11), actor=setup.owner)
    clock = by_kind(record)[("sla", ClockKind.RESOLUTION)]
    assert (clock.state, clock.stopped_at) == (ClockState.RUNNING, None)
    assert (clock.elapsed_business_seconds, clock.paused_business_seconds) == (HOUR, HOUR)
    assert clock.due_at == local(2025, 9, 22, 15, 30)  # 3 h left from 11:00: 11-12, 13:30-15:30
    resume = clock.events.get(kind=ClockEventKind.RESUME)
    assert resume.data == {"reopened": True}
    assert clock_recompute(clock, as_of=local(2025, 9, 22, 11)).matches


# --- recompute and explain ---------------------------------------------------------------------------


def test_the_explanation_says_which_hours_counted_and_why_others_did_not(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 30, 17))  # the eve of National Day
    clock = by_kind(record)[("sla", ClockKind.RESOLUTION)]
    assert clock.due_at == local(2025, 10, 9, 12)  # 1 h on 30 Sep, then 3 h on 9 Oct
    clocks_pause(record=record, at=local(2025, 10, 9, 10), reason="waiting for parts", actor=setup.owner)
    clock.refresh_from_db()
    explanation = clock_explain(clock, now=local(2025, 10, 9, 11))
    assert explanation["calendar"]["name"] == "Office hours"
    assert explanation["calendar"]["version"] == 1
    assert explanation["target_seconds"] == 4 * HOUR
    assert explanation["priority"] == "P1"
    assert explanation["agreement"]["reference"] == setup.sla.reference
    assert explanation["state"] == ClockState.PAUSED
    assert explanation["elapsed_seconds"] == 2 * HOUR
    assert explanation["paused_seconds"] == HOUR
    assert explanation["percent_used"] == 50.0
    running, paused = explanation["segments"]
    assert (running["state"], running["business_seconds"]) == (ClockState.RUNNING, 2 * HOUR)
    assert [(s["start"], s["end"]) for s in running["spans"]] == [
        (local(2025, 9, 30, 17), local(2025, 9, 30, 18)),
        (local(2025, 10, 9, 9), local(2025, 10, 9, 10)),
    ]
    names = {d["name"] for d in running["special_days"]}
    assert "National Day" in names
    assert (paused["state"], paused["ongoing"], paused["business_seconds"]) == (ClockState.PAUSED, True, HOUR)
    assert [e["kind"] for e in explanation["events"]] == [ClockEventKind.START, ClockEventKind.PAUSE]
    assert explanation["events"][1]["reason"] == "waiting for parts"
    assert explanation["recomputed"] == {"matches": True, "differences": {}, "pending": []}


def test_recompute_reports_a_tampered_row_and_pending_thresholds(setup: Setup) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 9))
    clock = by_kind(record)[("sla", ClockKind.RESPONSE)]
    pending = clock_recompute(clock, as_of=local(2025, 9, 22, 9, 25))
    assert pending.matches
    assert [c.level for c in pending.pending] == ["warning"]  # the sweep has not run yet
    Clock.objects.filter(pk=clock.pk).update(due_at=local(2025, 9, 22, 10))
    clock.refresh_from_db()
    result = clock_recompute(clock, as_of=local(2025, 9, 22, 9, 5))
    assert not result.matches
    assert result.differences == {"due_at": (local(2025, 9, 22, 10), local(2025, 9, 22, 9, 30))}


def test_clock_events_show_on_the_record_timeline_for_staff_only(setup: Setup, make_user: Any) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 11))
    clocks_pause(record=record, at=local(2025, 9, 22, 11, 5), reason="waiting", actor=setup.owner)
    events = [e for e in timeline_for(record, viewer=make_user(Role.SERVICE_DESK_AGENT)) if e.kind == "sla"]
    assert len(events) == 8
    assert any("P1" in e.comment and "Office hours v1" in e.comment for e in events)
    assert [e for e in timeline_for(record, viewer=make_user(Role.REQUESTER)) if e.kind == "sla"] == []
    assert [e for e in timeline_for(record) if e.kind == "sla"] == []


def test_format_seconds() -> None:
    assert format_seconds(None) == "no target"
    assert format_seconds(5400) == "1 h 30 min"
    assert format_seconds(-90) == "-1 min 30 s"
    assert format_seconds(2 * 86400 + 3600 + 5) == "2 d 1 h"
    assert format_seconds(0) == "0 s"


# --- properties ----------------------------------------------------------------------------------------

MONDAY = local(2025, 9, 22, 9)
steps = st.lists(
    st.tuples(
        st.sampled_from(["pause", "resume", "retarget", "sweep", "stop_response", "stop", "reassign"]),
        st.integers(1, 3 * 86400),
        st.sampled_from(["P1", "P2", "P3", "P4"]),
    ),
    max_size=8,
)


class RecomputeEqualsIncremental(HypothesisTestCase):
    """Random event sequences: the stored clocks equal their recomputation from the event log, the elapsed
    time equals the business time of the running segments, and running segments across non-working time
    add nothing."""

    def setUp(self) -> None:
        self.setup = make_setup(lambda *roles, **kw: UserFactory(roles=list(roles), **kw))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, 6 * 86400), st.sampled_from(["P1", "P2", "P3", "P4"]), steps)
    def test_recompute_equals_incremental(
        self, offset: int, priority: str, plan: list[tuple[str, int, str]]
    ) -> None:
        setup = self.setup
        record = make_record(setup.owner)
        at = MONDAY + datetime.timedelta(seconds=offset)
        start(setup, record, at, priority=priority)
        teams = [setup.team, setup.other_team]
        for step, gap, new_priority in plan:
            at += datetime.timedelta(seconds=gap)
            if step == "pause":
                clocks_pause(record=record, at=at, reason="hold", actor=setup.owner)
            elif step == "resume":
                clocks_resume(record=record, at=at, actor=setup.owner)
            elif step == "retarget":
                clocks_retarget(record=record, priority=new_priority, at=at, actor=setup.owner)
            elif step == "sweep":
                clocks_sweep(now=at)
            elif step == "stop_response":
                clocks_stop(record=record, kind=ClockKind.RESPONSE, at=at, actor=setup.owner)
            elif step == "stop":
                clocks_stop(record=record, kind=ClockKind.RESOLUTION, at=at, actor=setup.owner)
            else:
                teams.reverse()
                clocks_reassign(record=record, team=teams[0], at=at, actor=setup.owner)
        clocks_sweep(now=at)
        spec = spec_from_version(setup.version)
        for clock in clocks_for(record):
            result = clock_recompute(clock, as_of=at)
            assert result.matches, (clock, result.differences)
            assert result.pending == []
            running = sum(
                business_seconds_between(spec, s.start, s.end or s.start)
                for s in result.segments
                if s.state == ClockState.RUNNING
            )
            assert clock.elapsed_business_seconds == running
            if clock.breached_at is not None:
                assert clock.due_at == clock.breached_at
                assert (
                    ClockEvent.objects.filter(
                        clock=clock, kind=ClockEventKind.BREACH, at=clock.breached_at
                    ).count()
                    == 1
                )


# --- the record panel --------------------------------------------------------------------------------


def _render_panel(record: Any, user: Any) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load sla_clocks %}{% sla_clocks_panel record %}").render(
        Context({"record": record, "request": request})
    )


def test_the_panel_for_staff_and_nobody_else(
    setup: Setup, make_user: Any, django_assert_num_queries: Any
) -> None:
    from django.utils import timezone

    record = make_record(setup.owner)
    now = timezone.now().replace(microsecond=0)
    start(setup, record, now - datetime.timedelta(days=14))  # long overdue whatever the calendar says
    clocks_stop(
        record=record, kind=ClockKind.RESPONSE, at=now - datetime.timedelta(days=14), actor=setup.owner
    )
    agent = make_user(Role.SERVICE_DESK_AGENT)
    agent.has_perm("itsm.access_incidents")  # load the permission cache
    with django_assert_num_queries(2):
        html = _render_panel(record, agent)
    assert 'data-testid="sla-clocks"' in html
    assert html.count('data-state="met"') == 2
    assert html.count('data-state="running"') == 2
    assert "status-breached" in html
    assert "overdue by" in html
    assert "Office hours v1" in html
    assert "Recomputed from these events: the same result." in html
    assert _render_panel(record, make_user(Role.REQUESTER)).strip() == ""
    empty = make_record(setup.owner)
    assert "No service level agreement applies" in _render_panel(empty, agent)
