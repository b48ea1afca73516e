"""Writes of monitoring-alert ingest: integrations (create, edit, rotate the key, send a test event),
ingest of events, and the follow-up that turns committed alerts into incidents.

Ingest is the hot path and does as little as the guarantees allow:

* a trigger is ONE statement, ``INSERT … ON CONFLICT (open_dedup_key) DO UPDATE SET occurrences =
  occurrences + EXCLUDED.occurrences``: the first trigger for a key opens the alert, a repeat only counts
  (no history row, no incident, no read before the write). The database's UNIQUE constraint, not a
  check in Python, decides which of many concurrent identical triggers opens it;
* a batch (Alertmanager) is pre-aggregated per key and written with one such statement per 500 keys,
  plus one UPDATE for its resolved alerts, in one transaction;
* acknowledge and resolve are one conditional UPDATE each (unknown or already resolved keys are dropped,
  as PagerDuty does); resolve clears ``open_dedup_key``, so the next trigger opens a new alert.

The caller answers 202 only after that commit. Everything else (open the classified incident through
the incident services, attach to a storm's parent, note an acknowledgement, apply the recovery policy,
notify) runs from the committed rows in ``alerts_process``: right after commit through a Celery task,
and every minute from the periodic sweep, which also picks up what a lost task or a dead worker left.
"""

from __future__ import annotations

import datetime
import json
import logging
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from itsm.choices import NoteKind
from itsm.history import save_with_history, update_audited, validate
from itsm.models import User
from itsm.notifications import notify
from itsm.policy import policy
from service_levels.models import Service

from . import selectors
from . import services as incident_services
from .alert_choices import AlertSource, AlertStatus, AutoResolve, Severity
from .alert_models import Alert, AlertStorm, Integration
from .alerts import (
    PREFIX_LENGTH,
    IntegrationConfig,
    forget_key,
    generate_key,
    hash_key,
)
from .choices import OPEN_INCIDENT_STATES, Channel, IncidentState, ResolutionCode
from .models import Incident

logger = logging.getLogger(__name__)

TRIGGER, ACKNOWLEDGE, RESOLVE = "trigger", "acknowledge", "resolve"
ACTIONS = (TRIGGER, ACKNOWLEDGE, RESOLVE)
UPSERT_CHUNK = 500
MAX_PROCESS_ATTEMPTS = 5
# What the integration's account may do: log, classify, assign and resolve incidents, and note them.
ACCOUNT_PERMISSIONS = (
    ("incidents", "add_incident"),
    ("incidents", "change_incident"),
    ("incidents", "resolve_incident"),
    ("itsm", "access_incidents"),
)

# Integrations ----------------------------------------------------------------------------------------

INTEGRATION_FIELDS = (
    "name",
    "description",
    "enabled",
    "service",
    "configuration_item",
    "category",
    "assignment_team",
    "severity_map",
    "auto_resolve",
    "storm_threshold",
    "storm_window_minutes",
    "rate_limit_per_minute",
)


def _new_key() -> tuple[str, str, str]:
    """A key whose lookup prefix no integration uses yet: (key, prefix, hash)."""
    while True:
        key = generate_key()
        prefix = key[:PREFIX_LENGTH]
        if not Integration.objects.filter(key_prefix=prefix).exists():
            return key, prefix, hash_key(key)


def _account_for(name: str, *, actor: Any) -> User:
    """The account an integration acts as: it cannot sign in (no usable password, no token) and holds
    exactly the incident permissions ingest needs, outside any role."""
    account = User(
        username=f"integration-{secrets.token_hex(6)}",
        display_name=_("Monitoring: %(name)s") % {"name": name},
        is_active=True,
    )
    account.set_unusable_password()
    save_with_history(account, actor=actor, reason="integration_account")
    permissions = Permission.objects.filter(
        Q(
            content_type__app_label="incidents",
            codename__in=[c for a, c in ACCOUNT_PERMISSIONS if a == "incidents"],
        )
        | Q(content_type__app_label="itsm", codename__in=[c for a, c in ACCOUNT_PERMISSIONS if a == "itsm"])
    )
    account.user_permissions.set(permissions)
    return account


@transaction.atomic
def integration_create(*, actor: User, data: dict[str, Any]) -> tuple[Integration, str]:
    """Create an integration and its key. The key is returned here once and never again: only its
    SHA-256 and its first 8 characters are stored."""
    policy.require(actor, "add", Integration)
    values = {k: v for k, v in data.items() if k in INTEGRATION_FIELDS}
    key, prefix, digest = _new_key()
    integration = Integration(
        **values,
        key_prefix=prefix,
        key_hash=digest,
        key_created_at=timezone.now(),
        created_by=actor,
        updated_by=actor,
    )
    if not integration.name:
        raise ValidationError({"name": _("Name the integration.")})
    integration.actor = _account_for(integration.name, actor=actor)
    validate(integration)
    save_with_history(integration, actor=actor, reason="create")
    return integration, key


@transaction.atomic
def integration_update(*, integration: Integration, actor: User, data: dict[str, Any]) -> Integration:
    """Edit an integration (history keeps the earlier values); ingest sees the change at once."""
    values = {k: v for k, v in data.items() if k in INTEGRATION_FIELDS}
    values["updated_by"] = actor
    values["updated_at"] = timezone.now()
    stored = Integration.objects.get(pk=integration.pk)
    changed = any(getattr(stored, k) != v for k, v in values.items() if k not in ("updated_by", "updated_at"))
    if not changed:
        policy.require(actor, "change", integration)
        return integration
    update_audited(integration, actor=actor, data=values)
    if "name" in values and stored.name != integration.name:
        account = User.objects.get(pk=integration.actor_id)
        account.display_name = _("Monitoring: %(name)s") % {"name": integration.name}
        save_with_history(account, actor=actor, reason="integration_account")
    _forget(integration.key_hash)
    return integration


@transaction.atomic
def integration_rotate_key(*, integration: Integration, actor: User) -> str:
    """Give the integration a new key; the old one stops working at once. Returns the new key (once)."""
    policy.require(actor, "rotate", integration)
    old = integration.key_hash
    key, prefix, digest = _new_key()
    integration.key_prefix = prefix
    integration.key_hash = digest
    integration.key_created_at = timezone.now()
    integration.updated_by = actor
    integration.updated_at = integration.key_created_at
    save_with_history(integration, actor=actor, reason="rotate_key")
    _forget(old)
    return key


def _forget(key_hash: str) -> None:
    """Drop the cached lookup now and again after commit (a request in between may re-cache the old
    state); other processes with their own cache see the change within ``alerts.CACHE_SECONDS``."""
    forget_key(key_hash)
    transaction.on_commit(lambda: forget_key(key_hash))


def config_of(integration: Integration) -> IntegrationConfig:
    return IntegrationConfig(
        id=integration.pk,
        service_id=integration.service_id,
        enabled=integration.enabled,
        rate_limit_per_minute=integration.rate_limit_per_minute,
    )


def integration_send_test_event(*, integration: Integration, actor: User) -> Alert:
    """Send a test trigger through the same ingest path a monitoring tool uses (it opens an incident of
    the integration's ``info`` severity, which the person then resolves)."""
    policy.require(actor, "test", integration)
    if not integration.enabled:
        raise ValidationError(_("The integration is disabled; enable it to send a test event."))
    key = f"test-{uuid.uuid4().hex}"
    event = Event(
        action=TRIGGER,
        dedup_key=key,
        summary=_("Test event from %(integration)s, sent by %(person)s")
        % {"integration": integration.name, "person": actor},
        source="itsm",
        severity=Severity.INFO,
        source_format=AlertSource.TEST,
        payload={"event_action": TRIGGER, "dedup_key": key, "sent_by": actor.username},
    )
    events_ingest(config=config_of(integration), events=[event])
    return Alert.objects.get(integration=integration, dedup_key=key)


# Ingest ---------------------------------------------------------------------------------------------


@dataclass
class Event:
    """One event, already validated and normalised from PagerDuty's or Alertmanager's format."""

    action: str
    dedup_key: str
    summary: str = ""
    source: str = ""
    severity: str = Severity.WARNING
    component: str = ""
    group_name: str = ""
    event_class: str = ""
    source_format: str = AlertSource.EVENTS_V2
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class IngestResult:
    """What one ingest did: ids of alerts opened, of alerts acknowledged or resolved, and repeats."""

    opened: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    repeated: int = 0


def open_key(integration_id: int, dedup_key: str) -> str:
    return f"{integration_id}:{dedup_key}"


_COLUMNS = (
    "integration_id",
    "service_id",
    "source_format",
    "dedup_key",
    "open_dedup_key",
    "status",
    "summary",
    "source",
    "severity",
    "component",
    "group_name",
    "event_class",
    "payload",
    "occurrences",
    "first_seen_at",
    "last_seen_at",
    "needs_processing",
    "process_attempts",
    "ack_noted",
    "resolution_applied",
)


def _upsert(
    config: IntegrationConfig, triggers: list[tuple[Event, int]], now: datetime.datetime
) -> IngestResult:
    """Open or count alerts: one ``INSERT … ON CONFLICT (open_dedup_key) DO UPDATE`` per chunk.

    A returned row whose count equals what this statement added was inserted by it (an existing alert
    already had at least one occurrence), which works the same on PostgreSQL and SQLite.
    """
    result = IngestResult()
    if not triggers:
        return result
    ops = connection.ops
    table = ops.quote_name(Alert._meta.db_table)
    at = ops.adapt_datetimefield_value(now)
    columns = ", ".join(ops.quote_name(c) for c in _COLUMNS)
    row_sql = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    occurrences = ops.quote_name("occurrences")
    last_seen = ops.quote_name("last_seen_at")
    # Same keys in the same order in every statement, so concurrent batches lock rows in one order.
    triggers = sorted(triggers, key=lambda item: item[0].dedup_key)
    for start in range(0, len(triggers), UPSERT_CHUNK):
        chunk = triggers[start : start + UPSERT_CHUNK]
        params: list[Any] = []
        added: dict[str, int] = {}
        for event, count in chunk:
            key = open_key(config.id, event.dedup_key)
            added[key] = count
            params.extend(
                (
                    config.id,
                    config.service_id,
                    event.source_format,
                    event.dedup_key,
                    key,
                    AlertStatus.TRIGGERED.value,
                    event.summary[:1024],
                    event.source[:255],
                    event.severity,
                    event.component[:255],
                    event.group_name[:255],
                    event.event_class[:255],
                    json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")),
                    count,
                    at,
                    at,
                    True,
                    0,
                    False,
                    False,
                )
            )
        # Identifiers are quoted by the backend and every value is a parameter.
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} "  # noqa: S608
            f"ON CONFLICT ({ops.quote_name('open_dedup_key')}) DO UPDATE SET "
            f"{occurrences} = {table}.{occurrences} + EXCLUDED.{occurrences}, "
            f"{last_seen} = EXCLUDED.{last_seen} "
            f"RETURNING {ops.quote_name('id')}, {ops.quote_name('open_dedup_key')}, {occurrences}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for pk, key, count in rows:
            if count == added.get(key):
                result.opened.append(pk)
            else:
                result.repeated += 1
    return result


def _set_status(config: IntegrationConfig, keys: list[str], status: str, now: datetime.datetime) -> list[int]:
    """Acknowledge or resolve the open alerts with these keys (one UPDATE); unknown keys are dropped."""
    if not keys:
        return []
    ops = connection.ops
    table = ops.quote_name(Alert._meta.db_table)
    at = ops.adapt_datetimefield_value(now)
    q = ops.quote_name
    marks = ", ".join(["%s"] * len(keys))
    params: list[Any] = [status, at, at, True]
    if status == AlertStatus.RESOLVED:
        assignments = f"{q('status')} = %s, {q('resolved_at')} = %s, {q('last_seen_at')} = %s, {q('needs_processing')} = %s, {q('open_dedup_key')} = NULL"
        condition = ""
    else:
        assignments = f"{q('status')} = %s, {q('acknowledged_at')} = %s, {q('last_seen_at')} = %s, {q('needs_processing')} = %s"
        condition = f" AND {q('status')} = %s"
    params.extend(open_key(config.id, key) for key in sorted(set(keys)))
    if condition:
        params.append(AlertStatus.TRIGGERED.value)
    sql = f"UPDATE {table} SET {assignments} WHERE {q('open_dedup_key')} IN ({marks}){condition} RETURNING {q('id')}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def event_ingest(*, config: IntegrationConfig, event: Event) -> IngestResult:
    """One event (PagerDuty Events API v2): one statement, committed on return (autocommit, or the
    caller's transaction). The follow-up is scheduled for after the commit."""
    now = timezone.now()
    result = IngestResult()
    if event.action == TRIGGER:
        result = _upsert(config, [(event, 1)], now)
    else:
        status = AlertStatus.ACKNOWLEDGED if event.action == ACKNOWLEDGE else AlertStatus.RESOLVED
        result.changed = _set_status(config, [event.dedup_key], status, now)
    schedule_processing([*result.opened, *result.changed])
    return result


@transaction.atomic
def events_ingest(*, config: IntegrationConfig, events: Iterable[Event]) -> IngestResult:
    """A batch (an Alertmanager notification): repeats of a key are added up first, then one upsert for
    the triggers and one UPDATE each for acknowledgements and resolutions, in one transaction."""
    now = timezone.now()
    triggers: dict[str, list[Any]] = {}
    acks: list[str] = []
    resolves: list[str] = []
    for event in events:
        if event.action == TRIGGER:
            if event.dedup_key in triggers:
                triggers[event.dedup_key][1] += 1
            else:
                triggers[event.dedup_key] = [event, 1]
        elif event.action == ACKNOWLEDGE:
            acks.append(event.dedup_key)
        else:
            resolves.append(event.dedup_key)
    result = _upsert(config, [(e, n) for e, n in triggers.values()], now)
    result.changed = _set_status(config, acks, AlertStatus.ACKNOWLEDGED, now) + _set_status(
        config, resolves, AlertStatus.RESOLVED, now
    )
    schedule_processing([*result.opened, *result.changed])
    return result


DISPATCH_KEY = "itsm:alerts:follow-up-queued"
DISPATCH_SECONDS = 1


def schedule_processing(alert_ids: list[int]) -> None:
    """After commit, make sure a worker will process the marked alerts. If the broker is down the rows
    stay marked and the periodic sweep processes them: nothing accepted depends on the broker."""
    if alert_ids:
        transaction.on_commit(_dispatch, robust=True)


def _dispatch() -> None:
    """Queue the follow-up task, at most once a second across all web processes (one cache ``add``):
    publishing a message per alert would cost more than the alert itself. The task takes every marked
    alert and clears the mark as it starts, so alerts committed while it runs queue a task of their own;
    the minute sweep is the backstop."""
    from .tasks import alerts_process_task

    if not cache.add(DISPATCH_KEY, 1, DISPATCH_SECONDS):
        return
    try:
        alerts_process_task.apply_async(retry=False)
    except Exception:  # broker down or a failing eager run: the sweep picks the rows up
        logger.warning("alert follow-up not queued; the sweep will do it")


def alerts_drain() -> int:
    """The follow-up task: process marked alerts until none is left (or only failing ones)."""
    cache.delete(DISPATCH_KEY)
    total = 0
    while True:
        done = alerts_process()
        total += done
        if not done:
            return total


# Follow-up: alerts → incidents --------------------------------------------------------------------------


def alerts_process(*, alert_ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Process alerts marked for follow-up (all of them, or these): open or attach the incident, note an
    acknowledgement, apply the recovery policy. Each alert in its own transaction under a row lock, so
    a retry, a second worker or the sweep never does the same work twice. Returns how many were done."""
    pending = Alert.objects.filter(needs_processing=True, process_attempts__lt=MAX_PROCESS_ATTEMPTS)
    if alert_ids is not None:
        pending = pending.filter(pk__in=list(alert_ids))
    done = 0
    for pk in list(pending.order_by("id").values_list("id", flat=True)[:limit]):
        try:
            with transaction.atomic():
                done += _process_one(pk)
        except Exception:
            logger.exception("alert follow-up failed; it will be retried", extra={"alert": pk})
            Alert.objects.filter(pk=pk).update(process_attempts=F("process_attempts") + 1)
    return done


def _process_one(pk: int) -> int:
    alert = Alert.objects.select_for_update().filter(pk=pk, needs_processing=True).first()
    if alert is None:
        return 0  # another worker did it
    integration = Integration.objects.select_related("service", "category", "assignment_team").get(
        pk=alert.integration_id
    )
    account = User.objects.get(pk=integration.actor_id)
    if alert.carrier_id is None:
        _open_or_attach(alert, integration, account)
    if alert.acknowledged_at is not None and not alert.ack_noted:
        _note_acknowledgement(alert, account)
        alert.ack_noted = True
    if alert.status == AlertStatus.RESOLVED and not alert.resolution_applied:
        _apply_recovery(alert, integration, account)
        alert.resolution_applied = True
    alert.needs_processing = False
    alert.save(
        update_fields=["incident", "storm_incident", "ack_noted", "resolution_applied", "needs_processing"]
    )
    return 1


def _open_or_attach(alert: Alert, integration: Integration, account: User) -> None:
    """A new alert opens a classified incident, unless its service is in an alert storm: then it
    attaches to the storm's parent incident. Serialised per service (row lock on the service)."""
    list(Service.objects.select_for_update().filter(pk=alert.service_id).only("pk"))
    now = timezone.now()
    window = datetime.timedelta(minutes=integration.storm_window_minutes)
    storm = (
        AlertStorm.objects.filter(service_id=alert.service_id, is_open=True)
        .select_related("incident")
        .first()
    )
    if storm is not None and (
        storm.last_alert_at < now - window or storm.incident.state not in OPEN_INCIDENT_STATES
    ):
        storm.is_open = False
        storm.ended_at = now
        storm.save(update_fields=["is_open", "ended_at"])
        storm = None
    if storm is None and integration.storm_threshold:
        recent = Alert.objects.filter(service_id=alert.service_id, first_seen_at__gte=now - window).count()
        if recent > integration.storm_threshold:
            storm = _start_storm(alert, integration, account, now=now, since=now - window)
    if storm is not None:
        alert.storm_incident_id = storm.incident_id
        storm.alert_count += 1
        storm.last_alert_at = now
        storm.save(update_fields=["alert_count", "last_alert_at"])
        return
    alert.incident = _open_incident(
        integration,
        account,
        title=alert.summary,
        description=_describe(alert, integration),
        severity=alert.severity,
    )


def _team_for(integration: Integration) -> Any:
    return (
        integration.assignment_team
        or (integration.category.default_team if integration.category_id else None)
        or integration.service.team
    )


def _open_incident(
    integration: Integration,
    account: User,
    *,
    title: str,
    description: str,
    severity: str,
    levels: tuple[int, int] | None = None,
) -> Incident:
    """Log, classify and assign through the incident services (their history, clocks and notices)."""
    impact, urgency = levels or integration.levels_for(severity)
    incident = incident_services.incident_log(
        actor=account,
        data={
            "title": title[:200] or _("Alert from %(integration)s") % {"integration": integration.name},
            "description": description,
            "channel": Channel.MONITORING,
            "reported_by": account,
            "service": integration.service,
            "impact": impact,
            "urgency": urgency,
        },
    )
    incident_services.incident_classify(
        incident=incident,
        actor=account,
        service=integration.service,
        category=integration.category,
        impact=impact,
        urgency=urgency,
    )
    team = _team_for(integration)
    if team is not None:
        incident_services.incident_assign(incident=incident, actor=account, team=team)
    return incident


def _describe(alert: Alert, integration: Integration) -> str:
    lines = [
        _("Opened by the monitoring integration %(integration)s.") % {"integration": integration.name},
        "",
        f"{_('Summary')}: {alert.summary}",
        f"{_('Severity')}: {alert.get_severity_display()}",
        f"{_('Deduplication key')}: {alert.dedup_key}",
    ]
    for label, value in (
        (_("Source"), alert.source),
        (_("Component"), alert.component),
        (_("Group"), alert.group_name),
        (_("Class"), alert.event_class),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if integration.configuration_item_id:
        lines.append(f"{_('Configuration item')}: {integration.configuration_item}")
    details = (
        alert.payload.get("payload", {}).get("custom_details")
        if isinstance(alert.payload.get("payload"), dict)
        else None
    )
    if details is None:
        details = alert.payload.get("annotations")
    if details:
        lines += ["", _("Details:"), json.dumps(details, ensure_ascii=False, indent=2, sort_keys=True)[:4000]]
    return "\n".join(lines)


STORM_TITLE = gettext_lazy(
    "Alert storm on %(service)s: more than %(threshold)s new alerts within %(minutes)s minutes"
)


def _start_storm(
    alert: Alert, integration: Integration, account: User, *, now: datetime.datetime, since: datetime.datetime
) -> AlertStorm:
    """Open the parent incident (impact and urgency 1: a candidate major incident), make the open
    incidents of the window its children, and tell the incident managers."""
    service = integration.service
    title = str(STORM_TITLE) % {
        "service": service,
        "threshold": integration.storm_threshold,
        "minutes": integration.storm_window_minutes,
    }
    parent = _open_incident(
        integration,
        account,
        title=title,
        description=_(
            "Candidate major incident: the alerts of %(service)s arrive faster than the storm threshold of"
            " %(integration)s allows, so further alerts attach to this incident instead of opening one each."
            " Decide whether to declare a major incident."
        )
        % {"service": service, "integration": integration.name},
        severity=Severity.CRITICAL,
        levels=(1, 1),
    )
    storm = AlertStorm.objects.create(
        service=service,
        incident=parent,
        threshold=integration.storm_threshold,
        window_minutes=integration.storm_window_minutes,
        started_at=now,
        last_alert_at=now,
    )
    children = (
        Incident.objects.filter(
            alerts__service_id=service.pk,
            alerts__first_seen_at__gte=since,
            parent__isnull=True,
            state__in=OPEN_INCIDENT_STATES,
        )
        .exclude(pk=parent.pk)
        .distinct()
    )
    for child in children:
        try:
            with transaction.atomic():
                incident_services.incident_update(
                    incident=child, actor=account, data={"parent": parent}, reason="alert_storm"
                )
        except (PermissionDenied, ValidationError, ConcurrentTransition):
            logger.warning("storm child not linked", extra={"incident": child.pk, "parent": parent.pk})
    notify(
        event="incident.alert_storm",
        event_key=f"alert-storm:{storm.pk}",
        recipients=selectors.incident_managers(),
        subject=_("Alert storm (candidate major incident): %(reference)s %(title)s")
        % {"reference": parent.reference, "title": title},
        body=parent.description,
        record=parent,
    )
    return storm


def _note_acknowledgement(alert: Alert, account: User) -> None:
    """Note the acknowledgement on the alert's own incident (a storm's parent gets no note per alert)."""
    if alert.incident_id is None:
        return
    incident = Incident.objects.get(pk=alert.incident_id)
    incident_services.incident_note_add(
        incident=incident,
        actor=account,
        kind=NoteKind.WORK_NOTE,
        body=_("Monitoring acknowledged alert %(key)s (%(summary)s) at %(at)s.")
        % {"key": alert.dedup_key, "summary": alert.summary[:200], "at": _when(alert.acknowledged_at)},
    )


def _when(at: datetime.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S %Z") if at else ""


RESOLVABLE = (IncidentState.CLASSIFIED, IncidentState.ASSIGNED, IncidentState.IN_PROGRESS)


def _apply_recovery(alert: Alert, integration: Integration, account: User) -> None:
    """The integration's policy on a recovery: resolve the incident, or only note it for a person.

    A storm's parent is resolved (or noted) once every alert attached to it has recovered.
    """
    if alert.incident_id is not None:
        incident = Incident.objects.get(pk=alert.incident_id)
        what = _("Monitoring reported recovery: alert %(key)s resolved at %(at)s.") % {
            "key": alert.dedup_key,
            "at": _when(alert.resolved_at),
        }
    elif alert.storm_incident_id is not None:
        still_open = (
            Alert.objects.filter(storm_incident_id=alert.storm_incident_id)
            .exclude(status=AlertStatus.RESOLVED)
            .exclude(pk=alert.pk)
            .exists()
        )
        if still_open:
            return
        incident = Incident.objects.get(pk=alert.storm_incident_id)
        what = _("Monitoring reported recovery of every alert attached to this storm (last at %(at)s).") % {
            "at": _when(alert.resolved_at)
        }
    else:
        return
    if incident.state not in OPEN_INCIDENT_STATES:
        return  # already resolved, closed or cancelled by a person
    if integration.auto_resolve == AutoResolve.RESOLVE and incident.state in RESOLVABLE:
        try:
            with transaction.atomic():
                incident_services.incident_resolve(
                    incident=incident, actor=account, code=ResolutionCode.SELF_RECOVERED, notes=what
                )
            return
        except (TransitionNotAllowed, ConcurrentTransition, PermissionDenied, ValidationError):
            incident = Incident.objects.get(pk=incident.pk)
    incident_services.incident_note_add(
        incident=incident,
        actor=account,
        kind=NoteKind.WORK_NOTE,
        body=what + " " + _("Check the service and resolve the incident when it is confirmed."),
    )
