"""Background jobs of service level management."""

from __future__ import annotations

from typing import Any

from celery import shared_task

# A long outage can leave many clocks to claim; each pass takes a bounded batch per threshold.
MAX_PASSES = 50


@shared_task
def sla_sweep_task() -> dict[str, Any]:
    """Every minute from beat: claim the clocks that reached a warning or critical threshold or breached
    (stamped at their true instants), escalate and notify. Idempotent: a second run claims nothing."""
    from itsm.notifications import deliver_after_commit

    from .clocks import clocks_sweep

    total: dict[str, Any] = {}
    for _pass in range(MAX_PASSES):
        summary = clocks_sweep().as_dict()
        for key in ("warned", "critical", "breached", "notified", "escalated", "failed"):
            total[key] = total.get(key, 0) + summary[key]
        total["now"] = summary["now"]
        if not summary["more"]:
            break
    if total.get("notified"):
        deliver_after_commit()  # one start of the e-mail delivery for everything the passes queued
    return total
