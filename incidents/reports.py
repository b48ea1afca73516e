"""Incident reports (clause 8.1): open incidents, created vs resolved per day, SLA attainment against the
objectives, reopen rate and the major incidents of a period.

Reads only, aggregated in the database: every function runs one query (``GROUP BY`` or conditional
``COUNT``s), so a report costs the same few queries for ten incidents or a million; Python only fills
the gaps of the daily series and sums a handful of groups.

How the numbers are counted
---------------------------

* **Open**: incidents in an open state (new … on hold) now, whatever the period.
* **Created** per day: by ``created_at`` (the logging instant), in the reader's time zone.
* **Resolved** per day: by ``resolved_at``, the latest resolution (an incident reopened and resolved
  again counts once, on the day of its last resolution; one reopened and not yet resolved again does
  not count as resolved).
* **Attainment**: the SLA clocks of incidents (customer side, not the teams' OLA clocks) whose outcome
  was decided in the period, by the rule of ``service_levels.reports``: a met clock when it stopped, a
  breached one when it breached. ``met / (met + breached)``; nothing decided gives no percentage.
  Compared with the active service management objectives that measure timely response and incident
  resolution (``service_levels.reports.active_objectives``).
* **Reopen rate**: of the incidents resolved in the period, the share that had been reopened at least
  once (``reopen_count``).
* **Major incidents**: declared in the period, or declared before and not yet resolved (or resolved in
  the period).
* **Service requests** per day: created (``created_at``) and fulfilled (``fulfilled_at``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.choices import Priority
from itsm.periods import Period
from service_levels import reports as sla_reports
from service_levels.choices import ClockState

from .choices import ACTIVE_INCIDENT_STATES, OPEN_INCIDENT_STATES
from .models import Incident, ServiceRequest

DEFAULT_DAYS = 30
MAX_DAYS = 366
WIDGET_DAYS = 14
MAJOR_ROWS = 100
# The objectives' measures (audits.Objective.measure_key) that incident clocks answer.
RESPONSE_MEASURE = "timely-response-rate"
RESOLUTION_MEASURE = "incident-resolution-rate"


@dataclass(frozen=True)
class IncidentReportScope(Period):
    """A period (both days inclusive, in the reader's time zone) and optional filters by id."""

    start: datetime.date
    end: datetime.date
    service_id: int | None = None
    team_id: int | None = None
    customer_id: int | None = None

    @classmethod
    def build(
        cls,
        *,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        today: datetime.date | None = None,
        days: int = DEFAULT_DAYS,
        service: Any = None,
        team: Any = None,
        customer: Any = None,
    ) -> IncidentReportScope:
        """Default: the last ``days`` days up to today (or the ``days`` days ending with ``end`` /
        starting with ``start``)."""
        today = today or timezone.localdate()
        span = datetime.timedelta(days=days - 1)
        if start is None and end is None:
            end = today
        if start is None:
            assert end is not None  # noqa: S101
            start = end - span
        elif end is None:
            end = min(start + span, max(today, start))

        def pk(value: Any) -> int | None:
            return int(getattr(value, "pk", value)) if value else None

        return cls(start=start, end=end, service_id=pk(service), team_id=pk(team), customer_id=pk(customer))

    def as_query(self) -> dict[str, str]:
        """The query string of the report page and the API for this scope."""
        query = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key in ("service", "team", "customer"):
            value = getattr(self, f"{key}_id")
            if value:
                query[key] = str(value)
        return query


def filtered(scope: IncidentReportScope, base: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The incidents (or service requests, given as ``base``) the scope's filters select (``base``:
    already scoped by the policy)."""
    queryset = Incident.objects.all() if base is None else base
    if scope.service_id:
        queryset = queryset.filter(service_id=scope.service_id)
    if scope.team_id:
        queryset = queryset.filter(assignment_team_id=scope.team_id)
    if scope.customer_id:
        queryset = queryset.filter(customer_id=scope.customer_id)
    return queryset


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal (half up); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------------
# Open incidents


@dataclass
class Group:
    """One row of an "open by …" table."""

    key: Any
    label: str
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "count": self.count}


@dataclass
class OpenBreakdown:
    total: int = 0
    by_priority: list[Group] = field(default_factory=list)
    by_team: list[Group] = field(default_factory=list)
    by_service: list[Group] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_priority": [g.as_dict() for g in self.by_priority],
            "by_team": [g.as_dict() for g in self.by_team],
            "by_service": [g.as_dict() for g in self.by_service],
        }


def _ranked(counts: dict[Any, list[Any]], unnamed: str) -> list[Group]:
    rows = [Group(key, name or unnamed, n) for key, (name, n) in counts.items()]
    return sorted(rows, key=lambda g: (-g.count, g.key is None, g.label, g.key or 0))


def open_breakdown(scope: IncidentReportScope, base: QuerySet[Incident] | None = None) -> OpenBreakdown:
    """Open incidents now by priority (every priority, zeros too), assignment team and service (most
    first; "not assigned" / "no service" as their own rows). One query grouped by the three columns;
    Python sums the groups (one per priority, team and service combination, never one per incident)."""
    groups = (
        filtered(scope, base)
        .filter(state__in=OPEN_INCIDENT_STATES)
        .order_by()
        .values("priority", "assignment_team_id", "assignment_team__name", "service_id", "service__name")
        .annotate(n=Count("pk"))
    )
    priorities = dict.fromkeys(Priority.values, 0)
    teams: dict[Any, list[Any]] = {}
    services: dict[Any, list[Any]] = {}
    total = 0
    for row in groups:
        n = row["n"]
        total += n
        priorities[row["priority"]] = priorities.get(row["priority"], 0) + n
        teams.setdefault(row["assignment_team_id"], [row["assignment_team__name"], 0])[1] += n
        services.setdefault(row["service_id"], [row["service__name"], 0])[1] += n
    labels = dict(Priority.choices)
    return OpenBreakdown(
        total=total,
        by_priority=[Group(p, str(labels.get(p, p)), n) for p, n in priorities.items()],
        by_team=_ranked(teams, _("Not assigned")),
        by_service=_ranked(services, _("No service named")),
    )


# ---------------------------------------------------------------------------------------------------
# Created vs resolved per day


@dataclass(frozen=True)
class Day:
    day: datetime.date
    created: int
    resolved: int

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "created": self.created, "resolved": self.resolved}


def _per_day(queryset: QuerySet[Any], column: str, scope: IncidentReportScope) -> dict[datetime.date, int]:
    """Rows per local day of ``column`` within the period: one grouped query (``TruncDate`` in
    the current time zone, which both SQLite and PostgreSQL evaluate the same way)."""
    rows = (
        queryset.filter(**{f"{column}__gte": scope.since, f"{column}__lt": scope.until})
        .annotate(day=TruncDate(column, tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    return {row["day"]: row["n"] for row in rows}


def daily_series(scope: IncidentReportScope, base: QuerySet[Incident] | None = None) -> list[Day]:
    """Created and resolved incidents for every day of the period (zeros included). Two queries."""
    incidents = filtered(scope, base)
    created = _per_day(incidents, "created_at", scope)
    resolved = _per_day(incidents, "resolved_at", scope)
    return [Day(day, created.get(day, 0), resolved.get(day, 0)) for day in scope.days]


@dataclass(frozen=True)
class RequestDay:
    day: datetime.date
    created: int
    fulfilled: int

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "created": self.created, "fulfilled": self.fulfilled}


def request_daily_series(
    scope: IncidentReportScope, base: QuerySet[ServiceRequest] | None = None
) -> list[RequestDay]:
    """Service requests created (``created_at``) and fulfilled (``fulfilled_at``) on every day of the
    period, with the same filters (service, fulfilment team, customer). Two queries."""
    requests = filtered(scope, ServiceRequest.objects.all() if base is None else base)
    created = _per_day(requests, "created_at", scope)
    fulfilled = _per_day(requests, "fulfilled_at", scope)
    return [RequestDay(day, created.get(day, 0), fulfilled.get(day, 0)) for day in scope.days]


# ---------------------------------------------------------------------------------------------------
# Totals and the reopen rate


@dataclass(frozen=True)
class Totals:
    created: int
    resolved: int
    reopened: int  # of the resolved ones, reopened at least once

    @property
    def reopen_rate(self) -> Decimal | None:
        return rate(self.reopened, self.resolved)

    def as_dict(self) -> dict[str, Any]:
        value = self.reopen_rate
        return {
            "created": self.created,
            "resolved": self.resolved,
            "reopened": self.reopened,
            "reopen_rate": None if value is None else str(value),
        }


def totals(scope: IncidentReportScope, base: QuerySet[Incident] | None = None) -> Totals:
    """Created and resolved in the period, and how many of the resolved were reopened. One query."""
    created = Q(created_at__gte=scope.since, created_at__lt=scope.until)
    resolved = Q(resolved_at__gte=scope.since, resolved_at__lt=scope.until)
    values = (
        filtered(scope, base)
        .filter(created | resolved)
        .aggregate(
            created=Count("pk", filter=created),
            resolved=Count("pk", filter=resolved),
            reopened=Count("pk", filter=resolved & Q(reopen_count__gt=0)),
        )
    )
    return Totals(values["created"], values["resolved"], values["reopened"])


# ---------------------------------------------------------------------------------------------------
# SLA attainment against the objectives


@dataclass
class AttainmentSummary:
    response: sla_reports.Attainment
    resolution: sla_reports.Attainment
    objectives: list[dict[str, Any]]

    @property
    def measures(self) -> dict[str, sla_reports.Attainment]:
        return {RESPONSE_MEASURE: self.response, RESOLUTION_MEASURE: self.resolution}

    def objective_for(self, measure: str) -> dict[str, Any] | None:
        return next((o for o in self.objectives if o["measure"] == measure), None)

    @property
    def response_objective(self) -> dict[str, Any] | None:
        return self.objective_for(RESPONSE_MEASURE)

    @property
    def resolution_objective(self) -> dict[str, Any] | None:
        return self.objective_for(RESOLUTION_MEASURE)

    def as_dict(self) -> dict[str, Any]:
        def objective(row: dict[str, Any] | None) -> dict[str, Any] | None:
            if row is None:
                return None
            return {
                "code": row["code"],
                "name": row["name"],
                "target": str(row["target"]),
                "target_display": row["target_display"],
                "attained": row["attained"],
            }

        return {
            "response": {**self.response.as_dict(), "objective": objective(self.response_objective)},
            "resolution": {**self.resolution.as_dict(), "objective": objective(self.resolution_objective)},
        }


def incident_clocks_decided(
    scope: IncidentReportScope,
    base: QuerySet[Incident] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> QuerySet[Any]:
    """The SLA clocks of the scope's incidents whose outcome was decided in the period."""
    period = sla_reports.ReportScope(scope.start, scope.end)
    clocks = sla_reports.decided_clocks(period, side=sla_reports.SLA, now=now).filter(
        content_type__app_label="incidents", content_type__model="incident"
    )
    scoped = base is not None and base.query.has_filters()  # a reader of every incident: no filter
    if scoped or scope.service_id or scope.team_id or scope.customer_id:
        ids = (
            filtered(scope, base).order_by().annotate(key=Cast("pk", output_field=CharField())).values("key")
        )
        clocks = clocks.filter(object_id__in=ids)
    return clocks


def attainment(
    scope: IncidentReportScope,
    base: QuerySet[Incident] | None = None,
    *,
    objectives: list[Any] | None = None,
    now: datetime.datetime | None = None,
) -> AttainmentSummary:
    """Response and resolution attainment of the period's incident clocks, and each active objective
    that measures them (met or not; ``attained`` None when nothing was decided). One query for the
    clocks, one for the objectives unless given."""
    met = Q(state=ClockState.MET)
    response, resolution = Q(kind=sla_reports.RESPONSE), Q(kind=sla_reports.RESOLUTION)
    values = incident_clocks_decided(scope, base, now=now).aggregate(
        response_met=Count("pk", filter=response & met),
        response_breached=Count("pk", filter=response & ~met),
        resolution_met=Count("pk", filter=resolution & met),
        resolution_breached=Count("pk", filter=resolution & ~met),
    )
    summary = AttainmentSummary(
        sla_reports.Attainment(values["response_met"], values["response_breached"]),
        sla_reports.Attainment(values["resolution_met"], values["resolution_breached"]),
        [],
    )
    if objectives is None:
        objectives = list(sla_reports.active_objectives())
    summary.objectives = sla_reports.objective_status(
        summary.measures, [o for o in objectives if o.measure_key in summary.measures]
    )
    return summary


# ---------------------------------------------------------------------------------------------------
# Major incidents


def major_incidents(
    scope: IncidentReportScope, base: QuerySet[Incident] | None = None, *, limit: int = MAJOR_ROWS
) -> list[Incident]:
    """Major incidents of the period (declared in it, or declared before and still running or resolved
    in it), newest declaration first, with their service and review. One query."""
    declared = Q(major_declared_at__gte=scope.since, major_declared_at__lt=scope.until)
    carried = Q(major_declared_at__lt=scope.since) & (
        Q(resolved_at__gte=scope.since) | Q(state__in=ACTIVE_INCIDENT_STATES, resolved_at__isnull=True)
    )
    return list(
        filtered(scope, base)
        .filter(is_major=True)
        .filter(declared | carried)
        .select_related("service", "major_incident_manager", "major_review")
        .order_by("-major_declared_at", "-id")[:limit]
    )


def major_row(incident: Incident) -> dict[str, Any]:
    review = getattr(incident, "major_review", None)  # select_related; a missing one is None
    return {
        "reference": incident.reference,
        "title": incident.title,
        "service": str(incident.service) if incident.service_id else None,
        "state": incident.state,
        "declared_at": incident.major_declared_at.isoformat() if incident.major_declared_at else None,
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "review": None if review is None else {"reference": review.reference, "state": review.state},
        "url": incident.get_absolute_url(),
    }


# ---------------------------------------------------------------------------------------------------
# The whole report


def incident_report(
    scope: IncidentReportScope,
    base: QuerySet[Incident] | None = None,
    *,
    requests: QuerySet[ServiceRequest] | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Everything the report page and the API show, in nine queries (``requests``: the service
    requests the reader may see)."""
    return {
        "scope": scope,
        "open": open_breakdown(scope, base),
        "days": daily_series(scope, base),
        "totals": totals(scope, base),
        "attainment": attainment(scope, base, now=now),
        "majors": major_incidents(scope, base),
        "request_days": request_daily_series(scope, requests),
    }


def report_as_dict(report: dict[str, Any]) -> dict[str, Any]:
    """The report as JSON-ready data (the API's answer)."""
    scope: IncidentReportScope = report["scope"]
    return {
        "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
        "filters": {"service": scope.service_id, "team": scope.team_id, "customer": scope.customer_id},
        "open": report["open"].as_dict(),
        "daily": [d.as_dict() for d in report["days"]],
        "totals": report["totals"].as_dict(),
        "attainment": report["attainment"].as_dict(),
        "major_incidents": [major_row(i) for i in report["majors"]],
        "requests_daily": [d.as_dict() for d in report["request_days"]],
    }


def widget_summary(
    base: QuerySet[Incident] | None = None, *, today: datetime.date | None = None
) -> dict[str, Any]:
    """The dashboard widget: created vs resolved over the last 14 days and the attainment of the same
    days against the objectives. Four queries."""
    scope = IncidentReportScope.build(today=today, days=WIDGET_DAYS)
    days = daily_series(scope, base)
    return {
        "scope": scope,
        "days": days,
        "created": sum(d.created for d in days),
        "resolved": sum(d.resolved for d in days),
        "attainment": attainment(scope, base),
    }
