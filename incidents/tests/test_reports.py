"""Incident reports: exact numbers on a small constructed desk, days in the reader's time zone, the
objectives, constant query counts, bad input on the page and the API, and the dashboard widget."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audits.models import Objective
from incidents import reports
from incidents.models import Incident, MajorIncidentReview, RequestCatalogueItem, ServiceRequest
from itsm.records import next_reference
from service_levels.tests.report_fixtures import Catalogue, make_catalogue, make_clock

from .factories import make_people

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = Decimal


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def make(people: dict[str, Any], created: datetime.datetime, **fields: Any) -> Incident:
    """An incident stored directly in the state a report reads (tests only: services are the writers)."""
    state = fields.pop("state", "new")
    if state in ("resolved", "closed"):
        fields.setdefault("resolution_code", "fixed")
    if state == "on_hold":
        fields.setdefault("on_hold_reason", "awaiting_customer")
    if state == "cancelled":
        fields.setdefault("cancel_reason", "not_an_incident")
    if fields.get("major_declared_at"):
        fields.update(is_major=True, major_incident_manager=people["manager"])
    incident = Incident(
        title=fields.pop("title", f"Incident logged {created:%m-%d %H:%M}"),
        reported_by=people["requester"],
        created_by=people["agent"],
        updated_by=people["agent"],
        created_at=created,
        state=state,
        **fields,
    )
    incident.reference = next_reference(incident.reference_prefix)
    incident.save()
    return incident


def make_request(
    people: dict[str, Any], item: RequestCatalogueItem, created: datetime.datetime, **fields: Any
) -> ServiceRequest:
    """A service request stored directly (tests only)."""
    request = ServiceRequest(
        catalogue_item=item,
        title="A laptop",
        requested_by=people["requester"],
        requested_for=people["requester"],
        service=item.service,
        created_by=people["agent"],
        updated_by=people["agent"],
        created_at=created,
        **fields,
    )
    request.reference = next_reference(request.reference_prefix)
    request.save()
    return request


@dataclass
class Desk:
    people: dict[str, Any]
    cat: Catalogue
    incidents: dict[str, Incident]

    @property
    def scope(self) -> reports.IncidentReportScope:
        return reports.IncidentReportScope.build(
            start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 14)
        )


@pytest.fixture
def desk(db: Any) -> Desk:
    """Ten incidents around 1 to 14 November 2026 (read in Shanghai, UTC+8), with SLA clocks.

    Times are UTC; B is logged at 04:00 on 3 November in Shanghai (2 November in UTC), F resolved at
    00:30 on 8 November (7 November in UTC), I logged on 15 November (14 November in UTC).
    """
    people = make_people()
    cat = make_catalogue(people["manager"])
    ops, net, email, erp = cat.team, cat.other_team, cat.email, cat.erp
    p = people
    i = {
        "A": make(
            p,
            utc(11, 2, 2),
            state="in_progress",
            priority="P1",
            assignment_team=ops,
            service=email,
            customer=cat.acme,
        ),
        "B": make(p, utc(11, 2, 20), state="assigned", priority="P2", assignment_team=ops, service=email),
        "C": make(p, utc(11, 3, 3), state="on_hold", priority="P2", assignment_team=net, service=erp),
        "D": make(p, utc(11, 4, 1), state="new", priority="P3"),
        "E": make(
            p,
            utc(11, 5, 1),
            state="resolved",
            priority="P3",
            assignment_team=ops,
            service=email,
            customer=cat.acme,
            resolved_at=utc(11, 6, 2),
            reopen_count=1,
        ),
        "F": make(
            p,
            utc(11, 5, 5),
            state="closed",
            priority="P3",
            assignment_team=net,
            service=erp,
            resolved_at=utc(11, 7, 16, 30),
        ),
        "G": make(
            p,
            utc(10, 20, 1),
            state="closed",
            priority="P4",
            assignment_team=ops,
            service=email,
            resolved_at=utc(11, 10, 1),
        ),
        "H": make(p, utc(10, 15, 1), state="closed", priority="P4", resolved_at=utc(10, 16, 1)),
        "I": make(p, utc(11, 14, 17), state="new", priority="P4"),
        "J": make(p, utc(11, 9, 1), state="cancelled", priority="P3"),
        "K": make(
            p,
            utc(11, 11, 1),
            state="resolved",
            priority="P1",
            assignment_team=net,
            service=email,
            title="Mail down everywhere",
            major_declared_at=utc(11, 11, 2),
            resolved_at=utc(11, 12, 1),
        ),
        "L": make(
            p,
            utc(10, 25, 1),
            state="in_progress",
            priority="P1",
            assignment_team=net,
            service=email,
            title="Slow ERP for weeks",
            major_declared_at=utc(10, 25, 2),
        ),
        "M": make(
            p,
            utc(10, 1, 1),
            state="closed",
            priority="P1",
            service=erp,
            title="Old outage",
            major_declared_at=utc(10, 1, 2),
            resolved_at=utc(10, 2, 1),
        ),
    }
    review = MajorIncidentReview(
        incident=i["K"], owner=people["manager"], created_by=people["manager"], updated_by=people["manager"]
    )
    review.reference = next_reference(review.reference_prefix)
    review.save()
    # Service requests: R1 made on 2 Nov and fulfilled on 4 Nov (3 Nov in UTC), R2 made on 3 Nov (2 Nov
    # in UTC), R3 made in October and fulfilled on 5 Nov.
    laptop = RequestCatalogueItem.objects.create(service=email, name="Laptop", fulfilment_team=ops)
    make_request(
        people, laptop, utc(11, 2, 2), state="fulfilled", assignment_team=ops, fulfilled_at=utc(11, 3, 17)
    )
    make_request(people, laptop, utc(11, 2, 18), state="new", assignment_team=net)
    make_request(
        people, laptop, utc(10, 30, 2), state="closed", assignment_team=ops, fulfilled_at=utc(11, 5, 2)
    )
    sla, ola = cat.sla_acme, cat.ola

    def clock(name: str, kind: str, state: str, at: datetime.datetime, **extra: Any) -> None:
        if state == "met":
            extra.setdefault("stopped_at", at)
        else:
            extra.setdefault("breached_at", at)
            if state == "breached":
                extra.setdefault("stopped_at", at)
        make_clock(
            record=i[name],
            agreement=extra.pop("agreement", sla),
            kind=kind,
            state=state,
            started_at=at - datetime.timedelta(hours=1),
            due_at=at,
            **extra,
        )

    # Response in the period: A, B, E, F met; C breached (still running) → 4 / 5 = 80.0 %.
    for name, at in (("A", utc(11, 2, 3)), ("B", utc(11, 2, 21)), ("E", utc(11, 5, 2)), ("F", utc(11, 5, 6))):
        clock(name, "response", "met", at)
    clock("C", "response", "running", utc(11, 3, 5))
    clock("H", "response", "met", utc(10, 15, 2))  # decided before the period
    clock("A", "response", "breached", utc(11, 2, 4), agreement=ola, team=cat.team)  # OLA: not counted
    clock("D", "response", "running", utc(11, 20, 1), breached_at=None)  # open and in time: not decided
    # Resolution: E, G, K met; F breached on 7 November → 3 / 4 = 75.0 %.
    clock("E", "resolution", "met", utc(11, 6, 2))
    clock("F", "resolution", "breached", utc(11, 7, 10), stopped_at=utc(11, 7, 16, 30))
    clock("G", "resolution", "met", utc(11, 10, 1))
    clock("K", "resolution", "met", utc(11, 12, 1))
    clock("B", "resolution", "met", utc(11, 4, 1), target_seconds=None)  # no target: not counted
    return Desk(people, cat, i)


def objectives(people: dict[str, Any]) -> None:
    Objective.objects.create(
        code="tr",
        name="Timely response",
        target=D("75"),
        measure_key="timely-response-rate",
        owner=people["gm"],
    )
    Objective.objects.create(
        code="ir",
        name="Incident resolution",
        target=D("96"),
        measure_key="incident-resolution-rate",
        owner=people["gm"],
    )


def counts(groups: list[reports.Group]) -> list[tuple[Any, int]]:
    return [(g.label, g.count) for g in groups]


def test_the_report_counts_the_desk_exactly(desk: Desk) -> None:
    objectives(desk.people)
    with timezone.override(SHANGHAI):
        report = reports.incident_report(desk.scope, now=utc(11, 14, 12))
    open_ = report["open"]
    assert open_.total == 6  # A B C D I L (now, whatever the period)
    assert counts(open_.by_priority) == [("P1 Critical", 2), ("P2 High", 2), ("P3 Medium", 1), ("P4 Low", 1)]
    assert counts(open_.by_team) == [("Network", 2), ("Operations", 2), ("Not assigned", 2)]
    assert counts(open_.by_service) == [("E-mail", 3), ("No service named", 2), ("ERP", 1)]

    series = {d.day.day: (d.created, d.resolved) for d in report["days"]}
    assert len(series) == 14
    nonzero = {day: value for day, value in series.items() if value != (0, 0)}
    assert nonzero == {
        2: (1, 0),
        3: (2, 0),
        4: (1, 0),
        5: (2, 0),
        6: (0, 1),
        8: (0, 1),
        9: (1, 0),
        10: (0, 1),
        11: (1, 0),
        12: (0, 1),
    }
    assert (report["totals"].created, report["totals"].resolved, report["totals"].reopened) == (8, 4, 1)
    assert report["totals"].reopen_rate == D("25.0")

    attainment = report["attainment"]
    assert (attainment.response.met, attainment.response.breached, attainment.response.percent) == (
        4,
        1,
        D("80.0"),
    )
    assert (attainment.resolution.met, attainment.resolution.breached, attainment.resolution.percent) == (
        3,
        1,
        D("75.0"),
    )
    assert attainment.response_objective["attained"] is True  # 80 % ≥ 75 %
    assert attainment.resolution_objective["attained"] is False  # 75 % < 96 %
    assert attainment.resolution_objective["target"] == D("96")

    assert [i.reference for i in report["majors"]] == [
        desk.incidents["K"].reference,
        desk.incidents["L"].reference,
    ]
    assert report["majors"][0].major_review.state == "draft"

    requests = {
        d.day.day: (d.created, d.fulfilled)
        for d in report["request_days"]
        if (d.created, d.fulfilled) != (0, 0)
    }
    assert requests == {2: (1, 0), 3: (1, 0), 4: (0, 1), 5: (0, 1)}


def test_days_follow_the_readers_time_zone(desk: Desk) -> None:
    with timezone.override(datetime.UTC):
        days = reports.daily_series(desk.scope)
    series = {d.day.day: (d.created, d.resolved) for d in days if (d.created, d.resolved) != (0, 0)}
    # In UTC, B was logged on the 2nd, F resolved on the 7th and I logged on the 14th.
    assert series[2] == (2, 0)
    assert series[7] == (0, 1)
    assert series[14] == (1, 0)
    assert 8 not in series


def test_filters_by_service_team_and_customer(desk: Desk) -> None:
    cat = desk.cat
    with timezone.override(SHANGHAI):
        scope = desk.scope
        by_team = reports.incident_report(
            reports.IncidentReportScope(scope.start, scope.end, team_id=cat.team.pk), now=utc(11, 14)
        )
        by_service = reports.totals(
            reports.IncidentReportScope(scope.start, scope.end, service_id=cat.email.pk)
        )
        by_customer = reports.incident_report(
            reports.IncidentReportScope(scope.start, scope.end, customer_id=cat.acme.pk), now=utc(11, 14)
        )
    assert by_team["open"].total == 2  # A, B
    assert (by_team["totals"].created, by_team["totals"].resolved, by_team["totals"].reopen_rate) == (
        3,
        2,
        D("50.0"),
    )
    assert (by_team["attainment"].response.percent, by_team["attainment"].resolution.percent) == (
        D("100.0"),
        D("100.0"),
    )
    assert by_team["majors"] == []
    assert (by_service.created, by_service.resolved, by_service.reopened) == (4, 3, 1)  # A B E K / E G K
    assert (by_customer["open"].total, by_customer["totals"].created, by_customer["totals"].resolved) == (
        1,
        2,
        1,
    )


def test_without_objectives_or_data_nothing_is_invented(desk: Desk) -> None:
    empty = reports.IncidentReportScope.build(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 1, 31))
    report = reports.incident_report(empty)
    assert report["attainment"].response.percent is None
    assert report["attainment"].response_objective is None
    assert report["totals"].reopen_rate is None
    assert report["attainment"].as_dict()["resolution"]["objective"] is None


def test_the_default_period_is_the_last_30_days() -> None:
    scope = reports.IncidentReportScope.build(today=datetime.date(2026, 11, 21))
    assert (scope.start, scope.end) == (datetime.date(2026, 10, 23), datetime.date(2026, 11, 21))
    assert len(scope.days) == 30


# The page ----------------------------------------------------------------------------------------


def test_the_page_shows_the_numbers_charts_and_tables(client: Client, desk: Desk) -> None:
    objectives(desk.people)
    desk.people["agent"].time_zone = "Asia/Shanghai"
    desk.people["agent"].save()
    client.force_login(desk.people["agent"])
    response = client.get("/incidents/reports/", {"date_from": "2026-11-01", "date_to": "2026-11-14"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="created-resolved-chart"' in html
    assert 'data-testid="open-priority-chart"' in html
    assert 'data-testid="requests-chart"' in html
    assert '<div class="fs-3 fw-semibold" data-testid="open-total">6</div>' in html
    assert 'data-testid="reopen-rate">25.0 %' in html
    assert "80.0 %" in html
    assert "75.0 %" in html
    assert 'data-attained="1"' in html
    assert 'data-attained="0"' in html
    assert "Mail down everywhere" in html
    assert "Slow ERP for weeks" in html
    assert "Old outage" not in html
    assert '<th scope="row" class="fw-normal">2026-11-03</th><td class="text-end">2</td>' in html
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_the_page_says_no_objective(client: Client, desk: Desk) -> None:
    client.force_login(desk.people["auditor"])
    html = client.get("/incidents/reports/").content.decode()
    assert html.count('data-attained="none"') == 2


def test_csv_of_the_daily_series(client: Client, desk: Desk) -> None:
    desk.people["resolver"].time_zone = "Asia/Shanghai"
    desk.people["resolver"].save()
    client.force_login(desk.people["resolver"])
    response = client.get(
        "/incidents/reports/",
        {"date_from": "2026-11-02", "date_to": "2026-11-06", "team": desk.cat.team.pk, "format": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().lstrip("\ufeff").splitlines() == [
        "Date,Created,Resolved,Requests created,Requests fulfilled",
        "2026-11-02,1,0,1,0",
        "2026-11-03,1,0,0,0",
        "2026-11-04,0,0,0,1",
        "2026-11-05,1,0,0,1",
        "2026-11-06,0,1,0,0",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-13-45"}, "Enter a valid date."),
        ({"date_from": "2026-11-10", "date_to": "2026-11-01"}, "The period cannot end before it starts."),
        ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "Choose a period of at most 366 days."),
        ({"service": "999999"}, "Select a valid choice."),
        ({"team": "abc"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_400_with_the_message(client: Client, desk: Desk, query: dict, message: str) -> None:
    client.force_login(desk.people["agent"])
    response = client.get("/incidents/reports/", query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'data-testid="report-errors"' in response.content.decode()
    csv = client.get("/incidents/reports/", {**query, "format": "csv"})
    assert csv.status_code == 400
    assert message in csv.content.decode()


# The API -----------------------------------------------------------------------------------------


def test_the_api_answers_the_same_numbers(api_client: Any, desk: Desk) -> None:
    objectives(desk.people)
    desk.people["auditor"].time_zone = "Asia/Shanghai"
    desk.people["auditor"].save()
    # A token caller: the days are the caller's (Shanghai), as on their report page.
    token = Token.objects.create(user=desk.people["auditor"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/incident-reports/summary/", {"from": "2026-11-01", "to": "2026-11-14"})
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {"from": "2026-11-01", "to": "2026-11-14"}
    assert data["open"]["total"] == 6
    assert [(g["key"], g["count"]) for g in data["open"]["by_priority"]] == [
        ("P1", 2),
        ("P2", 2),
        ("P3", 1),
        ("P4", 1),
    ]
    assert data["totals"] == {"created": 8, "resolved": 4, "reopened": 1, "reopen_rate": "25.0"}
    assert data["attainment"]["response"]["percent"] == "80.0"
    assert data["attainment"]["response"]["objective"]["attained"] is True
    assert data["attainment"]["resolution"] == {
        "met": 3,
        "breached": 1,
        "total": 4,
        "percent": "75.0",
        "objective": {
            "code": "ir",
            "name": "Incident resolution",
            "target": "96.00",
            "target_display": "≥ 96 %",
            "attained": False,
        },
    }
    assert len(data["daily"]) == 14
    assert data["daily"][2] == {"date": "2026-11-03", "created": 2, "resolved": 0}
    assert [m["reference"] for m in data["major_incidents"]] == [
        desk.incidents["K"].reference,
        desk.incidents["L"].reference,
    ]
    assert data["major_incidents"][0]["review"]["state"] == "draft"
    assert data["requests_daily"][1:4] == [
        {"date": "2026-11-02", "created": 1, "fulfilled": 0},
        {"date": "2026-11-03", "created": 1, "fulfilled": 0},
        {"date": "2026-11-04", "created": 0, "fulfilled": 1},
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "to"),
        ({"service": "999999"}, "service"),
        ({"customer": "x"}, "customer"),
    ],
)
def test_api_bad_parameters_answer_the_json_error_shape(
    api_client: Any, desk: Desk, query: dict, field: str
) -> None:
    api_client.force_authenticate(desk.people["agent"])
    response = api_client.get("/api/v1/incident-reports/summary/", query)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "validation_error"
    assert data["status"] == 400
    assert list(data["fields"]) == [field]


# Query counts ------------------------------------------------------------------------------------

# open groups, created per day, resolved per day, totals, clocks, objectives, majors, requests made and
# fulfilled per day
REPORT_QUERIES = 9
WIDGET_QUERIES = 4  # created per day, resolved per day, clocks, objectives


def add_incidents(desk: Desk, count: int) -> None:
    """``count`` incidents with a clock each, and as many service requests."""
    cat = desk.cat
    item = RequestCatalogueItem.objects.get(name="Laptop")
    for n in range(count):
        created = utc(11, 1 + n % 14, n % 24)
        incident = make(
            desk.people,
            created,
            state="resolved" if n % 3 == 0 else "in_progress",
            priority=f"P{1 + n % 4}",
            assignment_team=cat.team if n % 2 else cat.other_team,
            service=cat.email if n % 2 else cat.erp,
            resolved_at=created + datetime.timedelta(hours=5) if n % 3 == 0 else None,
            reopen_count=n % 2,
            major_declared_at=created if n % 7 == 0 else None,
        )
        make_clock(
            record=incident,
            agreement=cat.sla_acme,
            kind="response",
            state="met" if n % 2 else "breached",
            started_at=created,
            due_at=created + datetime.timedelta(hours=1),
            stopped_at=created + datetime.timedelta(hours=1),
            breached_at=None if n % 2 else created + datetime.timedelta(hours=1),
        )
        make_request(
            desk.people, item, created, state="fulfilled", fulfilled_at=created + datetime.timedelta(hours=2)
        )


def queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.parametrize("count", [5, 50])
def test_the_report_costs_the_same_queries_for_5_or_50_incidents(
    desk: Desk, django_assert_num_queries: Any, count: int
) -> None:
    objectives(desk.people)
    add_incidents(desk, count)
    with django_assert_num_queries(REPORT_QUERIES):
        report = reports.incident_report(desk.scope)
        reports.report_as_dict(report)
    assert report["open"].total == 6 + sum(1 for n in range(count) if n % 3)
    with django_assert_num_queries(WIDGET_QUERIES):
        reports.widget_summary(today=datetime.date(2026, 11, 14))


def test_the_page_the_api_and_the_dashboard_cost_the_same_for_5_or_50_incidents(
    client: Client, api_client: Any, desk: Desk
) -> None:
    objectives(desk.people)
    client.force_login(desk.people["agent"])
    api_client.force_authenticate(desk.people["agent"])
    page = "/incidents/reports/?date_from=2026-11-01&date_to=2026-11-14"
    api = "/api/v1/incident-reports/summary/?from=2026-11-01&to=2026-11-14"
    client.get(page), api_client.get(api), client.get("/dashboard/")  # warm caches (content types, …)
    add_incidents(desk, 5)

    def measure() -> list[int]:
        return [
            queries(lambda: client.get(page)),
            queries(lambda: client.get("/dashboard/")),
            queries(lambda: api_client.get(api)),
        ]

    small = measure()
    add_incidents(desk, 45)
    large = measure()
    assert small == large


def test_the_widget_shows_the_last_14_days_against_the_objectives(client: Client) -> None:
    people = make_people()  # not the desk: its November 2026 may be within the real last 14 days
    objectives(people)
    for hours in (1, 30, 50):
        make(people, timezone.now() - datetime.timedelta(hours=hours))
    make(people, timezone.now() - datetime.timedelta(days=20))  # outside the 14 days
    client.force_login(people["resolver"])
    html = client.get("/dashboard/").content.decode()
    assert 'data-testid="widget-created-resolved"' in html
    assert 'data-testid="widget-sparkline"' in html
    assert 'data-testid="widget-created">3<' in html
    assert 'data-testid="widget-resolved">0<' in html
    assert "Timely response" in html
    assert "no data" in html  # no clock decided: no percentage, never 0 % or 100 %
    summary = reports.widget_summary()
    assert len(summary["days"]) == 14
    assert summary["days"][-1].day == timezone.localdate()
    assert summary["created"] == 3


def test_requesters_see_neither_the_widget_nor_the_menu_entry(client: Client, desk: Desk) -> None:
    client.force_login(desk.people["requester"])
    assert client.get("/incidents/reports/").status_code == 403
    html = client.get("/dashboard/").content.decode()
    assert "widget-created-resolved" not in html
    assert "/incidents/reports/" not in html


def test_charts_are_accessible_svg_with_whole_number_ticks() -> None:
    from incidents import report_charts

    days = [reports.Day(datetime.date(2026, 11, d), c, r) for d, c, r in ((1, 0, 1), (2, 2, 0), (3, 1, 1))]
    svg = str(report_charts.created_resolved_chart(days))
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert ">0.5<" not in svg
    assert svg.count("<circle") == 6
    assert "<title>Created 11-02: 2</title>" in svg
    spark = str(report_charts.sparkline(days))
    assert "3 incidents created and 2 resolved in the last 3 days" in spark
