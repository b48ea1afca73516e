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
