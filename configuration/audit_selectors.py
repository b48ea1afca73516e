"""Reads of CMDB audits: lists, the sample with what the page needs joined, the report, the schedule."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from itsm import planned
from itsm.policy import policy

from .choices import AuditVerdict, CMDBAuditState
from .models import CMDBAudit, CMDBAuditItem


def cmdbaudit_list() -> QuerySet[CMDBAudit]:
    return CMDBAudit.objects.select_related("auditor", "created_by")


def cmdbaudit_items(audit: CMDBAudit) -> QuerySet[CMDBAuditItem]:
    """The sample, critical CIs first, then by reference, with the CI, its type and owner joined."""
    return (
        CMDBAuditItem.objects.filter(audit=audit)
        .select_related("ci", "ci__ci_type", "ci__owner", "verified_by")
        .order_by("sample_reason", "ci__reference", "pk")
    )


def discrepancies(audit: CMDBAudit) -> QuerySet[CMDBAuditItem]:
    return cmdbaudit_items(audit).filter(verdict=AuditVerdict.DISCREPANCY)


def schedule_of(audit: CMDBAudit) -> planned.PlannedActivity | None:
    """The planned activity whose cycle created this audit, if any."""
    occurrence = (
        planned.PlannedOccurrence.objects.filter(
            record_content_type=ContentType.objects.get_for_model(CMDBAudit), record_object_id=str(audit.pk)
        )
        .select_related("activity")
        .first()
    )
    return occurrence.activity if occurrence is not None else None


def audit_overview(user: Any) -> dict[str, Any]:
    """The dashboard card: the latest completed audit's accuracy, audits under way, discrepancies still
    open, and the schedule (four queries)."""
    latest = (
        CMDBAudit.objects.filter(state=CMDBAuditState.COMPLETED)
        .order_by("-completed_at", "-id")
        .only("pk", "reference", "title", "accuracy", "completed_at")
        .first()
    )
    running = CMDBAudit.objects.exclude(state=CMDBAuditState.COMPLETED).count()
    open_discrepancies = CMDBAuditItem.objects.filter(
        verdict=AuditVerdict.DISCREPANCY, corrected=False, rfc_reference=""
    ).count()
    schedule = (
        planned.PlannedActivity.objects.filter(kind="cmdb_audit", is_active=True)
        .order_by("next_due", "pk")
        .first()
    )
    return {
        "latest": latest,
        "running": running,
        "open_discrepancies": open_discrepancies,
        "schedule": schedule,
        "may_plan": policy.allows(user, "add", CMDBAudit),
    }
