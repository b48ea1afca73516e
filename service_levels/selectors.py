"""Reads of service level management: joins and policy scoping live here."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from .choices import AgreementKind, AgreementState
from .models import (
    Agreement,
    AgreementTarget,
    BusinessCalendar,
    CalendarVersion,
    Contact,
    Customer,
    Service,
    ServiceComponent,
    ServiceDependency,
)


def _as_date(at: datetime.datetime | datetime.date) -> datetime.date:
    """The calendar day of ``at`` in the project's time zone (a date passes through)."""
    if isinstance(at, datetime.datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


# An agreement applies on the days between its effective dates once it has been agreed. One superseded
# or expired later keeps applying to the days it covered (superseding and expiring set its end date),
# so a record opened last month gets last month's targets.
APPLIED_STATES = (AgreementState.AGREED, AgreementState.SUPERSEDED, AgreementState.EXPIRED)


def _in_force(on: datetime.date) -> Q:
    return Q(state__in=APPLIED_STATES, effective_from__lte=on) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def applicable_agreements(
    *,
    customer: Any | None,
    service: Any | None,
    team: Any | None,
    at: datetime.datetime | datetime.date,
) -> list[Agreement]:
    """The agreements whose targets apply to a record: agreed SLAs in force on that day for the
    customer *and* the service, then agreed OLAs in force on that day for the team.

    "In force on that day": agreed, and the day lies between its effective dates. An agreement that
    was superseded or expired later still applies to the days it covered (its end date was set when it
    was superseded or expired), so recomputing an old record gives the old answer. Drafts never apply.
    ``at`` is a date or an aware datetime (its day in the project's time zone).

    An SLA needs both a customer and a service (an SLA covers named services for one customer); an OLA
    needs the team. Missing arguments simply contribute nothing. Targets, calendar and services come
    prefetched, so reading ``agreement.targets.all()`` or ``target_for`` costs no further query.
    One query for the agreements and one for their targets, however many match.
    """
    on = _as_date(at)
    scopes = []
    if customer is not None and service is not None:
        scopes.append(Q(kind=AgreementKind.SLA, customer=customer, services=service))
    if team is not None:
        scopes.append(Q(kind=AgreementKind.OLA, team=team))
    if not scopes:
        return []
    scope = scopes[0] if len(scopes) == 1 else scopes[0] | scopes[1]
    queryset = (
        Agreement.objects.filter(scope & _in_force(on))
        .distinct()
        .select_related("calendar", "customer", "team")
        .prefetch_related(Prefetch("targets", queryset=AgreementTarget.objects.order_by("priority")))
        .order_by("kind", "-effective_from", "id")
    )
    # "ola" sorts before "sla"; SLAs first reads better for people and callers alike.
    agreements = list(queryset)
    return [a for a in agreements if a.kind == AgreementKind.SLA] + [
        a for a in agreements if a.kind == AgreementKind.OLA
    ]


def target_for(*, agreement: Agreement, priority: str) -> AgreementTarget | None:
    """The agreement's target for ``priority`` or None (a gap: no silent default). Uses the prefetched
    targets when present."""
    for target in agreement.targets.all():
        if target.priority == priority:
            return target
    return None


# The catalogue ------------------------------------------------------------------------------------------


def service_list() -> QuerySet[Service]:
    return Service.objects.select_related("owner", "team", "service_hours")


def component_list() -> QuerySet[ServiceComponent]:
    return ServiceComponent.objects.select_related("service", "team")


def _reachable_sql(direction: str) -> str:
    """One recursive query: the ids of the services reachable from ``%s`` along dependencies.

    ``down`` follows what a service depends on (another service, or the service owning a component it
    depends on); ``up`` follows who depends on it (directly or through one of its components).
    ``UNION`` (not ``UNION ALL``) stops on rows already seen, so even a cycle in bad data terminates.
    """
    # Only table names from the models are formatted in; the start id is a query parameter.
    quote = connection.ops.quote_name
    dependency = quote(ServiceDependency._meta.db_table)
    component = quote(ServiceComponent._meta.db_table)
    if direction == "down":
        step = (
            f"SELECT COALESCE(d.depends_on_id, c.service_id) FROM {dependency} d "  # noqa: S608
            f"LEFT JOIN {component} c ON c.id = d.component_id JOIN reach r ON d.service_id = r.id"
        )
    else:
        step = (
            f"SELECT d.service_id FROM {dependency} d LEFT JOIN {component} c ON c.id = d.component_id "  # noqa: S608
            f"JOIN reach r ON (d.depends_on_id = r.id OR c.service_id = r.id)"
        )
    return f"WITH RECURSIVE reach(id) AS (SELECT CAST(%s AS BIGINT) UNION {step}) SELECT id FROM reach"  # noqa: S608


def reachable_services(*, service: Service | int, direction: str) -> set[int]:
    """Ids of every service ``service`` depends on (``"down"``) or that depends on it (``"up"``),
    directly or through others, without ``service`` itself: one recursive query."""
    if direction not in ("down", "up"):
        raise ValueError(direction)
    start = service if isinstance(service, int) else service.pk
    with connection.cursor() as cursor:
        cursor.execute(_reachable_sql(direction), [start])
        found = {row[0] for row in cursor.fetchall()}
    found.discard(start)
    return found


def service_depends_on(*, service: Service, other: Service) -> bool:
    """Whether ``service`` already depends on ``other``, directly or through other services."""
    return other.pk in reachable_services(service=service, direction="down")


TREE_NODE_LIMIT = 300  # a page shows at most this many nodes of a tree


@dataclass
class TreeNode:
    """A service in a dependency tree; ``via`` is the dependency that leads to it from its parent."""

    service: Service
    via: ServiceDependency | None = None
    children: list[TreeNode] = field(default_factory=list)
    components: list[ServiceDependency] = field(default_factory=list)
    repeated: bool = False


def dependency_tree(*, service: Service, direction: str) -> TreeNode:
    """The dependency tree below (``"down"``: what it needs) or above (``"up"``: who needs it) a
    service, for display, in name order. Two queries whatever its size."""
    reachable = reachable_services(service=service, direction=direction) | {service.pk}
    edges = ServiceDependency.objects.select_related(
        "service", "depends_on", "component", "component__service"
    ).order_by("kind", "id")
    if direction == "down":
        edges = edges.filter(service_id__in=reachable)
    else:
        edges = edges.filter(Q(depends_on_id__in=reachable) | Q(component__service_id__in=reachable))
    children: dict[int, list[ServiceDependency]] = {}
    for edge in edges:
        if direction == "down":
            children.setdefault(edge.service_id, []).append(edge)
        else:
            parent = edge.depends_on_id if edge.depends_on_id else edge.component.service_id  # type: ignore[union-attr]
            children.setdefault(parent, []).append(edge)
    budget = [TREE_NODE_LIMIT]

    def build(node: TreeNode, ancestors: frozenset[int]) -> TreeNode:
        """Each branch shows its whole subtree (a service needed twice appears twice); a service that is
        its own ancestor (only in bad data) and branches past the size limit are marked ``repeated``."""
        path = ancestors | {node.service.pk}
        edges = sorted(
            children.get(node.service.pk, []),
            key=lambda e: (
                (e.depends_on or e.component).name if direction == "down" else e.service.name,  # type: ignore[union-attr]
                e.pk,
            ),
        )
        for edge in edges:
            if direction == "down":
                if edge.depends_on is None:
                    node.components.append(edge)
                    continue
                child_service = edge.depends_on
            else:
                child_service = edge.service
                if child_service.pk == node.service.pk:
                    continue  # a service depending on its own component
            child = TreeNode(service=child_service, via=edge)
            budget[0] -= 1
            if child_service.pk in path or budget[0] <= 0:
                child.repeated = True
                node.children.append(child)
            else:
                node.children.append(build(child, path))
        return node

    return build(TreeNode(service=service), frozenset())


# Customers ----------------------------------------------------------------------------------------------


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.select_related("relationship_owner")


def contact_list() -> QuerySet[Contact]:
    return Contact.objects.select_related("customer", "user")


# Calendars ----------------------------------------------------------------------------------------------


def calendar_list() -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.all()


def version_list() -> QuerySet[CalendarVersion]:
    return CalendarVersion.objects.select_related("calendar", "created_by")


# Agreements ---------------------------------------------------------------------------------------------


def agreement_list() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("customer", "team", "calendar", "owner", "supersedes")


# Pages: calendars in detail ----------------------------------------------------------------------------


def calendar_list_annotated() -> QuerySet[BusinessCalendar]:
    """Calendars with the number, time zone and 24x7 flag of the version in force now (one query)."""
    current = CalendarVersion.objects.filter(calendar=OuterRef("pk"), valid_from__lte=Now()).order_by(
        "-valid_from", "-number"
    )
    return BusinessCalendar.objects.annotate(
        current_number=Subquery(current.values("number")[:1]),
        current_time_zone=Subquery(current.values("time_zone")[:1]),
        current_always_open=Subquery(current.values("always_open")[:1]),
        current_country=Subquery(current.values("holiday_country")[:1]),
        version_count=Count("versions", distinct=True),
    )


SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@dataclass
class CalendarDay:
    """A date of the year that is not worked as its weekday says, and why."""

    day: datetime.date
    kind: str  # holiday | makeup | closed | working
    name: str
    source: str  # preset | calendar


def calendar_year(version: CalendarVersion, year: int) -> list[CalendarDay]:
    """The year's public holidays and make-up working days of the version's country preset (with their
    names), then its own closed and working dates, by date. A date of the calendar's own lists wins."""
    days: dict[datetime.date, CalendarDay] = {}
    if version.holiday_country:
        import holidays

        try:
            preset = holidays.country_holidays(
                version.holiday_country, subdiv=version.holiday_subdivision or None, years=year
            )
        except NotImplementedError:
            preset = None
        if preset is not None:
            for day, name in preset.items():
                if day.year == year:
                    days[day] = CalendarDay(day, "holiday", str(name), "preset")
            # The package names a day off "… (substituted from MM/DD/YYYY)": that date is its make-up day.
            instead_of = {}
            for day, name in preset.items():
                match = SUBSTITUTED.search(str(name))
                if match is not None:
                    month, dom, yyyy = (int(g) for g in match.groups())
                    instead_of[datetime.date(yyyy, month, dom)] = day
            for day in getattr(preset, "weekend_workdays", ()):
                if day.year == year:
                    off = instead_of.get(day)
                    name = _("worked instead of %(date)s") % {"date": off.isoformat()} if off else ""
                    days[day] = CalendarDay(day, "makeup", name, "preset")
    for kind, entries in (("closed", version.closed_dates), ("working", version.working_dates)):
        for entry in entries or []:
            day = datetime.date.fromisoformat(entry["date"])
            if day.year == year:
                days[day] = CalendarDay(day, kind, entry.get("name", ""), "calendar")
    return [days[d] for d in sorted(days)]


@dataclass
class VersionChange:
    field: str
    old: str
    new: str


def _spans_text(spans: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in spans) or "—"


def _dates_text(dates: list[dict[str, str]]) -> set[str]:
    return {f"{d['date']} {d.get('name', '')}".strip() for d in dates or []}


def version_changes(old: CalendarVersion | None, new: CalendarVersion) -> list[VersionChange]:
    """What differs between two versions, field by field (weekdays and dates one by one)."""
    if old is None:
        return []
    changes = []
    for name, label in (
        ("time_zone", _("Time zone")),
        ("always_open", _("Open 24 hours, 7 days")),
        ("holiday_country", _("Public holidays of")),
        ("holiday_subdivision", _("Region")),
        ("makeup_weekday", _("Make-up days work the hours of")),
    ):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            if name == "makeup_weekday":
                before, after = WEEKDAYS[before], WEEKDAYS[after]
            elif name == "always_open":
                before, after = (_("Yes") if before else _("No")), (_("Yes") if after else _("No"))
            changes.append(VersionChange(str(label), str(before or "—"), str(after or "—")))
    for day in range(7):
        before = old.weekly_hours[day] if day < len(old.weekly_hours) else []
        after = new.weekly_hours[day] if day < len(new.weekly_hours) else []
        if before != after:
            changes.append(VersionChange(str(WEEKDAYS[day]), _spans_text(before), _spans_text(after)))
    for name, label in (
        ("closed_dates", _("Extra closed days")),
        ("working_dates", _("Make-up working days")),
    ):
        before_set, after_set = _dates_text(getattr(old, name)), _dates_text(getattr(new, name))
        if before_set != after_set:
            changes.append(
                VersionChange(
                    str(label),
                    ", ".join(sorted(before_set - after_set)) or "—",
                    ", ".join(sorted(after_set - before_set)) or "—",
                )
            )
    return changes


# Pages: history of an entry with its parts --------------------------------------------------------------


@dataclass
class HistoryRow:
    history_date: datetime.datetime
    history_user: Any
    what: str
    history_change_reason: str
    history_type: str


def _rows(queryset: Any, describe: Any) -> list[HistoryRow]:
    return [
        HistoryRow(
            row.history_date,
            row.history_user,
            describe(row),
            row.history_change_reason or "",
            row.history_type,
        )
        for row in queryset.select_related("history_user").order_by("-history_date", "-history_id")[:100]
    ]


def _type_label(row: Any) -> str:
    return str(row.get_history_type_display())


def service_history(service: Service) -> list[HistoryRow]:
    """The service's own history with its components' and dependencies', newest first (four queries)."""
    names = dict(Service.objects.values_list("pk", "name"))
    components = dict(ServiceComponent.history.filter(service_id=service.pk).values_list("id", "name"))
    rows = _rows(service.history.all(), _type_label)
    rows += _rows(
        ServiceComponent.history.filter(service_id=service.pk),
        lambda r: _("Component %(name)s: %(what)s") % {"name": r.name, "what": _type_label(r)},
    )
    rows += _rows(
        ServiceDependency.history.filter(service_id=service.pk),
        lambda r: (
            _("Dependency on %(target)s: %(what)s")
            % {
                "target": names.get(r.depends_on_id) or components.get(r.component_id) or "?",
                "what": _type_label(r),
            }
        ),
    )
    return sorted(rows, key=lambda r: r.history_date, reverse=True)[:100]


def agreement_history(agreement: Agreement) -> list[HistoryRow]:
    """The agreement's history with its targets', newest first."""
    rows = _rows(agreement.history.all(), _type_label)
    rows += _rows(
        AgreementTarget.history.filter(agreement_id=agreement.pk),
        lambda r: _("Target %(priority)s: %(what)s") % {"priority": r.priority, "what": _type_label(r)},
    )
    return sorted(rows, key=lambda r: r.history_date, reverse=True)[:100]


def customer_history(customer: Customer) -> list[HistoryRow]:
    rows = _rows(customer.history.all(), _type_label)
    rows += _rows(
        Contact.history.filter(customer_id=customer.pk),
        lambda r: _("Contact %(name)s: %(what)s") % {"name": r.name, "what": _type_label(r)},
    )
    return sorted(rows, key=lambda r: r.history_date, reverse=True)[:100]
