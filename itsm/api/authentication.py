"""API authentication: DRF's token scheme, with the caller's preferences applied as for a session."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication

from ..preferences import activate_preferences


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``. The session middleware cannot know a token's user, so once the
    token names them their time zone and language apply here: report days, dates and messages of a
    token caller are theirs, as they are on their pages."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            activate_preferences(request._request, result[0])
        return result
