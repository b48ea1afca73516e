"""The incident lifecycle drives the SLA clocks: start at logging, retarget on a priority change, pause
on hold, response stops at the first response, resolution at resolve, cancelled with the incident; a
breach escalates the incident."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from incidents import services
from incidents.choices import IncidentState
from incidents.models import Incident
from incidents.selectors import incident_clocks, incident_sla_annotate, incident_sla_filter, sla_badge_values
from service_levels.clocks import clocks_sweep
from service_levels.tests.clock_fixtures import make_agreement, make_calendar

from .factories import log

pytestmark = pytest.mark.django_db

TARGETS = {"P1": (15, 60), "P2": (30, 240), "P3": (60, 480), "P4": (120, 960)}


@pytest.fixture
def sla(world: Any) -> Any:
    calendar = make_calendar(world["manager"], code="always", always_open=True)
    return make_agreement(
        kind="sla",
        owner=world["manager"],
        calendar=calendar,
        targets=TARGETS,
        customer=world.customer,
        services=[world.service],
    )


def states(incident: Incident) -> dict[str, str]:
    return {c.kind: c.state for c in incident_clocks(incident)}


def test_clocks_follow_the_lifecycle(world: Any, sla: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])  # customer and service known: clocks run
    assert states(incident) == {"response": "running", "resolution": "running"}
    resolution = next(c for c in incident_clocks(incident) if c.kind == "resolution")
    assert resolution.target_seconds == 480 * 60  # P3
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=1,
        urgency=1,
    )
    resolution = next(c for c in incident_clocks(incident) if c.kind == "resolution")
    assert (resolution.priority, resolution.target_seconds) == ("P1", 60 * 60)  # retargeted
    assert "retarget" in [e.kind for e in resolution.events.all()]
    services.incident_assign(
        incident=incident, actor=world["agent"], team=world.team, assignee=world["resolver"]
    )
    services.incident_start(incident=incident, actor=world["resolver"])
    assert states(incident)["response"] == "met"
    services.incident_hold(incident=incident, actor=world["resolver"], reason="awaiting_customer")
    assert states(incident)["resolution"] == "paused"
    badge = sla_badge_values(incident_sla_annotate(Incident.objects.filter(pk=incident.pk)).get())
    assert badge is not None
    assert badge[1] == "waiting"
    services.incident_resume(incident=incident, actor=world["resolver"])
    assert states(incident)["resolution"] == "running"
    services.incident_resolve(incident=incident, actor=world["resolver"], code="fixed", notes="ok")
    assert states(incident)["resolution"] == "met"
    badge = sla_badge_values(incident_sla_annotate(Incident.objects.filter(pk=incident.pk)).get())
    assert badge is not None
    assert badge[:2] == ("met", "done")


def test_cancel_cancels_the_clocks(world: Any, sla: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    services.incident_cancel(incident=incident, actor=world["agent"], reason="logged_in_error", note="typo")
    assert set(states(incident).values()) == {"cancelled"}


def test_classification_that_names_the_service_starts_the_clocks_from_logging(world: Any, sla: Any) -> None:
    incident = log(world["agent"], title="Unknown service", customer=world.customer, service=None)
    incident.service = None
    Incident.objects.filter(pk=incident.pk).update(service=None)
    incident.refresh_from_db()
    # The customer's only service is suggested at logging, so clear it to test a late service.
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=3,
        urgency=3,
    )
    clock = next(c for c in incident_clocks(incident) if c.kind == "resolution")
    assert clock.started_at == incident.created_at.replace(microsecond=0)


def test_a_breach_escalates_and_shows_in_the_queue_filters(world: Any, sla: Any) -> None:
    world.team.lead = world["manager"]
    world.team.save()
    incident = log(world["agent"], reported_by=world["requester"], impact=1, urgency=1)
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=1,
        urgency=1,
    )
    services.incident_assign(incident=incident, actor=world["agent"], team=world.team)
    assert list(incident_sla_filter(Incident.objects.all(), "breached")) == []
    clocks_sweep(now=timezone.now() + datetime.timedelta(hours=2))
    incident.refresh_from_db()
    # One hierarchical escalation per breached clock: no response within 15 minutes, no resolution
    # within the hour; both to the lead of the team holding it.
    assert incident.escalation_level == 2
    assert incident.escalated_to == world["manager"]
    assert list(incident_sla_filter(Incident.objects.all(), "breached")) == [incident]
    assert incident.state == IncidentState.ASSIGNED
