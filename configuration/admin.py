"""Admin registrations of configuration management (read-only: writes go through the services)."""

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CIType, ConfigurationItem, RelationshipType


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CIType)
class CITypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "change_controlled", "is_active"]
    search_fields = ["code", "name"]


@admin.register(RelationshipType)
class RelationshipTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "inverse_name", "acyclic", "propagates_impact", "impact_direction"]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(ReadOnlyAdmin):
    list_display = ["reference", "name", "ci_type", "state", "importance"]
    list_filter = ["state", "importance", "ci_type"]
    search_fields = ["reference", "name"]
    list_select_related = ["ci_type"]
