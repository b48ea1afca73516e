"""Context every page needs: the navigation the user may see and the shell's settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .notifications import unread_count
from .ui.registry import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "nav_groups": registry.nav_for(user) if signed_in else [],
        "unread_notifications": unread_count(user) if signed_in else 0,
        "LANGUAGES": settings.LANGUAGES,
        "ITSM_DEBUG": settings.DEBUG,
    }
