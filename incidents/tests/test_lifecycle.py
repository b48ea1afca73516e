"""The incident lifecycle through its services: allowed and refused moves, priority, history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from incidents import services
from incidents.choices import IncidentState
from incidents.models import Incident, PriorityMatrix
from itsm.notifications import Notification
from itsm.records import TransitionLog

from .factories import log

pytestmark = pytest.mark.django_db


def classified(world: Any, **kwargs: Any) -> Incident:
    incident = log(world["agent"], reported_by=world["requester"])
    kwargs.setdefault("service", world.service)
    kwargs.setdefault("category", world.category)
    kwargs.setdefault("impact", 2)
    kwargs.setdefault("urgency", 2)
    return services.incident_classify(incident=incident, actor=world["agent"], **kwargs)


def test_logging_gives_a_reference_the_requesters_customer_and_a_suggested_service(world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"], channel="phone")
    assert incident.reference.startswith("INC-")
    assert incident.state == IncidentState.NEW
    assert incident.customer == world.customer
    assert incident.service == world.service  # the customer's only service
    assert incident.priority == "P3"  # impact 3 x urgency 3 in the default matrix
    row = incident.history.get()
    assert row.history_user == world["agent"]
    assert row.history_change_reason == "create"


def test_classification_takes_the_priority_from_the_matrix(world: Any) -> None:
    cell = PriorityMatrix.objects.get(impact=2, urgency=2)
    services.matrix_cell_set(actor=world["manager"], impact=2, urgency=2, priority="P1")
    incident = classified(world, impact=2, urgency=2)
    assert incident.state == IncidentState.CLASSIFIED
    assert incident.priority == "P1"
    assert not incident.priority_overridden
    cell.refresh_from_db()
    assert cell.history.count() == 1  # the change of the matrix is in its history


def test_a_priority_against_the_matrix_needs_a_reason_kept_in_history(world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    with pytest.raises(ValidationError) as error:
        services.incident_classify(
            incident=incident,
            actor=world["agent"],
            service=world.service,
            category=world.category,
            impact=3,
            urgency=3,
            priority="P1",
        )
    assert "note" in error.value.message_dict
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=3,
        urgency=3,
        priority="P1",
        note="Payroll run tonight",
    )
    incident.refresh_from_db()
    assert (incident.priority, incident.priority_overridden) == ("P1", True)
    latest = incident.history.order_by("-history_id").first()
    assert latest.priority_override_reason == "Payroll run tonight"
    assert TransitionLog.objects.get(reference=incident.reference, transition="classify").comment == (
        "Payroll run tonight"
    )


def test_prioritise_by_hand_needs_a_reason_and_back_to_the_matrix_clears_it(world: Any) -> None:
    incident = classified(world, impact=3, urgency=3)
    with pytest.raises(ValidationError):
        services.incident_prioritise(incident=incident, actor=world["agent"], priority="P2", reason=" ")
    services.incident_prioritise(incident=incident, actor=world["agent"], priority="P2", reason="VIP user")
    incident.refresh_from_db()
    assert (incident.priority, incident.priority_overridden, incident.priority_override_reason) == (
        "P2",
        True,
        "VIP user",
    )
    services.incident_prioritise(incident=incident, actor=world["agent"], priority="P3", reason="")
    incident.refresh_from_db()
    assert (incident.priority, incident.priority_overridden) == ("P3", False)
    reasons = list(
        incident.history.order_by("history_id").values_list("priority", "priority_override_reason")
    )
    assert ("P2", "VIP user") in reasons


def test_security_incidents_never_fall_below_the_floor(world: Any, settings: Any) -> None:
    settings.ITSM_INCIDENT_SECURITY_PRIORITY_FLOOR = "P2"
    incident = classified(world, category=world.security_category, impact=4, urgency=4)
    assert incident.is_security
    assert incident.priority == "P2"
    with pytest.raises(ValidationError):
        services.incident_prioritise(incident=incident, actor=world["agent"], priority="P3", reason="minor")
    # An agent flags an existing incident as security: raised to the floor.
    other = classified(world, impact=4, urgency=4)
    assert other.priority == "P4"
    services.incident_update(incident=other, actor=world["agent"], data={"is_security": True})
    other.refresh_from_db()
    assert other.priority == "P2"


def test_the_whole_lifecycle_and_its_trail(world: Any) -> None:
    agent, resolver, requester = world["agent"], world["resolver"], world["requester"]
    incident = classified(world)
    services.incident_assign(incident=incident, actor=agent, team=world.team, assignee=resolver)
    assert incident.state == IncidentState.ASSIGNED
    services.incident_start(incident=incident, actor=resolver)
    assert incident.state == IncidentState.IN_PROGRESS
    assert incident.first_response_at is not None
    with pytest.raises(ValidationError):
        services.incident_hold(incident=incident, actor=resolver, reason="")
    services.incident_hold(
        incident=incident, actor=resolver, reason="awaiting_customer", note="Asked for logs"
    )
    assert incident.state == IncidentState.ON_HOLD
    services.incident_resume(incident=incident, actor=resolver)
    with pytest.raises(ValidationError) as error:
        services.incident_resolve(incident=incident, actor=resolver, code="", notes="")
    assert set(error.value.message_dict) == {"code", "notes"}
    services.incident_resolve(incident=incident, actor=resolver, code="fixed", notes="Mailbox quota raised")
    assert incident.state == IncidentState.RESOLVED
    services.incident_confirm(incident=incident, actor=requester)
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert incident.closed_by == requester
    moves = list(
        TransitionLog.objects.filter(reference=incident.reference).values_list(
            "transition", "target", "actor"
        )
    )
    assert moves == [
        ("classify", "classified", agent.pk),
        ("assign", "assigned", agent.pk),
        ("start", "in_progress", resolver.pk),
        ("hold", "on_hold", resolver.pk),
        ("resume", "in_progress", resolver.pk),
        ("resolve", "resolved", resolver.pk),
        ("confirm", "closed", requester.pk),
    ]
    # The requester was told of each status change others made.
    events = set(Notification.objects.filter(recipient=requester).values_list("event", flat=True))
    assert {"incident.start", "incident.hold", "incident.resolve"} <= events


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("incident_resolve", {"code": "fixed", "notes": "x"}),
        ("incident_hold", {"reason": "scheduled"}),
        ("incident_start", {}),
        ("incident_close", {}),
        ("incident_reopen", {"note": "again"}),
    ],
)
def test_illegal_moves_from_new_are_refused_and_change_nothing(world: Any, name: str, kwargs: dict) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    actor = world["manager"]
    with pytest.raises(TransitionNotAllowed):
        getattr(services, name)(incident=Incident.objects.get(pk=incident.pk), actor=actor, **kwargs)
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW
    assert not TransitionLog.objects.filter(reference=incident.reference).exists()


def test_reopen_only_within_the_window(world: Any, settings: Any) -> None:
    settings.ITSM_INCIDENT_REOPEN_DAYS = 2
    incident = classified(world)
    services.incident_resolve(
        incident=incident, actor=world["resolver"], code="workaround", notes="Restarted"
    )
    with pytest.raises(ValidationError):
        services.incident_reopen(incident=incident, actor=world["requester"], note="")
    services.incident_reopen(incident=incident, actor=world["requester"], note="Still broken")
    assert incident.state == IncidentState.IN_PROGRESS
    assert incident.reopen_count == 1
    services.incident_resolve(incident=incident, actor=world["resolver"], code="fixed", notes="Replaced disk")
    Incident.objects.filter(pk=incident.pk).update(resolved_at=timezone.now() - datetime.timedelta(days=10))
    incident.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.incident_reopen(incident=incident, actor=world["requester"], note="Broken again")


def test_cancel_as_duplicate_links_the_master(world: Any) -> None:
    master = classified(world)
    duplicate = log(world["agent"], reported_by=world["requester"])
    with pytest.raises(ValidationError):
        services.incident_cancel(incident=duplicate, actor=world["agent"], reason="duplicate")
    with pytest.raises(ValidationError):
        services.incident_cancel(incident=duplicate, actor=world["agent"], reason="logged_in_error", note="")
    services.incident_cancel(
        incident=duplicate, actor=world["agent"], reason="duplicate", duplicate_of=master
    )
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.duplicate_of, duplicate.cancel_reason) == (
        "cancelled",
        master,
        "duplicate",
    )
    assert list(master.duplicates.all()) == [duplicate]
    with pytest.raises(PermissionDenied):
        services.incident_cancel(incident=master, actor=world["resolver"], reason="withdrawn", note="x")


def test_functional_and_hierarchical_escalation(world: Any) -> None:
    incident = classified(world)
    services.incident_assign(incident=incident, actor=world["agent"], team=world.team)
    services.incident_start(incident=incident, actor=world["resolver"])
    with pytest.raises(ValidationError):
        services.incident_escalate(
            incident=incident, actor=world["resolver"], kind="functional", team=world.team, note="x"
        )
    services.incident_escalate(
        incident=incident,
        actor=world["resolver"],
        kind="functional",
        team=world.other_team,
        note="Needs storage",
    )
    assert (incident.state, incident.assignment_team, incident.escalation_level) == (
        IncidentState.ASSIGNED,
        world.other_team,
        1,
    )
    assert Notification.objects.filter(recipient=world["manager"], event="incident.escalated").exists()
    services.incident_escalate(
        incident=incident,
        actor=world["agent"],
        kind="hierarchical",
        to=world["manager"],
        note="Customer unhappy",
    )
    incident.refresh_from_db()
    assert (incident.state, incident.escalated_to, incident.escalation_level) == (
        IncidentState.ASSIGNED,
        world["manager"],
        2,
    )


def test_assignee_must_be_in_the_team(world: Any) -> None:
    incident = classified(world)
    with pytest.raises(ValidationError) as error:
        services.incident_assign(
            incident=incident, actor=world["agent"], team=world.other_team, assignee=world["resolver"]
        )
    assert "assignee" in error.value.message_dict
    # Without a team the category's default team takes it.
    services.incident_assign(incident=incident, actor=world["agent"])
    assert incident.assignment_team == world.team


def test_auto_close_after_the_business_days(world: Any, settings: Any) -> None:
    settings.ITSM_INCIDENT_AUTO_CLOSE_DAYS = 3
    incident = classified(world)
    services.incident_resolve(incident=incident, actor=world["resolver"], code="fixed", notes="Done")
    # Resolved on a Friday: Saturday and Sunday do not count.
    friday = datetime.datetime(2026, 11, 6, 10, 0, tzinfo=datetime.UTC)
    Incident.objects.filter(pk=incident.pk).update(resolved_at=friday)
    assert services.incidents_auto_close(now=friday + datetime.timedelta(days=4)) == 0  # Tuesday
    assert services.incidents_auto_close(now=friday + datetime.timedelta(days=5, minutes=1)) == 1  # Wednesday
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert incident.closed_by.is_system
    assert services.incidents_auto_close(now=friday + datetime.timedelta(days=6)) == 0  # idempotent


def test_comments_reach_the_other_side(world: Any) -> None:
    incident = classified(world)
    services.incident_assign(
        incident=incident, actor=world["agent"], team=world.team, assignee=world["resolver"]
    )
    services.incident_note_add(
        incident=incident, actor=world["resolver"], kind="comment", body="Please restart"
    )
    assert Notification.objects.filter(recipient=world["requester"], event="incident.commented").count() == 1
    services.incident_note_add(
        incident=incident, actor=world["requester"], kind="comment", body="Done, still slow"
    )
    assert Notification.objects.filter(recipient=world["resolver"], event="incident.commented").count() == 1
    services.incident_note_add(
        incident=incident, actor=world["resolver"], kind="work_note", body="Check the MX"
    )
    assert Notification.objects.filter(recipient=world["requester"], event="incident.commented").count() == 1
    with pytest.raises(PermissionDenied):
        services.incident_note_add(incident=incident, actor=world["requester"], kind="work_note", body="hi")


def test_auditors_read_but_never_act(world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    auditor = world["auditor"]
    with pytest.raises(PermissionDenied):
        services.incident_classify(
            incident=incident,
            actor=auditor,
            service=world.service,
            category=world.category,
            impact=1,
            urgency=1,
        )
    with pytest.raises(PermissionDenied):
        services.incident_note_add(incident=incident, actor=auditor, kind="comment", body="hello")
    with pytest.raises(PermissionDenied):
        services.incident_log(actor=auditor, data={"title": "x"})
