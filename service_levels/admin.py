"""Admin registrations of service level management.

Read only: every write goes through the services (history with actor and reason, validation with
sentences, immutable calendar versions, the agreement lifecycle), which the pages and the API call.
The admin is for looking things up, including each row's history.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    AgreementTarget,
    BusinessCalendar,
    CalendarVersion,
    Contact,
    Customer,
    Service,
    ServiceComponent,
    ServiceDependency,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ComponentInline(admin.TabularInline):
    model = ServiceComponent
    extra = 0
    can_delete = False
    fields = ["name", "team", "description"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "status", "owner", "team", "service_hours"]
    list_filter = ["status", "kind", "team"]
    search_fields = ["code", "name"]
    inlines = [ComponentInline]


@admin.register(ServiceDependency)
class ServiceDependencyAdmin(ReadOnlyAdmin):
    list_display = ["service", "depends_on", "component", "kind"]
    list_filter = ["kind"]


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "is_internal", "relationship_owner", "is_active"]
    list_filter = ["is_internal", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["name", "customer", "email", "phone", "is_primary"]
    search_fields = ["name", "email"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(CalendarVersion)
class CalendarVersionAdmin(ReadOnlyAdmin):
    list_display = ["calendar", "number", "valid_from", "time_zone", "always_open", "holiday_country"]
    list_filter = ["calendar"]


class TargetInline(admin.TabularInline):
    model = AgreementTarget
    extra = 0
    can_delete = False
    fields = ["priority", "respond_minutes", "resolve_minutes"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "title",
        "kind",
        "state",
        "customer",
        "team",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["reference", "title"]
    inlines = [TargetInline]
