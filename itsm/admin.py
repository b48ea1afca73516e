"""Admin of people, teams and departments: administrators give roles by adding users to role groups."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "display_name", "email", "department", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "department"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Work"), {"fields": ("display_name", "department", "job_title", "phone")}),
        (_("Preferences"), {"fields": ("language", "time_zone", "theme")}),
    )


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "department", "lead", "is_active"]
    list_filter = ["is_active", "department"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "head"]
    search_fields = ["name", "code"]
