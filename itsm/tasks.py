"""Background jobs of the core."""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from django.utils import timezone

from .audit import notify_broken_chain, record_checkpoint, verify_chain
from .models import Heartbeat

logger = logging.getLogger(__name__)


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


@shared_task
def audit_checkpoint_record_task() -> dict[str, object]:
    """Daily from beat: verify the whole chain, then store today's head (once per day).

    A broken chain gets no checkpoint (that would vouch for the tampering): the error is logged with
    the first broken entry, the auditors, the management representative and the administrators are
    notified at once, and the auditor page shows it.
    """
    result = verify_chain()
    if not result.ok:
        logger.error(
            "audit trail broken",
            extra={"first_broken_seq": result.first_broken_seq, "problem": result.problem},
        )
        notify_broken_chain(result)
        return {"ok": False, "first_broken_seq": result.first_broken_seq}
    checkpoint, created = record_checkpoint()
    return {
        "ok": True,
        "date": checkpoint.date.isoformat(),
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "created": created,
    }


@shared_task
def notification_deliver_task() -> int:
    """Send pending notification e-mails (after each change that queues some, and every minute)."""
    from .notifications import deliver_pending

    return deliver_pending()


@shared_task
def planned_activities_run_task() -> dict[str, object]:
    """Hourly from beat: drafts ahead of time, reminders, done or missed cycles, escalations (idempotent)."""
    from .planned import planned_activities_run

    return planned_activities_run().as_dict()


@shared_task
def database_statistics_task() -> str:
    """Hourly from beat: fresh planner statistics (see ``itsm.maintenance.refresh_statistics``)."""
    from .maintenance import refresh_statistics

    return refresh_statistics()
