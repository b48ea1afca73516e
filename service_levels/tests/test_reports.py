"""Service reporting: attainment, trends, breaches, workload and the at-risk queue on a known set of
clocks, the dashboard and its CSV exports, and the report API."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.models import Objective
from itsm.choices import Role
from service_levels import reports, review_services
from service_levels.models import Clock, ClockEvent

from .report_fixtures import Catalogue, make_catalogue, make_clock, make_incident

UTC = datetime.UTC
OCTOBER = {"start": datetime.date(2025, 10, 1), "end": datetime.date(2025, 10, 31)}


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def slm(make_user: Any) -> Any:
    return make_user(Role.SERVICE_LEVEL_MANAGER)


@pytest.fixture
def cat(slm: Any) -> Catalogue:
    return make_catalogue(slm)


@pytest.fixture
def known(cat: Catalogue, slm: Any) -> dict[str, Any]:
    """Clocks of October 2025 whose numbers are worked out by hand (see each line)."""
    a1 = make_incident(owner=slm, customer=cat.acme, service=cat.email, title="a1")
    a2 = make_incident(owner=slm, customer=cat.acme, service=cat.erp, title="a2")
    a3 = make_incident(owner=slm, customer=cat.acme, service=cat.email, title="a3")
    g1 = make_incident(owner=slm, customer=cat.globex, service=cat.email, title="g1")
    x = make_incident(owner=slm, customer=cat.acme, service=cat.email, title="x")
    sla_a, sla_g, ola = cat.sla_acme, cat.sla_globex, cat.ola
    clocks = {
        # Acme SLA: response 2 met / 1 breached; resolution 1 met / 2 breached.
        1: make_clock(record=a1, agreement=sla_a, kind="response", state="met", started_at=at(10, 2),
                      due_at=at(10, 2, 10), stopped_at=at(10, 2, 9, 10)),
        2: make_clock(record=a1, agreement=sla_a, kind="resolution", state="met", started_at=at(10, 2),
                      due_at=at(10, 4), stopped_at=at(10, 3)),
        3: make_clock(record=a2, agreement=sla_a, kind="response", state="breached", started_at=at(10, 5, 8),
                      due_at=at(10, 5, 11), breached_at=at(10, 5, 11), stopped_at=at(10, 5, 12), priority="P1"),
        4: make_clock(record=a2, agreement=sla_a, kind="resolution", state="running", started_at=at(10, 5, 8),
                      due_at=at(10, 6), breached_at=at(10, 6), priority="P1"),
        5: make_clock(record=a3, agreement=sla_a, kind="response", state="met", started_at=at(10, 31, 20),
                      due_at=at(10, 31, 23, 50), stopped_at=at(10, 31, 23, 30)),
        # Decided on 1 November: not October.
        6: make_clock(record=a3, agreement=sla_a, kind="resolution", state="met", started_at=at(10, 31, 20),
                      due_at=at(11, 2), stopped_at=at(11, 1, 0, 10)),
        # Decided in September: not October (x's first clock: x was logged in September).
        7: make_clock(record=x, agreement=sla_a, kind="response", state="met", started_at=at(9, 30, 23),
                      due_at=at(10, 1, 1), stopped_at=at(9, 30, 23, 59)),
        # Cancelled, and a gap without a target: never counted.
        8: make_clock(record=x, agreement=sla_a, kind="resolution", state="cancelled", started_at=at(9, 30, 23),
                      due_at=at(10, 12), stopped_at=at(10, 10)),
        9: make_clock(record=x, agreement=cat.sla_globex, kind="response", state="stopped",
                      started_at=at(10, 3), stopped_at=at(10, 4), target_seconds=None),
        # Running past its due time, not yet stamped by the sweep: breached on its due date.
        10: make_clock(record=x, agreement=sla_a, kind="resolution", state="running", started_at=at(10, 10),
                       due_at=at(10, 20)),
        # Globex SLA: response 1 met; resolution 1 breached.
        11: make_clock(record=g1, agreement=sla_g, kind="response", state="met", started_at=at(10, 7),
                       due_at=at(10, 7, 10), stopped_at=at(10, 7, 9, 30)),
        12: make_clock(record=g1, agreement=sla_g, kind="resolution", state="breached", started_at=at(10, 7),
                       due_at=at(10, 8), breached_at=at(10, 8), stopped_at=at(10, 9)),
        # The Operations OLA: response 1 met / 1 breached.
        13: make_clock(record=a1, agreement=ola, kind="response", state="met", started_at=at(10, 2),
                       due_at=at(10, 2, 11), stopped_at=at(10, 2, 9, 20), team=cat.team),
        14: make_clock(record=a2, agreement=ola, kind="response", state="running", started_at=at(10, 5, 8),
                       due_at=at(10, 5, 10), breached_at=at(10, 5, 10), team=cat.team),
    }  # fmt: skip
    ClockEvent.objects.create(clock=clocks[12], kind="breach", at=at(10, 8), reason="found by the sweep")
    Objective.objects.create(
        code="tr", name="Timely response", target=Decimal("97"), measure_key="timely-response-rate", owner=slm
    )
    Objective.objects.create(code="ir", name="Incident resolution", target=Decimal("96"), measure_key="incident-resolution-rate", owner=slm)  # fmt: skip
    return {"clocks": clocks, "records": {"a1": a1, "a2": a2, "a3": a3, "g1": g1, "x": x}}


def october(**filters: Any) -> reports.ReportScope:
    return reports.ReportScope.build(**OCTOBER, **filters)


def numbers(row: reports.AttainmentRow) -> tuple[int, int, Any, int, int, Any]:
    return (
        row.response.met,
        row.response.breached,
        row.response.percent,
        row.resolution.met,
        row.resolution.breached,
        row.resolution.percent,
    )


D = Decimal


def test_sla_totals_and_objectives(known: dict[str, Any]) -> None:
    totals = reports.attainment_total(october())
    assert numbers(totals["total"]) == (3, 1, D("75.0"), 1, 3, D("25.0"))
    status = {o["measure"]: o for o in reports.objective_status(totals["measures"])}
    assert status["timely-response-rate"]["value"] == D("75.0")
    assert status["timely-response-rate"]["attained"] is False
    assert status["incident-resolution-rate"]["value"] == D("25.0")


def test_attainment_per_agreement_service_customer_and_team(known: dict[str, Any], cat: Catalogue) -> None:
    scope = october()
    per_agreement = {r.key: numbers(r) for r in reports.attainment_by(scope, "agreement")}
    assert per_agreement == {
        cat.sla_acme.pk: (2, 1, D("66.7"), 1, 2, D("33.3")),
        cat.sla_globex.pk: (1, 0, D("100.0"), 0, 1, D("0.0")),
    }
    per_service = {r.label: numbers(r) for r in reports.attainment_by(scope, "service")}
    assert per_service == {
        "E-mail": (3, 0, D("100.0"), 1, 2, D("33.3")),
        "ERP": (0, 1, D("0.0"), 0, 1, D("0.0")),
    }
    per_customer = {r.label: numbers(r) for r in reports.attainment_by(scope, "customer")}
    assert per_customer == {
        "Acme": (2, 1, D("66.7"), 1, 2, D("33.3")),
        "Globex": (1, 0, D("100.0"), 0, 1, D("0.0")),
    }
    per_team = [(r.label, numbers(r)) for r in reports.attainment_by(scope, "team")]
    assert per_team == [("Operations", (1, 1, D("50.0"), 0, 0, None))]
    per_priority = {r.key: numbers(r) for r in reports.attainment_by(scope, "priority")}
    assert per_priority == {"P1": (0, 1, D("0.0"), 0, 1, D("0.0")), "P2": (3, 0, D("100.0"), 1, 2, D("33.3"))}


def test_filters_narrow_the_numbers(known: dict[str, Any], cat: Catalogue) -> None:
    assert numbers(reports.attainment_total(october(customer=cat.globex))["total"]) == (
        1,
        0,
        D("100.0"),
        0,
        1,
        D("0.0"),
    )
    assert numbers(reports.attainment_total(october(service=cat.erp))["total"]) == (
        0,
        1,
        D("0.0"),
        0,
        1,
        D("0.0"),
    )
    assert numbers(reports.attainment_total(october(agreement=cat.sla_acme))["total"]) == (2, 1, D("66.7"), 1, 2, D("33.3"))  # fmt: skip
    rows = reports.attainment_by(october(team=cat.other_team), "team")
    assert rows == []


def test_an_empty_period_has_no_percentage(known: dict[str, Any]) -> None:
    total = reports.attainment_total(
        reports.ReportScope.build(start=datetime.date(2024, 1, 1), end=datetime.date(2024, 1, 31))
    )
    assert numbers(total["total"]) == (0, 0, None, 0, 0, None)
    assert all(o["attained"] is None for o in reports.objective_status(total["measures"]))


def test_trend_buckets_every_month_and_adds_up(known: dict[str, Any]) -> None:
    points = reports.trend(october())
    assert next(p.label for p in points) == "2024-11"
    assert [p.label for p in points][-1] == "2025-10"
    assert len(points) == 12
    by_month = {p.label: p for p in points}
    assert numbers(reports.AttainmentRow(None, "", by_month["2025-10"].response, by_month["2025-10"].resolution)) == (
        3, 1, D("75.0"), 1, 3, D("25.0"),
    )  # fmt: skip
    assert (by_month["2025-09"].response.met, by_month["2025-09"].response.breached) == (1, 0)
    assert by_month["2025-10"].records == 4  # a1, a2, a3, g1 (x was logged in September)
    assert by_month["2025-09"].records == 1
    assert by_month["2025-08"].response.percent is None
    november = reports.trend(reports.ReportScope.build(start=datetime.date(2025, 11, 1)), months=2)
    assert [(p.label, p.resolution.met) for p in november] == [("2025-10", 1), ("2025-11", 1)]


def test_trend_months_follow_the_readers_time_zone(known: dict[str, Any]) -> None:
    # In Shanghai (UTC+8) clock 5 (met 23:30 UTC on 31 October) is a November clock, and clock 7
    # (met 23:59 UTC on 30 September) an October one.
    with timezone.override("Asia/Shanghai"):
        scope = reports.ReportScope.build(start=datetime.date(2025, 11, 1))
        points = {p.label: p for p in reports.trend(scope, months=3)}
    assert points["2025-11"].response.met == 1
    assert points["2025-10"].response.met == 3
    assert points["2025-09"].response.met == 0


def test_workload_counts_records_logged(known: dict[str, Any]) -> None:
    assert reports.workload_total(october()) == 4
    assert [(r["label"], r["records"]) for r in reports.workload_by_service(october())] == [
        ("E-mail", 3),
        ("ERP", 1),
    ]


def test_breaches_with_their_causes_newest_first(known: dict[str, Any], slm: Any) -> None:
    clocks = known["clocks"]
    review_services.breach_cause_record(clock=clocks[3], actor=slm, cause="Mail relay down at the provider")
    rows = reports.breach_rows(reports.breach_list(october()).prefetch_related("record"))
    assert [r["id"] for r in rows] == [clocks[i].pk for i in (10, 12, 4, 3, 14)]
    by_id = {r["id"]: r for r in rows}
    assert by_id[clocks[3].pk]["cause"] == "Mail relay down at the provider"
    assert by_id[clocks[3].pk]["service"] == "ERP"
    assert by_id[clocks[12].pk]["sweep_note"] == "found by the sweep"
    assert by_id[clocks[10].pk]["breached_at"] == at(10, 20)
    assert by_id[clocks[3].pk]["url"] == known["records"]["a2"].get_absolute_url()


def test_a_breach_cause_is_reworded_with_history(known: dict[str, Any], slm: Any, make_user: Any) -> None:
    clock = known["clocks"][3]
    first = review_services.breach_cause_record(clock=clock, actor=slm, cause="Relay")
    again = review_services.breach_cause_record(clock=clock, actor=slm, cause="Relay at the provider")
    assert first.pk == again.pk
    assert [h.cause for h in again.history.order_by("history_id")] == ["Relay", "Relay at the provider"]
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        review_services.breach_cause_record(clock=known["clocks"][1], actor=slm, cause="was met")
    with pytest.raises(PermissionDenied):
        review_services.breach_cause_record(clock=clock, actor=make_user(Role.SERVICE_DESK_AGENT), cause="x")
    assert again.history.count() == 2


def test_at_risk_orders_running_clocks_by_time_left(cat: Catalogue, slm: Any) -> None:
    now = timezone.now()
    records = [
        make_incident(owner=slm, customer=cat.acme, service=cat.email, title=f"r{i}") for i in range(5)
    ]
    late = make_clock(
        record=records[0],
        agreement=cat.sla_acme,
        kind="resolution",
        state="running",
        started_at=now - datetime.timedelta(hours=1),
        due_at=now + datetime.timedelta(hours=3),
    )
    soon = make_clock(
        record=records[1],
        agreement=cat.sla_acme,
        kind="resolution",
        state="running",
        started_at=now - datetime.timedelta(hours=1),
        due_at=now + datetime.timedelta(hours=1),
        warning_level=2,
    )
    mid = make_clock(
        record=records[2],
        agreement=cat.sla_acme,
        kind="resolution",
        state="running",
        started_at=now - datetime.timedelta(hours=1),
        due_at=now + datetime.timedelta(hours=2),
        warning_level=1,
    )
    make_clock(
        record=records[3],
        agreement=cat.sla_acme,
        kind="resolution",
        state="paused",
        started_at=now - datetime.timedelta(hours=1),
        due_at=now + datetime.timedelta(minutes=5),
    )
    make_clock(
        record=records[4],
        agreement=cat.sla_acme,
        kind="resolution",
        state="running",
        started_at=now - datetime.timedelta(hours=5),
        due_at=now - datetime.timedelta(minutes=5),
    )
    scope = reports.ReportScope.build()
    rows = reports.at_risk_rows(reports.at_risk(scope, now=now), now=now)
    assert [r["id"] for r in rows] == [soon.pk, mid.pk, late.pk]
    assert [r["level"] for r in rows] == ["critical", "warning", "ok"]
    assert rows[0]["time_left"] == "1 h 0 min"
    assert rows[0]["url"] == records[1].get_absolute_url()
    assert reports.open_breached_count(scope, now=now) == 1
    assert (
        reports.at_risk_rows(reports.at_risk(reports.ReportScope.build(customer=cat.globex), now=now)) == []
    )


def _bulk_clocks(cat: Catalogue, slm: Any, count: int) -> None:
    incidents = [
        make_incident(owner=slm, customer=cat.acme, service=cat.email, title=f"b{i}") for i in range(3)
    ]
    content_type = ContentType.objects.get_for_model(incidents[0])
    version = cat.calendar.versions.first()
    rows = []
    for i in range(count):
        record = incidents[i % 3]
        start = at(10, 1 + i % 28)
        breached = i % 4 == 0
        rows.append(
            Clock(
                content_type=content_type,
                object_id=str(record.pk),
                record_reference=record.reference,
                kind="response" if i % 2 else "resolution",
                agreement=cat.sla_acme if i % 3 else cat.ola,
                team=cat.team,
                priority="P2",
                target_seconds=3600,
                calendar_version=version,
                started_at=start,
                segment_started_at=start,
                due_at=start + datetime.timedelta(hours=1),
                stopped_at=start + datetime.timedelta(hours=2 if breached else 0, minutes=30),
                breached_at=start + datetime.timedelta(hours=1) if breached else None,
                state="breached" if breached else "met",
            )
        )
    now = timezone.now()
    for i in range(3):
        rows.append(
            Clock(
                content_type=content_type, object_id=str(incidents[i].pk), record_reference=incidents[i].reference,
                kind="resolution", agreement=cat.sla_globex, priority="P3", target_seconds=3600,
                calendar_version=version, started_at=now, segment_started_at=now,
                due_at=now + datetime.timedelta(hours=i + 1), state="running",
            )
        )  # fmt: skip
    Clock.objects.bulk_create(rows)


def _dashboard_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/service-levels/reports/?date_from=2025-10-01&date_to=2025-10-31")
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_clocks(client: Client, cat: Catalogue, slm: Any) -> None:
    client.force_login(slm)
    _bulk_clocks(cat, slm, 10)
    _dashboard_queries(client)  # warm caches (content types, sessions)
    few = _dashboard_queries(client)
    _bulk_clocks(cat, slm, 1000)
    many = _dashboard_queries(client)
    assert few == many


def test_report_api_queries_do_not_grow_with_clocks(api_client: Any, cat: Catalogue, slm: Any) -> None:
    api_client.force_authenticate(slm)
    urls = [
        "/api/v1/sla-reports/attainment/?from=2025-10-01&to=2025-10-31&group_by=service",
        "/api/v1/sla-reports/trend/?to=2025-10-31",
        "/api/v1/sla-reports/at-risk/",
    ]

    def count() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert api_client.get(url).status_code == 200
            result.append(len(queries))
        return result

    _bulk_clocks(cat, slm, 10)
    count()
    few = count()
    _bulk_clocks(cat, slm, 1000)
    assert count() == few


def test_dashboard_shows_the_numbers_charts_and_queue(
    client: Client, known: dict[str, Any], slm: Any
) -> None:
    client.force_login(slm)
    page = client.get("/service-levels/reports/?date_from=2025-10-01&date_to=2025-10-31").content.decode()
    assert 'data-testid="total-response"' in page
    assert "75.0 %" in page
    assert "25.0 %" in page
    assert 'data-testid="attainment-chart"' in page
    assert "<svg" in page
    assert 'data-testid="trend-table"' in page
    assert "Mail relay" not in page
    assert "found by the sweep" in page
    assert "Record the cause" in page
    assert 'data-attained="0"' in page


def test_dashboard_htmx_returns_the_report_only(client: Client, known: dict[str, Any], slm: Any) -> None:
    client.force_login(slm)
    response = client.get("/service-levels/reports/?date_from=2025-10-01", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'data-testid="totals"' in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_dashboard_with_bad_dates_explains_and_shows_the_default(
    client: Client, known: dict[str, Any], slm: Any
) -> None:
    client.force_login(slm)
    response = client.get("/service-levels/reports/?date_from=2025-13-01&date_to=2025-10-01")
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_exports(client: Client, known: dict[str, Any], slm: Any) -> None:
    client.force_login(slm)
    query = "?date_from=2025-10-01&date_to=2025-10-31"
    rows = _csv(client.get(f"/service-levels/reports/csv/customers/{query}"))
    assert rows[0][0] == "Customer"
    assert rows[1:] == [
        ["Acme", "2", "1", "66.7", "1", "2", "33.3"],
        ["Globex", "1", "0", "100.0", "0", "1", "0.0"],
    ]
    review_services.breach_cause_record(clock=known["clocks"][3], actor=slm, cause="=HYPERLINK(evil)")
    breaches = _csv(client.get(f"/service-levels/reports/csv/breaches/{query}"))
    assert len(breaches) == 6
    cause = next(r for r in breaches if r[0] == known["records"]["a2"].reference and r[1] == "Response")
    assert cause[10] == "'=HYPERLINK(evil)"  # never a formula in a spreadsheet
    trend = _csv(client.get(f"/service-levels/reports/csv/trend/{query}"))
    assert trend[-1] == ["2025-10", "3", "1", "75.0", "1", "3", "25.0", "4"]
    teams = _csv(client.get(f"/service-levels/reports/csv/teams/{query}"))
    assert teams[1] == ["Operations", "1", "1", "50.0", "0", "0", ""]
    workload = _csv(client.get(f"/service-levels/reports/csv/workload/{query}"))
    assert workload[1:] == [["E-mail", "3"], ["ERP", "1"]]
    response = client.get("/service-levels/reports/csv/at-risk/")
    assert response["Content-Type"].startswith("text/csv")
    assert client.get("/service-levels/reports/csv/nope/").status_code == 404
    assert client.get("/service-levels/reports/csv/customers/?date_from=nonsense").status_code == 400


def test_attainment_api(api_client: Any, known: dict[str, Any], slm: Any, cat: Catalogue) -> None:
    api_client.force_authenticate(slm)
    body = api_client.get(
        "/api/v1/sla-reports/attainment/?from=2025-10-01&to=2025-10-31&group_by=customer"
    ).json()
    assert body["period"] == {"from": "2025-10-01", "to": "2025-10-31"}
    assert body["group_by"] == "customer"
    assert body["total"]["response"] == {"met": 3, "breached": 1, "total": 4, "percent": "75.0"}
    assert [(r["label"], r["resolution"]["percent"]) for r in body["rows"]] == [
        ("Acme", "33.3"),
        ("Globex", "0.0"),
    ]
    assert {o["measure"]: o["attained"] for o in body["objectives"]} == {
        "timely-response-rate": False,
        "incident-resolution-rate": False,
    }
    teams = api_client.get(
        "/api/v1/sla-reports/attainment/?from=2025-10-01&to=2025-10-31&group_by=team"
    ).json()
    assert teams["side"] == "ola"
    assert teams["total"]["response"]["percent"] == "50.0"
    default = api_client.get("/api/v1/sla-reports/attainment/").json()
    assert default["group_by"] == "agreement"


def test_trend_and_at_risk_api(api_client: Any, known: dict[str, Any], slm: Any) -> None:
    api_client.force_authenticate(slm)
    body = api_client.get("/api/v1/sla-reports/trend/?to=2025-10-31&months=3").json()
    assert [p["month"] for p in body["points"]] == ["2025-08", "2025-09", "2025-10"]
    assert body["points"][-1]["records"] == 4
    assert body["points"][0]["response"]["percent"] is None
    risk = api_client.get("/api/v1/sla-reports/at-risk/").json()
    assert set(risk) == {"as_of", "breached_open", "rows"}
    assert risk["breached_open"] == 3  # clocks 4, 10 and 14 are open and past due


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=2025-10-31&to=2025-10-01", "to"),
        ("from=2020-01-01&to=2025-01-01", "to"),
        ("group_by=planet", "group_by"),
        ("customer=abc", "customer"),
    ],
)
def test_report_api_bad_input_is_a_400_with_the_error_shape(
    api_client: Any, slm: Any, query: str, field: str
) -> None:
    api_client.force_authenticate(slm)
    response = api_client.get(f"/api/v1/sla-reports/attainment/?{query}")
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["code"] == "validation_error"
    assert field in body["fields"]


def test_a_report_definition_runs_its_sections_for_a_period(
    client: Client, known: dict[str, Any], slm: Any, cat: Catalogue
) -> None:
    definition = review_services.report_definition_create(
        actor=slm,
        data={
            "code": "globex-monthly",
            "name": "Globex monthly SLA report",
            "purpose": "Show Globex how we did",
            "audience": "Globex IT manager",
            "frequency": "monthly",
            "source": "sla_attainment",
            "customer": cat.globex,
            "owner": slm,
        },
    )
    client.force_login(slm)
    page = client.get(
        f"/service-levels/report-definitions/{definition.pk}/run/?date_from=2025-10-01&date_to=2025-10-31"
    ).content.decode()
    assert "Globex monthly SLA report" in page
    assert 'data-testid="totals"' in page
    assert 'data-testid="table-at-risk"' not in page
    assert "100.0 %" in page
    assert "0.0 %" in page
    assert "Acme" not in page.split('data-testid="table-agreements"')[1].split("</table>")[0]
    breaches = review_services.report_definition_create(
        actor=slm,
        data={"code": "breaches", "name": "Breaches", "purpose": "p", "audience": "a", "frequency": "weekly",
              "source": "breaches", "owner": slm},
    )  # fmt: skip
    page = client.get(f"/service-levels/report-definitions/{breaches.pk}/run/").content.decode()
    assert 'data-testid="table-breaches"' in page
    assert 'data-testid="totals"' not in page


def test_last_complete_period() -> None:
    from service_levels.report_views import last_complete_period

    today = datetime.date(2026, 11, 21)  # a Saturday
    assert last_complete_period("monthly", today) == (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert last_complete_period("weekly", today) == (datetime.date(2026, 11, 9), datetime.date(2026, 11, 15))
    assert last_complete_period("quarterly", today) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert last_complete_period("yearly", today) == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert last_complete_period("quarterly", datetime.date(2026, 2, 1)) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )


def test_recording_a_cause_in_the_browser(
    client: Client, known: dict[str, Any], slm: Any, make_user: Any
) -> None:
    clock = known["clocks"][3]
    url = f"/service-levels/reports/breaches/{clock.pk}/cause/"
    client.force_login(slm)
    assert client.get(url).status_code == 200
    response = client.post(url, {"cause": "", "next": "/service-levels/reports/"})
    assert response.status_code == 400
    response = client.post(url, {"cause": "Provider outage", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/service-levels/reports/"
    assert clock.breach_cause.cause == "Provider outage"
    assert client.get(f"/service-levels/reports/breaches/{known['clocks'][1].pk}/cause/").status_code == 404
    client.force_login(make_user(Role.SERVICE_DESK_AGENT))
    assert client.post(url, {"cause": "agent"}).status_code == 403
    clock.breach_cause.refresh_from_db()
    assert clock.breach_cause.cause == "Provider outage"


def test_numbers_from_the_clock_engine(cat: Catalogue, slm: Any) -> None:
    """The same arithmetic on clocks written by the engine itself (start, stop, sweep)."""
    from service_levels import clocks

    cat.acme.services.add(cat.email)
    start = datetime.datetime(2025, 10, 6, 9, tzinfo=UTC)  # a Monday; the calendar is 24x7
    quick = make_incident(owner=slm, customer=cat.acme, service=cat.email, title="quick")
    slow = make_incident(owner=slm, customer=cat.acme, service=cat.email, title="slow")
    for record in (quick, slow):
        started = clocks.clocks_start(
            record=record,
            customer=cat.acme,
            service=cat.email,
            team=cat.team,
            priority="P2",
            at=start,
            actor=slm,
        )
        assert {c.agreement_id for c in started} == {cat.sla_acme.pk, cat.ola.pk}
    # P2: respond within 30 minutes, resolve within 8 hours.
    clocks.clocks_stop(record=quick, kind="response", at=start + datetime.timedelta(minutes=10), actor=slm)
    clocks.clocks_stop(record=quick, kind="resolution", at=start + datetime.timedelta(hours=2), actor=slm)
    clocks.clocks_stop(record=slow, kind="response", at=start + datetime.timedelta(hours=1), actor=slm)
    clocks.clocks_sweep(now=start + datetime.timedelta(hours=9))  # slow's resolution breaches, still open
    scope = october()
    assert numbers(reports.attainment_total(scope)["total"]) == (1, 1, D("50.0"), 1, 1, D("50.0"))
    per_team = reports.attainment_by(scope, "team")
    assert [(r.label, numbers(r)) for r in per_team] == [("Operations", (1, 1, D("50.0"), 1, 1, D("50.0")))]
    assert reports.workload_total(scope) == 2
    breaches = reports.breach_rows(reports.breach_list(scope).prefetch_related("record"))
    assert {
        (b["record"], b["kind_value"], b["breached_at"]) for b in breaches if b["agreement_kind"] == "sla"
    } == {
        (slow.reference, "response", start + datetime.timedelta(minutes=30)),
        (slow.reference, "resolution", start + datetime.timedelta(hours=8)),
    }
