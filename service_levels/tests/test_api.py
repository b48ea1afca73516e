"""The API of the catalogue, customers, calendars and agreements: writes through the services, the one
error shape, transitions, and list endpoints whose query count does not grow with the rows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from service_levels import services
from service_levels.models import Agreement, BusinessCalendar, CalendarVersion, Contact, Customer, Service


@pytest.fixture
def slm_api(api_client: Any, demo: dict[str, Any]) -> Any:
    api_client.force_authenticate(demo["slm"])
    return api_client


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "code", "message", "fields"}
    return body


def test_service_create_update_with_authorising_change(slm_api: Any, demo: dict[str, Any]) -> None:
    response = slm_api.post(
        "/api/v1/services/",
        {"code": "t-print", "name": "Printing", "owner": demo["slm"].pk, "authorising_change": "rfc-000101"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["authorising_change"], data["components"], data["dependencies"]) == ("RFC-000101", [], [])
    service = Service.objects.get(pk=data["id"])
    assert service.history.get().history_change_reason == "create: RFC-000101"
    response = slm_api.patch(
        f"/api/v1/services/{service.pk}/", {"authorising_change": "nonsense"}, format="json"
    )
    body = _error(response, 400)
    assert body["fields"] == {
        "authorising_change": ["Give the reference of the authorising change, e.g. RFC-000123."]
    }


def test_agents_read_but_do_not_write_the_catalogue(api_client: Any, demo: dict[str, Any]) -> None:
    api_client.force_authenticate(demo["agent"])
    erp = Service.objects.get(code="erp")
    assert api_client.get(f"/api/v1/services/{erp.pk}/").status_code == 200
    body = _error(api_client.patch(f"/api/v1/services/{erp.pk}/", {"name": "x"}, format="json"), 403)
    assert body["code"] == "permission_denied"
    _error(api_client.post(f"/api/v1/services/{erp.pk}/retire/", {}, format="json"), 403)
    erp.refresh_from_db()
    assert (erp.name, erp.status) == ("ERP", "live")


def test_dependency_cycle_answers_400_with_the_field(slm_api: Any) -> None:
    network = Service.objects.get(code="network")
    shop = Service.objects.get(code="sales-platform")
    body = _error(
        slm_api.post(
            "/api/v1/service-dependencies/", {"service": network.pk, "depends_on": shop.pk}, format="json"
        ),
        400,
    )
    assert body["code"] == "validation_error"
    assert "cycle" in body["fields"]["depends_on"][0]
    body = _error(
        slm_api.post(
            "/api/v1/service-dependencies/", {"service": network.pk, "depends_on": network.pk}, format="json"
        ),
        400,
    )
    assert body["fields"] == {"depends_on": ["A service cannot depend on itself."]}


def test_dependency_and_component_add_and_remove(slm_api: Any) -> None:
    desk = Service.objects.get(code="service-desk")
    hosting = Service.objects.get(code="hosting")
    response = slm_api.post(
        "/api/v1/service-dependencies/",
        {"service": desk.pk, "depends_on": hosting.pk, "kind": "uses", "authorising_change": "RFC-5"},
        format="json",
    )
    assert response.status_code == 201, response.content
    dependency_id = response.json()["id"]
    assert (
        slm_api.delete(f"/api/v1/service-dependencies/{dependency_id}/?authorising_change=RFC-6").status_code
        == 204
    )
    assert not desk.dependencies.filter(depends_on=hosting).exists()
    response = slm_api.post(
        "/api/v1/service-components/", {"service": desk.pk, "name": "Chat"}, format="json"
    )
    assert response.status_code == 201, response.content
    component_id = response.json()["id"]
    body = _error(
        slm_api.post("/api/v1/service-components/", {"service": desk.pk, "name": "chat"}, format="json"), 400
    )
    assert body["fields"] == {"name": ["This service already has a component with this name."]}
    assert slm_api.delete(f"/api/v1/service-components/{component_id}/").status_code == 204


def test_retire_refused_while_others_depend(slm_api: Any) -> None:
    network = Service.objects.get(code="network")
    body = _error(slm_api.post(f"/api/v1/services/{network.pk}/retire/", {}, format="json"), 400)
    assert "still depend on it" in body["fields"]["non_field_errors"][0]


def test_customer_and_contacts(slm_api: Any, demo: dict[str, Any]) -> None:
    body = _error(slm_api.post("/api/v1/customers/", {"code": "t-acme", "name": "Acme"}, format="json"), 400)
    assert body["fields"] == {
        "relationship_owner": ["Name the relationship owner: the person responsible for this customer."]
    }
    mail = Service.objects.get(code="email")
    response = slm_api.post(
        "/api/v1/customers/",
        {"code": "t-acme", "name": "Acme", "relationship_owner": demo["slm"].pk, "services": [mail.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    customer_id = response.json()["id"]
    assert response.json()["services"] == [mail.pk]
    first = slm_api.post(
        "/api/v1/contacts/",
        {"customer": customer_id, "name": "Ann", "email": "ann@acme.example", "is_primary": True},
        format="json",
    )
    second = slm_api.post(
        "/api/v1/contacts/",
        {"customer": customer_id, "name": "Bo", "phone": "123", "is_primary": True},
        format="json",
    )
    assert (first.status_code, second.status_code) == (201, 201)
    primaries = Contact.objects.filter(customer_id=customer_id, is_primary=True)
    assert [c.name for c in primaries] == ["Bo"]
    body = _error(
        slm_api.post("/api/v1/contacts/", {"customer": customer_id, "name": "Cy"}, format="json"), 400
    )
    assert list(body["fields"]) == ["email"]
    contacts = slm_api.get(f"/api/v1/customers/{customer_id}/").json()["contacts"]
    assert [c["name"] for c in contacts] == ["Bo", "Ann"]


def test_calendar_create_revise_and_versions(slm_api: Any) -> None:
    rules = {
        "time_zone": "Europe/Berlin",
        "weekly_hours": [[["08:00", "17:00"]]] * 5 + [[], []],
        "holiday_country": "DE",
    }
    response = slm_api.post(
        "/api/v1/business-calendars/", {"code": "t-berlin", "name": "Berlin", "rules": rules}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["current_version"]["number"] == 1
    body = _error(
        slm_api.post(
            f"/api/v1/business-calendars/{pk}/revise/",
            {**rules, "weekly_hours": [[["8:00", "17:00"]]] * 7, "note": "x"},
            format="json",
        ),
        400,
    )
    assert body["fields"] == {
        "weekly_hours": ["Monday: 8:00-17:00 is not a span of HH:MM times (00:00 to 24:00)."] * 1
        + [
            f"{day}: 8:00-17:00 is not a span of HH:MM times (00:00 to 24:00)."
            for day in ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        ]
    }
    response = slm_api.post(
        f"/api/v1/business-calendars/{pk}/revise/",
        {
            **rules,
            "closed_dates": [{"date": "2026-12-24", "name": "Christmas Eve"}],
            "note": "Closed on Christmas Eve",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    versions = slm_api.get(f"/api/v1/business-calendars/{pk}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["closed_dates"] == []  # version 1 is untouched
    assert CalendarVersion.objects.filter(calendar_id=pk).count() == 2
    body = _error(
        slm_api.post("/api/v1/business-calendars/", {"code": "t-x", "name": "X"}, format="json"), 400
    )
    assert list(body["fields"]) == ["rules"]


def test_calendar_revise_denied_to_agents(api_client: Any, demo: dict[str, Any]) -> None:
    api_client.force_authenticate(demo["agent"])
    calendar = BusinessCalendar.objects.get(code="24x7")
    _error(
        api_client.post(
            f"/api/v1/business-calendars/{calendar.pk}/revise/",
            {"time_zone": "UTC", "note": "x"},
            format="json",
        ),
        403,
    )
    assert calendar.versions.count() == 1


def test_agreement_lifecycle_over_the_api(slm_api: Any, demo: dict[str, Any]) -> None:
    retail = Customer.objects.get(code="huaxin-retail")
    shop = Service.objects.get(code="sales-platform")
    calendar = BusinessCalendar.objects.get(code="24x7")
    response = slm_api.post(
        "/api/v1/agreements/",
        {
            "title": "Peak season",
            "customer": retail.pk,
            "services": [shop.pk],
            "calendar": calendar.pk,
            "owner": demo["slm"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith("SLA-")
    # Not ready to agree yet (no date, no target): the guard hides the transition.
    assert (data["state"], data["gaps"], data["allowed_transitions"]) == (
        "draft",
        ["P1", "P2", "P3", "P4"],
        [],
    )
    pk = data["id"]
    body = _error(slm_api.post(f"/api/v1/agreements/{pk}/agree/", {}, format="json"), 400)
    assert body["fields"] == {
        "effective_from": ["Set the date the agreement takes effect."],
        "targets": ["Set at least one target."],
    }
    body = _error(
        slm_api.post(
            f"/api/v1/agreements/{pk}/targets/",
            {"targets": [{"priority": "P1", "respond_minutes": 60, "resolve_minutes": 5}]},
            format="json",
        ),
        400,
    )
    assert body["fields"] == {"P1": ["P1: the time to resolve cannot be shorter than the time to respond."]}
    response = slm_api.post(
        f"/api/v1/agreements/{pk}/targets/",
        {"targets": [{"priority": "P1", "respond_minutes": 10, "resolve_minutes": 120}]},
        format="json",
    )
    assert response.json()["targets"] == [{"priority": "P1", "respond_minutes": 10, "resolve_minutes": 120}]
    assert (
        slm_api.patch(
            f"/api/v1/agreements/{pk}/", {"effective_from": "2026-11-01"}, format="json"
        ).status_code
        == 200
    )
    response = slm_api.post(f"/api/v1/agreements/{pk}/agree/", {"note": "signed"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["agreed_by"]) == ("agreed", demo["slm"].pk)
    _error(slm_api.patch(f"/api/v1/agreements/{pk}/", {"title": "changed"}, format="json"), 403)
    _error(slm_api.post(f"/api/v1/agreements/{pk}/targets/", {"targets": []}, format="json"), 403)
    response = slm_api.post(f"/api/v1/agreements/{pk}/revise/", {}, format="json")
    assert response.status_code == 201, response.content
    revision = response.json()
    assert (revision["state"], revision["supersedes"], revision["targets"]) == (
        "draft",
        pk,
        [{"priority": "P1", "respond_minutes": 10, "resolve_minutes": 120}],
    )
    slm_api.patch(f"/api/v1/agreements/{revision['id']}/", {"effective_from": "2026-12-01"}, format="json")
    assert slm_api.post(f"/api/v1/agreements/{revision['id']}/agree/", {}, format="json").status_code == 200
    old = slm_api.get(f"/api/v1/agreements/{pk}/").json()
    assert (old["state"], old["effective_to"]) == ("superseded", "2026-11-30")
    events = slm_api.get(f"/api/v1/agreements/{pk}/timeline/").json()
    assert [e["kind"] for e in events if e["kind"] == "transition"] == ["transition", "transition"]


def test_agreements_hidden_from_requesters(api_client: Any, demo: dict[str, Any]) -> None:
    api_client.force_authenticate(demo["requester"])
    agreement = Agreement.objects.first()
    assert api_client.get("/api/v1/agreements/").status_code == 403
    assert api_client.get(f"/api/v1/agreements/{agreement.pk}/").status_code in (403, 404)


def _queries(api_client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = api_client.get(url)
    assert response.status_code == 200, response.content
    return len(context)


def _more_rows(demo: dict[str, Any]) -> None:
    """More services, customers, calendars and agreements, each with related rows."""
    slm = demo["slm"]
    calendar = BusinessCalendar.objects.get(code="24x7")
    for n in range(4):
        service = services.service_create(
            actor=slm, data={"code": f"t-more-{n}", "name": f"More {n}", "owner": slm}
        )
        services.component_add(service=service, actor=slm, data={"name": "Part"})
        services.dependency_add(service=service, depends_on=Service.objects.get(code="network"), actor=slm)
        customer = services.customer_create(
            actor=slm,
            data={"code": f"t-more-{n}", "name": f"More {n}", "relationship_owner": slm},
            services=[service],
        )
        services.contact_add(customer=customer, actor=slm, data={"name": "Contact", "phone": "1"})
        services.calendar_create(
            actor=slm,
            data={"code": f"t-more-{n}", "name": f"More {n}"},
            rules={"time_zone": "UTC", "always_open": True},
        )
        agreement = services.agreement_create(
            actor=slm,
            data={
                "title": f"More {n}",
                "customer": customer,
                "calendar": calendar,
                "owner": slm,
                "effective_from": datetime.date(2026, 1, 1),
            },
            services=[service],
            targets=[{"priority": "P1", "respond_minutes": 5, "resolve_minutes": 60}],
        )
        services.agreement_agree(agreement=agreement, actor=slm)


# services: rows, components, dependencies; customers: rows, services, contacts; calendars: rows and
# their versions; agreements: rows, services, targets.
LIST_ENDPOINTS = {
    "/api/v1/services/": 3,
    "/api/v1/service-components/": 1,
    "/api/v1/service-dependencies/": 1,
    "/api/v1/customers/": 3,
    "/api/v1/contacts/": 1,
    "/api/v1/business-calendars/": 2,
    "/api/v1/agreements/": 3,
}


def test_list_endpoints_query_counts_are_exact_and_constant(api_client: Any, demo: dict[str, Any]) -> None:
    api_client.force_authenticate(demo["agent"])
    for url in LIST_ENDPOINTS:  # the person's permissions are loaded once per user object
        _queries(api_client, url)
    before = {url: _queries(api_client, url) for url in LIST_ENDPOINTS}
    _more_rows(demo)
    after = {url: _queries(api_client, url) for url in LIST_ENDPOINTS}
    assert before == after == LIST_ENDPOINTS, (before, after)


# Pages: the session and person, the unread-notification badge, one query per select of the filter panel
# and the rows with their prefetches.
LIST_PAGES = {
    "/service-levels/services/": 9,
    "/service-levels/customers/": 8,
    "/service-levels/calendars/": 6,
    "/service-levels/agreements/": 12,
}


def test_list_pages_query_counts_are_exact_and_constant(client: Any, demo: dict[str, Any]) -> None:
    client.force_login(demo["agent"])

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context)

    before = {url: count(url) for url in LIST_PAGES}
    _more_rows(demo)
    after = {url: count(url) for url in LIST_PAGES}
    assert before == after == LIST_PAGES, (before, after)
