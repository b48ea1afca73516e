"""Readiness of the database and the broker, for /healthz and operators."""

from __future__ import annotations

from typing import Any

from django.db import connection

from .celery import app as celery_app
from .models import Heartbeat


def database_status() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, connection.vendor


def broker_status() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, str(transport)


def health() -> dict[str, Any]:
    db_ok, db_detail = database_status()
    broker_ok, broker_detail = broker_status()
    heartbeat = None
    if db_ok:
        beat = Heartbeat.objects.filter(name="worker").values_list("last_seen", flat=True).first()
        heartbeat = beat.isoformat() if beat else None
    return {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "worker_heartbeat": heartbeat,
    }
