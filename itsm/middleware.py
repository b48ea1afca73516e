"""Cross-cutting middleware: request-size limit and the signed-in user's time zone and language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .api.errors import error_response, is_api_request
from .preferences import activate_preferences

MULTIPART_ALLOWANCE = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than ``ITSM_MAX_REQUEST_BYTES`` before anything reads them (413); file
    uploads may be as large as ``ITSM_ATTACHMENT_MAX_BYTES`` plus 1 MiB for the rest of the form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.ITSM_MAX_REQUEST_BYTES
        if request.content_type == "multipart/form-data":
            # A file upload may carry an attachment of the allowed size plus the form around it.
            limit = max(limit, settings.ITSM_ATTACHMENT_MAX_BYTES + MULTIPART_ALLOWANCE)
        if length > limit:
            message = _("The request body is larger than the limit of %(limit)s bytes.") % {"limit": limit}
            if is_api_request(request):
                return error_response(413, "request_too_large", message)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Render dates in the user's time zone and pages in the user's chosen language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        previous_language = translation.get_language()
        if user is not None and user.is_authenticated:
            activate_preferences(request, user)
        try:
            return self.get_response(request)
        finally:
            # Nothing of this request's user may leak into the next one served by this thread.
            timezone.deactivate()
            if previous_language:
                translation.activate(previous_language)
            else:
                translation.deactivate()
