"""/api/v1/incidents/: log, filter, every transition, errors in the one shape, 409 on a concurrent move."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from incidents import services
from incidents.choices import IncidentState
from incidents.models import Incident

from .factories import log

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_log_classify_assign_start_resolve_over_the_api(world: Any) -> None:
    agent = as_user(world["agent"])
    created = agent.post(
        "/api/v1/incidents/",
        {"title": "ERP slow", "reported_by": world["requester"].pk, "impact": 2, "urgency": 2},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"].startswith("INC-")
    assert body["state"] == "new"
    assert "classify" in body["allowed_transitions"]
    pk = body["id"]
    classified = agent.post(
        f"/api/v1/incidents/{pk}/classify/",
        {"service": world.service.pk, "category": world.category.pk, "impact": 1, "urgency": 1},
        format="json",
    )
    assert classified.status_code == 200, classified.content
    assert classified.json()["priority"] == "P1"
    assigned = agent.post(
        f"/api/v1/incidents/{pk}/assign/",
        {"team": world.team.pk, "assignee": world["resolver"].pk},
        format="json",
    )
    assert assigned.json()["state"] == "assigned"
    resolver = as_user(world["resolver"])
    assert resolver.post(f"/api/v1/incidents/{pk}/start/", {}, format="json").json()["state"] == "in_progress"
    missing = resolver.post(f"/api/v1/incidents/{pk}/resolve/", {"code": "fixed"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "validation_error"
    assert "notes" in missing.json()["fields"]
    done = resolver.post(
        f"/api/v1/incidents/{pk}/resolve/", {"code": "fixed", "notes": "Index rebuilt"}, format="json"
    )
    assert done.json()["state"] == "resolved"
    timeline = agent.get(f"/api/v1/incidents/{pk}/timeline/").json()
    assert [e["kind"] for e in timeline].count("transition") == 4


def test_an_illegal_move_is_a_400_and_a_concurrent_one_a_409(world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    agent = as_user(world["agent"])
    refused = agent.post(f"/api/v1/incidents/{incident.pk}/start/", {}, format="json")
    assert refused.status_code == 400
    assert "current state" in refused.json()["fields"]["non_field_errors"][0]
    # Someone else moves the incident between our read and our write.
    stale = Incident.objects.get(pk=incident.pk)
    services.incident_cancel(incident=incident, actor=world["agent"], reason="logged_in_error", note="oops")
    from django_fsm import ConcurrentTransition

    with pytest.raises(ConcurrentTransition):
        services.incident_classify(
            incident=stale,
            actor=world["agent"],
            service=world.service,
            category=world.category,
            impact=1,
            urgency=1,
        )


def test_conflict_answers_409_and_changes_nothing(world: Any, monkeypatch: Any) -> None:
    from django_fsm import ConcurrentTransition

    incident = log(world["agent"], reported_by=world["requester"])
    services.incident_classify(
        incident=incident,
        actor=world["agent"],
        service=world.service,
        category=world.category,
        impact=3,
        urgency=3,
    )
    services.incident_assign(incident=incident, actor=world["agent"], team=world.team)

    def someone_else_moved_it(*args: Any, **kwargs: Any) -> None:
        raise ConcurrentTransition("moved meanwhile")

    monkeypatch.setattr(services, "run_transition", someone_else_moved_it)
    response = as_user(world["resolver"]).post(f"/api/v1/incidents/{incident.pk}/start/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    incident.refresh_from_db()
    assert incident.state == IncidentState.ASSIGNED


def test_requesters_get_nothing_from_the_staff_api(world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"])
    requester = as_user(world["requester"])
    assert requester.get("/api/v1/incidents/").status_code == 403
    # Their own incident is readable (the same rule as the portal); anyone else's does not exist for them.
    assert requester.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
    other = as_user(world["other_requester"])
    assert other.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    assert other.post(f"/api/v1/incidents/{incident.pk}/confirm/", {}, format="json").status_code == 404


def test_filters_and_search_on_the_api(world: Any) -> None:
    first = log(world["agent"], reported_by=world["requester"], title="Scanner jammed")
    log(world["agent"], reported_by=world["requester"], title="Wi-Fi down")
    agent = as_user(world["agent"])
    found = agent.get("/api/v1/incidents/", {"q": "scanner"}).json()["results"]
    assert [r["id"] for r in found] == [first.pk]
    assert len(agent.get("/api/v1/incidents/", {"state": "new"}).json()["results"]) == 2
    assert agent.get("/api/v1/incidents/", {"priority": "P9"}).status_code == 400


def test_declare_major_over_the_api_tells_top_management(world: Any) -> None:
    incident = log(world["agent"], reported_by=world["requester"], impact=1, urgency=1)
    manager = as_user(world["manager"])
    missing = manager.post(f"/api/v1/incidents/{incident.pk}/declare_major/", {}, format="json")
    assert missing.status_code == 400
    assert "manager" in missing.json()["fields"]
    done = manager.post(
        f"/api/v1/incidents/{incident.pk}/declare_major/", {"manager": world["manager"].pk}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["is_major"] is True
    from itsm.notifications import Notification

    assert Notification.objects.filter(recipient=world["gm"], event="incident.major_declared").exists()
    assert as_user(world["agent"]).post(
        f"/api/v1/incidents/{incident.pk}/declare_major/", {"manager": world["manager"].pk}, format="json"
    ).status_code in (400, 403)
    incident.refresh_from_db()
    assert incident.state == IncidentState.NEW
