"""Wire formats of alert ingest (plain functions: a few microseconds per event) and the serializers of
the integrations API.

``parse_event`` reads a PagerDuty Events API v2 body; ``parse_alertmanager`` an Alertmanager webhook
body (version 4). Both return normalised ``Event`` objects or the list of what is wrong, naming each bad
field the way the sender wrote it (``payload.severity``, ``alerts[3].labels``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, TypeGuard

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from incidents.alert_choices import AlertSource, Severity
from incidents.alert_models import DEFAULT_SEVERITY_MAP, Alert, Integration, severity_map_errors
from incidents.alert_services import ACKNOWLEDGE, ACTIONS, RESOLVE, TRIGGER, Event

MAX_DEDUP_KEY = 255
MAX_SUMMARY = 1024
MAX_FIELD = 255
MAX_BATCH = 5000
SEVERITIES = set(Severity.values)
# Alertmanager's severity label as people write it → the four PagerDuty levels.
LABEL_SEVERITY = {
    "critical": Severity.CRITICAL,
    "crit": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "fatal": Severity.CRITICAL,
    "emergency": Severity.CRITICAL,
    "high": Severity.ERROR,
    "error": Severity.ERROR,
    "err": Severity.ERROR,
    "major": Severity.ERROR,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "medium": Severity.WARNING,
    "minor": Severity.WARNING,
    "info": Severity.INFO,
    "informational": Severity.INFO,
    "low": Severity.INFO,
    "none": Severity.INFO,
}


def _string(
    data: dict[str, Any],
    name: str,
    errors: list[str],
    *,
    label: str,
    required: bool = False,
    max_length: int = MAX_FIELD,
) -> str:
    value = data.get(name)
    if value is None:
        if required:
            errors.append(_("%(field)s is required.") % {"field": label})
        return ""
    if not isinstance(value, str):
        errors.append(_("%(field)s must be a string.") % {"field": label})
        return ""
    if required and not value.strip():
        errors.append(_("%(field)s must not be empty.") % {"field": label})
    if len(value) > max_length:
        errors.append(_("%(field)s is longer than %(max)s characters.") % {"field": label, "max": max_length})
        return ""
    return value


def parse_event(body: Any) -> tuple[str, Event | None, list[str]]:
    """(routing key, event, errors) of a PagerDuty Events API v2 body."""
    if not isinstance(body, dict):
        return "", None, [_("The body must be a JSON object.")]
    errors: list[str] = []
    routing_key = _string(body, "routing_key", errors, label="routing_key", required=True, max_length=255)
    action = body.get("event_action")
    if action is None:
        errors.append(_("%(field)s is required.") % {"field": "event_action"})
    elif action not in ACTIONS:
        errors.append(
            _("event_action must be one of %(choices)s.") % {"choices": "trigger, acknowledge, resolve"}
        )
    dedup_key = _string(body, "dedup_key", errors, label="dedup_key", max_length=MAX_DEDUP_KEY)
    if action in (ACKNOWLEDGE, RESOLVE) and not dedup_key and isinstance(body.get("dedup_key", ""), str):
        errors.append(_("dedup_key is required for acknowledge and resolve events."))
    for name in ("client", "client_url"):
        _string(body, name, errors, label=name, max_length=2048)
    for name, required_key in (("links", "href"), ("images", "src")):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(
            isinstance(item, dict) and isinstance(item.get(required_key), str) for item in value
        ):
            errors.append(
                _("%(field)s must be a list of objects, each with a string %(key)s.")
                % {"field": name, "key": required_key}
            )
    event = Event(action=action or "", dedup_key=dedup_key, source_format=AlertSource.EVENTS_V2)
    if action == TRIGGER:
        payload = body.get("payload")
        if not isinstance(payload, dict):
            errors.append(
                _("payload is required and must be an object.")
                if payload is None
                else _("payload must be an object.")
            )
        else:
            event.summary = _string(
                payload, "summary", errors, label="payload.summary", required=True, max_length=MAX_SUMMARY
            )
            event.source = _string(payload, "source", errors, label="payload.source", required=True)
            severity = payload.get("severity")
            if severity is None:
                errors.append(_("%(field)s is required.") % {"field": "payload.severity"})
            elif not isinstance(severity, str) or severity not in SEVERITIES:
                errors.append(
                    _("payload.severity must be one of %(choices)s.")
                    % {"choices": "critical, error, warning, info"}
                )
            else:
                event.severity = severity
            event.component = _string(payload, "component", errors, label="payload.component")
            event.group_name = _string(payload, "group", errors, label="payload.group")
            event.event_class = _string(payload, "class", errors, label="payload.class")
            timestamp = payload.get("timestamp")
            if timestamp is not None and (not isinstance(timestamp, str) or _datetime(timestamp) is None):
                errors.append(_("payload.timestamp must be an ISO 8601 date and time."))
            details = payload.get("custom_details")
            if details is not None and not isinstance(details, (dict, list, str, int, float, bool)):
                errors.append(_("payload.custom_details must be a JSON value."))
    if errors:
        return routing_key, None, errors
    if not event.dedup_key:
        event.dedup_key = uuid.uuid4().hex  # PagerDuty: a trigger without a key always opens a new alert
    # The routing key is the secret: it is never stored with the alert.
    event.payload = {k: v for k, v in body.items() if k != "routing_key"}
    return routing_key, event, []


def _datetime(value: str) -> Any:
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _labels(value: Any) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def fingerprint_of(labels: dict[str, str]) -> str:
    """A stable key for an alert without Alertmanager's ``fingerprint``: a hash of its sorted labels."""
    text = json.dumps(sorted(labels.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_alertmanager(body: Any) -> tuple[list[tuple[int, Event]], list[dict[str, Any]], list[str]]:
    """(events with their index, per-alert errors, errors of the whole body) of an Alertmanager
    webhook body. A bad alert is reported by its index and fingerprint; the others still count."""
    if not isinstance(body, dict):
        return [], [], [_("The body must be a JSON object.")]
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        return [], [], [_("alerts is required and must be a list.")]
    if len(alerts) > MAX_BATCH:
        return [], [], [_("A notification may carry at most %(max)s alerts.") % {"max": MAX_BATCH}]
    head_errors: list[str] = []
    for name in ("receiver", "status", "groupKey", "externalURL", "version"):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            head_errors.append(_("%(field)s must be a string.") % {"field": name})
    common_labels: dict[str, str] = body["commonLabels"] if _labels(body.get("commonLabels")) else {}
    common_annotations: dict[str, str] = (
        body["commonAnnotations"] if _labels(body.get("commonAnnotations")) else {}
    )
    events: list[tuple[int, Event]] = []
    item_errors: list[dict[str, Any]] = []
    for index, alert in enumerate(alerts):
        errors: list[str] = []
        where = f"alerts[{index}]"
        if not isinstance(alert, dict):
            item_errors.append(
                {"index": index, "errors": [_("%(field)s must be an object.") % {"field": where}]}
            )
            continue
        status = alert.get("status")
        if status not in ("firing", "resolved"):
            errors.append(_("%(field)s.status must be firing or resolved.") % {"field": where})
        raw_labels = alert.get("labels")
        labels: dict[str, str] = raw_labels if _labels(raw_labels) else {}
        if not _labels(raw_labels):
            errors.append(_("%(field)s.labels must be an object of strings.") % {"field": where})
        annotations = alert.get("annotations", {})
        if annotations is None:
            annotations = {}
        if not _labels(annotations):
            errors.append(_("%(field)s.annotations must be an object of strings.") % {"field": where})
            annotations = {}
        fingerprint = alert.get("fingerprint")
        if fingerprint is not None and (
            not isinstance(fingerprint, str) or not fingerprint or len(fingerprint) > MAX_DEDUP_KEY
        ):
            errors.append(
                _("%(field)s.fingerprint must be a string of 1 to 255 characters.") % {"field": where}
            )
        for name in ("startsAt", "endsAt"):
            value = alert.get(name)
            if value is not None and (not isinstance(value, str) or _datetime(value) is None):
                errors.append(
                    _("%(field)s.%(name)s must be an RFC 3339 time.") % {"field": where, "name": name}
                )
        url = alert.get("generatorURL")
        if url is not None and not isinstance(url, str):
            errors.append(_("%(field)s.generatorURL must be a string.") % {"field": where})
        if errors:
            item_errors.append(
                {
                    "index": index,
                    "fingerprint": fingerprint if isinstance(fingerprint, str) else None,
                    "errors": errors,
                }
            )
            continue
        merged_labels = {**common_labels, **labels}
        merged_annotations = {**common_annotations, **annotations}
        key = fingerprint or fingerprint_of(merged_labels)
        name = merged_labels.get("alertname", "")
        summary = (
            merged_annotations.get("summary")
            or merged_annotations.get("description")
            or merged_annotations.get("message")
            or name
            or key
        )
        severity = LABEL_SEVERITY.get(merged_labels.get("severity", "").strip().lower(), Severity.WARNING)
        events.append(
            (
                index,
                Event(
                    action=TRIGGER if status == "firing" else RESOLVE,
                    dedup_key=key,
                    summary=summary[:MAX_SUMMARY],
                    source=(
                        merged_labels.get("instance")
                        or merged_labels.get("job")
                        or body.get("receiver")
                        or ""
                    )[:MAX_FIELD],
                    severity=severity,
                    component=(merged_labels.get("job") or "")[:MAX_FIELD],
                    group_name=(body.get("groupKey") or "")[:MAX_FIELD]
                    if isinstance(body.get("groupKey"), str)
                    else "",
                    event_class=name[:MAX_FIELD],
                    source_format=AlertSource.ALERTMANAGER,
                    payload={
                        "labels": labels,
                        "annotations": annotations,
                        "startsAt": alert.get("startsAt"),
                        "endsAt": alert.get("endsAt"),
                        "generatorURL": url,
                        "fingerprint": key,
                        "receiver": body.get("receiver"),
                        "externalURL": body.get("externalURL"),
                    },
                ),
            )
        )
    if head_errors:
        return [], [], head_errors
    return events, item_errors, []


# Integrations API ------------------------------------------------------------------------------------


class IntegrationSerializer(serializers.ModelSerializer):
    """An integration as the API shows it (never its key: only the 8-character prefix)."""

    url = serializers.SerializerMethodField()
    severity_map = serializers.JSONField(required=False)

    class Meta:
        model = Integration
        fields = [
            "id",
            "url",
            "name",
            "description",
            "enabled",
            "key_prefix",
            "key_created_at",
            "service",
            "configuration_item",
            "category",
            "assignment_team",
            "severity_map",
            "auto_resolve",
            "storm_threshold",
            "storm_window_minutes",
            "rate_limit_per_minute",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["key_prefix", "key_created_at", "created_at", "updated_at"]

    def get_url(self, obj: Integration) -> str:
        return obj.get_absolute_url()

    def validate_severity_map(self, value: Any) -> Any:
        errors = severity_map_errors(value)
        if errors:
            raise serializers.ValidationError(errors)
        return {**{k: dict(v) for k, v in DEFAULT_SEVERITY_MAP.items()}, **value}


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = [
            "id",
            "integration",
            "dedup_key",
            "status",
            "summary",
            "source",
            "severity",
            "component",
            "group_name",
            "event_class",
            "occurrences",
            "first_seen_at",
            "last_seen_at",
            "acknowledged_at",
            "resolved_at",
            "incident",
            "storm_incident",
            "source_format",
            "payload",
        ]
        read_only_fields = fields
