"""The SLA clock engine: start, pause, resume, stop, retarget, reassign and cancel clocks, sweep them for
thresholds and breaches, recompute them from their event log and explain them.

Processes (incidents now; service requests and problems later) call the ``clocks_*`` services from
their own services, inside their transaction, with the record and the instant of the event. Clocks are
bookkeeping rows, so the services take no permission (the calling process already checked it) and
write no history; every change appends :class:`ClockEvent` rows instead, which are the explanation.

Rules (see docs/sla-clocks.md):

* Instants are truncated to whole seconds; an event never goes back before the clock's last event.
* Elapsed time is business time of the calendar version in force when the clock started (a later
  edit of the calendar makes a new version and leaves the clock alone).
* A clock reaches a threshold at the first instant its elapsed time reaches ``warn_percent`` /
  ``critical_percent`` of its target (rounded up to a second), and breaches when it runs past its
  target (``due_at`` is the last instant that still meets it). A breach is stamped at that true
  instant, by whoever notices first: the sweep (every minute, also late after an outage) or a service
  acting on the clock. Levels only go up: a breach stays a breach after a retarget.
* A retarget keeps the elapsed time and measures it against the new target; a target already used up
  is due at once (at the retarget).
* A priority without a target in an agreement still gets a clock (a *gap*): it counts time, has no
  due time, is shown as a gap and ends ``stopped`` (neither met nor breached).
"""

from __future__ import annotations

import datetime
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from itsm.notifications import Message, notify_many
from itsm.timeline import Event

from .calendars import (
    CalendarSpec,
    DayKind,
    add_business_seconds,
    business_seconds_between,
    day_plans,
    spec_from_version,
    working_intervals,
)
from .choices import ClockEventKind, ClockKind, ClockState
from .clock_models import FINAL_STATES, OPEN_STATES, Clock, ClockEvent
from .models import Agreement, AgreementTarget, CalendarVersion
from .selectors import applicable_agreements, target_for

logger = logging.getLogger(__name__)

UTC = datetime.UTC
WARNING, CRITICAL, BREACH = "warning", "critical", "breach"
LEVELS = (WARNING, CRITICAL, BREACH)
SWEEP_BATCH = 1000
SPANS_SHOWN = 60

# --- registries: what a process adds to the sweep --------------------------------------------------

EscalationHook = Callable[[models.Model, Clock, str], None]
RecipientsHook = Callable[[models.Model, Clock, str], Iterable[Any]]
_escalations: dict[str, EscalationHook] = {}
_recipients: dict[str, RecipientsHook] = {}


def _label(model_or_label: type[models.Model] | str) -> str:
    return model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower


def register_escalation(model_or_label: type[models.Model] | str, func: EscalationHook) -> None:
    """The owning process's escalation service for its records: ``func(record, clock, level)`` with
    ``level`` ``"warning"``, ``"critical"`` or ``"breach"``; called by the sweep once per clock and
    threshold crossing (the highest one reached in that sweep), inside the sweep's transaction (in a
    savepoint: a failing hook is logged and does not hold up the other clocks)."""
    _escalations[_label(model_or_label)] = func


def register_recipients(model_or_label: type[models.Model] | str, func: RecipientsHook) -> None:
    """Who else hears about a clock of this record type reaching ``level`` (e.g. the assignee), besides
    the agreement's owner and the lead of the team holding the record."""
    _recipients[_label(model_or_label)] = func


# --- the state machine (pure: no database) ----------------------------------------------------------


def _second(at: datetime.datetime) -> datetime.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("clock instants must be aware datetimes")
    return at.astimezone(UTC).replace(microsecond=0)


def threshold_seconds(target: int, percent: int) -> int:
    """Business seconds at which ``percent`` of ``target`` is used (rounded up to a whole second)."""
    return math.ceil(target * percent / 100)


@dataclass(frozen=True)
class Crossing:
    """A threshold the clock reached, at its true instant."""

    level: str  # warning | critical | breach
    at: datetime.datetime

    @property
    def event_kind(self) -> str:
        return {
            WARNING: ClockEventKind.WARNING,
            CRITICAL: ClockEventKind.CRITICAL,
            BREACH: ClockEventKind.BREACH,
        }[self.level]


@dataclass
class Machine:
    """The counting state of one clock, advanced event by event. The engine loads it from a
    :class:`Clock` row and writes it back; :func:`clock_recompute` rebuilds it from the event log."""

    spec: CalendarSpec
    target: int | None
    warn_percent: int
    critical_percent: int
    started_at: datetime.datetime
    segment_started_at: datetime.datetime
    state: str = ClockState.RUNNING
    elapsed: int = 0
    paused: int = 0
    due_at: datetime.datetime | None = None
    warn_at: datetime.datetime | None = None
    critical_at: datetime.datetime | None = None
    warning_level: int = 0
    warned_at: datetime.datetime | None = None
    breached_at: datetime.datetime | None = None
    stopped_at: datetime.datetime | None = None
    problem: str = ""

    # the fields a Clock row stores, by machine attribute
    STORED = {
        "target": "target_seconds",
        "segment_started_at": "segment_started_at",
        "state": "state",
        "elapsed": "elapsed_business_seconds",
        "paused": "paused_business_seconds",
        "due_at": "due_at",
        "warn_at": "warn_at",
        "critical_at": "critical_at",
        "warning_level": "warning_level",
        "warned_at": "warned_at",
        "breached_at": "breached_at",
        "stopped_at": "stopped_at",
    }

    @classmethod
    def started(
        cls,
        *,
        spec: CalendarSpec,
        target: int | None,
        warn_percent: int,
        critical_percent: int,
        at: datetime.datetime,
    ) -> Machine:
        machine = cls(
            spec=spec,
            target=target,
            warn_percent=warn_percent,
            critical_percent=critical_percent,
            started_at=at,
            segment_started_at=at,
        )
        machine.schedule()
        return machine

    @classmethod
    def of(cls, clock: Clock, spec: CalendarSpec | None = None) -> Machine:
        values = {attribute: getattr(clock, column) for attribute, column in cls.STORED.items()}
        return cls(
            spec=spec or spec_from_version(clock.calendar_version),
            warn_percent=clock.warn_percent,
            critical_percent=clock.critical_percent,
            started_at=clock.started_at,
            **values,
        )

    def write(self, clock: Clock) -> list[str]:
        """Copy the state onto ``clock``; the names of the columns that changed."""
        changed = []
        for attribute, column in self.STORED.items():
            value = getattr(self, attribute)
            if getattr(clock, column) != value:
                setattr(clock, column, value)
                changed.append(column)
        return changed

    def snapshot(self) -> dict[str, Any]:
        return {attribute: getattr(self, attribute) for attribute in self.STORED}

    # -- bookkeeping

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def _at(self, at: datetime.datetime) -> datetime.datetime:
        return max(_second(at), self.segment_started_at)

    def advance(self, at: datetime.datetime) -> None:
        """Count the time since the last event (running: elapsed; paused: paused) up to ``at``."""
        if self.is_open and at > self.segment_started_at:
            seconds = business_seconds_between(self.spec, self.segment_started_at, at)
            if self.state == ClockState.RUNNING:
                self.elapsed += seconds
            else:
                self.paused += seconds
        if at > self.segment_started_at:
            self.segment_started_at = at

    def _when_used(self, seconds: int) -> datetime.datetime:
        return add_business_seconds(self.spec, self.segment_started_at, max(0, seconds - self.elapsed))

    def schedule(self) -> None:
        """Precompute the instants the sweep compares with: due, warning and critical (running clocks
        with a target); instants already reached are kept as they were."""
        if not self.is_open:
            return
        if self.state == ClockState.RUNNING and self.target is not None:
            try:
                if self.warning_level < 1:
                    self.warn_at = self._when_used(threshold_seconds(self.target, self.warn_percent))
                if self.warning_level < 2:
                    self.critical_at = self._when_used(threshold_seconds(self.target, self.critical_percent))
                if self.breached_at is None:
                    self.due_at = self._when_used(self.target)
                self.problem = ""
                return
            except ValueError:  # a calendar without any working time: never due, and said so
                self.problem = "no_working_time"
        if self.warning_level < 1:
            self.warn_at = None
        if self.warning_level < 2:
            self.critical_at = None
        if self.breached_at is None:
            self.due_at = None

    def settle(self, at: datetime.datetime) -> list[Crossing]:
        """Stamp the thresholds a running clock has reached by ``at`` (the sweep's three conditions)."""
        crossings: list[Crossing] = []
        if self.state != ClockState.RUNNING:
            return crossings
        if self.warning_level < 1 and self.warn_at is not None and self.warn_at <= at:
            self.warning_level, self.warned_at = 1, self.warn_at
            crossings.append(Crossing(WARNING, self.warn_at))
        if self.warning_level < 2 and self.critical_at is not None and self.critical_at <= at:
            self.warning_level, self.warned_at = 2, self.critical_at
            crossings.append(Crossing(CRITICAL, self.critical_at))
        if self.breached_at is None and self.due_at is not None and self.due_at < at:
            self.breached_at = self.due_at
            crossings.append(Crossing(BREACH, self.due_at))
        return crossings

    # -- events; each returns the crossings it stamped on the way (None: it did not apply)

    def pause(self, at: datetime.datetime) -> list[Crossing] | None:
        if self.state != ClockState.RUNNING:
            return None
        at = self._at(at)
        crossings = self.settle(at)
        self.advance(at)
        self.state = ClockState.PAUSED
        self.schedule()
        return crossings

    def resume(self, at: datetime.datetime) -> list[Crossing] | None:
        """Paused → running; a stopped (met, breached or gap) clock is reopened: the time since it
        stopped counts as paused."""
        if self.state not in (ClockState.PAUSED, ClockState.MET, ClockState.BREACHED, ClockState.STOPPED):
            return None
        at = self._at(at)
        if self.state == ClockState.PAUSED:
            self.advance(at)
        else:
            self.state = ClockState.PAUSED
            self.stopped_at = None
            self.advance(at)
        self.state = ClockState.RUNNING
        self.schedule()
        return []

    def retarget(self, at: datetime.datetime, target: int | None) -> list[Crossing] | None:
        if not self.is_open:
            return None
        at = self._at(at)
        crossings = self.settle(at)
        self.advance(at)
        self.target = target
        self.schedule()
        return crossings

    def stop(self, at: datetime.datetime) -> list[Crossing] | None:
        if not self.is_open:
            return None
        at = self._at(at)
        crossings = self.settle(at)
        self.advance(at)
        if self.breached_at is not None:
            self.state = ClockState.BREACHED
        elif self.target is None:
            self.state = ClockState.STOPPED
        else:
            self.state = ClockState.MET
        self.stopped_at = at
        return crossings

    def cancel(self, at: datetime.datetime) -> list[Crossing] | None:
        if not self.is_open:
            return None
        at = self._at(at)
        crossings = self.settle(at)
        self.advance(at)
        self.state = ClockState.CANCELLED
        self.stopped_at = at
        return crossings

    # -- reading

    def elapsed_at(self, at: datetime.datetime) -> int:
        """Business seconds counted by ``at`` (live, for display)."""
        if self.state == ClockState.RUNNING and at > self.segment_started_at:
            return self.elapsed + business_seconds_between(self.spec, self.segment_started_at, at)
        return self.elapsed

    def paused_at(self, at: datetime.datetime) -> int:
        if self.state == ClockState.PAUSED and at > self.segment_started_at:
            return self.paused + business_seconds_between(self.spec, self.segment_started_at, at)
        return self.paused


# --- reading and writing clocks ----------------------------------------------------------------------


def _record_key(record: models.Model) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(record), str(record.pk)


def clocks_for(record: models.Model) -> models.QuerySet[Clock]:
    """Every clock of ``record`` with its agreement, team and calendar version (one query)."""
    content_type, object_id = _record_key(record)
    return (
        Clock.objects.filter(content_type=content_type, object_id=object_id)
        .select_related("agreement", "team", "calendar_version__calendar")
        .order_by("kind", "started_at", "id")
    )


def _locked_clocks(record: models.Model, *, states: Sequence[str] = OPEN_STATES) -> list[Clock]:
    """The record's clocks in ``states``, locked against the sweep and concurrent events."""
    content_type, object_id = _record_key(record)
    return list(
        Clock.objects.select_for_update(of=("self",))
        .filter(content_type=content_type, object_id=object_id, state__in=list(states))
        .select_related("agreement__owner", "team__lead", "calendar_version")
        .prefetch_related(
            Prefetch("agreement__targets", queryset=AgreementTarget.objects.order_by("priority"))
        )
        .order_by("id")
    )


def _event(
    clock: Clock,
    kind: str,
    at: datetime.datetime,
    *,
    actor: Any = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ClockEvent:
    return ClockEvent(
        clock=clock,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "pk", None) is not None else None,
        reason=(reason or "")[:200],
        data=data or {},
    )


def _target_seconds(target: AgreementTarget | None, kind: str) -> int | None:
    if target is None:
        return None
    minutes = target.respond_minutes if kind == ClockKind.RESPONSE else target.resolve_minutes
    return minutes * 60 if minutes else None


def _versions_at(calendar_ids: Iterable[int], at: datetime.datetime) -> dict[int, CalendarVersion]:
    """The version of each calendar in force at ``at`` (its first version if ``at`` is earlier), one query."""
    chosen: dict[int, CalendarVersion] = {}
    for version in (
        CalendarVersion.objects.filter(calendar_id__in=set(calendar_ids))
        .select_related("calendar")
        .order_by("calendar_id", "valid_from", "number")
    ):
        current = chosen.get(version.calendar_id)
        if current is None or version.valid_from <= at:
            chosen[version.calendar_id] = version
    return chosen


def _save(clock: Clock, machine: Machine) -> None:
    changed = machine.write(clock)
    if changed:
        clock.save(update_fields=changed)


@dataclass
class _Batch:
    """Events and crossings collected by one service call, written at its end."""

    events: list[ClockEvent] = field(default_factory=list)
    crossings: list[tuple[Clock, Crossing]] = field(default_factory=list)

    def add_crossings(self, clock: Clock, crossings: list[Crossing] | None) -> None:
        for crossing in crossings or []:
            self.events.append(_event(clock, crossing.event_kind, crossing.at))
            self.crossings.append((clock, crossing))

    def flush(self, record: models.Model | None = None, *, announce: Sequence[str] = LEVELS) -> None:
        """Write the events; notify the highest level each clock reached, if it is one to ``announce``
        (a clock that has just stopped is not warned any more, but its breach is told)."""
        if self.events:
            ClockEvent.objects.bulk_create(self.events)
        told = [(clock, level) for clock, level in _highest(self.crossings) if level in announce]
        if told:
            _notify(
                [_fact(clock, level) for clock, level in told],
                clocks={clock.pk: clock for clock, _level in told},
                records={} if record is None else {_record_id(record): record},
            )


def _record_id(record: models.Model) -> tuple[int, str]:
    return ContentType.objects.get_for_model(record).pk, str(record.pk)


def _highest(crossings: Iterable[tuple[Clock, Crossing]]) -> list[tuple[Clock, str]]:
    """Per clock, the highest level reached (one notification, one escalation per clock and pass)."""
    best: dict[int, tuple[Clock, str]] = {}
    for clock, crossing in crossings:
        current = best.get(clock.pk)
        if current is None or LEVELS.index(crossing.level) > LEVELS.index(current[1]):
            best[clock.pk] = (clock, crossing.level)
    return list(best.values())


# --- services ----------------------------------------------------------------------------------------


@transaction.atomic
def clocks_start(
    *,
    record: models.Model,
    customer: Any,
    service: Any,
    team: Any,
    priority: str,
    at: datetime.datetime,
    actor: Any,
    kinds: Sequence[str] = (ClockKind.RESPONSE, ClockKind.RESOLUTION),
    paused: bool = False,
) -> list[Clock]:
    """Start a response and a resolution clock for ``record`` per applicable agreement (agreed SLAs of the
    customer covering the service, OLAs of the team), with the target for ``priority`` and the calendar
    version in force at ``at``. A priority without a target gets a gap clock (no due time) and a
    ``no_target`` event. Agreements that already have an open clock of that kind for the record are
    skipped, so a repeated call starts nothing twice. ``paused`` starts the clocks paused (a record
    created on hold). Returns the clocks started."""
    at = _second(at)
    agreements = applicable_agreements(customer=customer, service=service, team=team, at=at)
    return _start(
        record=record,
        agreements=agreements,
        team=team,
        priority=priority,
        at=at,
        actor=actor,
        kinds=kinds,
        paused=paused,
    )


def _start(
    *,
    record: models.Model,
    agreements: Sequence[Agreement],
    team: Any,
    priority: str,
    at: datetime.datetime,
    actor: Any,
    kinds: Sequence[str],
    paused: bool,
    reason: str = "",
) -> list[Clock]:
    if not agreements or not kinds:
        return []
    content_type, object_id = _record_key(record)
    open_pairs = set(
        Clock.objects.filter(
            content_type=content_type, object_id=object_id, state__in=list(OPEN_STATES)
        ).values_list("kind", "agreement_id")
    )
    versions = _versions_at((a.calendar_id for a in agreements), at)
    reference = str(getattr(record, "reference", "") or record)[:40]
    planned: list[tuple[Clock, Machine]] = []
    for agreement in agreements:
        version = versions.get(agreement.calendar_id)
        if version is None:
            logger.error("calendar without versions", extra={"calendar": agreement.calendar_id})
            continue
        spec = spec_from_version(version)
        target = target_for(agreement=agreement, priority=priority)
        for kind in kinds:
            if (kind, agreement.pk) in open_pairs:
                continue
            machine = Machine.started(
                spec=spec,
                target=_target_seconds(target, kind),
                warn_percent=agreement.warn_percent,
                critical_percent=agreement.critical_percent,
                at=at,
            )
            clock = Clock(
                content_type=content_type,
                object_id=object_id,
                record_reference=reference,
                kind=kind,
                agreement=agreement,
                team=team if getattr(team, "pk", None) else None,
                priority=priority,
                calendar_version=version,
                warn_percent=agreement.warn_percent,
                critical_percent=agreement.critical_percent,
                started_at=at,
            )
            if paused:
                machine.pause(at)
            machine.write(clock)
            planned.append((clock, machine))
    if not planned:
        return []
    clocks = Clock.objects.bulk_create([clock for clock, _machine in planned])
    events = []
    for clock, machine in planned:
        version = clock.calendar_version
        events.append(
            _event(
                clock,
                ClockEventKind.START,
                at,
                actor=actor,
                reason=reason,
                data={
                    "priority": clock.priority,
                    "target_seconds": machine.target,
                    "warn_percent": clock.warn_percent,
                    "critical_percent": clock.critical_percent,
                    "calendar_version": version.pk,
                    "calendar": version.calendar.name,
                    "version": version.number,
                    "agreement": clock.agreement.reference if clock.agreement else "",
                    "team": clock.team_id,
                },
            )
        )
        if machine.target is None:
            events.append(_event(clock, ClockEventKind.NO_TARGET, at, data={"priority": clock.priority}))
        if paused:
            events.append(_event(clock, ClockEventKind.PAUSE, at, actor=actor, reason=reason))
    ClockEvent.objects.bulk_create(events)
    return clocks


def _apply(
    record: models.Model,
    *,
    states: Sequence[str],
    kind: str | None,
    event_kind: str,
    at: datetime.datetime,
    actor: Any,
    reason: str,
    operation: Callable[[Machine, datetime.datetime], list[Crossing] | None],
    data: Callable[[Clock, Machine], dict[str, Any]] | None = None,
    accept: Callable[[Clock], bool] | None = None,
    announce: Sequence[str] = LEVELS,
) -> list[Clock]:
    """Load, lock, change and save the record's clocks in ``states`` (of ``kind``), log the event and the
    crossings stamped on the way, and notify them."""
    at = _second(at)
    batch = _Batch()
    changed = []
    for clock in _locked_clocks(record, states=states):
        if (kind is not None and clock.kind != kind) or (accept is not None and not accept(clock)):
            continue
        machine = Machine.of(clock)
        crossings = operation(machine, at)
        if crossings is None:
            continue
        batch.add_crossings(clock, crossings)
        batch.events.append(
            _event(
                clock,
                event_kind,
                machine.segment_started_at,
                actor=actor,
                reason=reason,
                data=data(clock, machine) if data else {},
            )
        )
        _save(clock, machine)
        changed.append(clock)
    batch.flush(record, announce=announce)
    return changed


@transaction.atomic
def clocks_pause(*, record: models.Model, at: datetime.datetime, reason: str, actor: Any) -> list[Clock]:
    """The record waits (on hold, waiting for the customer): its running clocks stop counting."""
    return _apply(
        record,
        states=[ClockState.RUNNING],
        kind=None,
        event_kind=ClockEventKind.PAUSE,
        at=at,
        actor=actor,
        reason=reason,
        operation=Machine.pause,
    )


@transaction.atomic
def clocks_resume(
    *, record: models.Model, at: datetime.datetime, actor: Any, reason: str = ""
) -> list[Clock]:
    """The record is worked again: paused clocks count again, and after a reopen the resolution clocks
    that stopped at the resolution run again (the time in between counts as paused). Response clocks
    stay stopped, and so do OLA clocks stopped because the record went to another team."""
    content_type, object_id = _record_key(record)
    handed_over = set(
        ClockEvent.objects.filter(
            clock__content_type=content_type,
            clock__object_id=object_id,
            clock__kind=ClockKind.RESOLUTION,
            clock__state__in=[ClockState.MET, ClockState.BREACHED, ClockState.STOPPED],
            kind=ClockEventKind.STOP,
            data__handed_over=True,
        ).values_list("clock_id", flat=True)
    )

    def accept(clock: Clock) -> bool:
        if clock.state == ClockState.PAUSED:
            return True
        return clock.kind == ClockKind.RESOLUTION and clock.pk not in handed_over

    return _apply(
        record,
        states=[ClockState.PAUSED, ClockState.MET, ClockState.BREACHED, ClockState.STOPPED],
        kind=None,
        event_kind=ClockEventKind.RESUME,
        at=at,
        actor=actor,
        reason=reason,
        operation=Machine.resume,
        accept=accept,
        data=lambda clock, machine: {"reopened": clock.state != ClockState.PAUSED},
    )


@transaction.atomic
def clocks_stop(
    *, record: models.Model, kind: str, at: datetime.datetime, actor: Any, reason: str = ""
) -> list[Clock]:
    """The response (first response) or the resolution (resolved) happened: the record's open clocks of
    ``kind`` stop, met or breached (a gap clock: stopped)."""
    return _apply(
        record,
        states=OPEN_STATES,
        kind=kind,
        event_kind=ClockEventKind.STOP,
        at=at,
        actor=actor,
        reason=reason,
        operation=Machine.stop,
        data=lambda clock, machine: {"result": machine.state, "elapsed_seconds": machine.elapsed},
        announce=(BREACH,),
    )


@transaction.atomic
def clocks_cancel(
    *, record: models.Model, at: datetime.datetime, actor: Any, reason: str = "", kind: str | None = None
) -> list[Clock]:
    """The record was cancelled (or logged by mistake): its open clocks are cancelled and count in no
    report."""
    return _apply(
        record,
        states=OPEN_STATES,
        kind=kind,
        event_kind=ClockEventKind.CANCEL,
        at=at,
        actor=actor,
        reason=reason,
        operation=Machine.cancel,
        announce=(BREACH,),
    )


@transaction.atomic
def clocks_retarget(
    *, record: models.Model, priority: str, at: datetime.datetime, actor: Any, reason: str = ""
) -> list[Clock]:
    """The record's priority changed: each open clock keeps its elapsed time and takes its agreement's
    target for the new priority (none: it becomes a gap). The event shows the old and new values."""
    at = _second(at)
    batch = _Batch()
    changed = []
    for clock in _locked_clocks(record):
        if clock.agreement is None:
            continue
        target = _target_seconds(target_for(agreement=clock.agreement, priority=priority), clock.kind)
        if clock.priority == priority and clock.target_seconds == target:
            continue
        machine = Machine.of(clock)
        old = {"old_priority": clock.priority, "old_target_seconds": clock.target_seconds}
        crossings = machine.retarget(at, target)
        batch.add_crossings(clock, crossings)
        data = {**old, "priority": priority, "target_seconds": target, "elapsed_seconds": machine.elapsed}
        batch.events.append(
            _event(
                clock,
                ClockEventKind.RETARGET,
                machine.segment_started_at,
                actor=actor,
                reason=reason,
                data=data,
            )
        )
        if target is None:
            batch.events.append(
                _event(
                    clock, ClockEventKind.NO_TARGET, machine.segment_started_at, data={"priority": priority}
                )
            )
        clock.priority = priority
        _save(clock, machine)
        clock.save(update_fields=["priority"])
        changed.append(clock)
    batch.flush(record)
    return changed


@transaction.atomic
def clocks_reassign(
    *,
    record: models.Model,
    team: Any,
    at: datetime.datetime,
    actor: Any = None,
    reason: str = "",
    priority: str | None = None,
) -> list[Clock]:
    """Another team holds the record. SLA clocks now attribute to ``team``. The previous team's OLA
    clocks stop (met or breached: the time it held the record against its OLA); the new team's OLAs
    start clocks for the kinds still open (paused if the record is paused). Returns the clocks started."""
    at = _second(at)
    team_id = getattr(team, "pk", None)
    batch = _Batch()
    open_clocks = _locked_clocks(record)
    kinds = sorted({c.kind for c in open_clocks})
    paused = bool(open_clocks) and all(c.state == ClockState.PAUSED for c in open_clocks)
    priority = priority or (open_clocks[0].priority if open_clocks else getattr(record, "priority", None))
    if not open_clocks:
        content_type, object_id = _record_key(record)
        if Clock.objects.filter(content_type=content_type, object_id=object_id).exists():
            return []  # everything already stopped: nothing is measured any more
        kinds = [ClockKind.RESPONSE, ClockKind.RESOLUTION]
    for clock in open_clocks:
        if clock.team_id == team_id:
            continue
        data = {"old_team": clock.team_id, "team": team_id}
        agreement = clock.agreement
        if agreement is not None and agreement.kind == "ola" and agreement.team_id != team_id:
            machine = Machine.of(clock)
            crossings = machine.stop(at)
            batch.add_crossings(clock, crossings)
            batch.events.append(
                _event(
                    clock,
                    ClockEventKind.REASSIGN,
                    machine.segment_started_at,
                    actor=actor,
                    reason=reason,
                    data=data,
                )
            )
            batch.events.append(
                _event(
                    clock,
                    ClockEventKind.STOP,
                    machine.segment_started_at,
                    actor=actor,
                    reason=reason,
                    data={"result": machine.state, "elapsed_seconds": machine.elapsed, "handed_over": True},
                )
            )
            _save(clock, machine)
        else:
            batch.events.append(
                _event(
                    clock,
                    ClockEventKind.REASSIGN,
                    max(at, clock.segment_started_at),
                    actor=actor,
                    reason=reason,
                    data=data,
                )
            )
            clock.team_id = team_id
            clock.save(update_fields=["team"])
    batch.flush(record, announce=(BREACH,))
    if team_id is None or priority is None:
        return []
    olas = applicable_agreements(customer=None, service=None, team=team, at=at)
    return _start(
        record=record,
        agreements=olas,
        team=team,
        priority=priority,
        at=at,
        actor=actor,
        kinds=kinds,
        paused=paused,
        reason=reason,
    )


# --- the sweep --------------------------------------------------------------------------------------

_CLAIMS = {
    WARNING: (
        "SET warning_level = 1, warned_at = warn_at",
        "state = 'running' AND warning_level = 0 AND warn_at <= %s",
        "warn_at",
    ),
    CRITICAL: (
        "SET warning_level = 2, warned_at = critical_at",
        "state = 'running' AND warning_level < 2 AND critical_at <= %s",
        "critical_at",
    ),
    BREACH: (
        "SET breached_at = due_at",
        "state = 'running' AND breached_at IS NULL AND due_at < %s",
        "due_at",
    ),
}


def claim_sql(level: str, *, limit: int | None = SWEEP_BATCH) -> str:
    """The one conditional UPDATE that claims the clocks reaching ``level``: the same condition in the
    subquery (an index range scan on a partial index of running clocks) and in the UPDATE itself, so a
    concurrent sweep that got there first leaves nothing to claim. One parameter: now (twice)."""
    table = connection.ops.quote_name(Clock._meta.db_table)
    assignment, condition, column = _CLAIMS[level]
    if limit is None:
        return f"UPDATE {table} {assignment} WHERE {condition} RETURNING id"
    return (
        f"UPDATE {table} {assignment} WHERE id IN "  # noqa: S608 (constants only)
        f"(SELECT id FROM {table} WHERE {condition} ORDER BY {column} LIMIT {int(limit)}) "
        f"AND {condition} RETURNING id"
    )


def _claim(level: str, now: datetime.datetime, limit: int) -> list[int]:
    value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(claim_sql(level, limit=limit), [value, value])
        return [row[0] for row in cursor.fetchall()]


@dataclass
class SweepSummary:
    """What one sweep did."""

    now: datetime.datetime
    warned: int = 0
    critical: int = 0
    breached: int = 0
    notified: int = 0
    escalated: int = 0
    failed: int = 0
    more: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"now": self.now.isoformat()}


def clocks_sweep(*, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH) -> SweepSummary:
    """Claim the running clocks that reached a warning or critical threshold or breached by ``now`` with
    one conditional UPDATE each, stamp each at its true instant (also when the sweep runs late), append
    the events, call the owning process's escalation hook and queue one notification per clock (for the
    highest level it reached). Running it again claims nothing new. At most ``limit`` clocks per level;
    ``more`` says there may be others (the task sweeps again at once).

    Set-based: the events are one ``INSERT … SELECT`` per level, the notifications are built from one
    ``values()`` query (no model instances), and records and clock instances are loaded only for record
    types with an escalation or recipients hook (or whose URL is not a plain function of the id)."""
    now = _second(now or timezone.now())
    summary = SweepSummary(now=now)
    with transaction.atomic():
        claimed = {level: _claim(level, now, limit) for level in LEVELS}
        summary.warned, summary.critical, summary.breached = (len(claimed[level]) for level in LEVELS)
        summary.more = any(len(ids) >= limit for ids in claimed.values())
        highest: dict[int, str] = {}
        recorded = timezone.now()
        for level in LEVELS:  # ascending, so the last level written per clock is its highest
            if claimed[level]:
                _append_events(level, claimed[level], recorded)
            for pk in claimed[level]:
                highest[pk] = level
        if not highest:
            return summary
        facts = _facts(highest)
        types = {f.content_type_id for f in facts}
        needs_records = {t for t in types if _hooked(t) or _url_template(t) is None}
        clocks: dict[int, Clock] = {}
        records: dict[tuple[int, str], models.Model] = {}
        if needs_records:
            wanted = [f.clock_id for f in facts if f.content_type_id in needs_records]
            clocks = {
                c.pk: c for c in Clock.objects.filter(pk__in=wanted).select_related("agreement", "team")
            }
            records = _records_of(clocks.values())
        for fact in facts if _escalations else ():
            hook = _escalations.get(_type_label_of(fact.content_type_id))
            record = records.get((fact.content_type_id, fact.object_id))
            if hook is None or record is None:
                continue
            try:
                with transaction.atomic():
                    hook(record, clocks[fact.clock_id], fact.level)
                summary.escalated += 1
            except Exception:
                summary.failed += 1
                logger.exception(
                    "SLA escalation hook failed", extra={"clock": fact.clock_id, "level": fact.level}
                )
        # The task starts the e-mail delivery once after the sweep (sla_sweep_task).
        summary.notified = _notify(facts, clocks=clocks, records=records, deliver=False)
    return summary


_INSTANTS = {WARNING: "warn_at", CRITICAL: "critical_at", BREACH: "breached_at"}
_EVENT_KINDS = {
    WARNING: ClockEventKind.WARNING,
    CRITICAL: ClockEventKind.CRITICAL,
    BREACH: ClockEventKind.BREACH,
}


def _append_events(level: str, ids: Sequence[int], recorded: datetime.datetime) -> None:
    """One event per claimed clock at the instant the claim stamped (one INSERT … SELECT)."""
    events = connection.ops.quote_name(ClockEvent._meta.db_table)
    clocks = connection.ops.quote_name(Clock._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"INSERT INTO {events} (clock_id, kind, at, recorded_at, reason, data) "  # noqa: S608 (constants only)
        f"SELECT id, %s, {_INSTANTS[level]}, %s, '', '{{}}' FROM {clocks} WHERE id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [str(_EVENT_KINDS[level]), connection.ops.adapt_datetimefield_value(recorded), *ids]
        )


@dataclass(frozen=True)
class _Fact:
    """What a notification about one clock needs, without model instances."""

    clock_id: int
    level: str
    content_type_id: int
    object_id: str
    reference: str
    kind: str
    warn_percent: int
    critical_percent: int
    agreement: str
    owner_id: int | None
    lead_id: int | None


def _facts(highest: dict[int, str]) -> list[_Fact]:
    """The notification facts of the claimed clocks: one joined query, plain tuples."""
    from itsm.models import Team

    quote = connection.ops.quote_name
    clocks, agreements, teams = (quote(m._meta.db_table) for m in (Clock, Agreement, Team))
    placeholders = ", ".join(["%s"] * len(highest))
    sql = (
        "SELECT c.id, c.content_type_id, c.object_id, c.record_reference, c.kind, c.warn_percent,"  # noqa: S608
        f" c.critical_percent, a.reference, a.owner_id, t.lead_id FROM {clocks} c"
        f" LEFT JOIN {agreements} a ON a.id = c.agreement_id LEFT JOIN {teams} t ON t.id = c.team_id"
        f" WHERE c.id IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(highest))
        rows = cursor.fetchall()
    return [
        _Fact(pk, highest[pk], ct, oid, ref, kind, warn, critical, agreement or "", owner, lead)
        for pk, ct, oid, ref, kind, warn, critical, agreement, owner, lead in rows
    ]


def _fact(clock: Clock, level: str) -> _Fact:
    agreement = clock.agreement
    return _Fact(
        clock.pk,
        level,
        clock.content_type_id,
        clock.object_id,
        clock.record_reference,
        clock.kind,
        clock.warn_percent,
        clock.critical_percent,
        agreement.reference if agreement is not None else "",
        agreement.owner_id if agreement is not None else None,
        clock.team.lead_id if clock.team_id is not None and clock.team is not None else None,
    )


def _type_label_of(content_type_id: int) -> str:
    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def _hooked(content_type_id: int) -> bool:
    if not _escalations and not _recipients:
        return False
    label = _type_label_of(content_type_id)
    return label in _escalations or label in _recipients


def _type_label(clock: Clock) -> str:
    return _type_label_of(clock.content_type_id)


_URL_PROBE = 918_273_645


def _url_template(content_type_id: int) -> str | None:
    """The record type's ``get_absolute_url`` as a template of the id, when it is a plain function of
    it (checked with two probe ids); None otherwise (the sweep then loads the records)."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return None if model is None else _url_template_of(model)


@lru_cache(maxsize=64)
def _url_template_of(model: type[models.Model]) -> str | None:
    try:
        first = str(model(pk=_URL_PROBE).get_absolute_url())  # type: ignore[attr-defined]
        second = str(model(pk=_URL_PROBE + 1).get_absolute_url())  # type: ignore[attr-defined]
    except Exception:  # a URL that needs more than the id
        return None
    if first.count(str(_URL_PROBE)) != 1 or first.replace(str(_URL_PROBE), str(_URL_PROBE + 1)) != second:
        return None
    return first.replace("{", "{{").replace("}", "}}").replace(str(_URL_PROBE), "{pk}")


def _records_of(clocks: Iterable[Clock]) -> dict[tuple[int, str], models.Model]:
    """The records of ``clocks``, one query per record type."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for clock in clocks:
        wanted[clock.content_type_id].add(clock.object_id)
    records: dict[tuple[int, str], models.Model] = {}
    for type_id, object_ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for pk, record in model._default_manager.in_bulk(list(object_ids)).items():
            records[(type_id, str(pk))] = record
    return records


SUBJECTS = {
    # xgettext:no-python-format
    WARNING: gettext_lazy("{reference}: {kind} target {percent}% used ({agreement})"),
    # xgettext:no-python-format
    CRITICAL: gettext_lazy("{reference}: {kind} target {percent}% used, breach near ({agreement})"),
    BREACH: gettext_lazy("{reference}: {kind} target breached ({agreement})"),
}


class _Subject:
    """A notification subject rendered in the reader's language: the translated template and kind label
    are looked up once per language, then only formatted (a sweep renders hundreds)."""

    __slots__ = ("agreement", "kind", "level", "percent", "reference")
    _cache: ClassVar[dict[tuple[str | None, str, str], tuple[str, str]]] = {}

    def __init__(self, fact: _Fact) -> None:
        self.level, self.kind, self.agreement = fact.level, fact.kind, fact.agreement
        self.reference = fact.reference or fact.object_id
        self.percent = fact.warn_percent if fact.level == WARNING else fact.critical_percent

    def __str__(self) -> str:
        key = (get_language(), self.level, self.kind)
        texts = self._cache.get(key)
        if texts is None:
            texts = self._cache[key] = (str(SUBJECTS[self.level]), str(ClockKind(self.kind).label))
        return texts[0].format(
            reference=self.reference, kind=texts[1], percent=self.percent, agreement=self.agreement
        )


def _notify(
    facts: Sequence[_Fact],
    *,
    clocks: dict[int, Clock],
    records: dict[tuple[int, str], models.Model],
    deliver: bool = True,
) -> int:
    """One notification per fact: to the agreement's owner, the lead of the team holding the record and
    whoever the record type's recipients hook adds (one query for the people)."""
    from django.contrib.auth import get_user_model

    wanted = {pk for f in facts for pk in (f.owner_id, f.lead_id) if pk is not None}
    users = get_user_model()._default_manager.filter(pk__in=wanted).order_by()
    people = {u.pk: u for u in users} if wanted else {}
    templates = {t: _url_template(t) for t in {f.content_type_id for f in facts}}
    hooks = {t: _recipients.get(_type_label_of(t)) for t in templates} if _recipients else {}
    messages = []
    for fact in facts:
        record = records.get((fact.content_type_id, fact.object_id))
        recipients = [people.get(fact.owner_id or 0), people.get(fact.lead_id or 0)]
        hook = hooks.get(fact.content_type_id)
        if hook is not None and record is not None and fact.clock_id in clocks:
            recipients.extend(hook(record, clocks[fact.clock_id], fact.level))
        template = templates[fact.content_type_id]
        if record is not None:
            url = str(record.get_absolute_url())  # type: ignore[attr-defined]
        else:
            url = template.format(pk=fact.object_id) if template is not None else ""
        messages.append(
            Message(
                event=f"sla.{fact.level}",
                event_key=f"clock:{fact.clock_id}:{fact.level}",
                recipients=tuple(recipients),
                subject=_Subject(fact),
                record=record,
                url=url,
                content_type_id=fact.content_type_id,
                object_id=fact.object_id,
            )
        )
    return notify_many(messages, deliver=deliver)


# --- recompute and explain ----------------------------------------------------------------------------

INPUT_EVENTS = {
    ClockEventKind.START,
    ClockEventKind.PAUSE,
    ClockEventKind.RESUME,
    ClockEventKind.RETARGET,
    ClockEventKind.STOP,
    ClockEventKind.CANCEL,
}
CROSSING_EVENTS: dict[str, str] = {
    ClockEventKind.WARNING: WARNING,
    ClockEventKind.CRITICAL: CRITICAL,
    ClockEventKind.BREACH: BREACH,
}


@dataclass
class Segment:
    """A stretch of a clock's life between two events: running (counting) or paused."""

    state: str
    start: datetime.datetime
    end: datetime.datetime | None  # None: still going
    target: int | None


@dataclass
class Recomputed:
    """A clock rebuilt from its event log: the state, the segments it went through and the thresholds
    reached (``as_of``: crossings up to that instant)."""

    machine: Machine
    segments: list[Segment]
    crossings: list[Crossing]
    as_of: datetime.datetime
    stored: dict[str, Any] = field(default_factory=dict)
    stored_crossings: list[Crossing] = field(default_factory=list)

    @property
    def differences(self) -> dict[str, tuple[Any, Any]]:
        """Stored values that differ from the recomputed ones (``{field: (stored, recomputed)}``),
        leaving aside thresholds reached since the last sweep (those are :attr:`pending`)."""
        mine = self.machine.snapshot()
        pending = {c.level for c in self.pending}
        skip = set()
        if WARNING in pending or CRITICAL in pending:
            skip |= {"warning_level", "warned_at"}
        if BREACH in pending:
            skip.add("breached_at")
        return {k: (v, mine[k]) for k, v in self.stored.items() if k not in skip and mine[k] != v}

    @property
    def pending(self) -> list[Crossing]:
        """Thresholds reached by ``as_of`` that the sweep has not stamped yet."""
        return [c for c in self.crossings if c not in self.stored_crossings]

    @property
    def matches(self) -> bool:
        return not self.differences and all(c in self.crossings for c in self.stored_crossings)


def _replay(
    clock: Clock, events: Sequence[ClockEvent], *, spec: CalendarSpec, as_of: datetime.datetime
) -> tuple[Machine, list[Segment], list[Crossing]]:
    machine: Machine | None = None
    segments: list[Segment] = []
    crossings: list[Crossing] = []

    def close_segment(at: datetime.datetime) -> None:
        if segments and segments[-1].end is None:
            segments[-1].end = max(at, segments[-1].start)

    for event in events:
        if event.kind not in INPUT_EVENTS:
            continue
        at = _second(event.at)
        if event.kind == ClockEventKind.START:
            data = event.data or {}
            machine = Machine.started(
                spec=spec,
                target=data.get("target_seconds", clock.target_seconds),
                warn_percent=int(data.get("warn_percent", clock.warn_percent)),
                critical_percent=int(data.get("critical_percent", clock.critical_percent)),
                at=at,
            )
            segments.append(Segment(ClockState.RUNNING, machine.segment_started_at, None, machine.target))
            continue
        if machine is None:
            continue
        if event.kind == ClockEventKind.PAUSE:
            result = machine.pause(at)
        elif event.kind == ClockEventKind.RESUME:
            result = machine.resume(at)
        elif event.kind == ClockEventKind.RETARGET:
            result = machine.retarget(at, (event.data or {}).get("target_seconds"))
        elif event.kind == ClockEventKind.STOP:
            result = machine.stop(at)
        else:
            result = machine.cancel(at)
        if result is None:
            continue
        crossings.extend(result)
        close_segment(machine.segment_started_at)
        if machine.is_open:
            segments.append(Segment(machine.state, machine.segment_started_at, None, machine.target))
    if machine is None:
        raise ValueError(f"clock {clock.pk} has no start event")
    if machine.is_open:
        crossings.extend(machine.settle(max(as_of, machine.segment_started_at)))
    return machine, segments, crossings


def clock_recompute(
    clock: Clock, *, as_of: datetime.datetime | None = None, events: Sequence[ClockEvent] | None = None
) -> Recomputed:
    """Rebuild ``clock`` from its event log (start, pause, resume, retarget, stop, cancel) with the
    calendar version it started with, and compare with the stored row: ``result.matches`` is true when
    they agree; thresholds reached since the last sweep are listed in ``result.pending``."""
    as_of = _second(as_of or timezone.now())
    if events is None:
        events = list(clock.events.order_by("at", "id"))
    spec = spec_from_version(clock.calendar_version)
    machine, segments, crossings = _replay(clock, events, spec=spec, as_of=as_of)
    stored = Machine.of(clock, spec).snapshot()
    stored_crossings = [
        Crossing(CROSSING_EVENTS[e.kind], _second(e.at)) for e in events if e.kind in CROSSING_EVENTS
    ]
    return Recomputed(machine, segments, crossings, as_of, stored, stored_crossings)


def clock_explain(
    clock: Clock, *, now: datetime.datetime | None = None, events: Sequence[ClockEvent] | None = None
) -> dict[str, Any]:
    """Why the clock says what it says: target and calendar (name, version, rules), thresholds, each
    running and paused segment with the working spans that counted and the holidays or closed days it
    crossed, the event log, and whether recomputing from the log gives the stored state."""
    now = _second(now or timezone.now())
    if events is None:
        events = list(clock.events.select_related("actor").order_by("at", "id"))
    result = clock_recompute(clock, as_of=now, events=events)
    machine = result.machine
    spec = machine.spec
    version = clock.calendar_version
    elapsed = machine.elapsed_at(now)
    target = machine.target
    segments = []
    for segment in result.segments:
        end = segment.end or (now if machine.is_open else segment.start)
        spans: list[dict[str, Any]] = [
            {"start": a, "end": b, "seconds": int((b - a).total_seconds())}
            for a, b in working_intervals(spec, segment.start, max(end, segment.start))
        ]
        days = [
            {"date": plan.day, "kind": plan.kind, "name": plan.name}
            for plan in (day_plans(spec, segment.start, end) if end > segment.start else [])
            if plan.kind != DayKind.WEEKLY
        ]
        segments.append(
            {
                "state": segment.state,
                "start": segment.start,
                "end": segment.end,
                "ongoing": segment.end is None,
                "target_seconds": segment.target,
                "business_seconds": sum(s["seconds"] for s in spans),
                "spans": spans[:SPANS_SHOWN],
                "spans_omitted": max(0, len(spans) - SPANS_SHOWN),
                "special_days": days,
            }
        )
    agreement = clock.agreement
    calendar = version.calendar
    return {
        "clock": clock.pk,
        "record": {
            "type": _type_label(clock),
            "id": clock.object_id,
            "reference": clock.record_reference,
        },
        "kind": clock.kind,
        "agreement": None
        if agreement is None
        else {
            "id": agreement.pk,
            "reference": agreement.reference,
            "title": agreement.title,
            "kind": agreement.kind,
        },
        "team": None if clock.team is None else {"id": clock.team_id, "name": str(clock.team)},
        "priority": clock.priority,
        "gap": target is None,
        "target_seconds": target,
        "calendar": {
            "id": calendar.pk,
            "code": calendar.code,
            "name": calendar.name,
            "version": version.number,
            "version_id": version.pk,
            "valid_from": version.valid_from,
            "time_zone": version.time_zone,
            "always_open": version.always_open,
            "weekly_hours": version.weekly_hours,
            "holiday_country": version.holiday_country,
            "holiday_subdivision": version.holiday_subdivision,
            "closed_dates": version.closed_dates,
            "working_dates": version.working_dates,
            "makeup_weekday": version.makeup_weekday,
            "problem": machine.problem,
        },
        "thresholds": {
            "warn_percent": clock.warn_percent,
            "critical_percent": clock.critical_percent,
            "warn_at": machine.warn_at,
            "critical_at": machine.critical_at,
            "warning_level": machine.warning_level,
            "warned_at": machine.warned_at,
        },
        "state": machine.state,
        "started_at": clock.started_at,
        "due_at": machine.due_at,
        "breached_at": machine.breached_at,
        "stopped_at": machine.stopped_at,
        "as_of": now,
        "elapsed_seconds": elapsed,
        "paused_seconds": machine.paused_at(now),
        "remaining_seconds": None if target is None else target - elapsed,
        "percent_used": None if not target else round(100 * elapsed / target, 1),
        "segments": segments,
        "events": [
            {
                "kind": e.kind,
                "label": str(e.get_kind_display()),
                "at": e.at,
                "actor": str(e.actor) if e.actor_id else "",
                "reason": e.reason,
                "data": e.data,
            }
            for e in events
        ],
        "recomputed": {
            "matches": result.matches,
            "differences": {k: {"stored": v[0], "recomputed": v[1]} for k, v in result.differences.items()},
            "pending": [{"level": c.level, "at": c.at} for c in result.pending],
        },
    }


# --- timeline ------------------------------------------------------------------------------------------


def timeline_events(record: models.Model, viewer: Any) -> list[Event]:
    """SLA clock events on the record's timeline, for staff who may read clocks (one query)."""
    from itsm.policy import policy

    if viewer is None or not policy.allows(viewer, "view", Clock):
        return []
    content_type, object_id = _record_key(record)
    rows = ClockEvent.objects.filter(
        clock__content_type=content_type, clock__object_id=object_id
    ).select_related("clock__agreement", "actor")
    events = []
    for row in rows:
        clock = row.clock
        agreement = clock.agreement.reference if clock.agreement is not None else ""
        events.append(
            Event(
                at=row.at,
                kind="sla",
                actor=str(row.actor) if row.actor_id else _("System"),
                reason=row.reason,
                title=_("%(agreement)s %(kind)s clock: %(event)s")
                % {"agreement": agreement, "kind": clock.get_kind_display(), "event": row.get_kind_display()},
                comment=_describe(row),
            )
        )
    return events


def _describe(row: ClockEvent) -> str:
    data = row.data or {}
    if row.kind == ClockEventKind.START:
        return _("priority %(priority)s, target %(target)s, calendar %(calendar)s v%(version)s") % {
            "priority": data.get("priority", ""),
            "target": format_seconds(data.get("target_seconds")),
            "calendar": data.get("calendar", ""),
            "version": data.get("version", ""),
        }
    if row.kind == ClockEventKind.RETARGET:
        return _("%(old_priority)s → %(priority)s, target %(old)s → %(new)s") % {
            "old_priority": data.get("old_priority", ""),
            "priority": data.get("priority", ""),
            "old": format_seconds(data.get("old_target_seconds")),
            "new": format_seconds(data.get("target_seconds")),
        }
    if row.kind == ClockEventKind.STOP:
        return str(ClockState(data["result"]).label) if data.get("result") in ClockState.values else ""
    return ""


def format_seconds(seconds: int | None) -> str:
    """``5400`` → ``"1 h 30 min"`` (``"no target"`` for None); negative amounts keep their sign."""
    if seconds is None:
        return _("no target")
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if minutes:
        parts.append(_("%(n)s min") % {"n": minutes})
    if secs and not days and not hours:
        parts.append(_("%(n)s s") % {"n": secs})
    return sign + (" ".join(parts) or _("%(n)s s") % {"n": 0})


__all__ = [
    "FINAL_STATES",
    "OPEN_STATES",
    "Crossing",
    "Machine",
    "PanelRow",
    "Recomputed",
    "SweepSummary",
    "clock_explain",
    "clock_panel_rows",
    "clock_recompute",
    "clocks_cancel",
    "clocks_for",
    "clocks_pause",
    "clocks_reassign",
    "clocks_resume",
    "clocks_retarget",
    "clocks_start",
    "clocks_stop",
    "clocks_sweep",
    "format_seconds",
    "register_escalation",
    "register_recipients",
    "timeline_events",
]


# --- the record panel ----------------------------------------------------------------------------------


@dataclass
class PanelRow:
    """One clock as the record's SLA panel shows it."""

    clock: Clock
    explanation: dict[str, Any]
    category: str  # the status badge category (house colours)
    label: str
    percent: float | None

    @property
    def bar(self) -> float:
        return min(100.0, max(0.0, self.percent or 0.0))


def clock_panel_rows(record: models.Model, *, now: datetime.datetime | None = None) -> list[PanelRow]:
    """The record's clocks with their explanations and badges (two queries)."""
    now = _second(now or timezone.now())
    events = ClockEvent.objects.select_related("actor").order_by("at", "id")
    rows = []
    for clock in clocks_for(record).prefetch_related(Prefetch("events", queryset=events)):
        explanation = clock_explain(clock, now=now, events=list(clock.events.all()))
        category, label = _badge(clock, explanation)
        rows.append(PanelRow(clock, explanation, category, label, explanation["percent_used"]))
    return rows


def _badge(clock: Clock, explanation: dict[str, Any]) -> tuple[str, str]:
    state = explanation["state"]
    remaining = explanation["remaining_seconds"]
    breached = explanation["breached_at"] is not None or (remaining is not None and remaining < 0)
    final = {
        ClockState.MET: ("done", _("Met")),
        ClockState.BREACHED: ("breached", _("Breached")),
        ClockState.STOPPED: ("closed", _("Stopped without a target")),
        ClockState.CANCELLED: ("closed", _("Cancelled")),
    }
    if state in final:
        return final[state]
    if remaining is None:
        return "waiting", _("No target for %(priority)s") % {"priority": clock.priority}
    if breached:
        overdue = _("overdue by %(time)s") % {"time": format_seconds(max(0, -remaining))}
        return "breached", (
            _("Paused, %(overdue)s") if state == ClockState.PAUSED else _("Breached, %(overdue)s")
        ) % {"overdue": overdue}
    left = _("%(time)s left") % {"time": format_seconds(remaining)}
    if state == ClockState.PAUSED:
        return "waiting", _("Paused, %(left)s") % {"left": left}
    percent = explanation["percent_used"] or 0
    if explanation["thresholds"]["warning_level"] or percent >= clock.warn_percent:
        return "at-risk", left
    return "in-progress", left
