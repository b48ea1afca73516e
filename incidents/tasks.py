"""Background jobs of incident and service request management (thin: each calls one service)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def incidents_auto_close_task() -> int:
    """Close resolved incidents nobody confirmed within ``ITSM_INCIDENT_AUTO_CLOSE_DAYS`` business days."""
    return services.incidents_auto_close()


@shared_task
def major_incidents_watch_task() -> int:
    """Escalate major incidents whose manager has not taken them within the agreed minutes."""
    return services.major_incidents_watch()
