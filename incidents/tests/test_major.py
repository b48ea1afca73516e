"""Major incidents: a named manager, top management told at once, a take-over watchdog, and no closure
without the completed review."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from incidents import services
from incidents.choices import IncidentState
from incidents.models import Incident, MajorIncidentCriteria, MajorIncidentReview
from itsm.notifications import Notification
from itsm.records import TransitionLog, allowed_transitions

from .factories import log

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(world: Any) -> MajorIncidentCriteria:
    return services.criteria_create(
        actor=world["manager"],
        data={
            "name": "Default",
            "criteria": "A customer-facing service down for everyone",
            "min_priority": "P1",
            "takeover_minutes": 15,
            "notify_top_management": True,
            "is_active": True,
        },
    )


def p1(world: Any) -> Incident:
    incident = log(world["agent"], reported_by=world["requester"])
    return services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=1,
        urgency=1,
    )


def test_declaring_needs_a_named_manager_and_tells_top_management(world: Any, criteria: Any) -> None:
    incident = p1(world)
    with pytest.raises(ValidationError):
        services.incident_declare_major(incident=incident, actor=world["manager"], manager=None)
    with pytest.raises(ValidationError):  # an agent may not manage a major incident
        services.incident_declare_major(incident=incident, actor=world["manager"], manager=world["agent"])
    services.incident_declare_major(
        incident=incident, actor=world["manager"], manager=world["manager"], note="All mail down"
    )
    incident.refresh_from_db()
    assert (incident.is_major, incident.major_incident_manager, incident.major_criteria) == (
        True,
        world["manager"],
        criteria,
    )
    told = Notification.objects.get(recipient=world["gm"], event="incident.major_declared")
    assert incident.reference in told.subject
    assert TransitionLog.objects.filter(reference=incident.reference, transition="declare_major").exists()
    assert MajorIncidentReview.objects.get(incident=incident).state == "draft"


def test_below_the_criteria_needs_a_reason(world: Any, criteria: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])  # P3
    with pytest.raises(ValidationError):
        services.incident_declare_major(incident=incident, actor=world["manager"], manager=world["manager"])
    services.incident_declare_major(
        incident=incident,
        actor=world["manager"],
        manager=world["manager"],
        note="CEO's board meeting in an hour",
    )
    assert incident.is_major


def test_nobody_took_it_in_time_escalates_once(world: Any, criteria: Any) -> None:
    incident = p1(world)
    services.incident_declare_major(incident=incident, actor=world["manager"], manager=world["manager"])
    now = timezone.now()
    assert services.major_incidents_watch(now=now + datetime.timedelta(minutes=5)) == 0
    assert services.major_incidents_watch(now=now + datetime.timedelta(minutes=16)) == 1
    assert services.major_incidents_watch(now=now + datetime.timedelta(minutes=30)) == 0
    incident.refresh_from_db()
    assert incident.major_escalated_at is not None
    assert Notification.objects.filter(recipient=world["gm"], event="incident.major_unattended").count() == 1
    assert incident.history.filter(history_change_reason="major_unattended").get().history_user.is_system


def test_taking_charge_stops_the_watchdog(world: Any, criteria: Any) -> None:
    incident = p1(world)
    services.incident_declare_major(incident=incident, actor=world["manager"], manager=world["manager"])
    services.incident_take_major(incident=incident, actor=world["manager"])
    assert services.major_incidents_watch(now=timezone.now() + datetime.timedelta(hours=1)) == 0


def test_closing_needs_the_completed_review(world: Any, criteria: Any) -> None:
    incident = p1(world)
    services.incident_declare_major(incident=incident, actor=world["manager"], manager=world["manager"])
    services.incident_resolve(incident=incident, actor=world["resolver"], code="fixed", notes="Failover done")
    with pytest.raises(TransitionNotAllowed):
        services.incident_close(incident=incident, actor=world["agent"])
    # The requester's confirmation is recorded; the incident waits for the review.
    services.incident_confirm(incident=incident, actor=world["requester"])
    incident.refresh_from_db()
    assert incident.state == IncidentState.RESOLVED
    assert incident.resolution_confirmed_at is not None
    assert "confirm" not in allowed_transitions(incident, world["requester"])  # once is enough
    review = MajorIncidentReview.objects.get(incident=incident)
    with pytest.raises(ValidationError):
        services.review_complete(review=review, actor=world["manager"])
    services.review_update(
        review=review,
        actor=world["manager"],
        data={
            "what_happened": "Mail down",
            "timeline": "10:00-11:00",
            "causes": "Disk full",
            "improvements": "Alert",
        },
    )
    services.review_complete(review=review, actor=world["manager"])
    services.incident_close(incident=Incident.objects.get(pk=incident.pk), actor=world["agent"])
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.CLOSED


def test_auto_close_leaves_a_major_incident_waiting_for_its_review(
    world: Any, criteria: Any, settings: Any
) -> None:
    incident = p1(world)
    services.incident_declare_major(incident=incident, actor=world["manager"], manager=world["manager"])
    services.incident_resolve(incident=incident, actor=world["resolver"], code="fixed", notes="Done")
    assert services.incidents_auto_close(now=timezone.now() + datetime.timedelta(days=30)) == 0
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.RESOLVED
