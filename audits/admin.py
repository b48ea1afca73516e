"""Admin registrations of audits and improvement."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Objective


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "target", "unit", "owner", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
