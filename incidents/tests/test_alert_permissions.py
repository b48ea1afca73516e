"""Permission matrix of the alert-ingest pages and endpoints (integrations, alerts, the alerts panel).

Incident staff and auditors read integrations and alerts; incident managers create, edit, rotate keys
and send test events; requesters and people outside the incidents area see nothing. The ingest
endpoints are public URLs authenticated by the integration key (tested in ``test_alerts_api.py``).
A refused write changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from incidents import alert_services
from incidents.alert_models import Alert, Integration
from incidents.models import Category, Incident
from itsm.testing import check_endpoint, check_page
from service_levels.models import Service

PAGES = [
    ("/incidents/integrations/", "requester", "agent"),
    ("/incidents/integrations/?format=csv", "cab", "auditor"),
    ("/incidents/integrations/new/", "agent", "incident.manager"),
    ("/incidents/integrations/{integration}/", "requester", "resolver"),
    ("/incidents/integrations/{integration}/edit/", "agent", "incident.manager"),
    ("/incidents/alerts/incident/{incident}/", "requester", "agent"),
]
ENDPOINTS = [
    ("/api/v1/integrations/", "requester", "agent"),
    ("/api/v1/integrations/{integration}/", "cab", "auditor"),
    ("/api/v1/alerts/", "requester", "resolver"),
    ("/api/v1/alerts/?incident={incident}", "requester", "incident.manager"),
    ("/api/v1/alerts/{alert}/", "cab", "agent"),
]


@pytest.fixture
def objects(demo: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    manager = demo["incident.manager"]
    service = Service.objects.order_by("id").first() or Service.objects.create(
        code="monitoring-matrix", name="Monitoring matrix", owner=manager
    )
    category = Category.objects.order_by("id").first() or Category.objects.create(
        code="alerts", name="Alerts"
    )
    integration, _key = alert_services.integration_create(
        actor=manager, data={"name": "Matrix monitoring", "service": service, "category": category}
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_services.integration_send_test_event(integration=integration, actor=manager)
    alert.refresh_from_db()
    assert alert.incident_id is not None
    return {"integration": integration.pk, "alert": alert.pk, "incident": alert.incident_id}


def fill(url: str, objects: dict[str, Any]) -> str:
    return url.format(**objects)


@pytest.mark.parametrize(("url", "denied", "allowed"), PAGES)
def test_pages(
    client: Client, demo: dict[str, Any], objects: dict[str, Any], url: str, denied: str, allowed: str
) -> None:
    check_page(client, demo, fill(url, objects), denied, allowed)


@pytest.mark.parametrize(("url", "denied", "allowed"), ENDPOINTS)
def test_endpoints(
    api_client: Any, demo: dict[str, Any], objects: dict[str, Any], url: str, denied: str, allowed: str
) -> None:
    check_endpoint(api_client, demo, fill(url, objects), denied, allowed)


def _token(api_client: Any, user: Any) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")


def test_only_incident_managers_create_rotate_and_test_through_the_api(
    api_client: Any, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    integration = Integration.objects.get(pk=objects["integration"])
    prefix, count = integration.key_prefix, Alert.objects.count()
    service, category = integration.service_id, integration.category_id
    for username in ("agent", "auditor", "resolver"):
        _token(api_client, demo[username])
        response = api_client.post(
            "/api/v1/integrations/", {"name": "Nope", "service": service, "category": category}, format="json"
        )
        assert response.status_code == 403
        assert api_client.post(f"/api/v1/integrations/{integration.pk}/rotate/").status_code == 403
        assert api_client.post(f"/api/v1/integrations/{integration.pk}/test/").status_code == 403
        assert (
            api_client.patch(
                f"/api/v1/integrations/{integration.pk}/", {"enabled": False}, format="json"
            ).status_code
            == 403
        )
    integration.refresh_from_db()
    assert integration.key_prefix == prefix
    assert integration.enabled
    assert Alert.objects.count() == count
    assert not Integration.objects.filter(name="Nope").exists()
    _token(api_client, demo["requester"])
    assert api_client.post(f"/api/v1/integrations/{integration.pk}/rotate/").status_code == 404


def test_only_incident_managers_rotate_and_test_on_the_pages(
    client: Client, demo: dict[str, Any], objects: dict[str, Any]
) -> None:
    integration = Integration.objects.get(pk=objects["integration"])
    prefix, incidents = integration.key_prefix, Incident.objects.count()
    for username, status in (("agent", 403), ("auditor", 403), ("requester", 403)):
        client.force_login(demo[username])
        assert client.post(f"/incidents/integrations/{integration.pk}/rotate/").status_code == status
        assert client.post(f"/incidents/integrations/{integration.pk}/test/").status_code == status
    integration.refresh_from_db()
    assert integration.key_prefix == prefix
    assert Incident.objects.count() == incidents
    client.logout()
    response = client.post(f"/incidents/integrations/{integration.pk}/rotate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
