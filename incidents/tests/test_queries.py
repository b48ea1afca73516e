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
from incidents.models import Incident, ServiceRequest
from itsm.notes import Note, note_add
from service_levels.models import BusinessCalendar, CalendarVersion, Clock, ClockEvent

from .factories import log

pytestmark = pytest.mark.django_db

# The queue page for an agent, warm (as in a running server: the saved filters and content types are
# cached after the first view): the session, the user, their direct and group permissions, the page's
# rows (one query, the SLA badge as subqueries of it), the unread notification badge, and the choice
# lists of the filter panel and the bulk form (teams, services, customers, categories, people: one
# UNION ALL query). None of it depends on the number of rows, notes or clocks. Reference S3: <= 8.
QUEUE_QUERIES = 7
# The session, the user, their permissions (2), the page.
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
    call()  # and so are the saved filters of the list
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
    client.get("/incidents/", {"queue": "open"})  # warms the saved-filter cache
    with django_assert_num_queries(QUEUE_QUERIES):
        assert client.get("/incidents/", {"queue": "open"}).status_code == 200


# S6: detail pages, the service request list and the API detail cost the same with 10 or 1,000 related
# notes and clocks -------------------------------------------------------------------------------------


def bulk_related(world: Any, record: Any, count: int, *, first: int = 0) -> None:
    """``count`` notes (work notes and comments), SLA clocks and clock events on ``record``, in bulk."""
    content_type = ContentType.objects.get_for_model(type(record))
    calendar, _created = BusinessCalendar.objects.get_or_create(code="cal-bulk", defaults={"name": "24x7"})
    version = CalendarVersion.objects.filter(calendar=calendar).first() or CalendarVersion.objects.create(
        calendar=calendar, number=1, always_open=True, created_by=world["manager"]
    )
    now = timezone.now()
    Note.objects.bulk_create(
        Note(
            content_type=content_type,
            object_id=str(record.pk),
            kind="comment" if n % 2 else "work_note",
            body=f"note {n}",
            author=world["agent"] if n % 3 else world["resolver"],
        )
        for n in range(first, first + count)
    )
    clocks = Clock.objects.bulk_create(
        Clock(
            content_type=content_type,
            object_id=str(record.pk),
            record_reference=record.reference,
            kind="resolution" if n % 2 else "response",
            team=world.team,
            priority="P2",
            target_seconds=3600,
            calendar_version=version,
            started_at=now,
            segment_started_at=now,
            due_at=now + datetime.timedelta(hours=1),
            warn_at=now + datetime.timedelta(minutes=30),
            state="met",
            stopped_at=now,
        )
        for n in range(first, first + count)
    )
    ClockEvent.objects.bulk_create(ClockEvent(clock=clock, kind="start", at=now) for clock in clocks)


def make_request(world: Any) -> ServiceRequest:
    laptop = services.catalogue_item_create(
        actor=world["manager"],
        data={
            "service": world.service,
            "name": "New laptop",
            "fulfilment_team": world.team,
            "fulfilment_target_minutes": 480,
        },
    )
    request = services.service_request_create(actor=world["requester"], data={"catalogue_item": laptop})
    services.service_request_start(service_request=request, actor=world["resolver"])
    return request


# Exact queries per request, warm (the saved-filter and content-type caches are filled by a first
# request, as in a running server). Reference S6: <= 10 per list page, <= 15 per detail page. Every
# page starts with the session, the user and their permissions (4 queries); web pages end with the
# unread notification badge. The full detail page also lists the assign and escalate forms' people and
# (once) the active teams. The timeline tab as a full page (a direct link) costs 14: the tab reads the
# history (with the teams, people and categories its rows point to), the transitions, notes,
# attachments and clock events (one query each); opened from the page (htmx, as the tab links do),
# without the transition forms and the badge, 11.
DETAIL_QUERIES = {
    "incident detail": 9,
    "incident notes tab": 10,
    "incident clocks tab": 11,
    "incident timeline tab": 14,
    "incident timeline tab (htmx)": 11,
    "incident related tab": 11,
    "request list": 8,
    "request detail": 6,
    "API incident detail": 5,
    "API incident clocks": 7,
    "API incident notes": 6,
    "API request detail": 5,
}
HTMX = {"HX-Request": "true"}


def _pages(incident: Incident, request: ServiceRequest) -> dict[str, tuple[str, str, dict[str, str]]]:
    return {
        "incident detail": ("web", f"/incidents/{incident.pk}/", {}),
        "incident notes tab": ("web", f"/incidents/{incident.pk}/?tab=notes", {}),
        "incident clocks tab": ("web", f"/incidents/{incident.pk}/?tab=clocks", {}),
        "incident timeline tab": ("web", f"/incidents/{incident.pk}/?tab=timeline", {}),
        "incident timeline tab (htmx)": ("web", f"/incidents/{incident.pk}/?tab=timeline", HTMX),
        "incident related tab": ("web", f"/incidents/{incident.pk}/?tab=related", {}),
        "request list": ("web", "/incidents/requests/", {}),
        "request detail": ("web", f"/incidents/requests/{request.pk}/", {}),
        "API incident detail": ("api", f"/api/v1/incidents/{incident.pk}/", {}),
        "API incident clocks": ("api", f"/api/v1/incidents/{incident.pk}/clocks/", {}),
        "API incident notes": ("api", f"/api/v1/incidents/{incident.pk}/notes/", {}),
        "API request detail": ("api", f"/api/v1/service-requests/{request.pk}/", {}),
    }


def test_detail_pages_cost_the_same_with_10_and_1000_notes_and_clocks(world: Any) -> None:
    incidents = make_incidents(world, 3)
    incident = incidents[0]
    Incident.objects.filter(pk__in=[i.pk for i in incidents[1:]]).update(parent=incident)
    request = make_request(world)
    for record in (incident, request):
        bulk_related(world, record, 10)
    web, api = Client(), APIClient()
    web.force_login(world["agent"])
    api.force_login(world["agent"])
    clients = {"web": web, "api": api}
    pages = _pages(incident, request)

    def measure() -> dict[str, int]:
        return {
            name: count_queries(lambda c=clients[kind], u=url, h=headers: c.get(u, headers=h))
            for name, (kind, url, headers) in pages.items()
        }

    few = measure()
    for record in (incident, request):
        bulk_related(world, record, 990, first=10)
    # More catalogue items in the request list's filter: labelled "service: item" without a query each.
    for n in range(3):
        services.catalogue_item_create(
            actor=world["manager"],
            data={"service": world.service, "name": f"Item {n}", "fulfilment_target_minutes": 60},
        )
    many = measure()
    assert few == many == DETAIL_QUERIES
    page = web.get(f"/incidents/{incident.pk}/?tab=notes").content.decode()
    assert "note 999" in page
    assert "note 0" in page


def test_the_filter_panel_and_bulk_form_list_their_choices_from_one_query(world: Any, client: Client) -> None:
    from .factories import make_category

    child = make_category(name="Mail client", parent=world.category)
    world.other_team.is_active = False
    world.other_team.save()
    client.force_login(world["agent"])
    page = client.get("/incidents/").content.decode()
    panel, _sep, bulk = page.partition('data-testid="bulk-actions"')
    for pk, label in (
        (world.team.pk, "Application support"),
        (world.other_team.pk, "Infrastructure"),  # inactive teams stay filterable
        (world.service.pk, "E-mail"),
        (world.customer.pk, "Finance"),
        (world.category.pk, "Software"),
        (child.pk, "Software / Mail client"),
        (world["resolver"].pk, str(world["resolver"])),
    ):
        assert f'<option value="{pk}">{label}</option>' in panel
    assert f'<option value="{world.team.pk}">Application support</option>' in bulk
    assert f'<option value="{world.other_team.pk}">' not in bulk  # only active teams take work
    # A chosen value is still checked against the real rows, and shown as chosen.
    chosen = client.get("/incidents/", {"assignment_team": world.team.pk}).content.decode()
    assert f'<option value="{world.team.pk}" selected>Application support</option>' in chosen
    assert "Select a valid choice" in client.get("/incidents/", {"assignment_team": 999999}).content.decode()


def test_the_request_filter_lists_catalogue_items_with_their_service(world: Any, client: Client) -> None:
    request = make_request(world)
    client.force_login(world["agent"])
    page = client.get("/incidents/requests/").content.decode()
    item = request.catalogue_item
    assert f'<option value="{item.pk}">E-mail: New laptop</option>' in page
    assert f'<option value="{world.service.pk}">E-mail</option>' in page
    assert f'<option value="{world.team.pk}">Application support</option>' in page
