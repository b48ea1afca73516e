"""Every incident page and endpoint for anonymous users, requesters, agents, resolvers, incident managers
and auditors (read-only); a requester reaches only their own incidents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.authtoken.models import Token

from incidents import services
from incidents.models import Category, Incident, MajorIncidentCriteria, MajorIncidentReview
from itsm.testing import check_endpoint, check_page

ROLES = ("requester", "agent", "resolver", "incident.manager", "auditor")
STAFF = {"requester": 403, "agent": 200, "resolver": 200, "incident.manager": 200, "auditor": 200}
DESK = {"requester": 403, "agent": 200, "resolver": 403, "incident.manager": 200, "auditor": 403}
WORKERS = {"requester": 403, "agent": 200, "resolver": 200, "incident.manager": 200, "auditor": 403}
MANAGERS = {"requester": 403, "agent": 403, "resolver": 403, "incident.manager": 200, "auditor": 403}
EVERYONE = dict.fromkeys(ROLES, 200)
OWN_ONLY = {"requester": 200, "agent": 404, "resolver": 404, "incident.manager": 404, "auditor": 404}

PAGES = [
    ("/incidents/", STAFF),
    ("/incidents/?queue=mine", STAFF),
    ("/incidents/?q=printer&state=new&priority=P1", STAFF),
    ("/incidents/?format=csv", STAFF),
    ("/incidents/new/", DESK),
    ("/incidents/new/suggest/?customer=1", DESK),
    ("/incidents/{incident}/", STAFF),
    ("/incidents/{incident}/?tab=timeline", STAFF),
    ("/incidents/{incident}/?tab=notes", STAFF),
    ("/incidents/{incident}/?tab=attachments", STAFF),
    ("/incidents/{incident}/?tab=related", STAFF),
    ("/incidents/{incident}/?tab=clocks", STAFF),
    ("/incidents/{incident}/edit/", WORKERS),
    ("/incidents/matrix/", STAFF),
    ("/incidents/categories/", STAFF),
    ("/incidents/categories/new/", MANAGERS),
    ("/incidents/categories/{category}/edit/", MANAGERS),
    ("/incidents/criteria/", STAFF),
    ("/incidents/criteria/new/", MANAGERS),
    ("/incidents/criteria/{criteria}/edit/", MANAGERS),
    ("/incidents/reviews/", STAFF),
    ("/incidents/reviews/{review}/", STAFF),
    ("/incidents/reviews/{review}/edit/", MANAGERS),
    ("/incidents/requests/", STAFF),
    ("/incidents/requests/new/", DESK),
    ("/incidents/requests/{request}/", STAFF),
    ("/incidents/requests/{request}/?tab=timeline", STAFF),
    ("/incidents/requests/{request}/?tab=clocks", STAFF),
    ("/incidents/catalogue/", STAFF),
    ("/incidents/reports/", STAFF),
    ("/incidents/reports/?date_from=2026-11-01&date_to=2026-11-21&service={service}", STAFF),
    ("/incidents/reports/?format=csv", STAFF),
    ("/incidents/catalogue/new/", MANAGERS),
    ("/incidents/catalogue/{item}/edit/", MANAGERS),
    ("/portal/", EVERYONE),
    ("/portal/requests/new/", EVERYONE),
    ("/portal/requests/{request}/", OWN_ONLY),
    ("/portal/report/", EVERYONE),
    ("/portal/incidents/{incident}/", OWN_ONLY),
    # The generic notes and attachments pages follow the incident's own rules: the reporter too.
    ("/notes/{incident_type}/{incident}/", {**STAFF, "requester": 200}),
    ("/attachments/{incident_type}/{incident}/", {**STAFF, "requester": 200}),
]

ENDPOINTS = [
    ("/api/v1/incidents/", STAFF),
    ("/api/v1/incidents/?q=printer&queue=open", STAFF),
    ("/api/v1/incidents/{incident}/", {**STAFF, "requester": 200}),
    ("/api/v1/incidents/{incident}/timeline/", {**STAFF, "requester": 200}),
    ("/api/v1/incidents/{incident}/notes/", {**STAFF, "requester": 200}),
    ("/api/v1/incidents/{incident}/attachments/", {**STAFF, "requester": 200}),
    ("/api/v1/incidents/{incident}/clocks/", {**STAFF, "requester": 200}),
    ("/api/v1/service-requests/", STAFF),
    ("/api/v1/service-requests/{request}/", {**STAFF, "requester": 200}),
    ("/api/v1/service-requests/{request}/timeline/", {**STAFF, "requester": 200}),
    ("/api/v1/request-catalogue-items/", STAFF),
    ("/api/v1/request-catalogue-items/{item}/", STAFF),
    ("/api/v1/major-incident-reviews/", STAFF),
    ("/api/v1/major-incident-reviews/{review}/", STAFF),
    ("/api/v1/incident-reports/summary/", STAFF),
    ("/api/v1/incident-reports/summary/?from=2026-11-01&to=2026-11-21", STAFF),
]


@pytest.fixture
def records(demo: dict[str, Any]) -> dict[str, Any]:
    incident = services.incident_log(
        actor=demo["agent"], data={"title": "Printer on fire", "reported_by": demo["requester"], "impact": 1}
    )
    major = services.incident_log(
        actor=demo["agent"], data={"title": "Data centre down", "impact": 1, "urgency": 1}
    )
    services.incident_declare_major(
        incident=major, actor=demo["incident.manager"], manager=demo["incident.manager"]
    )
    category = Category.objects.first() or Category.objects.create(code="hardware", name="Hardware")
    criteria = MajorIncidentCriteria.objects.first() or MajorIncidentCriteria.objects.create(
        name="Default", criteria="Whole service down"
    )
    from service_levels.models import Service

    service = Service.objects.order_by("pk").first()
    assert service is not None
    item = services.catalogue_item_create(
        actor=demo["incident.manager"],
        data={
            "service": service,
            "name": "Matrix laptop",
            "fulfilment_target_minutes": 60,
        },
    )
    service_request = services.service_request_create(actor=demo["requester"], data={"catalogue_item": item})
    return {
        "item": item.pk,
        "service": service.pk,
        "request": service_request.pk,
        "incident": incident.pk,
        "review": MajorIncidentReview.objects.get(incident=major).pk,
        "category": category.pk,
        "criteria": criteria.pk,
        "incident_type": ContentType.objects.get_for_model(Incident).pk,
    }


def _status(response: Any) -> int:
    return response.status_code


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_pages(
    client: Client, demo: dict[str, Any], records: dict[str, Any], url: str, expected: dict
) -> None:
    url = url.format(**records)
    response = client.get(url)
    assert response.status_code == 302, f"anonymous {url}"
    assert response["Location"].startswith("/login/?next=")
    for role in ROLES:
        client.force_login(demo[role])
        status = _status(client.get(url))
        assert status == expected[role], f"{role} {url}: {status}, expected {expected[role]}"


@pytest.mark.parametrize(("url", "expected"), ENDPOINTS)
def test_endpoints(
    api_client: Any, demo: dict[str, Any], records: dict[str, Any], url: str, expected: dict
) -> None:
    url = url.format(**records)
    response = api_client.get(url)
    assert response.status_code == 401, f"anonymous {url}"
    assert json.loads(response.content)["code"] == "not_authenticated"
    for role in ROLES:
        token = Token.objects.get_or_create(user=demo[role])[0]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = api_client.get(url)
        wanted = expected[role]
        if wanted == 403 and response.status_code == 404:
            wanted = 404  # detail routes hide what the user may not see
        assert response.status_code == wanted, (
            f"{role} {url}: {response.status_code}, expected {expected[role]}"
        )


def test_the_shared_checks_agree(
    client: Client, api_client: Any, demo: dict[str, Any], records: dict
) -> None:
    check_page(client, demo, "/incidents/", "requester", "agent")
    check_endpoint(api_client, demo, "/api/v1/incidents/", "requester", "auditor")


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/incidents/{incident}/classify/", {"classify-impact": 1}),
        ("/incidents/{incident}/priority/", {"priority": "P1", "reason": "x"}),
        ("/incidents/{incident}/notes/add/", {"kind": "work_note", "body": "x"}),
        ("/incidents/bulk/", {"action": "start", "ids": ["{incident}"]}),
    ],
)
def test_writes_are_refused_to_requesters_and_auditors_and_change_nothing(
    client: Client, demo: dict[str, Any], records: dict[str, Any], path: str, data: dict
) -> None:
    url = path.format(**records)
    data = {k: [v.format(**records) for v in vs] if isinstance(vs, list) else vs for k, vs in data.items()}
    before = Incident.objects.get(pk=records["incident"])
    assert client.post(url, data)["Location"].startswith("/login/")
    for role in ("requester", "auditor"):
        client.force_login(demo[role])
        assert client.post(url, data).status_code == 403, f"{role} {url}"
    after = Incident.objects.get(pk=records["incident"])
    assert (after.state, after.priority, after.updated_at) == (
        before.state,
        before.priority,
        before.updated_at,
    )


def test_a_requester_never_sees_another_requesters_incident(
    client: Client, api_client: Any, demo: dict[str, Any], records: dict[str, Any]
) -> None:
    from itsm.tests.factories import UserFactory

    stranger = UserFactory(roles=["requester"])
    client.force_login(stranger)
    pk = records["incident"]
    assert client.get(f"/portal/incidents/{pk}/").status_code == 404
    assert client.get(f"/notes/{records['incident_type']}/{pk}/").status_code == 404
    assert pk not in [i.pk for i in Incident.objects.filter(reported_by=stranger)]
    assert b"Printer on fire" not in client.get("/portal/").content
    api_client.force_authenticate(stranger)
    assert api_client.get(f"/api/v1/incidents/{pk}/").status_code == 404
    assert (
        api_client.post(f"/api/v1/incidents/{pk}/notes/", {"kind": "comment", "body": "hi"}).status_code
        == 404
    )
