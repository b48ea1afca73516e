"""The SLA clocks API: read only, for staff of service levels or incidents and for auditors; filters;
the explanation; a query count that does not grow with the clocks."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from itsm.testing import check_endpoint
from service_levels.choices import ClockKind
from service_levels.clocks import clocks_start, clocks_stop, clocks_sweep
from service_levels.models import Clock

from .clock_fixtures import Setup, local, make_record, make_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(demo: dict[str, Any], make_user: Any) -> Setup:
    return make_setup(make_user)


def start(setup: Setup, record: Any, at: datetime.datetime, priority: str = "P1") -> None:
    clocks_start(
        record=record,
        customer=setup.customer,
        service=setup.service,
        team=setup.team,
        priority=priority,
        at=at,
        actor=setup.owner,
    )


@pytest.mark.parametrize("allowed", ["agent", "slm", "auditor", "incident.manager"])
def test_permission_matrix(api_client: APIClient, demo: dict[str, Any], setup: Setup, allowed: str) -> None:
    record = make_record(setup.owner)
    start(setup, record, local(2025, 9, 22, 9))
    clock = Clock.objects.first()
    assert clock is not None
    for url in (
        "/api/v1/sla-clocks/",
        f"/api/v1/sla-clocks/{clock.pk}/",
        f"/api/v1/sla-clocks/{clock.pk}/explain/",
    ):
        check_endpoint(APIClient(), demo, url, "requester", allowed)


def test_nobody_writes_clocks_through_the_api(
    api_client: APIClient, demo: dict[str, Any], setup: Setup
) -> None:
    start(setup, make_record(setup.owner), local(2025, 9, 22, 9))
    clock = Clock.objects.first()
    assert clock is not None
    api_client.force_authenticate(demo["admin"])
    # no write rule and no write method: refused either way, even for an administrator
    refused = (403, 405)
    assert api_client.post("/api/v1/sla-clocks/", {"state": "met"}, format="json").status_code in refused
    url = f"/api/v1/sla-clocks/{clock.pk}/"
    assert api_client.patch(url, {"state": "met"}, format="json").status_code in refused
    assert api_client.delete(url).status_code in refused
    clock.refresh_from_db()
    assert clock.state == "running"


def test_filters_and_the_explanation(api_client: APIClient, demo: dict[str, Any], setup: Setup) -> None:
    first, second = make_record(setup.owner), make_record(setup.owner)
    start(setup, first, local(2025, 9, 22, 9))
    start(setup, second, local(2025, 9, 24, 9), priority="P4")
    clocks_stop(record=first, kind=ClockKind.RESPONSE, at=local(2025, 9, 22, 9, 10), actor=setup.owner)
    clocks_sweep(now=local(2025, 9, 23))
    api_client.force_authenticate(demo["slm"])

    def ids(query: str) -> set[int]:
        response = api_client.get(f"/api/v1/sla-clocks/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    def clocks(**filters: Any) -> set[int]:
        return set(Clock.objects.filter(**filters).values_list("pk", flat=True))

    def clocks_of(record: Any) -> set[int]:  # the demo data has clocks on incidents with the same ids
        return clocks(content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk))

    assert ids("state=met") == clocks(state="met")
    assert ids("state=running&kind=resolution") == clocks(state="running", kind="resolution")
    assert ids(f"agreement={setup.sla.pk}") == clocks(agreement=setup.sla)
    assert ids("agreement_kind=ola") == clocks(agreement__kind="ola")
    assert ids(f"team={setup.team.pk}&priority=P4") == clocks_of(second)
    assert ids(f"record_type=audits.document&object_id={first.pk}") == clocks_of(first)
    assert ids(f"record={second.reference}") == clocks_of(second)
    assert ids("record_type=nothing.here") == set()
    assert ids("breached=true") == clocks(breached_at__isnull=False) != set()
    assert ids("gap=true") == clocks(target_seconds__isnull=True) != set()
    assert ids("due_before=2025-09-22T04:00:00Z") == clocks(due_at__lt=local(2025, 9, 22, 12))
    assert ids("due_after=2025-09-24T00:00:00Z") == clocks(due_at__gte=local(2025, 9, 24, 8))
    bad = api_client.get("/api/v1/sla-clocks/?due_before=yesterday")
    assert bad.status_code == 400
    assert "due_before" in bad.json()["fields"]

    clock = Clock.objects.get(agreement=setup.sla, kind=ClockKind.RESOLUTION, pk__in=clocks_of(first))
    row = api_client.get(f"/api/v1/sla-clocks/{clock.pk}/").json()
    assert row["record"] == {"type": "audits.document", "id": str(first.pk), "reference": first.reference}
    assert row["calendar"] == "Office hours"
    assert row["explain_url"] == f"/api/v1/sla-clocks/{clock.pk}/explain/"
    explanation = api_client.get(row["explain_url"]).json()
    assert explanation["calendar"]["version"] == 1
    assert explanation["target_seconds"] == 4 * 3600
    assert explanation["breached_at"] == "2025-09-22T06:30:00Z"
    assert [e["kind"] for e in explanation["events"]] == ["start", "warning", "critical", "breach"]
    assert explanation["segments"][0]["spans"][0] == {
        "start": "2025-09-22T01:00:00Z",
        "end": "2025-09-22T04:00:00Z",
        "seconds": 3 * 3600,
    }
    assert explanation["recomputed"]["matches"] is True


def test_the_list_query_count_does_not_grow_with_the_clocks(
    api_client: APIClient, demo: dict[str, Any], setup: Setup
) -> None:
    api_client.force_authenticate(demo["slm"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get("/api/v1/sla-clocks/").status_code == 200
        return len(queries)

    start(setup, make_record(setup.owner), local(2025, 9, 22, 9))
    api_client.get("/api/v1/sla-clocks/")
    few = count()
    for _n in range(10):
        start(setup, make_record(setup.owner), local(2025, 9, 22, 9))
    assert count() == few
