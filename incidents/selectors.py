"""Reads of incident and service request management: joins and policy scoping live here."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.choices import Priority, Role
from itsm.models import Team, User

from .choices import ACTIVE_INCIDENT_STATES, OPEN_INCIDENT_STATES, IncidentState
from .models import (
    Category,
    Incident,
    MajorIncidentCriteria,
    MajorIncidentReview,
    PriorityMatrix,
    RequestCatalogueItem,
    ServiceRequest,
)
from .search import PG_DOCUMENT, fts5_query

# Used when a cell is missing from the configured matrix (the migration seeds the same values).
DEFAULT_MATRIX = {
    1: ["P1", "P1", "P2", "P3"],
    2: ["P1", "P2", "P3", "P3"],
    3: ["P2", "P3", "P3", "P4"],
    4: ["P3", "P3", "P4", "P4"],
}
PRIORITY_ORDER = [p.value for p in Priority]


# Business days --------------------------------------------------------------------------------------


def add_business_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` moved forward by ``days`` working days (Monday to Friday, in the project's time zone).

    Used for the reopen window and the automatic closure; the time of day is kept.
    """
    local = timezone.localtime(start)
    moved = 0
    while moved < days:
        local = local + datetime.timedelta(days=1)
        if local.weekday() < 5:
            moved += 1
    return local


# Priority -------------------------------------------------------------------------------------------


def priority_matrix() -> dict[tuple[int, int], str]:
    """The whole matrix as ``{(impact, urgency): priority}``, missing cells from the default."""
    cells = {(i, u): DEFAULT_MATRIX[i][u - 1] for i in DEFAULT_MATRIX for u in range(1, 5)}
    cells.update({(c.impact, c.urgency): c.priority for c in PriorityMatrix.objects.all()})
    return cells


def matrix_priority(*, impact: int, urgency: int) -> str:
    """The priority the configured matrix gives this impact and urgency (one query)."""
    cell = (
        PriorityMatrix.objects.filter(impact=impact, urgency=urgency)
        .values_list("priority", flat=True)
        .first()
    )
    return cell or DEFAULT_MATRIX[int(impact)][int(urgency) - 1]


def stronger(a: str, b: str) -> str:
    """The more urgent of two priorities (P1 is the strongest)."""
    return a if PRIORITY_ORDER.index(a) <= PRIORITY_ORDER.index(b) else b


def security_floor() -> str:
    floor = str(settings.ITSM_INCIDENT_SECURITY_PRIORITY_FLOOR)
    return floor if floor in PRIORITY_ORDER else Priority.P2.value


def computed_priority(*, impact: int, urgency: int, is_security: bool) -> str:
    """Matrix priority, raised to the security floor for information security incidents."""
    priority = matrix_priority(impact=impact, urgency=urgency)
    return stronger(priority, security_floor()) if is_security else priority


def below_security_floor(priority: str) -> bool:
    return PRIORITY_ORDER.index(priority) > PRIORITY_ORDER.index(security_floor())


# Incidents ------------------------------------------------------------------------------------------


def incident_list() -> QuerySet[Incident]:
    """Incidents with everything a list row shows (one query per page)."""
    return Incident.objects.select_related(
        "reported_by", "customer", "service", "category", "category__parent", "assignment_team", "assignee"
    )


def incident_detail() -> QuerySet[Incident]:
    return incident_list().select_related(
        "parent",
        "duplicate_of",
        "major_incident_manager",
        "major_criteria",
        "escalated_to",
        "resolved_by",
        "closed_by",
    )


def incident_queue(queryset: QuerySet[Incident], user: Any, view: str) -> QuerySet[Incident]:
    """The named queue: ``mine`` (assigned to me, active), ``team`` (my teams' open incidents),
    ``unassigned`` (open, no team), ``open`` (all open), ``major`` (active major incidents); anything else
    leaves the queryset as it is."""
    if view == "mine":
        return queryset.filter(assignee=user, state__in=ACTIVE_INCIDENT_STATES)
    if view == "team":
        team_ids = list(user.teams.values_list("pk", flat=True))
        return queryset.filter(assignment_team_id__in=team_ids, state__in=OPEN_INCIDENT_STATES)
    if view == "unassigned":
        return queryset.filter(assignment_team__isnull=True, state__in=OPEN_INCIDENT_STATES)
    if view == "open":
        return queryset.filter(state__in=OPEN_INCIDENT_STATES)
    if view == "major":
        return queryset.filter(is_major=True, state__in=ACTIVE_INCIDENT_STATES)
    return queryset


REFERENCE = re.compile(r"^\s*INC-?(\d{1,12})\s*$", re.IGNORECASE)


def incident_search(queryset: QuerySet[Incident], text: str) -> QuerySet[Incident]:
    """Incidents of ``queryset`` matching ``text`` by the database's full-text search.

    PostgreSQL: ``websearch_to_tsquery`` against the GIN-indexed document (reference, title,
    description, resolution notes). SQLite: the FTS5 trigram table (all words of three characters or
    more, as substrings). A reference (``INC-000042`` or ``INC42``) finds that incident directly; words
    too short for the trigram index fall back to a title match.
    """
    text = (text or "").strip()[:200]
    if not text:
        return queryset
    reference = REFERENCE.match(text)
    if reference:
        return queryset.filter(reference=f"INC-{int(reference.group(1)):06d}")
    # A selective term: the page narrows to the matching ids, read first through the full-text index.
    # With the match as a condition alone, both databases walk the queue's index newest first and test
    # every row (PostgreSQL estimates a text match at a fixed 0.5 % of the table and computed the
    # document of each row: 9.8 s at 1M; SQLite probed the FTS result per row: 4.7x the 1k time,
    # bench S3b). The rows are the same either way; a term matching many rows is tested in the list's
    # own order, where matches are dense.
    if connection.vendor == "postgresql":
        # Constant SQL; the user's text is a query parameter.
        matches = RawSQL(  # noqa: S611
            f"{PG_DOCUMENT} @@ websearch_to_tsquery('simple'::regconfig, %s)",
            (text,),
            output_field=BooleanField(),
        )
        found = list(
            Incident.objects.filter(matches).order_by().values_list("pk", flat=True)[: SELECTIVE_MATCHES + 1]
        )
        return queryset.filter(pk__in=found) if len(found) <= SELECTIVE_MATCHES else queryset.filter(matches)
    if connection.vendor == "sqlite":
        query = fts5_query(text)
        if query is None:
            return queryset.filter(title__icontains=text)
        fts = "SELECT rowid FROM incidents_incident_fts WHERE incidents_incident_fts MATCH %s"
        with connection.cursor() as cursor:
            cursor.execute(f"{fts} LIMIT %s", (query, SELECTIVE_MATCHES + 1))
            found = [row[0] for row in cursor.fetchall()]
        if len(found) <= SELECTIVE_MATCHES:
            return queryset.filter(pk__in=found)
        return queryset.filter(pk__in=RawSQL(fts, (query,)))  # noqa: S611 (constant SQL, text as parameter)
    return queryset.filter(Q(title__icontains=text) | Q(description__icontains=text))


# A term matching at most this many incidents is "selective" (see ``incident_search``).
SELECTIVE_MATCHES = 1000


# The queue's choice lists ----------------------------------------------------------------------------


CHOICE_KINDS = ("team", "service", "customer", "category", "person")


def queue_choice_lists(kinds: tuple[str, ...] = CHOICE_KINDS) -> dict[str, list[tuple[int, str]]]:
    """The choices of the queue's filter panel and bulk form, read with one query (a UNION ALL of the
    teams, services, customers, categories and people) instead of one query per select.

    Keys: ``teams`` (all, for the filter), ``active_teams`` (the bulk form), ``services``, ``customers``,
    ``categories`` (labelled "parent / child" from the same rows, not a query per child) and ``people``
    (the assignee and reporter filters). Each list is in the order its select showed before: by name
    (people by username, categories by their label), then id.
    """
    from service_levels.models import Customer, Service

    text: CharField[Any, Any] = CharField()
    blank = Value("", output_field=text)
    no_number = Cast(Value(None), output_field=IntegerField())  # typed NULL: PostgreSQL unions need it

    def arm(queryset: QuerySet[Any], kind: str, **columns: Any) -> QuerySet[Any]:
        values = {
            "k": Value(kind, output_field=text),
            "i": F("pk"),
            "a": blank,
            "b": blank,
            "c": blank,
            "n": no_number,
        }
        values.update(columns)
        return queryset.order_by().annotate(**values).values_list("k", "i", "a", "b", "c", "n")

    active = Case(When(is_active=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    arms = {
        "team": lambda: arm(Team.objects.all(), "team", a=F("name"), n=active),
        "service": lambda: arm(Service.objects.all(), "service", a=F("name")),
        "customer": lambda: arm(Customer.objects.all(), "customer", a=F("name")),
        "category": lambda: arm(Category.objects.all(), "category", a=F("name"), n=F("parent_id")),
        "person": lambda: arm(
            User.objects.all(),
            "person",
            a=F("username"),
            b=F("display_name"),
            c=Concat(F("first_name"), Value(" "), F("last_name"), output_field=text),
        ),
    }
    first, *others = [arms[kind]() for kind in kinds]
    union = first.union(*others, all=True) if others else first
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for kind, pk, a, b, c, n in union:
        rows.setdefault(kind, []).append((pk, a or "", b or "", c or "", n))
    by_name = {kind: sorted(found, key=lambda row: (row[1], row[0])) for kind, found in rows.items()}
    category_names = {pk: name for pk, name, _b, _c, _n in rows.get("category", [])}
    categories = sorted(
        (
            (f"{category_names.get(parent, '')} / {name}" if parent is not None else name, pk)
            for pk, name, _b, _c, parent in rows.get("category", [])
        ),
    )
    return {
        "teams": [(pk, name) for pk, name, _b, _c, _n in by_name.get("team", [])],
        "active_teams": [(pk, name) for pk, name, _b, _c, n in by_name.get("team", []) if n],
        "services": [(pk, name) for pk, name, _b, _c, _n in by_name.get("service", [])],
        "customers": [(pk, name) for pk, name, _b, _c, _n in by_name.get("customer", [])],
        "categories": [(pk, label) for label, pk in categories],
        # str(user): the display name, else the full name, else the username.
        "people": [
            (pk, display or full.strip() or username)
            for pk, username, display, full, _n in by_name.get("person", [])
        ],
    }


# SLA clocks ----------------------------------------------------------------------------------------
# The clocks are rows of service_levels (Clock, linked by content type and object id). The queue reads
# them as correlated subqueries of the one list query, so a page costs the same however many clocks or
# events its incidents have.


def _incident_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Incident).pk


def _resolution_clocks() -> QuerySet[Any]:
    from service_levels.models import Clock

    return Clock.objects.filter(
        content_type_id=_incident_type_id(),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        kind="resolution",
        target_seconds__isnull=False,
    )


def incident_sla_annotate(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """Add the open resolution clock's due time, warning time and state, and the last resolution
    clock's state, to each row (subqueries of the list query: no query per row)."""
    from service_levels.clock_models import OPEN_STATES

    open_clock = _resolution_clocks().filter(state__in=OPEN_STATES).order_by("due_at", "id")
    last_clock = _resolution_clocks().order_by("-id")
    return queryset.annotate(
        sla_due_at=Subquery(open_clock.values("due_at")[:1]),
        sla_warn_at=Subquery(open_clock.values("warn_at")[:1]),
        sla_state=Subquery(open_clock.values("state")[:1]),
        sla_last_state=Subquery(last_clock.values("state")[:1]),
    )


def incident_sla_filter(queryset: QuerySet[Incident], value: str) -> QuerySet[Incident]:
    """``at_risk``: an open, running clock past its warning time and not yet due; ``breached``: a clock
    past its due time or breached."""
    from service_levels.models import Clock

    now = timezone.now()
    clocks = Clock.objects.filter(
        content_type_id=_incident_type_id(), object_id=Cast(OuterRef("pk"), output_field=CharField())
    )
    if value == "at_risk":
        return queryset.filter(Exists(clocks.filter(state="running", warn_at__lte=now, due_at__gt=now)))
    if value == "breached":
        return queryset.filter(
            Exists(
                clocks.filter(
                    Q(state="breached") | Q(breached_at__isnull=False) | Q(state="running", due_at__lte=now)
                )
            )
        )
    return queryset


def _duration(seconds: float) -> str:
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def sla_badge_values(incident: Incident) -> tuple[str, str, str] | None:
    """(text, status category, title) of the incident's SLA badge from the annotations, or None."""
    state = getattr(incident, "sla_state", None)
    due = getattr(incident, "sla_due_at", None)
    if state == "paused":
        return str(_("paused")), "waiting", str(_("The clock is paused while the incident is on hold."))
    if state == "running" and due is not None:
        now = timezone.now()
        title = str(_("Due %(at)s") % {"at": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")})
        left = (due - now).total_seconds()
        if left <= 0:
            return str(_("%(time)s late") % {"time": _duration(left)}), "breached", title
        warn = getattr(incident, "sla_warn_at", None)
        category = "at-risk" if warn is not None and warn <= now else "open"
        return str(_("%(time)s left") % {"time": _duration(left)}), category, title
    last = getattr(incident, "sla_last_state", None)
    if last == "met":
        return str(_("met")), "done", str(_("Resolved within the target."))
    if last == "breached":
        return str(_("breached")), "breached", str(_("Resolved after the target."))
    return None


def clock_panel_template() -> str:
    """The template of the incident's clocks tab."""
    return "incidents/_clocks.html"


def incident_clocks(incident: Incident) -> list[Any]:
    """The incident's clocks with their events (two queries)."""
    from service_levels.models import Clock

    return list(
        Clock.objects.filter(content_type_id=_incident_type_id(), object_id=str(incident.pk))
        .select_related("agreement", "team", "calendar_version")
        .prefetch_related("events")
        .order_by("kind", "id")
    )


def clock_context(incident: Incident) -> dict[str, Any]:
    return {"record": incident, "clocks": incident_clocks(incident)}


def clock_data(incident: Incident) -> list[dict[str, Any]]:
    """The incident's clocks for the API, each with its event log (the explanation)."""
    return [
        {
            "id": clock.pk,
            "kind": clock.kind,
            "agreement": clock.agreement.reference if clock.agreement else None,
            "team": clock.team_id,
            "priority": clock.priority,
            "target_seconds": clock.target_seconds,
            "state": clock.state,
            "started_at": clock.started_at,
            "due_at": clock.due_at,
            "warn_at": clock.warn_at,
            "breached_at": clock.breached_at,
            "stopped_at": clock.stopped_at,
            "elapsed_business_seconds": clock.elapsed_business_seconds,
            "paused_business_seconds": clock.paused_business_seconds,
            "events": [
                {"kind": e.kind, "at": e.at, "reason": e.reason, "actor": e.actor_id, "data": e.data}
                for e in clock.events.all()
            ],
        }
        for clock in incident_clocks(incident)
    ]


def portal_incidents(user: Any) -> QuerySet[Incident]:
    """The requester's own incidents (those they reported), whatever their other roles."""
    return incident_list().filter(reported_by=user)


def related_incidents(incident: Incident) -> dict[str, list[Incident]]:
    """Parent, children and duplicates of an incident (three small queries)."""
    base = Incident.objects.select_related("assignment_team").only(
        "id", "reference", "title", "state", "priority", "assignment_team__name"
    )
    return {
        "children": list(base.filter(parent=incident).order_by("created_at", "id")),
        "duplicates": list(base.filter(duplicate_of=incident).order_by("created_at", "id")),
    }


def open_by_priority(queryset: QuerySet[Incident]) -> dict[str, int]:
    counts = dict(
        queryset.filter(state__in=OPEN_INCIDENT_STATES)
        .values_list("priority")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {p: counts.get(p, 0) for p in PRIORITY_ORDER}


def open_by_team(queryset: QuerySet[Incident]) -> list[dict[str, Any]]:
    return list(
        queryset.filter(state__in=OPEN_INCIDENT_STATES)
        .values("assignment_team__name")
        .annotate(n=Count("id"))
        .order_by("-n", "assignment_team__name")
    )


def active_major_incidents(queryset: QuerySet[Incident]) -> list[Incident]:
    return list(
        queryset.filter(is_major=True, state__in=ACTIVE_INCIDENT_STATES)
        .select_related("major_incident_manager", "service")
        .order_by("-major_declared_at", "-id")[:10]
    )


def auto_close_due(now: datetime.datetime) -> list[int]:
    """Resolved incidents whose resolution is older than ``ITSM_INCIDENT_AUTO_CLOSE_DAYS`` business days."""
    days = settings.ITSM_INCIDENT_AUTO_CLOSE_DAYS
    candidates = Incident.objects.filter(
        state=IncidentState.RESOLVED, resolved_at__lte=now - datetime.timedelta(days=days)
    ).values_list("pk", "resolved_at")
    return [pk for pk, resolved_at in candidates if add_business_days(resolved_at, days) <= now]


def unattended_major_incidents(now: datetime.datetime) -> list[Incident]:
    """Declared major incidents whose manager has not taken them within the criteria's take-over time
    (15 minutes without criteria) and that were not escalated for it yet."""
    candidates = Incident.objects.filter(
        is_major=True,
        major_acknowledged_at__isnull=True,
        major_escalated_at__isnull=True,
        state__in=ACTIVE_INCIDENT_STATES,
        major_declared_at__lte=now - datetime.timedelta(minutes=1),
    ).select_related("major_criteria", "major_incident_manager")
    due = []
    for incident in candidates:
        minutes = incident.major_criteria.takeover_minutes if incident.major_criteria else 15
        if (
            incident.major_declared_at
            and incident.major_declared_at + datetime.timedelta(minutes=minutes) <= now
        ):
            due.append(incident)
    return due


# People ---------------------------------------------------------------------------------------------


def _with_role(*roles: str) -> QuerySet[User]:
    return User.objects.filter(groups__name__in=roles, is_active=True, is_system=False).distinct()


def top_management() -> QuerySet[User]:
    return _with_role(Role.TOP_MANAGEMENT)


def incident_managers() -> QuerySet[User]:
    return _with_role(Role.INCIDENT_MANAGER)


def major_incident_managers() -> QuerySet[User]:
    """People who may be named major incident manager (those who may declare one)."""
    granted = Q(
        groups__permissions__codename="declare_major_incident",
        groups__permissions__content_type__app_label="incidents",
    )
    return User.objects.filter(granted, is_active=True, is_system=False).distinct().order_by("username")


def customer_of(user: Any) -> Any:
    """The customer the person is a contact of (the first, if several), or None."""
    from service_levels.models import Contact

    contact = (
        Contact.objects.filter(user=user).select_related("customer").order_by("-is_primary", "id").first()
    )
    return contact.customer if contact is not None else None


def services_of_customer(customer: Any) -> QuerySet[Any]:
    from service_levels.models import Service

    if customer is None:
        return Service.objects.none()
    return Service.objects.filter(customers=customer).order_by("name")


def suggested_service(customer: Any) -> Any:
    """The service a new incident of this customer most likely concerns: the only one they receive,
    else the one of their most recent incident."""
    services = list(services_of_customer(customer)[:2])
    if len(services) == 1:
        return services[0]
    if customer is None:
        return None
    recent = (
        Incident.objects.filter(customer=customer, service__isnull=False)
        .select_related("service")
        .order_by("-created_at", "-id")
        .first()
    )
    return recent.service if recent is not None else (services[0] if services else None)


def criteria_for(customer: Any) -> MajorIncidentCriteria | None:
    """The customer's active major-incident criteria, else the active default."""
    active = MajorIncidentCriteria.objects.filter(is_active=True)
    if customer is not None:
        own = active.filter(customer=customer).first()
        if own is not None:
            return own
    return active.filter(customer__isnull=True).first()


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent", "default_team")


def criteria_list() -> QuerySet[MajorIncidentCriteria]:
    return MajorIncidentCriteria.objects.select_related("customer")


def review_list() -> QuerySet[MajorIncidentReview]:
    return MajorIncidentReview.objects.select_related("incident", "owner")


def catalogue_list() -> QuerySet[RequestCatalogueItem]:
    return RequestCatalogueItem.objects.select_related("service", "approver", "fulfilment_team")


def catalogue_for(customer: Any) -> QuerySet[RequestCatalogueItem]:
    """Active catalogue items of the customer's services (all active items without a customer)."""
    items = RequestCatalogueItem.objects.filter(is_active=True).select_related("service")
    if customer is not None:
        items = items.filter(service__customers=customer)
    return items.order_by("service__name", "name")


def portal_requests(user: Any) -> QuerySet[ServiceRequest]:
    """The requests the person made or that are for them."""
    return request_list().filter(Q(requested_by=user) | Q(requested_for=user))


def request_list() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related(
        "catalogue_item",
        "requested_by",
        "requested_for",
        "customer",
        "service",
        "assignment_team",
        "assignee",
    )
