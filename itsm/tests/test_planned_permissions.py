"""Permission matrix of planned activities: every page and endpoint, anonymous, denied and allowed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from itsm.planned import OccurrenceState, PlannedOccurrence, planned_activities_run, planned_activity_create
from itsm.testing import check_endpoint, check_page

# (url, denied, allowed): staff read; management (and each kind's area owners) set up and edit.
PAGES = [
    ("/planned-activities/", "requester", "agent"),
    ("/planned-activities/?status=overdue&kind=task", "requester", "resolver"),
    ("/planned-activities/?format=csv", "requester", "auditor"),
    ("/planned-activities/new/", "agent", "mr"),
    ("/planned-activities/new/", "slm", "gm"),
    ("/planned-activities/{activity}/", "requester", "agent"),
    ("/planned-activities/{activity}/?tab=history", "requester", "auditor"),
    ("/planned-activities/{activity}/edit/", "agent", "mr"),
    ("/planned-activities/{activity}/edit/", "auditor", "admin"),
]
ENDPOINTS = [
    ("/api/v1/planned-activities/", "requester", "agent"),
    ("/api/v1/planned-activities/?status=due&kind=task", "requester", "config.manager"),
    ("/api/v1/planned-activities/{activity}/", "requester", "agent"),
    ("/api/v1/planned-occurrences/", "requester", "agent"),
    (
        "/api/v1/planned-occurrences/?due_after=2026-01-01&due_before=2027-12-31&state=draft_created",
        "requester",
        "auditor",
    ),
    ("/api/v1/planned-occurrences/{occurrence}/", "requester", "agent"),
]


@pytest.fixture
def objects(demo: dict[str, Any]) -> dict[str, int]:
    activity = planned_activity_create(
        actor=demo["mr"],
        data={
            "kind": "task",
            "title": "Continuity plan test",
            "owner": demo["config.manager"],
            "interval_months": 12,
            "next_due": datetime.date(2026, 12, 1),
        },
    )
    planned_activities_run(today=datetime.date(2026, 11, 21))
    return {"activity": activity.pk, "occurrence": activity.occurrences.get().pk}


@pytest.mark.parametrize(("url", "denied", "allowed"), PAGES)
def test_pages(
    client: Any, demo: dict[str, Any], objects: dict[str, int], url: str, denied: str, allowed: str
) -> None:
    check_page(client, demo, url.format(**objects), denied, allowed)


@pytest.mark.parametrize(("url", "denied", "allowed"), ENDPOINTS)
def test_endpoints(
    api_client: Any, demo: dict[str, Any], objects: dict[str, int], url: str, denied: str, allowed: str
) -> None:
    check_endpoint(api_client, demo, url.format(**objects), denied, allowed)


def test_completing_a_task_page_post_only(client: Any, demo: dict[str, Any], objects: dict[str, int]) -> None:
    url = f"/planned-activities/occurrences/{objects['occurrence']}/complete/"
    response = client.post(url, {"note": "done"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    client.force_login(demo["requester"])
    assert client.post(url, {"note": "done"}).status_code == 403
    client.force_login(demo["agent"])  # staff, but neither the owner nor management
    assert client.post(url, {"note": "done"}).status_code == 403
    assert PlannedOccurrence.objects.get(pk=objects["occurrence"]).state == OccurrenceState.DRAFT_CREATED
    client.force_login(demo["config.manager"])  # the owner
    assert client.get(url).status_code == 405
    response = client.post(url, {"note": "Failover tested"})
    assert response.status_code == 302
    assert PlannedOccurrence.objects.get(pk=objects["occurrence"]).state == OccurrenceState.DONE


def test_completing_a_task_endpoint(api_client: Any, demo: dict[str, Any], objects: dict[str, int]) -> None:
    url = f"/api/v1/planned-occurrences/{objects['occurrence']}/complete/"
    assert api_client.post(url, {"note": "x"}, format="json").status_code == 401
    api_client.force_authenticate(demo["requester"])
    assert api_client.post(url, {"note": "x"}, format="json").status_code == 404
    api_client.force_authenticate(demo["agent"])
    assert api_client.post(url, {"note": "x"}, format="json").status_code == 403
    assert PlannedOccurrence.objects.get(pk=objects["occurrence"]).state == OccurrenceState.DRAFT_CREATED
    api_client.force_authenticate(demo["mr"])
    response = api_client.post(url, {"note": "Done by the management representative"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == OccurrenceState.DONE


def test_nobody_deletes_a_planned_activity(
    api_client: Any, demo: dict[str, Any], objects: dict[str, int]
) -> None:
    api_client.force_authenticate(demo["admin"])
    response = api_client.delete(f"/api/v1/planned-activities/{objects['activity']}/")
    assert response.status_code in (403, 405)
    assert api_client.get(f"/api/v1/planned-activities/{objects['activity']}/").status_code == 200
