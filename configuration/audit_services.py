"""CMDB audits (clause 9.1: the CMDB is audited at planned intervals): sampling, verification,
corrections and the accuracy report.

An audit is planned (by hand or by the planned activity of kind ``cmdb_audit``, every 3 months by
default) with a risk-weighted sample: every critical CI, plus a random share of the others (10 % by
default, at least ``sample_minimum`` in all) drawn with a random generator seeded from the audit's
number, so the same audit always draws the same sample. The random share never includes a CI the
auditor owns; a critical CI the auditor owns stays in the sample but is flagged: only a second auditor
may verify it. Lifecycle planned → in progress → completed; completing needs every item verified and
records the accuracy rate (correct ÷ verified).
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm import planned
from itsm.audit import append_history_rows
from itsm.history import REASON_LABELS, bulk_update_audited, save_with_history, update_audited, validate
from itsm.models import User
from itsm.policy import is_active_user, policy
from itsm.records import next_reference, run_transition

from .choices import AuditVerdict, CIState, CMDBAuditState, Importance, SampleReason
from .models import CMDBAudit, CMDBAuditItem, ConfigurationItem
from .services import ci_update, clean_rfc_reference

PLANNED_KIND = "cmdb_audit"
DEFAULT_INTERVAL_MONTHS = 3
DEFAULT_LEAD_DAYS = 14
DEFAULT_SAMPLE_PERCENT = 10
CORRECTION_REASON = "cmdb audit correction"
#: Sampling settings whose change redraws the sample of a planned audit.
SAMPLING_FIELDS = ("auditor", "sample_percent", "sample_minimum", "include_critical")

REASON_LABELS.update(
    {
        CORRECTION_REASON: gettext_lazy("corrected after a CMDB audit"),
        "cmdb audit": gettext_lazy("verified by a CMDB audit"),
        "sampled": gettext_lazy("sampled for a CMDB audit"),
        "resampled": gettext_lazy("sample drawn again"),
        "verify": gettext_lazy("verified"),
        "rfc raised": gettext_lazy("RFC raised"),
    }
)


# Sampling -----------------------------------------------------------------------------------------


def sample_population() -> QuerySet[ConfigurationItem]:
    """The CIs a CMDB audit samples from: every CI still in use (not retired, not disposed)."""
    return ConfigurationItem.objects.exclude(state__in=[CIState.RETIRED, CIState.DISPOSED])


def seed_for(audit: CMDBAudit) -> int:
    """The audit's random seed: as stored, else the number of its reference (``CMA-000012`` → 12)."""
    if audit.random_seed is not None:
        return int(audit.random_seed)
    digits = "".join(c for c in audit.reference if c.isdigit())
    return int(digits or 0)


def draw_sample(audit: CMDBAudit) -> list[tuple[int, str]]:
    """``(ci_id, SampleReason)`` pairs: the critical CIs (if the audit includes them), then a random
    share of the others that the auditor does not own, reproducible from the audit's seed. One query.
    """
    rows = list(sample_population().order_by("pk").values_list("pk", "importance", "owner_id"))
    critical = [
        pk for pk, importance, _owner in rows if audit.include_critical and importance == Importance.CRITICAL
    ]
    chosen = set(critical)
    rest = [pk for pk, _importance, owner in rows if pk not in chosen and owner != audit.auditor_id]
    share = math.ceil(len(rest) * int(audit.sample_percent) / 100)
    wanted = min(len(rest), max(share, int(audit.sample_minimum) - len(critical), 0))
    generator = random.Random(seed_for(audit))  # noqa: S311 - reproducible sampling, not security
    drawn = sorted(generator.sample(rest, wanted))
    return [(pk, SampleReason.CRITICAL.value) for pk in critical] + [
        (pk, SampleReason.RANDOM.value) for pk in drawn
    ]


def _insert_items(audit: CMDBAudit, sample: list[tuple[int, str]], *, actor: User, reason: str) -> None:
    """The sample as audit items: one bulk insert, with their history rows and audit-trail entries."""
    items = CMDBAuditItem.objects.bulk_create(
        [CMDBAuditItem(audit=audit, ci_id=ci_id, sample_reason=why) for ci_id, why in sample], batch_size=500
    )
    rows = CMDBAuditItem.history.bulk_history_create(
        items, default_user=actor, default_change_reason=reason, batch_size=500
    )
    append_history_rows(rows)


# Creating and planning ------------------------------------------------------------------------------


def _check_auditor(auditor: Any) -> None:
    if not is_active_user(auditor) or not policy.allows(auditor, "view", CMDBAudit):
        raise ValidationError({"auditor": _("The auditor must be an active person who may read the CMDB.")})


def _create(*, actor: User, data: dict[str, Any], reason: str) -> CMDBAudit:
    data = {"sample_percent": DEFAULT_SAMPLE_PERCENT, **data}
    _check_auditor(data.get("auditor"))
    audit = CMDBAudit(**data, created_by=actor, updated_by=actor)
    audit.reference = next_reference(audit.reference_prefix)
    if audit.random_seed is None:
        audit.random_seed = seed_for(audit)
    validate(audit)
    save_with_history(audit, actor=actor, reason=reason)
    _insert_items(audit, draw_sample(audit), actor=actor, reason="sampled")
    return audit


@transaction.atomic
def cmdbaudit_create(*, actor: User, data: dict[str, Any]) -> CMDBAudit:
    """Plan a CMDB audit (title, auditor, period, scope, sampling settings) and draw its sample."""
    policy.require(actor, "add", CMDBAudit)
    return _create(actor=actor, data=data, reason="create")


@transaction.atomic
def cmdbaudit_update(
    *, audit: CMDBAudit, actor: User, data: dict[str, Any], reason: str = "update"
) -> CMDBAudit:
    """Edit a planned audit; a new auditor or new sampling settings draw the sample again (so the
    random share never holds the new auditor's CIs)."""
    policy.require(actor, "change", audit)
    data = {k: v for k, v in data.items() if k not in ("state", "accuracy", "completed_at", "started_at")}
    if "auditor" in data:
        _check_auditor(data["auditor"])
    stored = CMDBAudit.objects.get(pk=audit.pk)
    resample = any(name in data and getattr(stored, name) != data[name] for name in SAMPLING_FIELDS)
    audit.updated_by = actor
    update_audited(audit, actor=actor, data=data, reason=reason)
    if resample:
        for item in CMDBAuditItem.objects.filter(audit=audit).order_by("pk"):
            item._history_user = actor  # type: ignore[attr-defined]
            item._change_reason = "resampled"  # type: ignore[attr-defined]
            item.delete()
        _insert_items(audit, draw_sample(audit), actor=actor, reason="resampled")
    return audit


def _previous_period_end(before: datetime.date) -> datetime.date | None:
    return (
        CMDBAudit.objects.filter(state=CMDBAuditState.COMPLETED, period_end__lt=before)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )


def cmdbaudit_draft(occurrence: planned.PlannedOccurrence, actor: Any) -> CMDBAudit:
    """The planned-activity factory: the cycle's audit, audited by the activity's owner, covering the
    time since the last completed audit (or one interval), with its sample drawn."""
    activity = occurrence.activity
    due = occurrence.due
    previous = _previous_period_end(due)
    months = activity.interval_months or DEFAULT_INTERVAL_MONTHS
    start = previous + datetime.timedelta(days=1) if previous else planned.add_months(due, -months)
    return _create(
        actor=actor,
        data={
            "title": f"{activity.title} {due.isoformat()}",
            "auditor": activity.owner,
            "period_start": min(start, due),
            "period_end": due,
            "planned_for": due,
            "scope": activity.description,
        },
        reason="planned_draft",
    )


def cmdbaudit_is_done(record: Any) -> bool:
    return isinstance(record, CMDBAudit) and record.state == CMDBAuditState.COMPLETED


def register_planned_kind() -> None:
    """Called once from ``ConfigurationConfig.ready``: CMDB audits become a kind of planned activity,
    set up by configuration managers (and management) on the planned activities page."""
    if planned.get_kind(PLANNED_KIND) is None:
        planned.register(
            PLANNED_KIND,
            label=gettext_lazy("CMDB audit"),
            create_draft=cmdbaudit_draft,
            is_done=cmdbaudit_is_done,
            manage_permission="configuration.add_cmdbaudit",
        )


def cmdbaudit_schedule(*, active_only: bool = True) -> QuerySet[planned.PlannedActivity]:
    rows = planned.planned_activity_list().filter(kind=PLANNED_KIND)
    return rows.filter(is_active=True) if active_only else rows


@transaction.atomic
def cmdbaudit_schedule_ensure(
    *, actor: User, owner: User, next_due: datetime.date | None = None, title: str = ""
) -> planned.PlannedActivity:
    """The schedule of CMDB audits: an active planned activity of kind ``cmdb_audit``, created if there
    is none (every 3 months, the draft two weeks ahead, first due in 3 months unless ``next_due``)."""
    existing = cmdbaudit_schedule().order_by("pk").first()
    if existing is not None:
        return existing
    return planned.planned_activity_create(
        actor=actor,
        data={
            "kind": PLANNED_KIND,
            "title": title or _("CMDB audit"),
            "owner": owner,
            "interval_months": DEFAULT_INTERVAL_MONTHS,
            "next_due": next_due or planned.add_months(timezone.localdate(), DEFAULT_INTERVAL_MONTHS),
            "lead_days": DEFAULT_LEAD_DAYS,
        },
    )


# Running an audit -------------------------------------------------------------------------------------


def _locked(audit: CMDBAudit) -> CMDBAudit:
    return CMDBAudit.objects.select_for_update().get(pk=audit.pk)


@transaction.atomic
def cmdbaudit_start(*, audit: CMDBAudit, actor: User, note: str = "") -> CMDBAudit:
    """Start verifying; refused while the sample is empty."""
    policy.require(actor, "start", audit)
    if not CMDBAuditItem.objects.filter(audit=audit).exists():
        raise ValidationError({"note": _("The sample is empty: there is nothing to verify.")})
    return run_transition(audit, "start", actor=actor, comment=note, at=timezone.now())


@transaction.atomic
def cmdbaudit_item_verify(*, item: CMDBAuditItem, actor: User, verdict: str, note: str = "") -> CMDBAuditItem:
    """The auditor's verdict on one CI: correct, or a discrepancy described in ``note``.

    Only while the audit is in progress, by its auditor or a second auditor, never by the CI's owner.
    """
    audit = _locked(item.audit)
    item.audit = audit
    policy.require(actor, "verify", item)
    if verdict not in (AuditVerdict.CORRECT, AuditVerdict.DISCREPANCY):
        raise ValidationError({"verdict": _("Choose correct or discrepancy.")})
    note = (note or "").strip()
    if verdict == AuditVerdict.DISCREPANCY and not note:
        raise ValidationError({"note": _("Describe the discrepancy: what the CMDB says and what you found.")})
    item.verdict = verdict
    item.note = note
    item.verified_at = timezone.now()
    item.verified_by = actor
    validate(item)
    save_with_history(item, actor=actor, reason="verify")
    return item


def _require_discrepancy(item: CMDBAuditItem) -> None:
    if item.verdict != AuditVerdict.DISCREPANCY:
        raise ValidationError(_("Only a discrepancy is corrected or raised as an RFC."))


@transaction.atomic
def cmdbaudit_item_correct(
    *, item: CMDBAuditItem, actor: User, data: dict[str, Any], rfc_reference: str = ""
) -> CMDBAuditItem:
    """Correct the CMDB for a discrepancy: the CI is updated through ``ci_update`` with the reason
    "cmdb audit correction" (a controlled, live CI needs ``rfc_reference``)."""
    policy.require(actor, "resolve", item)
    _require_discrepancy(item)
    if not data:
        raise ValidationError(_("Change at least one value of the CI."))
    changes = dict(data)
    if rfc_reference:
        changes["rfc_reference"] = rfc_reference
    ci_update(ci=item.ci, actor=actor, data=changes, reason=CORRECTION_REASON)
    if not item.corrected:
        item.corrected = True
        save_with_history(item, actor=actor, reason=CORRECTION_REASON)
    return item


@transaction.atomic
def cmdbaudit_item_raise_rfc(*, item: CMDBAuditItem, actor: User, rfc_reference: str) -> CMDBAuditItem:
    """Record the RFC raised to correct a discrepancy that needs a change."""
    policy.require(actor, "resolve", item)
    _require_discrepancy(item)
    item.rfc_reference = clean_rfc_reference(rfc_reference)
    save_with_history(item, actor=actor, reason="rfc raised")
    return item


def accuracy_of(correct: int, verified: int) -> Decimal | None:
    """Correct ÷ verified as a percentage with two decimals; None before anything is verified."""
    if not verified:
        return None
    return (Decimal(correct) * 100 / Decimal(verified)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def verdict_counts(audit: CMDBAudit) -> dict[str, int]:
    """Items by verdict, and discrepancies still open (neither corrected nor raised as an RFC)."""
    counts = CMDBAuditItem.objects.filter(audit=audit).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(verdict=AuditVerdict.PENDING)),
        correct=Count("pk", filter=Q(verdict=AuditVerdict.CORRECT)),
        discrepancy=Count("pk", filter=Q(verdict=AuditVerdict.DISCREPANCY)),
        open=Count("pk", filter=Q(verdict=AuditVerdict.DISCREPANCY, corrected=False, rfc_reference="")),
    )
    return {key: int(value or 0) for key, value in counts.items()}


@transaction.atomic
def cmdbaudit_complete(*, audit: CMDBAudit, actor: User, note: str = "") -> CMDBAudit:
    """Close the audit once every item is verified: the accuracy rate and the report are recorded, the
    verified CIs get their ``last_verified_at``, and the planned cycle (if any) is done."""
    policy.require(actor, "complete", audit)
    _locked(audit)
    counts = verdict_counts(audit)
    if counts["pending"]:
        raise ValidationError(
            {"note": _("%(count)s sampled CIs are not verified yet.") % {"count": counts["pending"]}}
        )
    verified = counts["correct"] + counts["discrepancy"]
    accuracy = accuracy_of(counts["correct"], verified) or Decimal("0.00")
    report = note.strip() or _(
        "%(verified)s CIs verified: %(correct)s correct, %(discrepancy)s discrepancies; accuracy %(accuracy)s %%."
    ) % {**counts, "verified": verified, "accuracy": accuracy}
    now = timezone.now()
    run_transition(audit, "complete", actor=actor, comment=note, at=now, accuracy=accuracy, report=report)
    sampled = CMDBAuditItem.objects.filter(audit=audit)
    verified_at = dict(sampled.values_list("ci_id", "verified_at"))
    cis = list(ConfigurationItem.objects.filter(pk__in=sampled.values("ci_id")).order_by("pk"))
    for ci in cis:
        ci.last_verified_at = verified_at[ci.pk]
    bulk_update_audited(cis, fields=["last_verified_at"], actor=actor, reason="cmdb audit")
    planned.planned_record_sync(record=audit, actor=actor)
    return audit


# Transition name → service (each takes ``audit``, ``actor`` and ``note``), for the pages and the API.
CMDBAUDIT_TRANSITIONS = {"start": cmdbaudit_start, "complete": cmdbaudit_complete}
