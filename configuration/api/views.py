"""API views of configuration management."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from configuration import selectors, services
from configuration.filters import (
    CITypeFilter,
    ConfigurationItemFilter,
    RelationshipFilter,
    RelationshipTypeFilter,
)
from configuration.models import CIType, ConfigurationItem, Relationship, RelationshipType
from itsm.api.viewsets import RecordViewSet, ServiceWriteViewSet
from itsm.ui.views import acting_user

from .serializers import (
    CITransitionInputSerializer,
    CITypeSerializer,
    ConfigurationItemDetailSerializer,
    ConfigurationItemSerializer,
    ImpactSerializer,
    RelationshipRemoveSerializer,
    RelationshipSerializer,
    RelationshipTypeSerializer,
)


class ConfigurationItemViewSet(RecordViewSet):
    """CIs: CRUD through the services, one POST action per lifecycle step (``{"note", "rfc_reference"}``),
    ``…/<id>/impact/`` and ``…/<id>/relationships/``."""

    policy_target = ConfigurationItem
    queryset = selectors.ci_list()
    serializer_class = ConfigurationItemSerializer
    filterset_class = ConfigurationItemFilter
    ordering = "reference"
    record_argument = "ci"
    policy_actions = {"impact": "view", "relationships": "view"}

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return ConfigurationItemSerializer
        return ConfigurationItemDetailSerializer

    def create_service(self, data: dict[str, Any]) -> ConfigurationItem:
        return services.ci_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: ConfigurationItem, data: dict[str, Any]) -> ConfigurationItem:
        return services.ci_update(ci=instance, actor=acting_user(self.request), data=data)

    @extend_schema(
        responses={200: ImpactSerializer},
        parameters=[
            OpenApiParameter("max_depth", int, description="CI hops to follow (1 to 12, default 12).")
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def impact(self, request: Any, pk: Any = None) -> Response:
        """Everything affected if this CI fails or changes: dependent CIs, service components, services
        and customers, each with its depth and path (one recursive database query)."""
        ci = self.get_object()
        try:
            depth = int(request.query_params.get("max_depth", selectors.IMPACT_MAX_DEPTH))
        except ValueError:
            depth = selectors.IMPACT_MAX_DEPTH
        depth = min(max(depth, 1), selectors.IMPACT_MAX_DEPTH)
        return Response(selectors.impact_of(ci, max_depth=depth).as_dict())

    @extend_schema(responses={200: RelationshipSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def relationships(self, request: Any, pk: Any = None) -> Response:
        """The CI's links in both directions: ``outgoing`` (this CI → …) and ``incoming`` (… → this CI)."""
        ci = self.get_object()
        return Response(
            {
                "outgoing": RelationshipSerializer(selectors.outgoing_relationships(ci), many=True).data,
                "incoming": RelationshipSerializer(selectors.incoming_relationships(ci), many=True).data,
            }
        )


def _transition_action(name: str, service: Any) -> Any:
    def run(self: ConfigurationItemViewSet, request: Any, pk: Any = None) -> Response:
        ci = self.get_object()
        data = CITransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service(ci=ci, actor=acting_user(request), **data.validated_data)
        return Response(ConfigurationItemDetailSerializer(ci, context=self.get_serializer_context()).data)

    run.__name__ = name
    run.__doc__ = f"Run the '{name}' step of the CI lifecycle (409 if the CI changed meanwhile)."
    return extend_schema(
        request=CITransitionInputSerializer, responses={200: ConfigurationItemDetailSerializer}
    )(action(detail=True, methods=["post"], url_path=name, url_name=name)(run))


for _name, _service in services.CI_TRANSITIONS.items():
    setattr(ConfigurationItemViewSet, _name, _transition_action(_name, _service))


class CITypeViewSet(ServiceWriteViewSet):
    policy_target = CIType
    queryset = selectors.citype_detail()
    serializer_class = CITypeSerializer
    filterset_class = CITypeFilter
    ordering = "code"

    def create_service(self, data: dict[str, Any]) -> CIType:
        relationship_types = data.pop("allowed_relationship_types", None)
        return services.citype_create(
            actor=acting_user(self.request), data=data, allowed_relationship_types=relationship_types
        )

    def update_service(self, instance: CIType, data: dict[str, Any]) -> CIType:
        relationship_types = data.pop("allowed_relationship_types", None)
        return services.citype_update(
            ci_type=instance,
            actor=acting_user(self.request),
            data=data,
            allowed_relationship_types=relationship_types,
        )


class RelationshipTypeViewSet(ServiceWriteViewSet):
    policy_target = RelationshipType
    queryset = RelationshipType.objects.all()
    serializer_class = RelationshipTypeSerializer
    filterset_class = RelationshipTypeFilter
    ordering = "code"

    def create_service(self, data: dict[str, Any]) -> RelationshipType:
        return services.relationshiptype_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: RelationshipType, data: dict[str, Any]) -> RelationshipType:
        return services.relationshiptype_update(
            relationship_type=instance, actor=acting_user(self.request), data=data
        )


class RelationshipViewSet(mixins.DestroyModelMixin, ServiceWriteViewSet):
    """Links between CIs and from CIs to services and components. Create with ``reason`` (and
    ``rfc_reference`` for live CIs of a controlled type); DELETE with ``{"reason": …}``. Links are not
    edited: remove and add."""

    policy_target = Relationship
    queryset = selectors.relationship_list()
    serializer_class = RelationshipSerializer
    filterset_class = RelationshipFilter
    ordering = "id"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> Relationship:
        return services.relationship_add(actor=acting_user(self.request), **data)

    @extend_schema(request=RelationshipRemoveSerializer, responses={204: None})
    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        relationship = self.get_object()
        data = RelationshipRemoveSerializer(data=request.data or request.query_params)
        data.is_valid(raise_exception=True)
        services.relationship_remove(
            relationship=relationship, actor=acting_user(request), **data.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
