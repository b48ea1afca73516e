"""One JSON error shape for every API failure.

``{"status": 404, "code": "not_found", "message": "…", "fields": {}}`` — ``fields`` maps input field
names to lists of messages for validation errors and is empty otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(
    status_code: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"status": status_code, "code": code, "message": message, "fields": fields or {}}


def error_response(
    status_code: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(status_code, code, message, fields), status=status_code)


def _flatten(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        return [_messages(item) for item in value]
    return [str(value)]


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("This record changed since you loaded it; reload and try again.")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = gettext_lazy("The request body is too large.")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, extended to domain exceptions, with every body in the one shape."""
    if isinstance(exc, ConcurrentTransition):
        exc = Conflict()
    elif isinstance(exc, TransitionNotAllowed):
        exc = exceptions.ValidationError(
            {"non_field_errors": [_("This action is not allowed in the record's current state.")]}
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(_("The request could not be processed."))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            400, "validation_error", _("The input is not valid."), _flatten(exc.detail)
        )
        return response

    detail = getattr(exc, "detail", None)
    if isinstance(exc, Http404):
        code, message = "not_found", _("Not found.")
    elif isinstance(exc, PermissionDenied):
        code, message = "permission_denied", _("You do not have permission to perform this action.")
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        message = str(detail) if detail is not None else str(exc.default_detail)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response["Retry-After"] = str(max(1, int(wait + 0.999)))
    else:
        code, message = "error", str(exc)
    response.data = error_body(response.status_code, str(code), message)
    return response


def api_not_found(request: HttpRequest) -> JsonResponse:
    return error_response(404, "not_found", _("Not found."))


def api_server_error(request: HttpRequest) -> JsonResponse:
    return error_response(
        500, "server_error", _("The server failed to process the request; it has been logged.")
    )


def api_csrf_failure(request: HttpRequest) -> JsonResponse:
    return error_response(403, "csrf_failed", _("CSRF verification failed."))
