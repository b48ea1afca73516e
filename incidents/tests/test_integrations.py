"""Integrations as incident managers set them up: the pages (key shown once, rotate, test event, sender
examples), the alerts panel of an incident, the API (key returned once) and ``manage.py
create_integration``."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from incidents import alert_services, alerts
from incidents.alert_models import Alert, Integration

from .alert_helpers import make_integration, send, trigger_body

pytestmark = pytest.mark.django_db


def form_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Prometheus production",
        "description": "",
        "enabled": "on",
        "service": world.service.pk,
        "configuration_item": "",
        "category": world.category.pk,
        "assignment_team": world.team.pk,
        "auto_resolve": "resolve",
        "storm_threshold": 20,
        "storm_window_minutes": 5,
        "rate_limit_per_minute": 600,
    }
    for severity, level in (("critical", 1), ("error", 2), ("warning", 3), ("info", 4)):
        data[f"{severity}_impact"] = level
        data[f"{severity}_urgency"] = level
    data.update(overrides)
    return data


def shown_key(content: bytes) -> str | None:
    match = re.search(rb'id="integration-key" value="([0-9a-f]{32})"', content)
    return match.group(1).decode() if match else None


def test_create_shows_the_key_once_and_it_works(world: Any, client: Client) -> None:
    client.force_login(world["manager"])
    assert client.get("/incidents/integrations/new/").status_code == 200
    response = client.post("/incidents/integrations/new/", form_data(world, warning_urgency=1))
    assert response.status_code == 302
    integration = Integration.objects.get()
    assert integration.severity_map["warning"] == {"impact": 3, "urgency": 1}
    page = client.get(response["Location"])
    key = shown_key(page.content)
    assert key is not None
    assert alerts.hash_key(key) == integration.key_hash
    assert key.encode() in page.content  # in the copy-paste examples too
    assert b"/api/v1/integrations/events/" in page.content
    assert b"/api/v1/integrations/alertmanager/" in page.content
    assert b"webhook_configs" in page.content
    again = client.get(response["Location"])
    assert shown_key(again.content) is None
    assert key.encode() not in again.content
    assert send(Client(), trigger_body(key)).status_code == 202


def test_invalid_form_keeps_the_input_and_creates_nothing(world: Any, client: Client) -> None:
    client.force_login(world["manager"])
    response = client.post("/incidents/integrations/new/", form_data(world, rate_limit_per_minute=0, name=""))
    assert response.status_code == 400
    assert not Integration.objects.exists()


def test_edit_changes_the_integration_with_history(world: Any, client: Client) -> None:
    integration, _key = make_integration(world)
    client.force_login(world["manager"])
    url = f"/incidents/integrations/{integration.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(world, name=integration.name, auto_resolve="note", enabled=""))
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.auto_resolve == "note"
    assert not integration.enabled
    assert integration.history.first().history_user == world["manager"]


def test_rotate_shows_the_new_key_once_and_the_old_one_stops(world: Any, client: Client) -> None:
    integration, old = make_integration(world)
    client.force_login(world["manager"])
    response = client.post(f"/incidents/integrations/{integration.pk}/rotate/", follow=True)
    new = shown_key(response.content)
    assert new is not None
    assert new != old
    assert send(Client(), trigger_body(old)).status_code == 401
    assert send(Client(), trigger_body(new)).status_code == 202
    assert client.get(f"/incidents/integrations/{integration.pk}/rotate/").status_code == 405


def test_send_a_test_event_from_the_page(
    world: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    integration, _key = make_integration(world)
    client.force_login(world["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/incidents/integrations/{integration.pk}/test/", follow=True)
    assert b"A test event was sent" in response.content
    alert = Alert.objects.get()
    assert alert.incident is not None
    assert alert.summary in response.content.decode()  # in the recent alerts


def test_a_test_event_on_a_disabled_integration_is_refused_with_a_message(world: Any, client: Client) -> None:
    integration, _key = make_integration(world, enabled=False)
    client.force_login(world["manager"])
    response = client.post(f"/incidents/integrations/{integration.pk}/test/", follow=True)
    assert b"disabled" in response.content
    assert not Alert.objects.exists()


def test_list_page_queries_do_not_grow_with_rows(
    world: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world["agent"])
    make_integration(world)
    client.get("/incidents/integrations/")
    with django_assert_max_num_queries(30) as few:
        assert client.get("/incidents/integrations/").status_code == 200
    for _ in range(5):
        make_integration(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/incidents/integrations/")
    assert response.content.count(b"/incidents/integrations/") >= 6


def test_the_incident_shows_its_alerts_with_counts(
    world: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _integration, key = make_integration(world)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            send(client, trigger_body(key))
    incident = Alert.objects.get().incident
    client.force_login(world["agent"])
    page = client.get(f"/incidents/{incident.pk}/")
    assert page.status_code == 200
    assert f"/incidents/alerts/incident/{incident.pk}/" in page.content.decode()
    panel = client.get(f"/incidents/alerts/incident/{incident.pk}/", headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert b'data-testid="occurrences">3<' in panel.content
    assert b"Disk /var is 95% full on db01" in panel.content


def test_a_storm_parent_is_flagged_as_a_candidate_major_incident(
    world: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _integration, key = make_integration(world, storm_threshold=1)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            send(client, trigger_body(key, dedup_key=f"h{n}"))
    parent = Alert.objects.get(dedup_key="h2").storm_incident
    client.force_login(world["agent"])
    panel = client.get(f"/incidents/alerts/incident/{parent.pk}/")
    assert b'data-testid="storm-flag"' in panel.content


# API ---------------------------------------------------------------------------------------------------


def _as(api_client: Any, user: Any) -> Any:
    api_client.force_authenticate(user)
    return api_client


def test_api_create_returns_the_key_once(world: Any, api_client: Any) -> None:
    api = _as(api_client, world["manager"])
    response = api.post(
        "/api/v1/integrations/",
        {
            "name": "Zabbix",
            "service": world.service.pk,
            "category": world.category.pk,
            "severity_map": {"critical": {"impact": 2, "urgency": 1}},
            "rate_limit_per_minute": 300,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    key = response.json()["key"]
    assert len(key) == 32
    integration = Integration.objects.get(name="Zabbix")
    assert integration.severity_map["critical"] == {"impact": 2, "urgency": 1}
    assert integration.severity_map["info"] == {"impact": 4, "urgency": 4}  # defaults kept
    detail = api.get(f"/api/v1/integrations/{integration.pk}/").json()
    assert "key" not in detail
    assert detail["key_prefix"] == key[:8]
    listed = api.get("/api/v1/integrations/").json()
    assert key not in str(listed)


def test_api_refuses_a_bad_mapping_with_the_error_shape(world: Any, api_client: Any) -> None:
    api = _as(api_client, world["manager"])
    response = api.post(
        "/api/v1/integrations/",
        {
            "name": "Bad",
            "service": world.service.pk,
            "category": world.category.pk,
            "severity_map": {"fatal": 1},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "severity_map" in response.json()["fields"]
    assert not Integration.objects.exists()


def test_api_update_and_rotate(world: Any, api_client: Any) -> None:
    integration, old = make_integration(world)
    api = _as(api_client, world["manager"])
    response = api.patch(f"/api/v1/integrations/{integration.pk}/", {"storm_threshold": 7}, format="json")
    assert response.status_code == 200
    assert response.json()["storm_threshold"] == 7
    rotated = api.post(f"/api/v1/integrations/{integration.pk}/rotate/")
    assert rotated.status_code == 200
    new = rotated.json()["key"]
    assert new != old
    assert send(Client(), trigger_body(new)).status_code == 202


def test_api_alerts_filter_by_incident(
    world: Any, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    integration, _key = make_integration(world)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_services.integration_send_test_event(integration=integration, actor=world["manager"])
    alert.refresh_from_db()
    api = _as(api_client, world["agent"])
    rows = api.get(f"/api/v1/alerts/?incident={alert.incident_id}").json()["results"]
    assert [row["id"] for row in rows] == [alert.pk]
    assert rows[0]["occurrences"] == 1


# Command -------------------------------------------------------------------------------------------------


def test_create_integration_command_prints_the_key(world: Any) -> None:
    out = io.StringIO()
    call_command(
        "create_integration",
        "--name=Nagios",
        f"--service={world.service.code}",
        f"--category={world.category.code}",
        f"--team={world.team.code}",
        "--on-recovery=note",
        "--key-only",
        stdout=out,
    )
    key = out.getvalue().strip()
    integration = Integration.objects.get(name="Nagios")
    assert integration.key_hash == alerts.hash_key(key)
    assert integration.auto_resolve == "note"
    assert integration.assignment_team == world.team
    assert integration.created_by.is_system


def test_create_integration_command_reports_unknown_names(world: Any) -> None:
    with pytest.raises(CommandError, match="No service"):
        call_command("create_integration", "--name=X", "--service=nope", f"--category={world.category.code}")
    make_integration(world, name="Taken")
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_integration",
            "--name=Taken",
            f"--service={world.service.code}",
            f"--category={world.category.code}",
        )


@pytest.mark.parametrize("url", ["/api/v1/integrations/", "/api/v1/alerts/"])
def test_api_lists_run_the_same_queries_whatever_the_rows(
    world: Any, api_client: Any, django_assert_num_queries: Any, url: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    integration, _key = make_integration(world)
    config = alert_services.config_of(integration)
    alert_services.event_ingest(config=config, event=alert_services.Event(action="trigger", dedup_key="a0"))
    api = _as(api_client, world["agent"])
    api.get(url)
    with CaptureQueriesContext(connection) as first:
        assert api.get(url).status_code == 200
    for n in range(1, 6):
        make_integration(world)
        alert_services.event_ingest(
            config=config, event=alert_services.Event(action="trigger", dedup_key=f"a{n}")
        )
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(api.get(url).json()["results"]) == 6
