"""API of saved filters: ``/api/v1/saved-filters/``: list the filters you see (your own and those
shared with you; ``?list_key=`` narrows to one list), create, update and delete your own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers

from itsm.choices import SavedFilterSharing
from itsm.models import Team
from itsm.saved_filters import (
    LIST_KEY_MAX_LENGTH,
    NAME_MAX_LENGTH,
    QUERY_MAX_LENGTH,
    SavedFilter,
    saved_filter_create,
    saved_filter_delete,
    saved_filter_update,
)
from itsm.ui.views import acting_user

from .viewsets import ServiceWriteViewSet


class SavedFilterSerializer(serializers.ModelSerializer):
    list_key = serializers.CharField(
        max_length=LIST_KEY_MAX_LENGTH, help_text='The list page\'s URL name, e.g. "incidents:incident_list".'
    )
    name = serializers.CharField(max_length=NAME_MAX_LENGTH * 2)
    query = serializers.CharField(
        max_length=QUERY_MAX_LENGTH * 2,
        required=False,
        allow_blank=True,
        help_text="Filter and sort parameters; anything the list does not know is dropped.",
    )
    sharing = serializers.ChoiceField(choices=SavedFilterSharing.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    owner: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    mine = serializers.SerializerMethodField()
    url = serializers.CharField(read_only=True, help_text="The list page with the filter applied.")

    class Meta:
        model = SavedFilter
        fields = [
            "id",
            "list_key",
            "name",
            "query",
            "sharing",
            "team",
            "owner",
            "mine",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_mine(self, saved_filter: SavedFilter) -> bool:
        request = self.context.get("request")
        return request is not None and saved_filter.owner_id == request.user.pk

    def validate_list_key(self, value: str) -> str:
        if self.instance is not None and value != self.instance.list_key:
            raise serializers.ValidationError("A saved filter stays on its list.")
        return value


class SavedFilterViewSet(mixins.DestroyModelMixin, ServiceWriteViewSet):
    """Saved filters of list pages: yours and those shared with you; only yours change."""

    policy_target = SavedFilter
    policy_actions = {"destroy": "change"}
    queryset = SavedFilter.objects.select_related("owner", "team")
    serializer_class = SavedFilterSerializer
    ordering = "id"

    def get_queryset(self) -> QuerySet[SavedFilter]:
        queryset = super().get_queryset()
        list_key = self.request.query_params.get("list_key")
        return queryset.filter(list_key=list_key) if list_key else queryset

    def create_service(self, data: dict[str, Any]) -> SavedFilter:
        return saved_filter_create(
            actor=acting_user(self.request),
            list_key=data["list_key"],
            name=data["name"],
            query=data.get("query", ""),
            sharing=data.get("sharing", SavedFilterSharing.PRIVATE),
            team=data.get("team"),
        )

    def update_service(self, instance: SavedFilter, data: dict[str, Any]) -> SavedFilter:
        return saved_filter_update(
            saved_filter=instance,
            actor=acting_user(self.request),
            name=data.get("name"),
            query=data.get("query"),
            sharing=data.get("sharing"),
            team=data.get("team"),
        )

    def perform_destroy(self, instance: SavedFilter) -> None:
        saved_filter_delete(saved_filter=instance, actor=acting_user(self.request))
