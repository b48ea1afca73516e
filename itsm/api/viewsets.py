"""Base viewsets: querysets scoped by the policy, writes delegated to services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.policy import policy
from itsm.timeline import timeline_for
from itsm.ui.views import acting_user


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


class TransitionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RecordViewSet(ServiceWriteViewSet):
    """A process record: CRUD through services, ``…/<id>/timeline/``, and one POST action per transition.

    Subclasses set ``transition_services`` (name → service taking ``<record_argument>``, ``actor`` and
    ``note``); ``__init_subclass__`` turns each into ``POST …/<id>/<name>/``.
    """

    transition_services: dict[str, Any] = {}
    record_argument = "record"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, service in cls.transition_services.items():
            setattr(cls, name, _transition_action(name, service))

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def timeline(self, request: Any, pk: Any = None) -> Response:
        """The record's events, oldest first: changes (old → new) and transitions."""
        return Response([event.as_dict() for event in timeline_for(self.get_object())])


def _transition_action(name: str, service: Any) -> Any:
    def run(self: RecordViewSet, request: Any, pk: Any = None) -> Response:
        record = self.get_object()
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(
            **{self.record_argument: record}, actor=acting_user(request), note=data.validated_data["note"]
        )
        return Response(self.serializer_class(record, context=self.get_serializer_context()).data)

    run.__name__ = name
    run.__doc__ = f"Run the '{name}' transition (409 if the record changed meanwhile)."
    return extend_schema(request=TransitionInputSerializer)(
        action(detail=True, methods=["post"], url_path=name, url_name=name)(run)
    )
