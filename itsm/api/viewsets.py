"""Base viewsets: querysets scoped by the policy, writes delegated to services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from itsm.policy import policy


class PolicyScopedMixin:
    """``get_queryset`` returns only rows the policy lets the user view (others are 404)."""

    policy_target: Any = None
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return policy.scope(self.request.user, "view", queryset)


class PolicyReadOnlyViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ServiceWriteViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Create and update through ``create_service`` / ``update_service`` (never ``serializer.save()``)."""

    def create_service(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update_service(self, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = self.create_service(dict(serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = self.update_service(serializer.instance, dict(serializer.validated_data))
