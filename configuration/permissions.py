"""Policy rules of configuration management, registered with ``itsm.policy``.

Clause 9.1 asks for update-access control on the CMDB: only configuration managers (and the
processes acting for them) write; everyone who works in the configuration area, and auditors,
read; requesters see nothing. Disposed CIs are frozen.

Baselines and CMDB audits get their rules with their services and pages.
"""

from __future__ import annotations

from typing import Any

from itsm.notes import register_note_rules
from itsm.policy import has_any_perm, policy

from .choices import CIState
from .models import CIType, ConfigurationItem, Relationship, RelationshipType

can_read = has_any_perm("itsm.access_configuration", "itsm.view_all_records")
can_add_ci = has_any_perm("configuration.add_configurationitem")
can_change_ci = has_any_perm("configuration.change_configurationitem")


def _may_change_ci(user: Any, ci: ConfigurationItem | None) -> bool:
    return can_change_ci(user, ci) and (ci is None or ci.state != CIState.DISPOSED)


def _lifecycle(user: Any, ci: ConfigurationItem | None) -> bool:
    return can_change_ci(user, ci)


policy.register(ConfigurationItem, "view", can_read)
policy.register(ConfigurationItem, "add", can_add_ci)
policy.register(ConfigurationItem, "change", _may_change_ci)
for _transition in (
    "start_build",
    "start_test",
    "return_to_build",
    "go_live",
    "start_maintenance",
    "end_maintenance",
    "retire",
    "dispose",
):
    policy.register(ConfigurationItem, _transition, _lifecycle)
# Work notes, comments and attachments: any staff member who may see the CI (the defaults).
register_note_rules(ConfigurationItem)

policy.register(CIType, "view", can_read)
policy.register(CIType, "add", has_any_perm("configuration.add_citype"))
policy.register(CIType, "change", has_any_perm("configuration.change_citype"))

policy.register(RelationshipType, "view", can_read)
policy.register(RelationshipType, "add", has_any_perm("configuration.add_relationshiptype"))
policy.register(RelationshipType, "change", has_any_perm("configuration.change_relationshiptype"))


def _may_delete_relationship(user: Any, relationship: Relationship | None) -> bool:
    allowed = has_any_perm("configuration.delete_relationship")(user, relationship)
    return allowed and (relationship is None or relationship.source.state != CIState.DISPOSED)


policy.register(Relationship, "view", can_read)
policy.register(Relationship, "add", has_any_perm("configuration.add_relationship"))
policy.register(Relationship, "delete", _may_delete_relationship)


# Baselines and CMDB audits ------------------------------------------------------------------------
# (rules of baseline_services.py, audit_services.py and imports.py)
#
# Configuration managers create and take baselines and plan CMDB audits; everyone who reads the CMDB
# reads them. A CMDB audit item is verified by the audit's assigned auditor, or by an internal auditor
# (``configuration.change_cmdbaudititem``) acting as a second auditor, never by the owner of its CI
# (independence); discrepancies are corrected by those who may change the CI.

from itsm.policy import is_active_user  # noqa: E402

from .choices import BaselineState, CMDBAuditState  # noqa: E402
from .models import Baseline, CMDBAudit, CMDBAuditItem  # noqa: E402

can_add_baseline = has_any_perm("configuration.add_baseline")
can_change_baseline = has_any_perm("configuration.change_baseline")
can_add_audit = has_any_perm("configuration.add_cmdbaudit")
can_change_audit = has_any_perm("configuration.change_cmdbaudit")
can_verify_any = has_any_perm("configuration.change_cmdbaudititem")


def _may_edit_baseline(user: Any, baseline: Baseline | None) -> bool:
    return can_change_baseline(user, baseline) and (baseline is None or baseline.state == BaselineState.DRAFT)


policy.register(Baseline, "view", can_read)
policy.register(Baseline, "add", can_add_baseline)
policy.register(Baseline, "change", _may_edit_baseline)
policy.register(Baseline, "take", can_change_baseline)
policy.register(Baseline, "supersede", can_change_baseline)


def _is_assigned_auditor(user: Any, audit: CMDBAudit | None) -> bool:
    return audit is not None and is_active_user(user) and audit.auditor_id == user.pk


def _may_edit_audit(user: Any, audit: CMDBAudit | None) -> bool:
    return can_change_audit(user, audit) and (audit is None or audit.state == CMDBAuditState.PLANNED)


def _may_run_audit(user: Any, audit: CMDBAudit | None) -> bool:
    """Start and complete: the assigned auditor, or a configuration manager."""
    return can_change_audit(user, audit) or _is_assigned_auditor(user, audit)


def _may_verify(user: Any, item: CMDBAuditItem | None) -> bool:
    """The assigned auditor or a second (internal) auditor, while the audit runs; never the CI's owner."""
    if item is None:
        return can_verify_any(user, None) or can_change_audit(user, None)
    audit = item.audit
    return (
        audit.state == CMDBAuditState.IN_PROGRESS
        and item.ci.owner_id != user.pk
        and (_is_assigned_auditor(user, audit) or can_verify_any(user, item))
    )


def _may_resolve(user: Any, item: CMDBAuditItem | None) -> bool:
    """Turn a discrepancy into a correction or an RFC: those who may change the CI."""
    if item is None:
        return can_change_ci(user, None)
    return item.audit.state != CMDBAuditState.PLANNED and _may_change_ci(user, item.ci)


policy.register(CMDBAudit, "view", can_read)
policy.register(CMDBAudit, "add", can_add_audit)
policy.register(CMDBAudit, "change", _may_edit_audit)
policy.register(CMDBAudit, "start", _may_run_audit)
policy.register(CMDBAudit, "complete", _may_run_audit)
policy.register(CMDBAuditItem, "view", can_read)
policy.register(CMDBAuditItem, "verify", _may_verify)
policy.register(CMDBAuditItem, "resolve", _may_resolve)
# CSV import writes CIs and relationships through their services (which check add on each).
policy.register("configuration_import", "view", has_any_perm("configuration.add_configurationitem"))
