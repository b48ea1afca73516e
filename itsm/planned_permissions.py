"""Policy rules of planned activities (imported by ``itsm.permissions``).

Everyone on staff reads the schedule and its cycles. The management representative, top management and
administrators (``itsm.add_plannedactivity`` / ``itsm.change_plannedactivity``) set up and edit any
activity; the owners of an area edit the activities of their kinds (each kind's ``manage_permission``,
e.g. service level managers for SLA reviews). Nobody deletes one: it is deactivated instead. A cycle
completed by hand (kind "task") is completed by the activity's owner or those who manage it.
"""

from __future__ import annotations

from typing import Any

from .planned import (
    PlannedActivity,
    PlannedOccurrence,
    can_add_all,
    creatable_kinds,
    get_kind,
    may_manage,
    may_manage_any,
)
from .policy import is_active_user, is_staff_member, policy


def _may_add(user: Any, activity: PlannedActivity | None) -> bool:
    if activity is None:
        return bool(creatable_kinds(user))
    if can_add_all(user, activity):
        return True
    entry = get_kind(activity.kind)
    return is_active_user(user) and entry is not None and entry.may_manage(user, activity)


def _may_change(user: Any, activity: PlannedActivity | None) -> bool:
    return may_manage_any(user) if activity is None else may_manage(user, activity)


def _may_complete(user: Any, occurrence: PlannedOccurrence | None) -> bool:
    if occurrence is None:
        return is_staff_member(user)
    activity = occurrence.activity
    return activity.owner_id == user.pk or may_manage(user, activity)


policy.register(PlannedActivity, "view", is_staff_member)
policy.register(PlannedActivity, "add", _may_add)
policy.register(PlannedActivity, "change", _may_change)
policy.register(PlannedOccurrence, "view", is_staff_member)
policy.register(PlannedOccurrence, "complete", _may_complete)
