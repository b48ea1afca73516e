"""The queue and the API list cost a fixed number of queries, however many rows, notes and clocks."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Incident
from itsm.notes import note_add
from service_levels.models import BusinessCalendar, CalendarVersion, Clock, ClockEvent

from .factories import log

pytestmark = pytest.mark.django_db

# The queue page for an agent: session and user, their permissions, the page's rows (one query, the
# SLA badge as subqueries of it), the filter panel's choice lists, the bulk form's teams, the unread
# notification badge. None of it depends on the number of rows, notes or clocks.
QUEUE_QUERIES = 13
API_LIST_QUERIES = 5


def make_incidents(world: Any, count: int) -> list[Incident]:
    made = []
    for n in range(count):
        incident = log(world["agent"], reported_by=world["requester"], title=f"Incident {n}")
        services.incident_classify(
            incident=incident,
            actor=world["agent"],
            service=world.service,
            category=world.category,
            impact=2,
            urgency=2,
        )
        services.incident_assign(
            incident=incident, actor=world["agent"], team=world.team, assignee=world["resolver"]
        )
        made.append(incident)
    return made


def pile_on(world: Any, incidents: list[Incident], per_incident: int) -> None:
    """Notes, clocks and clock events on every incident: none of it may cost a query per row."""
    calendar = BusinessCalendar.objects.create(code=f"cal-{per_incident}", name="24x7")
    version = CalendarVersion.objects.create(
        calendar=calendar, number=1, always_open=True, created_by=world["manager"]
    )
    content_type = ContentType.objects.get_for_model(Incident)
    now = timezone.now()
    for incident in incidents:
        for n in range(per_incident):
            note_add(record=incident, actor=world["agent"], kind="work_note", body=f"note {n}")
        for n in range(per_incident):
            clock = Clock.objects.create(
                content_type=content_type,
                object_id=str(incident.pk),
                kind="resolution" if n % 2 else "response",
                priority="P2",
                target_seconds=3600,
                calendar_version=version,
                started_at=now,
                segment_started_at=now,
                due_at=now + datetime.timedelta(hours=n + 1),
                warn_at=now + datetime.timedelta(minutes=30),
                state="running" if n == per_incident - 1 else "met",
                stopped_at=None if n == per_incident - 1 else now,
            )
            ClockEvent.objects.create(clock=clock, kind="start", at=now)


def count_queries(call: Any) -> int:
    ContentType.objects.get_for_model(Incident)  # the content-type cache is warm in a running server
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_for_few_and_many_rows_notes_and_clocks(world: Any, client: Client) -> None:
    client.force_login(world["agent"])
    incidents = make_incidents(world, 3)

    def page() -> Any:
        return client.get("/incidents/", {"queue": "open"})

    few = count_queries(page)
    pile_on(world, incidents, 10)
    incidents += make_incidents(world, 12)
    pile_on(world, incidents[3:], 2)
    many = count_queries(page)
    assert few == many == QUEUE_QUERIES
    # The SLA badge comes from the same query.
    assert b"left" in page().content


def test_the_api_list_costs_the_same_for_few_and_many(world: Any) -> None:
    api = APIClient()
    api.force_login(world["agent"])
    incidents = make_incidents(world, 2)

    def listing() -> Any:
        return api.get("/api/v1/incidents/")

    few = count_queries(listing)
    pile_on(world, incidents, 10)
    make_incidents(world, 10)
    many = count_queries(listing)
    assert few == many == API_LIST_QUERIES


def test_exact_queries_of_the_queue(world: Any, client: Client, django_assert_num_queries: Any) -> None:
    make_incidents(world, 5)
    client.force_login(world["agent"])
    ContentType.objects.get_for_model(Incident)
    with django_assert_num_queries(QUEUE_QUERIES):
        assert client.get("/incidents/", {"queue": "open"}).status_code == 200
