"""S6: the N+1 guard. A record's pages cost the same number of queries with 1,000 related rows as with 10.

Two incidents and two service requests, one of each with 10 notes (work notes and comments), 10 SLA
clocks and 10 clock events, the other with ``rows`` (default 1,000) of each, written in bulk without
history. For every page below the scenario counts the SQL statements of one warm request on each
record and reports **R6 = queries(1,000 related) ÷ queries(10)** (target: exactly 1, and at most 10
queries per list page and 15 per detail page); it fails when a page's R6 is not 1.

Timed (product vs baseline, alternating): the incident detail page's timeline tab, the page that
reads the most related rows (history, notes, clock events), on the incident with ``rows`` related rows
vs the one with 10. Its ratio shows what the related rows cost in time while the query count stays
put (it renders 1,000 entries vs 10, so it is not expected to be 1).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bench.fixtures import count_queries, create_user, expect_ok, run_prefix
from bench.harness import BenchError, Scenario
from incidents.models import Incident, RequestCatalogueItem, ServiceRequest
from itsm.choices import Role
from itsm.models import Team, User
from itsm.notes import Note
from service_levels.models import BusinessCalendar, CalendarVersion, Clock, ClockEvent, Customer, Service

FEW = 10
# Reference S6: at most 10 queries per list page, 15 per detail page.
LIMITS = {"list": 10, "detail": 15}


def build(*, rows: int) -> Scenario:
    if rows < 10 * FEW:
        raise BenchError(f"S6 needs at least {10 * FEW} related rows (--rows), got {rows}.")
    tag = run_prefix()
    agent = create_user(tag=tag, role=Role.SERVICE_DESK_AGENT)
    made: dict[str, Any] = {}
    try:
        made = _fixtures(tag, agent, rows)
        return _build(tag, agent, made, rows)
    except BaseException:
        _remove(made, agent)
        raise


def _fixtures(tag: str, agent: User, rows: int) -> dict[str, Any]:
    now = timezone.now()
    made: dict[str, Any] = {}
    made["owner"] = owner = User.objects.bulk_create(
        [User(username=f"bench-{tag}-s6", email=f"b{tag}@example.com")]
    )[0]
    made["team"] = team = Team.objects.bulk_create([Team(name=f"Bench {tag} S6", code=f"bench-{tag}-s6")])[0]
    made["service"] = service = Service.objects.bulk_create(
        [Service(code=f"bench-{tag}-s6", name=f"Bench {tag} S6", owner=owner)]
    )[0]
    made["customer"] = customer = Customer.objects.bulk_create(
        [Customer(code=f"bench-{tag}-s6", name=f"Bench {tag} S6", relationship_owner=owner)]
    )[0]
    made["calendar"] = calendar = BusinessCalendar.objects.bulk_create(
        [BusinessCalendar(code=f"bench-{tag}-s6", name="24x7")]
    )[0]
    made["version"] = version = CalendarVersion.objects.bulk_create(
        [CalendarVersion(calendar=calendar, number=1, time_zone="UTC", always_open=True, created_by=owner)]
    )[0]
    made["item"] = item = RequestCatalogueItem.objects.bulk_create(
        [RequestCatalogueItem(service=service, name=f"Bench {tag} laptop", fulfilment_team=team)]
    )[0]
    common = {"created_by": agent, "updated_by": agent, "customer": customer, "service": service}
    made["incidents"] = Incident.objects.bulk_create(
        Incident(
            reference=f"B{tag}-S6-{n}",
            title=f"Bench S6 incident {n}",
            reported_by=owner,
            assignment_team=team,
            assignee=agent,
            state="in_progress",
            **common,
        )
        for n in (FEW, rows)
    )
    made["requests"] = ServiceRequest.objects.bulk_create(
        ServiceRequest(
            reference=f"B{tag}-R6-{n}",
            title=f"Bench S6 request {n}",
            catalogue_item=item,
            requested_by=owner,
            requested_for=owner,
            assignment_team=team,
            assignee=agent,
            state="in_fulfilment",
            **common,
        )
        for n in (FEW, rows)
    )
    for record, count in (
        *zip(made["incidents"], (FEW, rows), strict=True),
        *zip(made["requests"], (FEW, rows), strict=True),
    ):
        content_type = ContentType.objects.get_for_model(type(record))
        Note.objects.bulk_create(
            (
                Note(
                    content_type=content_type,
                    object_id=str(record.pk),
                    kind="comment" if n % 2 else "work_note",
                    body=f"bench note {n}",
                    author=agent if n % 3 else owner,
                )
                for n in range(count)
            ),
            batch_size=500,
        )
        clocks = Clock.objects.bulk_create(
            (
                Clock(
                    content_type=content_type,
                    object_id=str(record.pk),
                    record_reference=record.reference,
                    kind="resolution" if n % 2 else "response",
                    team=team,
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
                for n in range(count)
            ),
            batch_size=500,
        )
        ClockEvent.objects.bulk_create(
            (ClockEvent(clock=c, kind="start", at=now) for c in clocks), batch_size=500
        )
    return made


def _pages(made: dict[str, Any], index: int) -> dict[str, tuple[str, str, str]]:
    """(client, kind, url) per page, for the record with few (index 0) or many (1) related rows."""
    incident, request = made["incidents"][index].pk, made["requests"][index].pk
    return {
        "incident detail": ("web", "detail", f"/incidents/{incident}/"),
        "incident notes tab": ("web", "detail", f"/incidents/{incident}/?tab=notes"),
        "incident clocks tab": ("web", "detail", f"/incidents/{incident}/?tab=clocks"),
        "incident timeline tab": ("web", "detail", f"/incidents/{incident}/?tab=timeline"),
        "request detail": ("web", "detail", f"/incidents/requests/{request}/"),
        "request list": ("web", "list", f"/incidents/requests/?assignment_team={made['team'].pk}"),
        "API incident detail": ("api", "detail", f"/api/v1/incidents/{incident}/"),
        "API incident clocks": ("api", "detail", f"/api/v1/incidents/{incident}/clocks/"),
        "API incident notes": ("api", "list", f"/api/v1/incidents/{incident}/notes/"),
        "API request detail": ("api", "detail", f"/api/v1/service-requests/{request}/"),
    }


def _build(tag: str, agent: User, made: dict[str, Any], rows: int) -> Scenario:
    web, api = Client(), APIClient()
    web.force_login(agent)
    api.force_login(agent)
    clients: dict[str, Any] = {"web": web, "api": api}

    def queries(client: str, url: str) -> int:
        call = clients[client]
        expect_ok(call.get(url), url)  # warm: saved filters, content types
        return count_queries(lambda: expect_ok(call.get(url), url))

    few, many = _pages(made, 0), _pages(made, 1)
    report = []
    failures = []
    for name, (client, kind, url) in few.items():
        q_few, q_many = queries(client, url), queries(client, many[name][2])
        r6 = q_many / q_few
        over = q_many > LIMITS[kind]
        report.append(f"{name} {q_many}/{q_few} = {r6:g}" + (f" (> {LIMITS[kind]})" if over else ""))
        if q_many != q_few:
            failures.append(name)
    if failures:
        raise BenchError(
            f"S6: query counts grow with the related rows on: {', '.join(failures)} ({'; '.join(report)})."
        )
    timeline_many, timeline_few = many["incident timeline tab"][2], few["incident timeline tab"][2]
    return Scenario(
        name="S6",
        title=f"incident timeline tab with {rows:,} notes, clocks and clock events vs {FEW}",
        product_label=f"GET {timeline_many.replace(str(made['incidents'][1].pk), '<many>')}",
        baseline_label=f"GET {timeline_few.replace(str(made['incidents'][0].pk), '<few>')}",
        product=lambda: expect_ok(web.get(timeline_many), timeline_many),
        baseline=lambda: expect_ok(web.get(timeline_few), timeline_few),
        teardown=lambda: _remove(made, agent),
        info={
            "R6": f"queries with {rows:,} related ÷ with {FEW}, per page (warm): " + "; ".join(report),
            "rows": f"{rows:,} and {FEW} notes, clocks and clock events per record",
        },
    )


def _remove(made: dict[str, Any], agent: User) -> None:
    db = Incident.objects.db
    records = [*made.get("incidents", []), *made.get("requests", [])]
    for record in records:
        content_type = ContentType.objects.get_for_model(type(record))
        clocks = Clock.objects.filter(content_type=content_type, object_id=str(record.pk))
        ClockEvent.objects.filter(clock__in=clocks.values("pk"))._raw_delete(using=db)
        clocks._raw_delete(using=db)
        Note.objects.filter(content_type=content_type, object_id=str(record.pk))._raw_delete(using=db)
    for key in ("requests", "incidents"):
        for record in made.get(key, []):
            type(record).objects.filter(pk=record.pk)._raw_delete(using=db)
    for key in ("item", "version", "calendar", "customer", "service", "team", "owner"):
        if key in made:
            obj = made[key]
            type(obj).objects.filter(pk=obj.pk)._raw_delete(using=db)
    agent.delete()
