"""Policy rules of incident and service request management, registered with ``itsm.policy``.

* Staff of the incidents area (agents, resolvers, incident managers, and readers such as problem
  managers) and auditors see every incident; auditors and other readers only read.
* A requester sees only the incidents they reported, whatever their customer: never another person's.
  They may comment, attach, confirm the resolution and reopen within the window.
* Agents (``add_incident``) log, classify, assign, cancel and close; resolvers (``resolve_incident``)
  work, hold, escalate and resolve; incident managers (``declare_major_incident``) declare and run major
  incidents and keep the configuration (matrix, categories, criteria).
* The system user (Celery) closes resolved incidents after the auto-close days and escalates.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from itsm.notes import register_note_rules
from itsm.policy import has_any_perm, is_active_user, policy, signed_in

from .choices import ACTIVE_INCIDENT_STATES, OPEN_INCIDENT_STATES, ReviewState, ServiceRequestState
from .models import (
    Category,
    Incident,
    MajorIncidentCriteria,
    MajorIncidentReview,
    PriorityMatrix,
    RequestCatalogueItem,
    ServiceRequest,
)

reads_incidents = has_any_perm("itsm.access_incidents", "itsm.view_all_records")
desk = has_any_perm("incidents.add_incident")
works_incidents = has_any_perm("incidents.change_incident")
resolves = has_any_perm("incidents.resolve_incident")
manages_major = has_any_perm("incidents.declare_major_incident")


def is_system(user: Any) -> bool:
    return bool(getattr(user, "is_system", False) and getattr(user, "is_active", False))


def _reporter(user: Any, incident: Any) -> bool:
    return incident is not None and is_active_user(user) and incident.reported_by_id == user.pk


def _may_view(user: Any, incident: Incident | None) -> bool:
    if incident is None:
        return reads_incidents(user, None)
    return reads_incidents(user, incident) or _reporter(user, incident)


def _scope(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if reads_incidents(user, None):
        return queryset
    return queryset.filter(reported_by=user)


def _open(incident: Any) -> bool:
    return incident is None or incident.state in OPEN_INCIDENT_STATES


def _active(incident: Any) -> bool:
    return incident is None or incident.state in ACTIVE_INCIDENT_STATES


def _worker_on_open(user: Any, incident: Any) -> bool:
    return works_incidents(user, incident) and _open(incident)


policy.register(Incident, "view", _may_view, scope=_scope)
# Everyone signed in may report an incident (the portal); the desk's own form needs ``log``.
policy.register(Incident, "add", signed_in)
policy.register(Incident, "report", signed_in)
policy.register(Incident, "log", desk)
policy.register(Incident, "change", _worker_on_open)
policy.register(Incident, "prioritise", _worker_on_open)
policy.register(Incident, "bulk", works_incidents)
policy.register(Incident, "classify", lambda u, i: works_incidents(u, i))
policy.register(Incident, "assign", lambda u, i: works_incidents(u, i))
policy.register(Incident, "start", lambda u, i: works_incidents(u, i))
policy.register(Incident, "hold", lambda u, i: works_incidents(u, i))
policy.register(Incident, "resume", lambda u, i: works_incidents(u, i))
# The clock engine's escalation (SYS) acts as the system user.
policy.register(
    Incident,
    "escalate",
    lambda u, i: is_system(u) or (is_active_user(u) and works_incidents(u, i)),
    public=True,
)
policy.register(Incident, "resolve", lambda u, i: resolves(u, i))
policy.register(Incident, "reopen", lambda u, i: works_incidents(u, i) or _reporter(u, i))
policy.register(
    Incident,
    "close",
    lambda u, i: is_system(u) or (is_active_user(u) and (desk(u, i) or manages_major(u, i))),
    public=True,
)
policy.register(Incident, "confirm", _reporter)
policy.register(Incident, "cancel", lambda u, i: desk(u, i) or manages_major(u, i))
policy.register(Incident, "declare_major", lambda u, i: manages_major(u, i))
policy.register(
    Incident,
    "take_major",
    lambda u, i: manages_major(u, i) or (i is not None and i.major_incident_manager_id == u.pk),
)
register_note_rules(
    Incident,
    note=lambda u, i: works_incidents(u, i) and _may_view(u, i),
    comment=lambda u, i: (works_incidents(u, i) and _may_view(u, i)) or (_reporter(u, i) and _active(i)),
    attach=lambda u, i: (works_incidents(u, i) and _may_view(u, i)) or _reporter(u, i),
)

# The requester portal: anyone signed in, scoped to their own records in the views.
policy.register("portal", "view", signed_in)

# Major incident reviews: everyone who reads incidents; the manager of the incident and incident
# managers write them while they are drafts.


def _review_writer(user: Any, review: Any) -> bool:
    if review is None:
        return manages_major(user, None)
    if review.state != ReviewState.DRAFT:
        return False
    return manages_major(user, review) or review.owner_id == user.pk


policy.register(MajorIncidentReview, "view", lambda u, r: reads_incidents(u, r))
policy.register(MajorIncidentReview, "add", lambda u, r: manages_major(u, r))
policy.register(MajorIncidentReview, "change", _review_writer)
policy.register(MajorIncidentReview, "complete", _review_writer)
register_note_rules(MajorIncidentReview, note=lambda u, r: reads_incidents(u, r) and works_incidents(u, r))

# Configuration: readable by incident staff, kept by incident managers.
can_configure = has_any_perm("incidents.change_prioritymatrix")
for model in (PriorityMatrix, Category, MajorIncidentCriteria):
    policy.register(model, "view", lambda u, o: reads_incidents(u, o))
policy.register(PriorityMatrix, "add", has_any_perm("incidents.add_prioritymatrix"))
policy.register(PriorityMatrix, "change", can_configure)
policy.register(Category, "add", has_any_perm("incidents.add_category"))
policy.register(Category, "change", has_any_perm("incidents.change_category"))
policy.register(MajorIncidentCriteria, "add", has_any_perm("incidents.add_majorincidentcriteria"))
policy.register(MajorIncidentCriteria, "change", has_any_perm("incidents.change_majorincidentcriteria"))

# Service requests: staff read the catalogue (requesters see their customer's items in the portal);
# the requester sees the requests they made or that are for them.
policy.register(RequestCatalogueItem, "view", lambda u, o: reads_incidents(u, o))
policy.register(RequestCatalogueItem, "add", has_any_perm("incidents.add_requestcatalogueitem"))
policy.register(RequestCatalogueItem, "change", has_any_perm("incidents.change_requestcatalogueitem"))


def _request_party(user: Any, request: Any) -> bool:
    return (
        request is not None
        and is_active_user(user)
        and (request.requested_by_id == user.pk or request.requested_for_id == user.pk)
    )


def _request_view(user: Any, request: Any) -> bool:
    if request is None:
        return reads_incidents(user, None)
    return reads_incidents(user, request) or _request_party(user, request)


def _request_scope(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if reads_incidents(user, None):
        return queryset
    return queryset.filter(Q(requested_by=user) | Q(requested_for=user))


fulfils = has_any_perm("incidents.fulfil_servicerequest")


def _approver(user: Any, request: Any) -> bool:
    """The approver named by the catalogue item (or a holder of its approver role); never the person
    who asked (segregation of duties)."""
    if request is None or not is_active_user(user) or request.requested_by_id == user.pk:
        return False
    item = request.catalogue_item
    if item.approver_id is not None:
        return bool(item.approver_id == user.pk)
    return bool(item.approver_role) and user.has_role(item.approver_role)


policy.register(ServiceRequest, "view", _request_view, scope=_request_scope)
policy.register(ServiceRequest, "add", signed_in)
policy.register(
    ServiceRequest, "change", lambda u, r: fulfils(u, r) and (r is None or r.state in ("new", "approved"))
)
policy.register(ServiceRequest, "submit", lambda u, r: fulfils(u, r) or _request_party(u, r))
policy.register(ServiceRequest, "approve", _approver)
policy.register(ServiceRequest, "reject", _approver)
policy.register(ServiceRequest, "start_fulfilment", lambda u, r: fulfils(u, r))
policy.register(ServiceRequest, "fulfil", lambda u, r: fulfils(u, r))
policy.register(
    ServiceRequest,
    "close",
    lambda u, r: is_system(u) or (is_active_user(u) and (fulfils(u, r) or _request_party(u, r))),
    public=True,
)
policy.register(
    ServiceRequest,
    "cancel",
    lambda u, r: (
        fulfils(u, r)
        or (
            _request_party(u, r)
            and r.state in (ServiceRequestState.NEW, ServiceRequestState.AWAITING_APPROVAL)
        )
    ),
)
register_note_rules(
    ServiceRequest,
    note=lambda u, r: fulfils(u, r) and _request_view(u, r),
    comment=lambda u, r: (fulfils(u, r) and _request_view(u, r)) or _request_party(u, r),
    attach=lambda u, r: (fulfils(u, r) and _request_view(u, r)) or _request_party(u, r),
)

# Monitoring-alert ingest (incidents/alert_*.py) ---------------------------------------------------
# Incident staff and auditors read integrations and alerts; incident managers set integrations up,
# edit them, rotate their keys and send test events. The ingest endpoints themselves are public URLs
# that authenticate each request by the integration key (incidents/api/alert_views.py).
from .alert_models import Alert, Integration  # noqa: E402

manages_integrations = has_any_perm("incidents.change_integration")
policy.register(Integration, "view", lambda u, o: reads_incidents(u, o))
# The system user may too: ``manage.py create_integration`` acts as it.
policy.register(
    Integration,
    "add",
    lambda u, o: is_system(u) or has_any_perm("incidents.add_integration")(u, o),
    public=True,
)
policy.register(Integration, "change", manages_integrations)
policy.register(Integration, "rotate", manages_integrations)
policy.register(Integration, "test", manages_integrations)
policy.register(Alert, "view", lambda u, o: reads_incidents(u, o))

# Incident reports (incidents/reports.py): the report page, its CSV, the API summary and the widget;
# whoever reads incidents (agents, resolvers, incident managers, auditors), never requesters.
policy.register("incident_reports", "view", lambda u, o: reads_incidents(u, o))
