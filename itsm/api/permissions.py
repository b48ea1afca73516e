"""DRF permission wired to the one policy: deny by default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

from itsm.policy import is_active_user, policy

DEFAULT_ACTIONS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
    "timeline": "view",
    # Reading notes and attachments needs "view"; adding asks the record's note / comment / attach rule.
    "notes": "view",
    "attachments": "view",
    "metadata": "view",
}
DETAIL_ACTIONS = {"retrieve", "update", "partial_update", "destroy"}


def policy_action(view: APIView, request: Request) -> str:
    """The policy action a request asks for: the viewset action (mapped) or the HTTP method's meaning."""
    explicit = getattr(view, "policy_action", None)
    if explicit:
        return explicit
    drf_action = getattr(view, "action", None)
    if drf_action:
        return getattr(view, "policy_actions", {}).get(drf_action) or DEFAULT_ACTIONS.get(
            drf_action, drf_action
        )
    return "view" if request.method in ("GET", "HEAD", "OPTIONS") else "change"


class PolicyPermission(BasePermission):
    """Asks ``itsm.policy`` about the view's ``policy_target``; a view without one is refused.

    Detail actions are decided per object (``has_object_permission``) and their querysets are scoped by
    the same policy, so an object the user may not see answers 404, not 403.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        target = getattr(view, "policy_target", None)
        if target is None:
            return False
        action = policy_action(view, request)
        if getattr(view, "detail", False) or getattr(view, "action", None) in DETAIL_ACTIONS:
            return is_active_user(request.user) and policy.has_rule(target, action)
        return policy.allows(request.user, action, target)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return policy.allows(request.user, policy_action(view, request), obj)
