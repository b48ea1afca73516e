"""Alert ingest endpoints and the integrations API.

``POST /api/v1/integrations/events/`` (PagerDuty Events API v2) and ``POST
/api/v1/integrations/alertmanager/`` (Alertmanager webhook, version 4) are plain Django views, not DRF:
they answer in the senders' own shapes, authenticate each request by its integration key (so the URL
policy is ``public``), and do the least a request must: parse, one cached key lookup, one cache
increment for the rate limit, one statement (a batch: one per 500 keys, in one transaction), commit,
answer. The follow-up (incidents, notes, notifications) runs from the committed rows.

Failures never leak a traceback: bad JSON, wrong types or missing fields → 400 naming each field; an
unknown, malformed or disabled key → the same 401 whatever the reason; too large → 413; wrong content
type → 415; over the integration's rate → 429 with ``Retry-After``; the database unreachable → 503.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from incidents import alert_services, alerts
from incidents.alert_models import Alert, Integration
from itsm.api.viewsets import PolicyReadOnlyViewSet, ServiceWriteViewSet
from itsm.ui.views import acting_user, public

from .alert_serializers import AlertSerializer, IntegrationSerializer, parse_alertmanager, parse_event

logger = logging.getLogger(__name__)

# PagerDuty's own limit for one event; a batch may be as large as the site-wide request limit.
EVENT_MAX_BYTES = 512 * 1024
JSON_TYPES = ("application/json",)


def _answer(
    status_code: int, status_text: str, message: str, errors: list[Any] | None = None, **extra: Any
) -> JsonResponse:
    body: dict[str, Any] = {"status": status_text, "message": message}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return JsonResponse(body, status=status_code)


def _invalid(message: str, errors: list[Any], status_code: int = 400) -> JsonResponse:
    return _answer(status_code, "invalid event", message, errors)


def _read_json(request: HttpRequest, limit: int) -> tuple[Any, JsonResponse | None]:
    """The parsed body, or the 4xx answer for a wrong content type, an oversize or invalid body."""
    if request.content_type not in JSON_TYPES:
        return None, _invalid(
            _("Unsupported content type."),
            [_("Send the event as Content-Type: application/json.")],
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_large = _invalid(
        _("The request body is too large."),
        [_("The body may be at most %(limit)s bytes.") % {"limit": limit}],
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )
    if length > limit:
        return None, too_large
    try:
        raw = request.body
    except RequestDataTooBig:
        return None, too_large
    if len(raw) > limit:
        return None, too_large
    try:
        return json.loads(raw), None
    except (ValueError, RecursionError):
        return None, _invalid(_("Event object is invalid"), [_("The body is not valid JSON.")])


def _unavailable() -> JsonResponse:
    logger.exception("alert ingest: database unavailable")
    response = _answer(503, "unavailable", _("The service is temporarily unavailable; retry later."), [])
    response["Retry-After"] = "30"
    return response


def _throttled(retry_after: int) -> JsonResponse:
    response = _answer(
        429,
        "throttled",
        _("Events for this integration arrive faster than its rate limit; retry later."),
        [],
    )
    response["Retry-After"] = str(retry_after)
    return response


@public
@csrf_exempt
@require_POST
def events(request: HttpRequest) -> JsonResponse:
    """PagerDuty Events API v2: trigger, acknowledge or resolve one alert."""
    body, refused = _read_json(request, EVENT_MAX_BYTES)
    if refused is not None:
        return refused
    try:
        routing_key, event, errors = parse_event(body)
    except (TypeError, ValueError, AttributeError):  # a shape the checks missed: still the sender's fault
        logger.warning("alert ingest: unparsed event", exc_info=True)
        return _invalid(_("Event object is invalid"), [_("The event could not be read.")])
    if errors or event is None:
        return _invalid(_("Event object is invalid"), errors)
    try:
        config = alerts.integration_for_key(routing_key)
        if config is None:
            return _invalid(
                _("Invalid routing key"),
                [_("routing_key is not the key of an enabled integration.")],
                status.HTTP_401_UNAUTHORIZED,
            )
        wait = alerts.rate_limit_take(config)
        if wait is not None:
            return _throttled(wait)
        alert_services.event_ingest(config=config, event=event)
    except DatabaseError:
        return _unavailable()
    return _answer(202, "success", "Event processed", dedup_key=event.dedup_key)


def _bearer(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, credentials = header.partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


@public
@csrf_exempt
@require_POST
def alertmanager(request: HttpRequest) -> JsonResponse:
    """Alertmanager webhook (version 4), authenticated with ``Authorization: Bearer <integration key>``:
    each alert deduplicated by its fingerprint, firing → trigger, resolved → resolve."""
    key = _bearer(request)
    try:
        config = alerts.integration_for_key(key) if key else None
    except DatabaseError:
        return _unavailable()
    if config is None:
        response = _answer(
            401, "unauthorized", _("Send the integration key as Authorization: Bearer <key>."), []
        )
        response["WWW-Authenticate"] = 'Bearer realm="alert ingest"'
        return response
    body, refused = _read_json(request, settings.ITSM_MAX_REQUEST_BYTES)
    if refused is not None:
        return refused
    try:
        events_with_index, item_errors, errors = parse_alertmanager(body)
    except (TypeError, ValueError, AttributeError):  # a shape the checks missed: still the sender's fault
        logger.warning("alert ingest: unparsed notification", exc_info=True)
        return _invalid(_("The notification is invalid."), [_("The notification could not be read.")])
    if errors:
        return _invalid(_("The notification is invalid."), errors)
    if not events_with_index and item_errors:
        return _invalid(_("No alert in the notification is valid."), item_errors)
    try:
        wait = alerts.rate_limit_take(config, max(1, len(events_with_index)))
        if wait is not None:
            return _throttled(wait)
        result = alert_services.events_ingest(config=config, events=[e for _i, e in events_with_index])
    except DatabaseError:
        return _unavailable()
    return _answer(
        202,
        "success",
        "Alerts processed",
        item_errors,
        accepted=len(events_with_index),
        opened=len(result.opened),
        alerts=[{"index": i, "dedup_key": e.dedup_key, "action": e.action} for i, e in events_with_index],
    )


# Integrations API -----------------------------------------------------------------------------------


class IntegrationViewSet(ServiceWriteViewSet):
    """Monitoring integrations. The key is in the answer to ``POST`` (create) and to ``…/rotate/``
    only: it is stored hashed and can never be read again."""

    policy_target = Integration
    queryset = alerts.integration_list()
    serializer_class = IntegrationSerializer
    ordering = "name"
    filterset_fields = ["enabled", "service"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        integration, key = alert_services.integration_create(
            actor=acting_user(request), data=dict(serializer.validated_data)
        )
        data = self.get_serializer(integration).data
        return Response({**data, "key": key}, status=status.HTTP_201_CREATED)

    def update_service(self, instance: Integration, data: dict[str, Any]) -> Integration:
        return alert_services.integration_update(
            integration=instance, actor=acting_user(self.request), data=data
        )

    @extend_schema(request=None, responses={200: IntegrationSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request: Request, pk: Any = None) -> Response:
        """Give the integration a new key (returned once); the old key stops working at once."""
        integration = self.get_object()
        key = alert_services.integration_rotate_key(integration=integration, actor=acting_user(request))
        return Response({**self.get_serializer(integration).data, "key": key})

    @extend_schema(request=None, responses={202: AlertSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: Any = None) -> Response:
        """Send a test event through the ingest path (it opens an incident of the ``info`` mapping)."""
        integration = self.get_object()
        alert = alert_services.integration_send_test_event(
            integration=integration, actor=acting_user(request)
        )
        return Response(AlertSerializer(alert).data, status=status.HTTP_202_ACCEPTED)


class AlertViewSet(PolicyReadOnlyViewSet):
    """Alerts as received (read only): filter by ``incident``, ``integration`` or ``status``."""

    policy_target = Alert
    queryset = alerts.alert_list()
    serializer_class = AlertSerializer
    ordering = "-id"
    filterset_fields = ["incident", "storm_incident", "integration", "status"]
