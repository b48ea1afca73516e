"""Service reporting (clause 6.2): SLA attainment, breaches, workload, trends and the at-risk queue.

Every number is computed in the database from the SLA clocks (``service_levels.Clock``) with
conditional ``COUNT``s grouped by month, agreement, service, customer or team, so a report costs the
same few queries for ten clocks or a million. Nothing here loops over clocks in Python.

How a clock counts
------------------

A clock counts in the period in which its **outcome was decided**: a met clock when it stopped, a
breached clock at its due time (the moment it breached, whether it has stopped since or not). So every
clock counts once, in one month, and the months of a trend add up to the year. Running and paused
clocks that have not breached are *open*: they appear in the at-risk queue, not in the percentages.
Attainment is ``met / (met + breached)``; with nothing decided it is empty, never 0 % or 100 %.

Customer-facing numbers (per SLA, service and customer, and the objectives) come from the clocks of
SLAs; team numbers come from the clocks of OLAs, so a record counts once on each side.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from audits.choices import Comparison, ObjectiveStatus
from audits.models import Objective
from itsm.periods import Period, at_midnight
from itsm.records import Record

from .choices import AgreementKind, ClockEventKind, ClockKind, ClockState
from .models import (
    Agreement,
    BreachCause,
    Clock,
    ClockEvent,
    Customer,
    ReportDefinition,
    Service,
    ServiceReview,
)

# ---------------------------------------------------------------------------------------------------
# Reads of the register pages


def report_definition_list() -> QuerySet[ReportDefinition]:
    return ReportDefinition.objects.select_related("customer", "owner")


def service_review_list() -> QuerySet[ServiceReview]:
    return ServiceReview.objects.select_related("agreement", "agreement__customer", "owner")


# ---------------------------------------------------------------------------------------------------
# Periods


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def shift_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class ReportScope(Period):
    """A period (both days inclusive, in the reader's time zone) and optional filters."""

    start: datetime.date
    end: datetime.date
    customer_id: int | None = None
    service_id: int | None = None
    agreement_id: int | None = None
    team_id: int | None = None

    @classmethod
    def build(
        cls,
        *,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        today: datetime.date | None = None,
        **filters: Any,
    ) -> ReportScope:
        """Default: the current month up to its end (or the month of ``start``)."""
        today = today or timezone.localdate()
        if start is None and end is None:
            start, end = month_start(today), month_end(today)
        elif start is None:
            assert end is not None  # noqa: S101
            start = month_start(end)
        elif end is None:
            end = month_end(start)
        ids = {key: (getattr(value, "pk", value) if value else None) for key, value in filters.items()}
        return cls(
            start=start,
            end=end,
            customer_id=ids.get("customer"),
            service_id=ids.get("service"),
            agreement_id=ids.get("agreement"),
            team_id=ids.get("team"),
        )

    def with_period(self, start: datetime.date, end: datetime.date) -> ReportScope:
        return ReportScope(start, end, self.customer_id, self.service_id, self.agreement_id, self.team_id)

    def as_query(self) -> dict[str, str]:
        query = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key in ("customer", "service", "agreement", "team"):
            value = getattr(self, f"{key}_id")
            if value:
                query[key] = str(value)
        return query


# ---------------------------------------------------------------------------------------------------
# Attainment arithmetic


def percent(met: int, breached: int) -> Decimal | None:
    """``met / (met + breached)`` as a percentage with one decimal (half up); None when nothing counted."""
    total = met + breached
    if total == 0:
        return None
    return (Decimal(met) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Attainment:
    """Met and breached clocks of one kind (response or resolution)."""

    met: int = 0
    breached: int = 0

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> Decimal | None:
        return percent(self.met, self.breached)

    def as_dict(self) -> dict[str, Any]:
        value = self.percent
        return {
            "met": self.met,
            "breached": self.breached,
            "total": self.total,
            "percent": None if value is None else str(value),
        }


@dataclass
class AttainmentRow:
    """One row of an attainment table: a group (agreement, service, customer, team, month, priority)."""

    key: Any
    label: str
    response: Attainment = field(default_factory=Attainment)
    resolution: Attainment = field(default_factory=Attainment)
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": _iso(self.key),
            "label": self.label,
            "response": self.response.as_dict(),
            "resolution": self.resolution.as_dict(),
            **self.extra,
        }


def _row_from(values: dict[str, Any], key: Any, label: str, url: str = "") -> AttainmentRow:
    return AttainmentRow(
        key=key,
        label=label,
        response=Attainment(values["response_met"], values["response_breached"]),
        resolution=Attainment(values["resolution_met"], values["resolution_breached"]),
        url=url,
    )


def total_of(rows: Iterable[AttainmentRow]) -> AttainmentRow:
    total = AttainmentRow(key=None, label="")
    for row in rows:
        total.response.met += row.response.met
        total.response.breached += row.response.breached
        total.resolution.met += row.resolution.met
        total.resolution.breached += row.resolution.breached
    return total


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# ---------------------------------------------------------------------------------------------------
# The clocks a report counts

SLA, OLA = AgreementKind.SLA, AgreementKind.OLA
RESPONSE, RESOLUTION = ClockKind.RESPONSE, ClockKind.RESOLUTION
GROUPINGS = ("agreement", "service", "customer", "team", "priority", "month")
# Objectives (audits.Objective.measure_key) these reports compute: the measure → clock kind, and the
# record type it is limited to ("app_label.model"), if any.
MEASURES: dict[str, tuple[str, str | None]] = {
    "timely-response-rate": (RESPONSE, None),
    "incident-resolution-rate": (RESOLUTION, "incidents.incident"),
}


def _decided_at(now: datetime.datetime) -> Case:
    """When the clock's outcome was decided: met when it stopped; breached at its breach (or at its due
    time when the sweep has not stamped a running clock yet). Null while still open and in time."""
    return Case(
        When(state=ClockState.MET, then=F("stopped_at")),
        When(breached_at__isnull=False, then=F("breached_at")),
        When(state=ClockState.RUNNING, due_at__lte=now, then=F("due_at")),
        default=None,
        output_field=DateTimeField(),
    )


def _is(model_label: str) -> Q:
    app_label, model = model_label.split(".")
    return Q(content_type__app_label=app_label, content_type__model=model)


def _counts(**extra: Q) -> dict[str, Count]:
    """Met and breached, response and resolution, as conditional counts (decided clocks only)."""
    met = Q(state=ClockState.MET)
    counts = {
        "response_met": Count("pk", filter=Q(kind=RESPONSE) & met),
        "response_breached": Count("pk", filter=Q(kind=RESPONSE) & ~met),
        "resolution_met": Count("pk", filter=Q(kind=RESOLUTION) & met),
        "resolution_breached": Count("pk", filter=Q(kind=RESOLUTION) & ~met),
    }
    for name, condition in extra.items():
        counts[f"{name}_met"] = Count("pk", filter=condition & met)
        counts[f"{name}_breached"] = Count("pk", filter=condition & ~met)
    return counts


def clocked_record_models() -> list[type[models.Model]]:
    """Record types that name the affected service and customer (incidents, requests, problems …)."""
    found = []
    for model in apps.get_models():
        names = {f.name: f for f in model._meta.concrete_fields}
        service = names.get("service")
        if issubclass(model, Record) and service is not None and service.related_model is Service:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _record_field(name: str, related: type[models.Model]) -> Case:
    """The record's ``name`` foreign key (e.g. its service), read through the clock's generic link in
    one SQL expression: a correlated subquery per record type, chosen by the clock's content type."""
    whens = []
    for model in clocked_record_models():
        field_obj = {f.name: f for f in model._meta.concrete_fields}.get(name)
        if field_obj is None or field_obj.related_model is not related:
            continue
        lookup = model._default_manager.filter(
            pk=Cast(OuterRef("object_id"), output_field=BigIntegerField())
        ).values(f"{name}_id")[:1]
        whens.append(When(_is(model._meta.label_lower), then=Subquery(lookup)))
    if not whens:
        return Case(default=Value(None), output_field=BigIntegerField())
    return Case(*whens, default=Value(None), output_field=BigIntegerField())


def _filtered(queryset: QuerySet[Clock], scope: ReportScope, side: str | None) -> QuerySet[Clock]:
    if side is not None:
        queryset = queryset.filter(agreement__kind=side)
    if scope.agreement_id:
        queryset = queryset.filter(agreement_id=scope.agreement_id)
    if scope.team_id:
        queryset = queryset.filter(team_id=scope.team_id)
    if scope.customer_id:
        queryset = queryset.annotate(scope_customer=_record_field("customer", Customer)).filter(
            Q(agreement__customer_id=scope.customer_id) | Q(scope_customer=scope.customer_id)
        )
    if scope.service_id:
        queryset = queryset.annotate(scope_service=_record_field("service", Service)).filter(
            scope_service=scope.service_id
        )
    return queryset


def _within(field: str, since: datetime.datetime, until: datetime.datetime) -> Q:
    return Q(**{f"{field}__gte": since, f"{field}__lt": until})


def _decided_between(since: datetime.datetime, until: datetime.datetime, now: datetime.datetime) -> Q:
    """The clocks whose outcome was decided in ``[since, until)`` (the rule of ``_decided_at``) as plain
    column comparisons, so the database evaluates them natively and may use indexes."""
    return (
        (Q(state=ClockState.MET) & _within("stopped_at", since, until))
        | _within("breached_at", since, until)
        | (
            Q(state=ClockState.RUNNING, breached_at__isnull=True, due_at__lte=now)
            & _within("due_at", since, until)
        )
    )


def decided_clocks(
    scope: ReportScope, *, side: str | None = SLA, now: datetime.datetime | None = None
) -> QuerySet[Clock]:
    """Clocks with a target whose outcome (met or breached) was decided in the scope's period, with that
    moment as ``decided_at``."""
    now = now or timezone.now()
    queryset = Clock.objects.filter(target_seconds__isnull=False, agreement__isnull=False).filter(
        _decided_between(scope.since, scope.until, now)
    )
    return _filtered(queryset, scope, side).annotate(decided_at=_decided_at(now))


def month_bounds(scope: ReportScope) -> list[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """Each month the scope touches: its first day and its instants in the reader's time zone, clipped
    to the scope."""
    bounds = []
    month = month_start(scope.start)
    while month <= scope.end:
        following = shift_months(month, 1)
        since = max(at_midnight(month), scope.since)
        until = min(at_midnight(following), scope.until)
        bounds.append((month, since, until))
        month = following
    return bounds


def _monthly(
    scope: ReportScope, *, side: str | None, now: datetime.datetime
) -> list[tuple[datetime.date, Attainment, Attainment]]:
    """Met / breached per month of the scope in one pass: conditional counts per month bound (no
    per-row date function, so SQLite is as quick here as PostgreSQL). One query."""
    bounds = month_bounds(scope)
    met = Q(state=ClockState.MET)
    counts: dict[str, Count] = {}
    for i, (_month, since, until) in enumerate(bounds):
        decided = _decided_between(since, until, now)
        for kind in (RESPONSE, RESOLUTION):
            counts[f"m{i}_{kind}_met"] = Count("pk", filter=Q(kind=kind) & met & decided)
            counts[f"m{i}_{kind}_breached"] = Count("pk", filter=Q(kind=kind) & ~met & decided)
    values = decided_clocks(scope, side=side, now=now).aggregate(**counts)
    return [
        (
            month,
            Attainment(values[f"m{i}_{RESPONSE}_met"], values[f"m{i}_{RESPONSE}_breached"]),
            Attainment(values[f"m{i}_{RESOLUTION}_met"], values[f"m{i}_{RESOLUTION}_breached"]),
        )
        for i, (month, _since, _until) in enumerate(bounds)
    ]


# ---------------------------------------------------------------------------------------------------
# Attainment


def attainment_total(
    scope: ReportScope, *, side: str = SLA, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """The period's totals on one side, with the incident-only resolution the objectives ask for.

    One query. Returns ``{"total": AttainmentRow, "measures": {measure_key: Attainment}}``.
    """
    extra = {
        key: Q(kind=kind) & (_is(limited) if limited else Q())
        for key, (kind, limited) in _measure_names().items()
    }
    values = decided_clocks(scope, side=side, now=now).aggregate(**_counts(**extra))
    total = _row_from(values, None, "")
    measures = {
        measure: Attainment(values[f"{name}_met"], values[f"{name}_breached"])
        for name, measure in zip(extra, MEASURES, strict=True)
    }
    return {"total": total, "measures": measures}


def _measure_names() -> dict[str, tuple[str, str | None]]:
    return {f"measure_{i}": value for i, value in enumerate(MEASURES.values())}


def objective_status(
    measures: dict[str, Attainment], objectives: Iterable[Objective] | None = None
) -> list[dict[str, Any]]:
    """The active service management objectives these reports can compute, against this period."""
    rows = []
    for objective in active_objectives() if objectives is None else objectives:
        value = measures[objective.measure_key].percent
        attained = None
        if value is not None:
            attained = (
                value >= objective.target
                if objective.comparison == Comparison.AT_LEAST
                else value <= objective.target
            )
        rows.append(
            {
                "code": objective.code,
                "name": objective.name,
                "measure": objective.measure_key,
                "target": objective.target,
                "target_display": objective.target_display,
                "value": value,
                "attained": attained,
                "counted": measures[objective.measure_key].total,
                "url": objective.get_absolute_url(),
            }
        )
    return rows


def objective_targets(objectives: Iterable[Objective]) -> dict[str, Decimal | None]:
    """The percentage below which a response or resolution figure misses its objective (for marking
    cells); None when no active "at least" objective measures it."""
    targets: dict[str, Decimal | None] = {RESPONSE: None, RESOLUTION: None}
    for objective in objectives:
        kind = MEASURES[objective.measure_key][0]
        if objective.comparison == Comparison.AT_LEAST:
            targets[kind] = objective.target
    return targets


def attainment_by(
    scope: ReportScope, group_by: str, *, side: str | None = None, now: datetime.datetime | None = None
) -> list[AttainmentRow]:
    """Met / breached / % per agreement, service, customer, team (OLA side), priority or month.

    Agreements, services, customers, priorities and months count the SLA side unless ``side`` says
    otherwise; teams count the OLA side (the team whose OLA it is). Two queries at most.
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"Unknown grouping {group_by!r}.")
    side = side or (OLA if group_by == "team" else SLA)
    clocks = decided_clocks(scope, side=side, now=now)
    counts = _counts()
    if group_by == "agreement":
        rows = clocks.values("agreement_id", "agreement__reference", "agreement__title").annotate(**counts)
        result = [
            _row_from(
                r,
                r["agreement_id"],
                f"{r['agreement__reference']} {r['agreement__title']}",
                reverse("service_levels:agreement_detail", args=[r["agreement_id"]]),
            )
            for r in rows.order_by("agreement__reference")
        ]
    elif group_by == "customer":
        rows = clocks.values("agreement__customer_id", "agreement__customer__name").annotate(**counts)
        result = [
            _row_from(
                r,
                r["agreement__customer_id"],
                r["agreement__customer__name"] or "—",
                reverse("service_levels:customer_detail", args=[r["agreement__customer_id"]])
                if r["agreement__customer_id"]
                else "",
            )
            for r in rows.order_by("agreement__customer__name")
        ]
    elif group_by == "team":
        rows = clocks.values("agreement__team_id", "agreement__team__name").annotate(**counts)
        result = [
            _row_from(r, r["agreement__team_id"], r["agreement__team__name"] or "—")
            for r in rows.order_by("agreement__team__name")
        ]
    elif group_by == "priority":
        rows = clocks.values("priority").annotate(**counts)
        result = [_row_from(r, r["priority"], r["priority"]) for r in rows.order_by("priority")]
    elif group_by == "month":
        result = [
            AttainmentRow(key=month, label=month.strftime("%Y-%m"), response=response, resolution=resolution)
            for month, response, resolution in _monthly(scope, side=side, now=now or timezone.now())
            if response.total or resolution.total
        ]
    else:  # service
        rows = (
            clocks.annotate(record_service=_record_field("service", Service))
            .values("record_service")
            .annotate(**counts)
        )
        rows_list = list(rows)
        names = dict(
            Service.objects.filter(
                pk__in=[r["record_service"] for r in rows_list if r["record_service"]]
            ).values_list("pk", "name")
        )
        result = [
            _row_from(
                r,
                r["record_service"],
                names.get(r["record_service"], "—"),
                reverse("service_levels:service_detail", args=[r["record_service"]])
                if r["record_service"]
                else "",
            )
            for r in rows_list
        ]
        result.sort(key=lambda row: (row.key is None, row.label))
    return result


def attainment_report(scope: ReportScope, *, group_by: str = "agreement") -> dict[str, Any]:
    """The attainment endpoint's body (a stable JSON shape)."""
    now = timezone.now()
    totals = attainment_total(scope, now=now)
    rows = attainment_by(scope, group_by, now=now)
    side = OLA if group_by == "team" else SLA
    return {
        "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
        "group_by": group_by,
        "side": str(side),
        "rows": [row.as_dict() for row in rows],
        "total": totals["total"].as_dict() if side == SLA else total_of(rows).as_dict(),
        "objectives": [
            {**o, "target": str(o["target"]), "value": None if o["value"] is None else str(o["value"])}
            for o in objective_status(totals["measures"])
        ],
    }


# ---------------------------------------------------------------------------------------------------
# Workload and trends


def _first_clock_of_record() -> Any:
    return ~Exists(
        Clock.objects.filter(
            content_type_id=OuterRef("content_type_id"),
            object_id=OuterRef("object_id"),
            started_at__lt=OuterRef("started_at"),
        )
    )


def logged_records(scope: ReportScope) -> QuerySet[Clock]:
    """One clock per record logged in the period: the record's first clock started in it."""
    clocks = Clock.objects.filter(started_at__gte=scope.since, started_at__lt=scope.until)
    return _filtered(clocks, scope, None).filter(_first_clock_of_record())


def workload_total(scope: ReportScope) -> int:
    """Records logged in the period (records whose first SLA/OLA clock started in it). One query."""
    rows = logged_records(scope).values("content_type_id").annotate(n=Count("object_id", distinct=True))
    return sum(r["n"] for r in rows)


def workload_by_service(scope: ReportScope) -> list[dict[str, Any]]:
    """Records logged per affected service in the period. Two queries."""
    rows = list(
        logged_records(scope)
        .annotate(record_service=_record_field("service", Service))
        .values("record_service", "content_type_id")
        .annotate(n=Count("object_id", distinct=True))
    )
    per_service: dict[int | None, int] = {}
    for r in rows:
        per_service[r["record_service"]] = per_service.get(r["record_service"], 0) + r["n"]
    names = dict(Service.objects.filter(pk__in=[k for k in per_service if k]).values_list("pk", "name"))
    ordered = sorted(
        per_service.items(), key=lambda item: (-item[1], names.get(item[0], "") if item[0] else "")
    )
    return [
        {
            "key": key,
            "label": names.get(key, "—") if key else "—",
            "records": count,
            "url": reverse("service_levels:service_detail", args=[key]) if key else "",
        }
        for key, count in ordered
    ]


@dataclass
class TrendPoint:
    month: datetime.date
    response: Attainment
    resolution: Attainment
    records: int

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.label,
            "response": self.response.as_dict(),
            "resolution": self.resolution.as_dict(),
            "records": self.records,
        }


def trend(
    scope: ReportScope, *, months: int = 12, side: str = SLA, now: datetime.datetime | None = None
) -> list[TrendPoint]:
    """Attainment and records logged per month, for ``months`` months ending with the scope's last
    month; every month is present (empty months have no percentage). Two queries."""
    last = month_start(scope.end)
    first = shift_months(last, -(months - 1))
    window = scope.with_period(first, month_end(last))
    bounds = month_bounds(window)
    monthly = _monthly(window, side=side, now=now or timezone.now())
    logged = (
        logged_records(window)
        .values("content_type_id")
        .annotate(
            **{
                f"m{i}": Count("object_id", distinct=True, filter=_within("started_at", since, until))
                for i, (_month, since, until) in enumerate(bounds)
            }
        )
    )
    records = [0] * len(bounds)
    for row in logged:  # one row per record type
        for i in range(len(bounds)):
            records[i] += row[f"m{i}"]
    return [
        TrendPoint(month, response, resolution, records[i])
        for i, (month, response, resolution) in enumerate(monthly)
    ]


def trend_report(scope: ReportScope, *, months: int = 12) -> dict[str, Any]:
    points = trend(scope, months=months)
    return {
        "months": months,
        "to": month_end(scope.end).isoformat(),
        "side": str(SLA),
        "points": [p.as_dict() for p in points],
    }


# ---------------------------------------------------------------------------------------------------
# Breaches and the at-risk queue


def breach_list(
    scope: ReportScope, *, side: str | None = None, now: datetime.datetime | None = None
) -> QuerySet[Clock]:
    """Breached clocks of the period (SLA and OLA unless ``side`` says), newest first, with their
    agreement, team, recorded cause (``breach_cause``), the sweep's note (``breach_reason``), and the
    record's service (``record_service``). Slice it; prefetch ``record`` for links."""
    first_breach = ClockEvent.objects.filter(clock_id=OuterRef("pk"), kind=ClockEventKind.BREACH).order_by(
        "at", "id"
    )
    return (
        decided_clocks(scope, side=side, now=now)
        .exclude(state=ClockState.MET)
        .annotate(
            breach_reason=Subquery(first_breach.values("reason")[:1]),
            record_service=_record_field("service", Service),
        )
        .select_related(
            "agreement", "agreement__customer", "team", "breach_cause", "breach_cause__recorded_by"
        )
        .order_by("-decided_at", "-pk")
    )


def breach_rows(clocks: Iterable[Clock]) -> list[dict[str, Any]]:
    """Table rows of breached clocks (``clocks`` from ``breach_list``, ``record`` prefetched)."""
    clocks = list(clocks)
    service_ids = {getattr(c, "record_service", None) for c in clocks} - {None}
    names = dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "name")) if service_ids else {}
    rows = []
    for clock in clocks:
        cause = getattr(clock, "breach_cause", None) if has_cause(clock) else None
        rows.append(
            {
                "clock": clock,
                "id": clock.pk,
                "record": clock.record_reference or clock.object_id,
                "url": clock.get_absolute_url(),
                "kind": clock.get_kind_display(),
                "kind_value": clock.kind,
                "priority": clock.priority,
                "agreement": clock.agreement.reference if clock.agreement else "",
                "agreement_kind": clock.agreement.kind if clock.agreement else "",
                "customer": str(clock.agreement.customer)
                if clock.agreement and clock.agreement.customer
                else "",
                "service": names.get(clock.record_service, "") if clock.record_service else "",  # type: ignore[attr-defined]
                "team": str(clock.team) if clock.team else "",
                "due_at": clock.due_at,
                "breached_at": clock.decided_at,  # type: ignore[attr-defined]
                "state": clock.get_state_display(),
                "cause": cause.cause if cause else "",
                "cause_by": str(cause.recorded_by) if cause else "",
                "cause_at": cause.recorded_at if cause else None,
                "sweep_note": clock.breach_reason or "",  # type: ignore[attr-defined]
            }
        )
    return rows


def has_cause(clock: Clock) -> bool:
    try:
        clock.breach_cause  # noqa: B018
    except BreachCause.DoesNotExist:
        return False
    return True


def at_risk(scope: ReportScope, *, now: datetime.datetime | None = None) -> QuerySet[Clock]:
    """Running clocks with a target that have not breached yet, closest to their due time first (the
    period of the scope does not apply: this is now). Slice it; prefetch ``record`` for links."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(
        state=ClockState.RUNNING, breached_at__isnull=True, target_seconds__isnull=False, due_at__gt=now
    )
    return (
        _filtered(clocks, scope, None)
        .select_related("agreement", "agreement__customer", "team")
        .order_by("due_at", "pk")
    )


def open_breached_count(scope: ReportScope, *, now: datetime.datetime | None = None) -> int:
    """Open clocks already past their due time (breached, the record still open). One query."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(
        state__in=[ClockState.RUNNING, ClockState.PAUSED], target_seconds__isnull=False
    ).filter(Q(breached_at__isnull=False) | Q(state=ClockState.RUNNING, due_at__lte=now))
    return _filtered(clocks, scope, None).count()


def at_risk_rows(clocks: Iterable[Clock], *, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    rows = []
    for clock in clocks:
        assert clock.due_at is not None  # noqa: S101 (filtered)
        left = clock.due_at - now
        rows.append(
            {
                "clock": clock,
                "id": clock.pk,
                "record": clock.record_reference or clock.object_id,
                "url": clock.get_absolute_url(),
                "kind": clock.get_kind_display(),
                "kind_value": clock.kind,
                "priority": clock.priority,
                "agreement": clock.agreement.reference if clock.agreement else "",
                "agreement_kind": clock.agreement.kind if clock.agreement else "",
                "customer": str(clock.agreement.customer)
                if clock.agreement and clock.agreement.customer
                else "",
                "team": str(clock.team) if clock.team else "",
                "due_at": clock.due_at,
                "seconds_left": int(left.total_seconds()),
                "time_left": duration_text(left),
                "warning_level": clock.warning_level,
                "level": ("critical", "warning", "ok")[2 - clock.warning_level]
                if clock.warning_level <= 2
                else "critical",
            }
        )
    return rows


def duration_text(delta: datetime.timedelta) -> str:
    """``2 d 3 h``, ``2 h 10 min``, ``7 min`` (the badge text of the time left)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return gettext("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    return gettext("%(m)d min") % {"m": mins}


def at_risk_report(scope: ReportScope, *, limit: int = 50) -> dict[str, Any]:
    now = timezone.now()
    clocks = at_risk(scope, now=now).prefetch_related("record")[:limit]
    rows = at_risk_rows(clocks, now=now)
    return {
        "as_of": now.isoformat(),
        "breached_open": open_breached_count(scope, now=now),
        "rows": [
            {
                "clock": r["id"],
                "record": r["record"],
                "url": r["url"],
                "kind": r["kind_value"],
                "priority": r["priority"],
                "agreement": r["agreement"],
                "customer": r["customer"],
                "team": r["team"],
                "due_at": r["due_at"].isoformat(),
                "seconds_left": r["seconds_left"],
                "warning_level": r["warning_level"],
            }
            for r in rows
        ],
    }


# ---------------------------------------------------------------------------------------------------
# The performance snapshot of a service review


PERFORMANCE_BREACHES = 100


def agreement_performance(
    *, agreement: Agreement, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """The performance of one agreement in a period, as JSON for a service review: totals, per
    priority, per month, records logged, breaches with their causes (at most 100), open clocks."""
    now = timezone.now()
    scope = ReportScope(start=start, end=end, agreement_id=agreement.pk)
    side = agreement.kind
    clocks = decided_clocks(scope, side=side, now=now)
    total = _row_from(clocks.aggregate(**_counts()), None, "")
    by_priority = attainment_by(scope, "priority", side=side, now=now)
    by_month = attainment_by(scope, "month", side=side, now=now)
    breaches = breach_rows(
        breach_list(scope, side=side, now=now).prefetch_related("record")[:PERFORMANCE_BREACHES]
    )
    open_clocks = Clock.objects.filter(
        agreement=agreement, state__in=[ClockState.RUNNING, ClockState.PAUSED]
    ).count()
    return {
        "version": 1,
        "computed_at": now.isoformat(),
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "complete": timezone.localdate(now) > end,
        "agreement": {"id": agreement.pk, "reference": agreement.reference, "kind": str(agreement.kind)},
        "targets": [
            {
                "priority": t.priority,
                "respond_minutes": t.respond_minutes,
                "resolve_minutes": t.resolve_minutes,
            }
            for t in agreement.targets.order_by("priority")
        ],
        "total": total.as_dict(),
        "by_priority": [r.as_dict() for r in by_priority],
        "by_month": [r.as_dict() for r in by_month],
        "records": workload_total(scope),
        "open_clocks": open_clocks,
        "breach_count": total.response.breached + total.resolution.breached,
        "breaches": [
            {
                "record": b["record"],
                "url": b["url"],
                "kind": b["kind_value"],
                "priority": b["priority"],
                "breached_at": _iso(b["breached_at"]),
                "cause": b["cause"] or b["sweep_note"],
            }
            for b in breaches
        ],
    }


def performance_rows(performance: dict[str, Any]) -> dict[str, Any]:
    """The snapshot made readable for the review page (tolerates an empty or older snapshot)."""
    if not performance or performance.get("version") != 1:
        return {"available": False}

    def attainment(data: dict[str, Any]) -> Attainment:
        return Attainment(int(data.get("met", 0)), int(data.get("breached", 0)))

    def row(data: dict[str, Any], label: str) -> AttainmentRow:
        return AttainmentRow(
            key=data.get("key"),
            label=label,
            response=attainment(data["response"]),
            resolution=attainment(data["resolution"]),
        )

    def moment(value: Any) -> datetime.datetime | None:
        try:
            return datetime.datetime.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    return {
        "available": True,
        "computed_at": moment(performance.get("computed_at")),
        "complete": performance.get("complete", True),
        "total": row(performance["total"], ""),
        "by_priority": [row(r, r["label"]) for r in performance.get("by_priority", [])],
        "by_month": [row(r, r["label"]) for r in performance.get("by_month", [])],
        "records": performance.get("records", 0),
        "open_clocks": performance.get("open_clocks", 0),
        "breach_count": performance.get("breach_count", 0),
        "breaches": [
            {**b, "breached_at": moment(b.get("breached_at"))} for b in performance.get("breaches", [])
        ],
        "targets": performance.get("targets", []),
    }


def active_objectives() -> QuerySet[Objective]:
    """The active objectives these reports compute (for the reference lines of the charts)."""
    return Objective.objects.filter(measure_key__in=list(MEASURES), status=ObjectiveStatus.ACTIVE).order_by(
        "code"
    )
