"""Background jobs of the core."""

from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task
def heartbeat_record_task() -> str:
    """Runs every minute from beat; the operations widget and /healthz show when a worker last ran it."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"last_seen": now})
    return now.isoformat()


@shared_task
def ping_task(payload: str) -> dict[str, str]:
    """Round trip through the broker to a worker and back: operators' and CI's proof that workers run."""
    return {"payload": payload, "worker": socket.gethostname()}
