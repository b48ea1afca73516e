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


@shared_task
def alerts_process_task() -> int:
    """Follow-up of ingested alerts, right after their commit: open or attach incidents, note
    acknowledgements, apply the recovery policy (idempotent: each alert is claimed under a row lock)."""
    from . import alert_services

    return alert_services.alerts_drain()


@shared_task
def alerts_process_pending_task() -> int:
    """Every minute from beat: process every alert still marked for follow-up (a lost task, a dead
    worker or a broker outage leaves nothing behind)."""
    from . import alert_services

    return alert_services.alerts_process()
