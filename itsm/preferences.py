"""A signed-in user's time zone and language for the request being served."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation


def activate_preferences(request: HttpRequest, user: Any) -> None:
    """The user's time zone and language for the rest of the request (``UserPreferencesMiddleware``
    resets both when the response is done). Called by that middleware for sessions and by the API's
    token authentication, which knows the user only once the view runs."""
    if user.time_zone:
        try:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
    if user.language and user.language != getattr(request, "LANGUAGE_CODE", None):
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
