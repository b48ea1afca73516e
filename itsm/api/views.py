"""API of the core: the signed-in user, people, teams, departments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from itsm import selectors, services
from itsm.filters import DepartmentFilter, TeamFilter, UserFilter
from itsm.models import Department, Team, User
from itsm.notifications import Notification, mark_read
from itsm.ui.views import acting_user

from .serializers import (
    DepartmentSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    RolesSerializer,
    TeamSerializer,
    UserSerializer,
)
from .viewsets import PolicyReadOnlyViewSet, ServiceWriteViewSet


@extend_schema(responses=UserSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in user with their roles."""
    return Response(UserSerializer(request.user).data)


me.cls.policy_target = "api"  # type: ignore[attr-defined]
me.cls.policy_action = "use"  # type: ignore[attr-defined]


class UserViewSet(PolicyReadOnlyViewSet):
    policy_target = User
    policy_actions = {"roles": "change"}
    serializer_class = UserSerializer
    filterset_class = UserFilter
    ordering = "username"

    @extend_schema(request=RolesSerializer, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def roles(self, request: Request, pk: Any = None) -> Response:
        """Give the person exactly these roles; ``reason`` goes to their history and the audit trail."""
        person = self.get_object()
        data = RolesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_roles_set(
            user=person,
            actor=acting_user(request),
            roles=data.validated_data["roles"],
            reason=data.validated_data["reason"],
        )
        return Response(UserSerializer(person).data)

    def get_queryset(self) -> Any:
        self.queryset = selectors.user_list()
        return super().get_queryset()


class TeamViewSet(ServiceWriteViewSet):
    policy_target = Team
    queryset = Team.objects.select_related("lead", "department").prefetch_related("members")
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering = "name"

    def create_service(self, data: dict[str, Any]) -> Team:
        members = data.pop("members", None)
        return services.team_create(actor=acting_user(self.request), data=data, members=members)

    def update_service(self, instance: Team, data: dict[str, Any]) -> Team:
        members = data.pop("members", None)
        return services.team_update(
            team=instance, actor=acting_user(self.request), data=data, members=members
        )


class DepartmentViewSet(ServiceWriteViewSet):
    policy_target = Department
    queryset = Department.objects.select_related("head")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    ordering = "name"

    def create_service(self, data: dict[str, Any]) -> Department:
        return services.department_create(actor=acting_user(self.request), data=data)

    def update_service(self, instance: Department, data: dict[str, Any]) -> Department:
        return services.department_update(department=instance, actor=acting_user(self.request), data=data)


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 schema, JSON by default (``?format=yaml`` for YAML), so errors share the JSON shape."""

    policy_target = "api-docs"
    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


class DocsView(SpectacularSwaggerView):
    """Swagger UI (assets from drf-spectacular-sidecar, no CDN); a page, so anonymous users sign in first."""

    policy_target = "api-docs"

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


class NotificationViewSet(PolicyReadOnlyViewSet):
    """The signed-in person's own notifications, newest first; ``POST mark-read/`` marks them read."""

    policy_target = Notification
    policy_actions = {"mark_read": "view"}
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    ordering = "-id"

    @extend_schema(request=MarkReadSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request: Any) -> Response:
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = mark_read(user=acting_user(request), ids=data.validated_data.get("ids"))
        return Response({"marked": count})
