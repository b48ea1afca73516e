"""Demo data of baselines and CMDB audits: a taken baseline of the ERP service, a completed CMDB audit
with a few discrepancies (one corrected in the CMDB, one raised as an RFC, one still open), and the
quarterly schedule of CMDB audits.

Called at the end of ``configuration.demo.seed``; idempotent (found by name) and deterministic (a fixed
random seed), through the real services so history, the audit trail and the sample are the real ones.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from itsm import planned
from itsm.models import User
from itsm.policy import policy
from service_levels.models import Service

from . import audit_services
from .baseline_services import baseline_create, baseline_take
from .choices import CONTROLLED_STATES, AuditVerdict
from .models import Baseline, CMDBAudit, CMDBAuditItem

SEED = 20261121
BASELINE_NAME = "ERP production"
AUDIT_TITLE = "Quarterly CMDB audit"
FINDINGS = [
    ("location", "Found in DC1 rack B2; the CMDB still names the old rack.", "DC1 rack B2"),
    ("version", "Runs a newer version than recorded; upgraded during the last release.", ""),
    ("owner", "The recorded owner left the team; nobody has taken it over yet.", ""),
]


def _seed_baseline(users: dict[str, User]) -> int:
    if Baseline.objects.filter(name=BASELINE_NAME).exists():
        return 0
    manager = users["config.manager"]
    erp = Service.objects.filter(code="erp").first()
    baseline = baseline_create(
        actor=manager,
        data={
            "name": BASELINE_NAME,
            "description": "The live configuration behind the ERP service, before the next ERP release.",
            "scope": "Every live CI linked to the ERP service and everything it runs on or depends on.",
            "scope_filter": {"mode": "filter", "service": erp.pk if erp else None, "live_only": True},
        },
    )
    baseline_take(baseline=baseline, actor=manager, note="Taken before the ERP release.")
    return 1


def _verifier(item: CMDBAuditItem, auditor: User, users: dict[str, User]) -> User:
    """The auditor, or, for a CI the auditor owns, another person allowed to verify it."""
    if item.ci.owner_id != auditor.pk:
        return auditor
    for candidate in users.values():
        if candidate.pk != auditor.pk and policy.allows(candidate, "verify", item):
            return candidate
    raise LookupError(f"Nobody but its owner may verify {item.ci}.")


def _seed_audit(users: dict[str, User], today: datetime.date) -> int:
    if CMDBAudit.objects.filter(title=AUDIT_TITLE).exists():
        return 0
    manager, auditor = users["config.manager"], users["auditor"]
    audit = audit_services.cmdbaudit_create(
        actor=manager,
        data={
            "title": AUDIT_TITLE,
            "auditor": auditor,
            "period_start": planned.add_months(today, -3),
            "period_end": today - datetime.timedelta(days=1),
            "planned_for": today - datetime.timedelta(days=7),
            "scope": "Every CI in use: all critical CIs, and a random tenth of the others.",
            "sample_minimum": 20,
        },
    )
    audit_services.cmdbaudit_start(audit=audit, actor=auditor, note="Checked against the racks and consoles.")
    items = list(CMDBAuditItem.objects.filter(audit=audit).select_related("ci", "ci__ci_type").order_by("pk"))
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    # Discrepancies on CIs that are not under change control first, so one can be corrected directly.
    free = [i for i in items if not (i.ci.is_controlled and i.ci.state in CONTROLLED_STATES)]
    wrong = rng.sample(free, min(len(FINDINGS), len(free)))
    findings = dict(zip([i.pk for i in wrong], FINDINGS, strict=False))
    for item in items:
        item.audit = audit
        finding = findings.get(item.pk)
        audit_services.cmdbaudit_item_verify(
            item=item,
            actor=_verifier(item, auditor, users),
            verdict=AuditVerdict.DISCREPANCY if finding else AuditVerdict.CORRECT,
            note=finding[1] if finding else "",
        )
    for position, item in enumerate(wrong):
        field, _note, value = FINDINGS[position]
        if position == 0:
            audit_services.cmdbaudit_item_correct(item=item, actor=manager, data={field: value})
        elif position == 1:
            audit_services.cmdbaudit_item_raise_rfc(item=item, actor=manager, rfc_reference="RFC-000101")
    audit_services.cmdbaudit_complete(
        audit=audit,
        actor=auditor,
        note="The CMDB matches reality for most sampled CIs; the discrepancies are being corrected.",
    )
    return 1


@transaction.atomic
def seed(*, users: dict[str, User], today: datetime.date) -> dict[str, int]:
    """A taken baseline, a completed CMDB audit and the quarterly audit schedule."""
    created = {"baselines": _seed_baseline(users), "CMDB audits": _seed_audit(users, today)}
    if not audit_services.cmdbaudit_schedule().exists():
        audit_services.cmdbaudit_schedule_ensure(
            actor=users["config.manager"],
            owner=users["auditor"],
            next_due=planned.add_months(today, audit_services.DEFAULT_INTERVAL_MONTHS),
            title="CMDB audit",
        )
        created["CMDB audit schedules"] = 1
    return created
