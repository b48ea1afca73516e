"""Policy rules of audits and improvement, registered with ``itsm.policy``.

Objectives are communicated to everyone who works in the system (clause 6.2.1 of the 2018 edition);
only those with the model permission (management representative, top management) set them.
"""

from itsm.policy import has_any_perm, is_staff_member, policy

from .models import Objective

policy.register(Objective, "view", is_staff_member)
policy.register(Objective, "add", has_any_perm("audits.add_objective"))
policy.register(Objective, "change", has_any_perm("audits.change_objective"))
