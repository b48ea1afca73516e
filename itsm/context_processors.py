"""Context every page needs: the navigation the user may see and the shell's settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .ui.registry import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav = registry.nav_for(user) if user is not None and user.is_authenticated else []
    return {"nav_groups": nav, "LANGUAGES": settings.LANGUAGES, "ITSM_DEBUG": settings.DEBUG}
