"""Helpers of the alert-ingest tests: an integration for the incident test world, and senders."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from incidents import alert_services
from incidents.alert_models import Integration

EVENTS_URL = "/api/v1/integrations/events/"
ALERTMANAGER_URL = "/api/v1/integrations/alertmanager/"


def make_integration(world: Any, **overrides: Any) -> tuple[Integration, str]:
    data = {
        "name": overrides.pop("name", f"Prometheus {Integration.objects.count() + 1}"),
        "service": world.service,
        "category": world.category,
        "assignment_team": world.team,
        **overrides,
    }
    return alert_services.integration_create(actor=world["manager"], data=data)


def trigger_body(key: str, dedup_key: str | None = "disk-full/db01", **payload: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "routing_key": key,
        "event_action": "trigger",
        "payload": {
            "summary": payload.pop("summary", "Disk /var is 95% full on db01"),
            "source": payload.pop("source", "db01.example.com"),
            "severity": payload.pop("severity", "error"),
            **payload,
        },
    }
    if dedup_key is not None:
        body["dedup_key"] = dedup_key
    return body


def post_json(client: Any, url: str, body: Any, **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def send(client: Any, body: Any) -> Any:
    return post_json(client, EVENTS_URL, body)


def alertmanager_body(*alerts: dict[str, Any], status: str = "firing") -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "itsm",
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {"alertname": "DiskFull"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": list(alerts),
    }


def am_alert(
    fingerprint: str, *, status: str = "firing", severity: str = "critical", **labels: str
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {
            "alertname": "DiskFull",
            "instance": f"{fingerprint}:9100",
            "severity": severity,
            **labels,
        },
        "annotations": {"summary": f"Disk full on {fingerprint}"},
        "startsAt": "2026-11-20T10:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-20T11:00:00Z",
        "generatorURL": "http://prometheus.example.com:9090/graph",
        "fingerprint": fingerprint,
    }


def send_alertmanager(client: Any, key: str, body: Any) -> Any:
    return post_json(client, ALERTMANAGER_URL, body, HTTP_AUTHORIZATION=f"Bearer {key}")


def integration_url(integration: Integration, name: str = "integration_detail") -> str:
    return reverse(f"incidents:{name}", args=[integration.pk])
