"""Planned activities: drafts ahead of time, exactly once, catch-up, reminders, escalation, next cycles."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from itsm import planned
from itsm.choices import Role
from itsm.history import save_with_history, system_user
from itsm.models import Department, Team
from itsm.notifications import Notification
from itsm.planned import (
    OccurrenceState,
    PlannedActivity,
    PlannedOccurrence,
    ScheduleStatus,
    add_months,
    done_versus_due,
    planned_activities_run,
    planned_activity_create,
    planned_activity_ensure,
    planned_activity_update,
    planned_occurrence_complete,
    planned_record_sync,
)
from itsm.tasks import planned_activities_run_task

D = datetime.date


@pytest.fixture
def mr(make_user: Any) -> Any:
    return make_user(Role.MANAGEMENT_REPRESENTATIVE)


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user(Role.CONFIGURATION_MANAGER)


@pytest.fixture
def review_kind() -> Iterator[dict[str, int]]:
    """A kind whose draft is a (deactivated) team that counts as done once it is active: a stand-in for
    an app's review record."""
    calls = {"drafts": 0}

    def create_draft(occurrence: PlannedOccurrence, actor: Any) -> Team:
        calls["drafts"] += 1
        team = Team(code=f"review-{occurrence.pk}", name=f"Review {occurrence.due}", is_active=False)
        save_with_history(team, actor=actor, reason="create")
        return team

    planned.register(
        "test_review",
        label="Test review",
        create_draft=create_draft,
        is_done=lambda team: team.is_active,
        manage_permission="itsm.access_suppliers",
    )
    yield calls
    planned.unregister("test_review")


def make_activity(actor: Any, owner: Any, **data: Any) -> PlannedActivity:
    values = {
        "kind": "task",
        "title": "Continuity plan test",
        "owner": owner,
        "interval_months": 12,
        "next_due": D(2027, 3, 1),
    }
    values.update(data)
    return planned_activity_create(actor=actor, data=values)


def occurrences(activity: PlannedActivity) -> list[tuple[datetime.date, str]]:
    return [(o.due, o.state) for o in activity.occurrences.order_by("due")]


# Dates ---------------------------------------------------------------------------------------------


def test_months_are_added_from_the_anchor_so_month_ends_do_not_drift() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 1, 31), 2) == D(2026, 3, 31)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2026, 11, 15), 14) == D(2028, 1, 15)


def test_the_schedule_steps_whole_intervals(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner, interval_months=1, next_due=D(2026, 1, 31))
    assert activity.due_after(D(2026, 1, 31)) == D(2026, 2, 28)
    assert activity.due_after(D(2026, 2, 28)) == D(2026, 3, 31)
    assert activity.due_after(D(2026, 3, 15)) == D(2026, 3, 31)
    weekly = make_activity(mr, owner, interval_months=None, interval_days=7, next_due=D(2026, 1, 5))
    assert weekly.due_after(D(2026, 1, 5)) == D(2026, 1, 12)
    assert weekly.due_after(D(2026, 3, 1)) == D(2026, 3, 2)


def test_an_interval_is_required_by_the_form_check_and_the_database(mr: Any, owner: Any) -> None:
    with pytest.raises(ValidationError) as error:
        make_activity(mr, owner, interval_months=None, interval_days=None)
    assert "interval_months" in error.value.message_dict
    activity = make_activity(mr, owner)
    activity.interval_months = None
    with pytest.raises(IntegrityError), transaction.atomic():
        activity.save()


def test_an_unknown_kind_is_refused(mr: Any, owner: Any) -> None:
    with pytest.raises(ValidationError) as error:
        make_activity(mr, owner, kind="no_such_kind")
    assert "kind" in error.value.message_dict


def test_registering_a_kind_twice_fails() -> None:
    with pytest.raises(ValueError, match="already registered"):
        planned.register("task", label="Again", create_draft=lambda o, a: o, is_done=lambda r: True)


# Drafts ahead of time, exactly once ----------------------------------------------------------------


def test_the_draft_is_created_lead_days_ahead_and_not_before(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner, next_due=D(2027, 3, 1), lead_days=30)
    assert planned_activities_run(today=D(2027, 1, 29)).drafts_created == 0
    assert not activity.occurrences.exists()

    summary = planned_activities_run(today=D(2027, 1, 30))

    assert summary.drafts_created == 1
    occurrence = activity.occurrences.get()
    assert (occurrence.due, occurrence.state) == (D(2027, 3, 1), OccurrenceState.DRAFT_CREATED)
    assert occurrence.record == occurrence  # kind "task": the occurrence is the draft
    activity.refresh_from_db()
    assert activity.last_created == occurrence
    assert activity.next_due == D(2027, 3, 1)
    assert activity.status(D(2027, 1, 30)) == ScheduleStatus.DUE
    rows = list(occurrence.history.order_by("history_id"))
    assert [r.history_change_reason for r in rows] == ["planned_scheduled", "planned_draft"]
    assert {r.history_user for r in rows} == {system_user()}


def test_repeated_runs_create_the_draft_exactly_once(
    mr: Any, owner: Any, review_kind: dict[str, int]
) -> None:
    activity = make_activity(mr, owner, kind="test_review", next_due=D(2027, 3, 1))
    for _ in range(3):
        planned_activities_run(today=D(2027, 2, 10))
    planned_activities_run(today=D(2027, 2, 11))

    assert review_kind["drafts"] == 1
    assert occurrences(activity) == [(D(2027, 3, 1), OccurrenceState.DRAFT_CREATED)]
    assert Team.objects.filter(code__startswith="review-").count() == 1
    assert activity.history.filter(history_change_reason="planned_draft").count() == 1


def test_the_unique_cycle_refuses_a_second_row(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner)
    PlannedOccurrence.objects.create(activity=activity, due=D(2027, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PlannedOccurrence.objects.create(activity=activity, due=D(2027, 3, 1))


# Catch-up after an outage --------------------------------------------------------------------------


def test_after_fourteen_months_the_missed_cycle_is_missed_and_only_the_current_one_drafted(
    mr: Any, owner: Any, review_kind: dict[str, int]
) -> None:
    activity = make_activity(mr, owner, kind="test_review", next_due=D(2026, 1, 15), lead_days=30)

    summary = planned_activities_run(today=D(2027, 3, 15))

    assert (summary.missed, summary.drafts_created) == (1, 1)
    assert review_kind["drafts"] == 1
    assert occurrences(activity) == [
        (D(2026, 1, 15), OccurrenceState.MISSED),
        (D(2027, 1, 15), OccurrenceState.DRAFT_CREATED),
    ]
    activity.refresh_from_db()
    assert activity.next_due == D(2027, 1, 15)  # on the grid, not moved to the day of the run
    assert activity.status(D(2027, 3, 15)) == ScheduleStatus.OVERDUE

    # Running again, or the next day, changes nothing.
    again = planned_activities_run(today=D(2027, 3, 15))
    planned_activities_run(today=D(2027, 3, 16))
    assert (again.missed, again.drafts_created, again.reminded, again.escalated) == (0, 0, 0, 0)
    assert len(occurrences(activity)) == 2
    assert review_kind["drafts"] == 1


def test_a_monthly_activity_catches_up_with_one_row_per_missed_cycle_and_no_flood_of_drafts(
    mr: Any, owner: Any, review_kind: dict[str, int]
) -> None:
    activity = make_activity(
        mr, owner, kind="test_review", interval_months=1, next_due=D(2026, 1, 31), lead_days=5
    )

    planned_activities_run(today=D(2027, 3, 20))

    rows = occurrences(activity)
    missed = [due for due, state in rows if state == OccurrenceState.MISSED]
    drafted = [due for due, state in rows if state == OccurrenceState.DRAFT_CREATED]
    assert drafted == [D(2027, 2, 28)]
    assert len(missed) == 13
    assert D(2026, 3, 31) in missed
    assert D(2026, 4, 30) in missed
    assert review_kind["drafts"] == 1
    activity.refresh_from_db()
    assert activity.next_due == D(2027, 2, 28)


def test_an_open_cycle_overtaken_by_the_next_one_becomes_missed(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner, interval_months=1, next_due=D(2027, 3, 1), lead_days=10)
    planned_activities_run(today=D(2027, 2, 20))
    planned_activities_run(today=D(2027, 3, 22))  # the April cycle's lead time has started
    assert occurrences(activity) == [
        (D(2027, 3, 1), OccurrenceState.MISSED),
        (D(2027, 4, 1), OccurrenceState.DRAFT_CREATED),
    ]


# Reminders and escalation --------------------------------------------------------------------------


def test_the_owner_is_reminded_once_and_the_overdue_cycle_escalated_once(
    mr: Any, owner: Any, make_user: Any
) -> None:
    boss = make_user(Role.TOP_MANAGEMENT)
    activity = make_activity(
        mr, owner, next_due=D(2027, 3, 1), reminder_days=7, escalate_after_days=7, escalate_to=boss
    )

    planned_activities_run(today=D(2027, 2, 1))
    assert not Notification.objects.exists()
    for day in (D(2027, 2, 22), D(2027, 2, 23), D(2027, 3, 2)):
        planned_activities_run(today=day)
    reminders = Notification.objects.filter(event="planned.reminder")
    assert [n.recipient for n in reminders] == [owner]
    assert "2027-03-01" in reminders[0].subject
    assert not Notification.objects.filter(event="planned.escalation").exists()

    for day in (D(2027, 3, 8), D(2027, 3, 8), D(2027, 3, 20)):
        planned_activities_run(today=day)
    escalations = Notification.objects.filter(event="planned.escalation")
    assert sorted(n.recipient.pk for n in escalations) == sorted([boss.pk, owner.pk])
    occurrence = activity.occurrences.get()
    assert occurrence.reminded_at is not None
    assert occurrence.escalated_at is not None
    reasons = list(occurrence.history.values_list("history_change_reason", flat=True))
    assert reasons.count("planned_reminder") == 1
    assert reasons.count("planned_escalation") == 1


def test_escalation_goes_to_the_department_head_else_top_management(mr: Any, make_user: Any) -> None:
    head = make_user(Role.CHANGE_MANAGER)
    department = Department.objects.create(code="rnd-test", name="R&D test", head=head)
    member = make_user(Role.RESOLVER, department=department)
    gm = make_user(Role.TOP_MANAGEMENT)
    activity = make_activity(mr, member)
    assert activity.escalation_targets() == [head]
    lonely = make_activity(mr, head, title="Head's own activity")
    assert lonely.escalation_targets() == [gm]


def test_an_inactive_activity_is_left_alone(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner, next_due=D(2027, 3, 1))
    planned_activity_update(activity=activity, actor=mr, data={"is_active": False}, reason="Service retired")
    assert planned_activities_run(today=D(2027, 6, 1)).activities == 0
    assert not activity.occurrences.exists()


# Done and the next cycle ---------------------------------------------------------------------------


def test_a_done_record_completes_the_cycle_and_the_next_is_due_a_whole_interval_after_the_due_date(
    mr: Any, owner: Any, review_kind: dict[str, int]
) -> None:
    activity = make_activity(mr, owner, kind="test_review", next_due=D(2027, 3, 1))
    planned_activities_run(today=D(2027, 2, 10))
    occurrence = activity.occurrences.get()
    review = occurrence.record
    review.is_active = True
    save_with_history(review, actor=owner, reason="update")

    summary = planned_activities_run(today=D(2027, 3, 20))  # done late

    assert summary.completed == 1
    occurrence = activity.occurrences.get()
    assert occurrence.state == OccurrenceState.DONE
    assert occurrence.completed_at is not None
    activity.refresh_from_db()
    assert activity.next_due == D(2028, 3, 1)  # from the due date, not from the late completion
    assert activity.last_completed_on == D(2027, 3, 20)
    assert activity.status(D(2027, 3, 20)) == ScheduleStatus.OK
    assert activity.history.filter(history_change_reason="planned_next_cycle").exists()
    assert planned_activities_run(today=D(2028, 2, 1)).drafts_created == 1
    assert done_versus_due(D(2027, 1, 1), D(2028, 12, 31), kind="test_review") == {
        "due": 2,
        "done": 1,
        "missed": 0,
        "open": 1,
    }


def test_an_app_can_sync_its_record_at_once(mr: Any, owner: Any, review_kind: dict[str, int]) -> None:
    activity = make_activity(mr, owner, kind="test_review", next_due=D(2027, 3, 1))
    planned_activities_run(today=D(2027, 2, 10))
    review = activity.occurrences.get().record
    assert planned_record_sync(record=review) == 0
    review.is_active = True
    save_with_history(review, actor=owner, reason="update")
    assert planned_record_sync(record=review) == 1
    activity.refresh_from_db()
    assert activity.next_due == D(2028, 3, 1)


def test_the_owner_completes_a_task_by_hand(mr: Any, owner: Any, make_user: Any) -> None:
    activity = make_activity(mr, owner, next_due=D(2027, 3, 1))
    planned_activities_run(today=D(2027, 2, 10))
    occurrence = activity.occurrences.get()
    stranger = make_user(Role.SERVICE_DESK_AGENT)
    with pytest.raises(PermissionDenied):
        planned_occurrence_complete(occurrence=occurrence, actor=stranger)
    assert PlannedOccurrence.objects.get(pk=occurrence.pk).state == OccurrenceState.DRAFT_CREATED

    planned_occurrence_complete(occurrence=occurrence, actor=owner, note="Failover tested; report filed.")

    occurrence = PlannedOccurrence.objects.get(pk=occurrence.pk)
    assert occurrence.state == OccurrenceState.DONE
    assert occurrence.note.startswith("Failover")
    assert occurrence.history.latest().history_user == owner
    activity.refresh_from_db()
    assert activity.next_due == D(2028, 3, 1)


def test_a_cycle_with_its_own_record_is_not_completed_by_hand(
    mr: Any, owner: Any, review_kind: dict[str, int]
) -> None:
    activity = make_activity(mr, owner, kind="test_review", next_due=D(2027, 3, 1))
    planned_activities_run(today=D(2027, 2, 10))
    with pytest.raises(ValidationError):
        planned_occurrence_complete(occurrence=activity.occurrences.get(), actor=mr)


def test_one_failing_factory_does_not_stop_the_others(mr: Any, owner: Any) -> None:
    def broken(occurrence: PlannedOccurrence, actor: Any) -> Any:
        raise RuntimeError("the app is broken")

    planned.register("test_broken", label="Broken", create_draft=broken, is_done=lambda r: False)
    try:
        failing = make_activity(mr, owner, kind="test_broken", next_due=D(2027, 3, 1))
        working = make_activity(mr, owner, title="Works", next_due=D(2027, 3, 1))
        summary = planned_activities_run(today=D(2027, 2, 10))
    finally:
        planned.unregister("test_broken")
    assert (summary.activities, summary.errors, summary.drafts_created) == (2, 1, 1)
    assert not failing.occurrences.exists()  # rolled back with the activity's transaction
    assert working.occurrences.count() == 1


# Operators edit the schedule -----------------------------------------------------------------------


def test_management_edits_the_interval_with_a_reason_in_history(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner, next_due=D(2027, 3, 1))
    planned_activity_update(
        activity=activity,
        actor=mr,
        data={"interval_months": 6, "lead_days": 14},
        reason="Twice a year from now",
    )
    activity.refresh_from_db()
    assert (activity.interval_months, activity.lead_days, activity.draft_on) == (6, 14, D(2027, 2, 15))
    row = activity.history.latest()
    assert (row.history_user, row.history_change_reason) == (mr, "Twice a year from now")
    assert activity.due_after(D(2027, 3, 1)) == D(2027, 9, 1)


def test_an_edit_needs_a_reason_and_an_unchanged_save_writes_no_history(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner)
    with pytest.raises(ValidationError) as error:
        planned_activity_update(activity=activity, actor=mr, data={"interval_months": 6}, reason=" ")
    assert "reason" in error.value.message_dict
    before = activity.history.count()
    planned_activity_update(activity=activity, actor=mr, data={"interval_months": 12}, reason="No change")
    assert activity.history.count() == before


def test_the_due_date_does_not_move_under_an_existing_draft(mr: Any, owner: Any) -> None:
    activity = make_activity(mr, owner, next_due=D(2027, 3, 1))
    planned_activities_run(today=D(2027, 2, 10))
    with pytest.raises(ValidationError) as error:
        planned_activity_update(activity=activity, actor=mr, data={"next_due": D(2027, 4, 1)}, reason="Later")
    assert "next_due" in error.value.message_dict


def test_who_may_edit_which_kind(mr: Any, owner: Any, make_user: Any, review_kind: dict[str, int]) -> None:
    task = make_activity(mr, owner)
    review = make_activity(mr, owner, kind="test_review", title="Review")
    area_owner = make_user(Role.SUPPLIER_MANAGER)  # has the kind's manage permission
    agent = make_user(Role.SERVICE_DESK_AGENT)
    planned_activity_update(activity=review, actor=area_owner, data={"lead_days": 20}, reason="More time")
    with pytest.raises(PermissionDenied):
        planned_activity_update(activity=task, actor=area_owner, data={"lead_days": 20}, reason="More time")
    with pytest.raises(PermissionDenied):
        planned_activity_update(activity=review, actor=agent, data={"lead_days": 5}, reason="Less")
    with pytest.raises(PermissionDenied):
        make_activity(agent, agent)
    assert PlannedActivity.objects.get(pk=review.pk).lead_days == 20
    assert PlannedActivity.objects.get(pk=task.pk).lead_days == 30


def test_ensure_creates_one_activity_per_subject_and_kind(
    mr: Any, owner: Any, review_kind: dict[str, int]
) -> None:
    subject = Team.objects.create(code="sla-stand-in", name="SLA stand-in")
    defaults = {"title": "Review", "owner": owner, "interval_months": 12, "next_due": D(2027, 3, 1)}
    first, created = planned_activity_ensure(kind="test_review", subject=subject, actor=mr, defaults=defaults)
    again, created_again = planned_activity_ensure(
        kind="test_review", subject=subject, actor=mr, defaults=defaults
    )
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert first.subject == subject


# Task and command ----------------------------------------------------------------------------------


def test_the_task_and_the_command_run_the_same_service(mr: Any, owner: Any) -> None:
    make_activity(mr, owner, next_due=D(2020, 3, 1))
    result = planned_activities_run_task.delay().get()
    assert result["drafts_created"] == 1
    out = StringIO()
    call_command("run_planned_activities", "--today", "2020-02-15", stdout=out)
    assert "0 drafts created" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_planned_activities", "--today", "15/02/2020")


def test_a_run_with_nothing_to_do_reads_in_bulk_and_writes_nothing(
    mr: Any, owner: Any, django_assert_num_queries: Any
) -> None:
    for i in range(3):
        make_activity(mr, owner, title=f"A{i}", next_due=D(2027, 3, 1))
    planned_activities_run(today=D(2027, 2, 10))
    # The system user, the candidates, the activities, their open cycles, and the cycles' records (one
    # query per record type): no lock, no transaction, no write.
    with django_assert_num_queries(5):
        planned_activities_run(today=D(2027, 2, 10))
    for i in range(10):
        make_activity(mr, owner, title=f"B{i}", next_due=D(2027, 3, 1))
    planned_activities_run(today=D(2027, 2, 10))
    with django_assert_num_queries(5):
        assert planned_activities_run(today=D(2027, 2, 11)).activities == 13
