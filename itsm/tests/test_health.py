"""/healthz reports the database and the broker; 503 when either is down."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.test import Client


def test_healthz_is_ok_when_database_and_broker_answer(client: Client, db: Any) -> None:
    response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 200
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["broker"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_down(client: Client, db: Any) -> None:
    with mock.patch("itsm.health.broker_status", return_value=(False, "OperationalError")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "detail": "OperationalError"}


def test_healthz_is_503_when_the_database_is_down(client: Client, db: Any) -> None:
    with mock.patch("itsm.health.database_status", return_value=(False, "OperationalError")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker_heartbeat"] is None
