"""Writes of incident and service request management: one keyword-only service per write, with actor and reason.

Every transition goes through ``itsm.records.run_transition`` (permission → transition → save → history
→ transition log → audit trail). The SLA clocks are told about each event by one private function per
event (``_clocks_*``), and the requester hears about every status change and public comment.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from itsm.choices import NoteKind, Priority
from itsm.history import create_audited, save_with_history, system_user, update_audited, validate
from itsm.models import Team, User
from itsm.notes import Note, note_add
from itsm.notifications import notify
from itsm.policy import policy
from itsm.records import next_reference, record_create, run_transition
from service_levels import clocks

from . import selectors
from .choices import (
    CancelReason,
    Channel,
    EscalationKind,
    HoldReason,
    IncidentState,
    ResolutionCode,
)
from .models import (
    Category,
    Incident,
    MajorIncidentCriteria,
    MajorIncidentReview,
    PriorityMatrix,
    RequestCatalogueItem,
    ServiceRequest,
)

logger = logging.getLogger(__name__)

# SLA clocks ----------------------------------------------------------------------------------------
# One private function per event: the clock engine (service_levels.clocks) is told about each, inside
# the service's transaction, with the instant it happened. The incident's own times (created, first
# response, resolved) are also kept on the incident.


def _clocks_start(incident: Incident, *, at: datetime.datetime, actor: Any) -> None:
    """Logging (and classification, which may name the service that brings an SLA): the response and
    resolution clocks of every applicable agreement run from the moment the incident was logged.
    Clocks already running are not started twice."""
    clocks.clocks_start(
        record=incident,
        customer=incident.customer,
        service=incident.service,
        team=incident.assignment_team,
        priority=incident.priority,
        at=at,
        actor=actor,
        paused=incident.state == IncidentState.ON_HOLD,
    )


def _clocks_retarget(incident: Incident, *, at: datetime.datetime, actor: Any) -> None:
    """The priority changed (classification, matrix inputs, override): targets are recomputed."""
    clocks.clocks_retarget(
        record=incident,
        priority=incident.priority,
        at=at,
        actor=actor,
        reason=f"priority {incident.priority}",
    )


def _clocks_reassign(incident: Incident, *, at: datetime.datetime, actor: Any) -> None:
    """Another team took it: the previous team's OLA clocks stop, the new team's start."""
    clocks.clocks_reassign(
        record=incident, team=incident.assignment_team, at=at, actor=actor, priority=incident.priority
    )


def _clocks_pause(incident: Incident, *, at: datetime.datetime, reason: str, actor: Any) -> None:
    """On hold: the clocks stop counting."""
    clocks.clocks_pause(record=incident, at=at, reason=reason, actor=actor)


def _clocks_resume(incident: Incident, *, at: datetime.datetime, actor: Any) -> None:
    """Off hold (or reopened): the clocks count again."""
    clocks.clocks_resume(record=incident, at=at, actor=actor)


def _clocks_respond(incident: Incident, *, at: datetime.datetime, actor: Any) -> None:
    """First response (the assignee acknowledged it, or it was resolved at once): the response clock stops."""
    clocks.clocks_stop(record=incident, kind="response", at=at, actor=actor, reason="first response")


def _clocks_resolve(incident: Incident, *, at: datetime.datetime, actor: Any) -> None:
    """Resolved: the resolution clock stops."""
    clocks.clocks_stop(record=incident, kind="resolution", at=at, actor=actor, reason="resolved")


def _clocks_cancel(incident: Incident, *, at: datetime.datetime, actor: Any) -> None:
    """Cancelled: the clocks are cancelled (they count in no report)."""
    clocks.clocks_cancel(record=incident, at=at, actor=actor, reason=incident.cancel_reason)


def sla_escalate(incident: Any, clock: Any, level: str) -> None:
    """The sweep's escalation for incidents (registered in ``apps.py``): a breached clock escalates the
    incident hierarchically to the lead of the team holding it (else an incident manager), as the
    system user; warnings only notify (the engine tells the agreement owner, the team lead and
    ``sla_recipients``)."""
    if level != "breach":
        return
    incident = Incident.objects.select_related("assignment_team__lead").get(pk=incident.pk)
    if incident.state not in (
        IncidentState.CLASSIFIED,
        IncidentState.ASSIGNED,
        IncidentState.IN_PROGRESS,
        IncidentState.ON_HOLD,
    ):
        return
    team = incident.assignment_team
    target = (
        team.lead if team is not None and team.lead is not None else selectors.incident_managers().first()
    )
    if target is None:
        return
    incident_escalate(
        incident=incident,
        actor=system_user(),
        kind=EscalationKind.HIERARCHICAL,
        to=target,
        note=_("The %(kind)s target of %(agreement)s was breached.")
        % {"kind": clock.get_kind_display().lower(), "agreement": getattr(clock.agreement, "reference", "")},
    )


def sla_recipients(incident: Any, clock: Any, level: str) -> list[Any]:
    """Who hears about an incident's clock reaching a threshold besides the agreement owner and the team
    lead: the assignee, else the team."""
    if incident.assignee is not None:
        return [incident.assignee]
    return _team_people(incident.assignment_team)


# Notifications -------------------------------------------------------------------------------------

STATUS_SUBJECTS = {
    "classify": gettext_lazy("{reference} was registered and classified: {title}"),
    "assign": gettext_lazy("{reference} was assigned to a support team: {title}"),
    "start": gettext_lazy("Work on {reference} has started: {title}"),
    "hold": gettext_lazy("{reference} is on hold: {title}"),
    "resume": gettext_lazy("Work on {reference} has resumed: {title}"),
    "escalate": gettext_lazy("{reference} was escalated: {title}"),
    "resolve": gettext_lazy("{reference} was resolved, please confirm: {title}"),
    "reopen": gettext_lazy("{reference} was reopened: {title}"),
    "close": gettext_lazy("{reference} was closed: {title}"),
    "confirm": gettext_lazy("{reference}: resolution confirmed: {title}"),
    "cancel": gettext_lazy("{reference} was cancelled: {title}"),
}


def _subject(template: Any, incident: Incident) -> Any:
    return format_lazy(template, reference=incident.reference, title=incident.title)


def _tell_requester(incident: Incident, name: str, actor: Any, body: str = "") -> None:
    """The requester hears of every status change someone else made (clause 8.1: keep the customer
    informed); the notification row is the record that they were told."""
    if incident.reported_by_id == actor.pk or name not in STATUS_SUBJECTS:
        return
    notify(
        event=f"incident.{name}",
        event_key=f"transition:{incident.last_transition.pk}",  # type: ignore[attr-defined]
        recipients=[incident.reported_by],
        subject=_subject(STATUS_SUBJECTS[name], incident),
        body=body,
        record=incident,
    )


def _tell(incident: Incident, event: str, key: str, recipients: Any, subject: Any, body: str = "") -> int:
    return notify(
        event=event,
        event_key=key,
        recipients=recipients,
        subject=_subject(subject, incident),
        body=body,
        record=incident,
    )


def _team_people(team: Team | None) -> list[User]:
    if team is None:
        return []
    people = list(team.members.filter(is_active=True))
    if team.lead_id is not None and all(p.pk != team.lead_id for p in people):
        people.append(team.lead)  # type: ignore[arg-type]
    return people


# Creating -----------------------------------------------------------------------------------------

LOG_FIELDS = (
    "title",
    "description",
    "channel",
    "reported_by",
    "customer",
    "service",
    "category",
    "impact",
    "urgency",
    "is_security",
    "parent",
)


def _prepare(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in LOG_FIELDS and v is not None}
    category = values.get("category")
    if category is not None and category.is_security:
        values["is_security"] = True
    values["priority"] = selectors.computed_priority(
        impact=values.get("impact") or 3,
        urgency=values.get("urgency") or 3,
        is_security=bool(values.get("is_security")),
    )
    if values.get("customer") is not None and values.get("service") is None:
        values["service"] = selectors.suggested_service(values["customer"])
    return values


@transaction.atomic
def incident_log(*, actor: User, data: dict[str, Any], at: datetime.datetime | None = None) -> Incident:
    """The service desk logs an incident (phone, e-mail, walk-in…): state new, priority from the
    matrix for the impact and urgency given so far, the SLA clocks start now.

    ``at`` backdates the logging time (imports and demo data only).
    """
    policy.require(actor, "log", Incident)
    data = {**data, "reported_by": data.get("reported_by") or actor}
    if data.get("customer") is None:
        data["customer"] = selectors.customer_of(data["reported_by"])
    values = _prepare(data)
    if at is not None:
        values["created_at"] = at
        values["updated_at"] = at
    incident = record_create(Incident, actor=actor, data=values)
    _clocks_start(incident, at=incident.created_at, actor=actor)
    return incident


@transaction.atomic
def incident_report(*, actor: User, data: dict[str, Any]) -> Incident:
    """A requester reports a problem in the portal: their own incident, for their customer."""
    policy.require(actor, "report", Incident)
    allowed = {k: data[k] for k in ("title", "description", "service", "urgency") if data.get(k) is not None}
    allowed.update(
        channel=Channel.PORTAL,
        reported_by=actor,
        customer=selectors.customer_of(actor),
    )
    values = _prepare(allowed)
    incident = record_create(Incident, actor=actor, data=values)
    _clocks_start(incident, at=incident.created_at, actor=actor)
    notify(
        event="incident.reported",
        event_key=f"incident:{incident.pk}:reported",
        recipients=_team_people(Team.objects.filter(code="service-desk").first()),
        subject=_subject(gettext_lazy("New incident from the portal: {reference} {title}"), incident),
        record=incident,
    )
    return incident


EDIT_FIELDS = (
    "title",
    "description",
    "channel",
    "customer",
    "service",
    "category",
    "impact",
    "urgency",
    "is_security",
    "parent",
    "exempt",
    "exemption_reason",
)


@transaction.atomic
def incident_update(
    *, incident: Incident, actor: User, data: dict[str, Any], reason: str = "update"
) -> Incident:
    """Edit an open incident. A new impact, urgency or security flag recomputes the priority from the
    matrix (unless it was set by hand), and the clocks take the new targets."""
    values = {k: v for k, v in data.items() if k in EDIT_FIELDS}
    if values.get("parent") is not None and values["parent"].pk == incident.pk:
        raise ValidationError({"parent": _("An incident cannot be its own parent.")})
    category = values.get("category", incident.category)
    if category is not None and category.is_security:
        values["is_security"] = True
    before = incident.priority
    if not incident.priority_overridden:
        values["priority"] = selectors.computed_priority(
            impact=values.get("impact", incident.impact),
            urgency=values.get("urgency", incident.urgency),
            is_security=values.get("is_security", incident.is_security),
        )
    elif values.get("is_security") and selectors.below_security_floor(incident.priority):
        values["priority"] = selectors.security_floor()
    scope_before = (incident.customer_id, incident.service_id)
    update_audited(incident, actor=actor, data=values, reason=reason)
    now = timezone.now()
    if (incident.customer_id, incident.service_id) != scope_before and incident.is_open:
        _clocks_start(incident, at=now, actor=actor)  # an agreement that now applies starts measuring
    if incident.priority != before:
        _clocks_retarget(incident, at=now, actor=actor)
    return incident


@transaction.atomic
def incident_prioritise(*, incident: Incident, actor: User, priority: str, reason: str) -> Incident:
    """Set the priority by hand, away from the matrix: only with a reason, kept in the history.

    Choosing the matrix's own value clears the override. An information security incident never goes
    below the security floor.
    """
    policy.require(actor, "prioritise", incident)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    reason = (reason or "").strip()
    matrix = selectors.computed_priority(
        impact=incident.impact, urgency=incident.urgency, is_security=incident.is_security
    )
    if incident.is_security and selectors.below_security_floor(priority):
        raise ValidationError(
            {
                "priority": _("An information security incident is at least %(floor)s.")
                % {"floor": selectors.security_floor()}
            }
        )
    if priority != matrix and not reason:
        raise ValidationError({"reason": _("Say why the priority differs from the matrix.")})
    if priority == incident.priority and (priority != matrix) == incident.priority_overridden:
        return incident
    incident.priority = priority
    incident.priority_overridden = priority != matrix
    incident.priority_override_reason = reason[:300] if priority != matrix else ""
    incident.updated_by = actor
    incident.updated_at = timezone.now()
    validate(incident)
    save_with_history(incident, actor=actor, reason="prioritise")
    _clocks_retarget(incident, at=incident.updated_at, actor=actor)
    return incident


# Transitions ----------------------------------------------------------------------------------------


def _require_note(note: str, message: Any) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": message})
    return note


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


@transaction.atomic
def incident_classify(
    *,
    incident: Incident,
    actor: User,
    note: str = "",
    service: Any = None,
    category: Category | None = None,
    impact: int | None = None,
    urgency: int | None = None,
    is_security: bool | None = None,
    priority: str | None = None,
    at: datetime.datetime | None = None,
) -> Incident:
    """new → classified: service, category, impact and urgency; the priority follows the matrix (a
    different ``priority`` is an override and needs ``note`` as its reason); security floor applies."""
    service = service if service is not None else incident.service
    impact = int(impact or incident.impact)
    urgency = int(urgency or incident.urgency)
    errors = {}
    if service is None:
        errors["service"] = _("Choose the affected service.")
    if category is None:
        category = incident.category
    if category is None:
        errors["category"] = _("Choose a category.")
    if errors:
        raise ValidationError(errors)
    security = bool(is_security) if is_security is not None else incident.is_security
    if category is not None and category.is_security:
        security = True
    matrix = selectors.computed_priority(impact=impact, urgency=urgency, is_security=security)
    chosen = priority or matrix
    overridden = chosen != matrix
    if overridden:
        _require_note(note, _("Say why the priority differs from the matrix."))
        if security and selectors.below_security_floor(chosen):
            raise ValidationError(
                {
                    "priority": _("An information security incident is at least %(floor)s.")
                    % {"floor": selectors.security_floor()}
                }
            )
    before = incident.priority
    run_transition(
        incident,
        "classify",
        actor=actor,
        comment=note,
        service=service,
        category=category,
        impact=impact,
        urgency=urgency,
        is_security=security,
        priority=chosen,
        override_reason=note.strip()[:300] if overridden else "",
    )
    # The service may only now be known: agreements that apply start their clocks from the logging time.
    _clocks_start(incident, at=incident.created_at, actor=actor)
    if incident.priority != before:
        _clocks_retarget(incident, at=_now(at), actor=actor)
    _tell_requester(incident, "classify", actor, note)
    return incident


@transaction.atomic
def incident_assign(
    *,
    incident: Incident,
    actor: User,
    note: str = "",
    team: Team | None = None,
    assignee: User | None = None,
    at: datetime.datetime | None = None,
) -> Incident:
    """→ assigned: to a team (the category's default team when none is named) and optionally a person
    of that team; they acknowledge it by starting work."""
    team = team or incident.assignment_team or (incident.category.default_team if incident.category else None)
    if team is None and assignee is not None:
        team = assignee.teams.order_by("name").first()
    if team is None:
        raise ValidationError({"team": _("Choose the team that takes the incident.")})
    if (
        assignee is not None
        and not team.members.filter(pk=assignee.pk).exists()
        and team.lead_id != assignee.pk
    ):
        raise ValidationError(
            {"assignee": _("%(person)s is not in %(team)s.") % {"person": assignee, "team": team}}
        )
    previous_team = incident.assignment_team_id
    run_transition(incident, "assign", actor=actor, comment=note, team=team, assignee=assignee)
    if previous_team != team.pk:
        _clocks_reassign(incident, at=_now(at), actor=actor)
    recipients = [assignee] if assignee is not None else _team_people(team)
    _tell(
        incident,
        "incident.assigned",
        f"transition:{incident.last_transition.pk}:assignee",  # type: ignore[attr-defined]
        [p for p in recipients if p.pk != actor.pk],
        gettext_lazy("{reference} was assigned to you: {title}"),
        note,
    )
    _tell_requester(incident, "assign", actor)
    return incident


@transaction.atomic
def incident_start(
    *, incident: Incident, actor: User, note: str = "", at: datetime.datetime | None = None
) -> Incident:
    """assigned → in progress: the assignee acknowledges it (the first response)."""
    responded = incident.first_response_at is not None
    run_transition(incident, "start", actor=actor, comment=note, by=actor, at=_now(at))
    if not responded:
        _clocks_respond(incident, at=incident.first_response_at or _now(at), actor=actor)
    _tell_requester(incident, "start", actor, note)
    return incident


@transaction.atomic
def incident_hold(
    *, incident: Incident, actor: User, note: str = "", reason: str = "", at: datetime.datetime | None = None
) -> Incident:
    """in progress → on hold with a reason; the SLA clocks pause."""
    if reason not in HoldReason.values:
        raise ValidationError({"reason": _("Say why the incident waits.")})
    if reason == HoldReason.OTHER:
        _require_note(note, _("Say what the incident waits for."))
    run_transition(incident, "hold", actor=actor, reason=reason, comment=note, on_hold_reason=reason)
    _clocks_pause(incident, at=_now(at), reason=reason, actor=actor)
    _tell_requester(incident, "hold", actor, note)
    return incident


@transaction.atomic
def incident_resume(
    *, incident: Incident, actor: User, note: str = "", at: datetime.datetime | None = None
) -> Incident:
    """on hold → in progress; the SLA clocks count again."""
    run_transition(incident, "resume", actor=actor, comment=note)
    _clocks_resume(incident, at=_now(at), actor=actor)
    _tell_requester(incident, "resume", actor, note)
    return incident


@transaction.atomic
def incident_escalate(
    *,
    incident: Incident,
    actor: User,
    note: str = "",
    kind: str = EscalationKind.HIERARCHICAL,
    team: Team | None = None,
    to: User | None = None,
    at: datetime.datetime | None = None,
) -> Incident:
    """Functional escalation: to another team (back to assigned, they acknowledge it). Hierarchical: to a
    manager who now answers for it (state kept). Both raise the escalation level and need a reason."""
    note = _require_note(note, _("Say why the incident is escalated."))
    was_on_hold = incident.state == IncidentState.ON_HOLD
    if kind == EscalationKind.FUNCTIONAL:
        if team is None:
            raise ValidationError({"team": _("Choose the team to escalate to.")})
        if team.pk == incident.assignment_team_id:
            raise ValidationError({"team": _("The incident is already with %(team)s.") % {"team": team}})
        recipients = _team_people(team) if to is None else [to]
    elif kind == EscalationKind.HIERARCHICAL:
        if to is None:
            raise ValidationError({"to": _("Choose the manager to escalate to.")})
        recipients = [to]
    else:
        raise ValidationError({"kind": _("Choose functional or hierarchical escalation.")})
    run_transition(
        incident, "escalate", actor=actor, reason=kind, comment=note, kind=kind, team=team, to=to, at=_now(at)
    )
    if kind == EscalationKind.FUNCTIONAL:
        _clocks_reassign(incident, at=_now(at), actor=actor)
        if was_on_hold:
            _clocks_resume(incident, at=_now(at), actor=actor)
    _tell(
        incident,
        "incident.escalated",
        f"transition:{incident.last_transition.pk}:target",  # type: ignore[attr-defined]
        [p for p in recipients if p.pk != actor.pk],
        gettext_lazy("{reference} was escalated to you: {title}"),
        note,
    )
    _tell_requester(incident, "escalate", actor)
    return incident


@transaction.atomic
def incident_resolve(
    *,
    incident: Incident,
    actor: User,
    note: str = "",
    code: str = "",
    notes: str = "",
    at: datetime.datetime | None = None,
) -> Incident:
    """→ resolved: a resolution code and notes are required; the requester is asked to confirm."""
    notes = (notes or note or "").strip()
    errors = {}
    if code not in ResolutionCode.values:
        errors["code"] = _("Choose a resolution code.")
    if not notes:
        errors["notes"] = _("Describe the resolution for the requester.")
    if errors:
        raise ValidationError(errors)
    responded = incident.first_response_at is not None
    when = _now(at)
    run_transition(
        incident,
        "resolve",
        actor=actor,
        reason=code,
        comment=note or notes,
        code=code,
        notes=notes,
        by=actor,
        at=when,
    )
    if not responded:
        _clocks_respond(incident, at=when, actor=actor)
    _clocks_resolve(incident, at=when, actor=actor)
    _tell_requester(incident, "resolve", actor, notes)
    return incident


@transaction.atomic
def incident_reopen(
    *, incident: Incident, actor: User, note: str = "", at: datetime.datetime | None = None
) -> Incident:
    """resolved → in progress, within the reopen window; needs a reason."""
    note = _require_note(note, _("Say why the resolution did not work."))
    run_transition(incident, "reopen", actor=actor, comment=note)
    _clocks_resume(incident, at=_now(at), actor=actor)
    notify(
        event="incident.reopened",
        event_key=f"transition:{incident.last_transition.pk}:assignee",  # type: ignore[attr-defined]
        recipients=[p for p in [incident.assignee] if p is not None and p.pk != actor.pk]
        or _team_people(incident.assignment_team),
        subject=_subject(STATUS_SUBJECTS["reopen"], incident),
        body=note,
        record=incident,
    )
    _tell_requester(incident, "reopen", actor, note)
    return incident


def _forget_review(incident: Incident) -> None:
    """The closing guard reads the major incident review; a copy cached on this instance may be older
    than the review completed meanwhile (through another instance), so read it afresh."""
    if incident.is_major and Incident.major_review.is_cached(incident):
        Incident.major_review.related.delete_cached_value(incident)


@transaction.atomic
def incident_close(
    *, incident: Incident, actor: User, note: str = "", at: datetime.datetime | None = None
) -> Incident:
    """resolved → closed by the desk (or the system after the auto-close days); a major incident needs
    its completed review."""
    _forget_review(incident)
    run_transition(incident, "close", actor=actor, comment=note, by=actor, at=_now(at))
    _tell_requester(incident, "close", actor, note)
    return incident


@transaction.atomic
def incident_confirm(
    *, incident: Incident, actor: User, note: str = "", at: datetime.datetime | None = None
) -> Incident:
    """The requester confirms the resolution: closed (a major incident waits for its review)."""
    _forget_review(incident)
    run_transition(incident, "confirm", actor=actor, comment=note, by=actor, at=_now(at))
    if incident.assignee is not None:
        _tell(
            incident,
            "incident.confirmed",
            f"transition:{incident.last_transition.pk}:assignee",  # type: ignore[attr-defined]
            [incident.assignee],
            STATUS_SUBJECTS["confirm"],
            note,
        )
    return incident


@transaction.atomic
def incident_cancel(
    *,
    incident: Incident,
    actor: User,
    note: str = "",
    reason: str = "",
    duplicate_of: Incident | None = None,
    at: datetime.datetime | None = None,
) -> Incident:
    """Any open state → cancelled with a reason; a duplicate names its master incident."""
    if reason not in CancelReason.values:
        raise ValidationError({"reason": _("Say why the incident is cancelled.")})
    if reason == CancelReason.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("Name the incident this one duplicates.")})
        if duplicate_of.pk == incident.pk:
            raise ValidationError({"duplicate_of": _("An incident cannot duplicate itself.")})
        if duplicate_of.state == IncidentState.CANCELLED:
            raise ValidationError({"duplicate_of": _("The master incident is cancelled itself.")})
    else:
        duplicate_of = None
        _require_note(note, _("Say why the incident is cancelled."))
    run_transition(
        incident,
        "cancel",
        actor=actor,
        reason=reason,
        comment=note,
        cancel_reason=reason,
        duplicate_of=duplicate_of,
    )
    _clocks_cancel(incident, at=_now(at), actor=actor)
    _tell_requester(incident, "cancel", actor, note)
    return incident


# Major incidents -----------------------------------------------------------------------------------


@transaction.atomic
def incident_declare_major(
    *,
    incident: Incident,
    actor: User,
    note: str = "",
    manager: User | None = None,
    at: datetime.datetime | None = None,
) -> Incident:
    """Declare a major incident under the customer's agreed criteria: a named major incident manager is
    required, and top management is notified at once (the notification rows are the record of it).

    A priority below the criteria's minimum needs a reason (an incident manager's override).
    """
    if manager is None:
        raise ValidationError({"manager": _("Name the major incident manager.")})
    if not policy.allows(manager, "declare_major", Incident):
        raise ValidationError(
            {"manager": _("%(person)s may not manage major incidents.") % {"person": manager}}
        )
    criteria = selectors.criteria_for(incident.customer)
    if criteria is not None and selectors.PRIORITY_ORDER.index(
        incident.priority
    ) > selectors.PRIORITY_ORDER.index(criteria.min_priority):
        _require_note(
            note,
            _("The priority is below the agreed criteria (%(priority)s); say why it is major anyway.")
            % {"priority": criteria.min_priority},
        )
    when = _now(at)
    run_transition(
        incident, "declare_major", actor=actor, comment=note, manager=manager, criteria=criteria, at=when
    )
    key = f"transition:{incident.last_transition.pk}"  # type: ignore[attr-defined]
    if criteria is None or criteria.notify_top_management:
        _tell(
            incident,
            "incident.major_declared",
            f"{key}:top-management",
            selectors.top_management(),
            gettext_lazy("Major incident declared: {reference} {title}"),
            note,
        )
    if manager.pk != actor.pk:
        _tell(
            incident,
            "incident.major_manager",
            f"{key}:manager",
            [manager],
            gettext_lazy("You manage major incident {reference}: {title}"),
            note,
        )
    if not MajorIncidentReview.objects.filter(incident=incident).exists():
        review = MajorIncidentReview(
            incident=incident,
            owner=manager,
            created_by=actor,
            updated_by=actor,
            created_at=when,
            updated_at=when,
        )
        review.reference = next_reference(review.reference_prefix)
        validate(review)
        save_with_history(review, actor=actor, reason="major_declared")
    return incident


@transaction.atomic
def incident_take_major(
    *, incident: Incident, actor: User, note: str = "", at: datetime.datetime | None = None
) -> Incident:
    """The major incident manager takes charge (stops the take-over watchdog)."""
    run_transition(incident, "take_major", actor=actor, comment=note, by=actor, at=_now(at))
    return incident


def major_incidents_watch(*, now: datetime.datetime | None = None) -> int:
    """Escalate declared major incidents nobody took within the take-over minutes: top management and
    the incident managers are told, once (``major_escalated_at`` is set, as the system user)."""
    now = now or timezone.now()
    actor = system_user()
    escalated = 0
    for candidate in selectors.unattended_major_incidents(now):
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(pk=candidate.pk)
            if incident.major_escalated_at is not None or incident.major_acknowledged_at is not None:
                continue
            incident.major_escalated_at = now
            incident.escalation_level += 1
            incident.updated_by = actor
            incident.updated_at = now
            save_with_history(incident, actor=actor, reason="major_unattended")
            recipients = {u.pk: u for u in [*selectors.top_management(), *selectors.incident_managers()]}
            _tell(
                incident,
                "incident.major_unattended",
                f"incident:{incident.pk}:major-unattended:{incident.major_declared_at:%Y%m%d%H%M%S}",
                recipients.values(),
                gettext_lazy("No manager has taken major incident {reference}: {title}"),
                _("Declared %(at)s; the named manager is %(manager)s.")
                % {
                    "at": timezone.localtime(incident.major_declared_at),
                    "manager": incident.major_incident_manager,
                },
            )
            escalated += 1
    return escalated


@transaction.atomic
def review_update(*, review: MajorIncidentReview, actor: User, data: dict[str, Any]) -> MajorIncidentReview:
    fields = ("owner", "what_happened", "timeline", "causes", "improvements")
    return update_audited(review, actor=actor, data={k: v for k, v in data.items() if k in fields})


@transaction.atomic
def review_complete(*, review: MajorIncidentReview, actor: User, note: str = "") -> MajorIncidentReview:
    """draft → completed: what happened, timeline, causes and improvements are all written."""
    if not review.is_complete:
        raise ValidationError(
            {
                "note": _(
                    "Write what happened, the timeline, the causes and the improvements before completing."
                )
            }
        )
    return run_transition(review, "complete", actor=actor, comment=note, by=actor, at=timezone.now())


REVIEW_TRANSITIONS = {"complete": review_complete}


# Automatic closure ---------------------------------------------------------------------------------


def incidents_auto_close(*, now: datetime.datetime | None = None) -> int:
    """Close resolved incidents nobody confirmed or reopened within ``ITSM_INCIDENT_AUTO_CLOSE_DAYS``
    business days, as the system user. Idempotent: a closed incident is no longer a candidate, and one
    moved meanwhile by a person is left to them."""
    now = now or timezone.now()
    actor = system_user()
    closed = 0
    for pk in selectors.auto_close_due(now):
        incident = Incident.objects.filter(pk=pk, state=IncidentState.RESOLVED).first()
        if incident is None:
            continue
        try:
            incident_close(
                incident=incident,
                actor=actor,
                note=_("Closed automatically: no reply within the agreed days."),
            )
        except (TransitionNotAllowed, ConcurrentTransition):
            continue  # a major incident still waiting for its review, or someone acted meanwhile
        closed += 1
    return closed


# Comments and work notes ---------------------------------------------------------------------------


@transaction.atomic
def incident_note_add(*, incident: Incident, actor: User, kind: str, body: str) -> Note:
    """A work note (staff) or a comment. The comment's notification comes from ``incident_note_added``
    (the note hook ``IncidentsConfig.ready`` registers), so this path and the core's generic notes
    page and API tell the other side exactly once."""
    return note_add(record=incident, actor=actor, kind=kind, body=body)


def incident_note_added(*, note: Note, record: Any, actor: Any) -> None:
    """Note hook of incidents (``itsm.notes.register_note_hook``): a comment reaches the other side,
    the requester when staff write it, the assignee (or the team) when the requester writes it; a work
    note is internal and tells nobody."""
    if note.kind != NoteKind.COMMENT:
        return
    incident: Incident = record
    if actor.pk == incident.reported_by_id:
        recipients = [incident.assignee] if incident.assignee else _team_people(incident.assignment_team)
        subject = gettext_lazy("The requester commented on {reference}: {title}")
    else:
        recipients = [incident.reported_by]
        subject = gettext_lazy("New comment on {reference}: {title}")
    _tell(
        incident,
        "incident.commented",
        f"note:{note.pk}",
        [p for p in recipients if p is not None and p.pk != actor.pk],
        subject,
        note.body,
    )


def service_request_note_added(*, note: Note, record: Any, actor: Any) -> None:
    """Note hook of service requests: a comment reaches the person who asked (and the one it is for)
    when staff write it, the assignee (or the fulfilment team) when one of them writes it."""
    if note.kind != NoteKind.COMMENT:
        return
    service_request: ServiceRequest = record
    requesters = {
        service_request.requested_by_id: service_request.requested_by,
        service_request.requested_for_id: service_request.requested_for,
    }
    if actor.pk in requesters:
        recipients = (
            [service_request.assignee]
            if service_request.assignee
            else _team_people(service_request.assignment_team)
        )
        subject = gettext_lazy("The requester commented on {reference}: {title}")
    else:
        recipients = list(requesters.values())
        subject = gettext_lazy("New comment on {reference}: {title}")
    notify(
        event="request.commented",
        event_key=f"note:{note.pk}",
        recipients=[p for p in recipients if p is not None and p.pk != actor.pk],
        subject=format_lazy(subject, reference=service_request.reference, title=service_request.title),
        body=note.body,
        record=service_request,
    )


# Bulk ------------------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    """What happened to each record of a bulk action (``ok`` False with the message)."""

    rows: list[tuple[Incident, bool, str]] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(1 for _row, ok, _msg in self.rows if ok)

    @property
    def failed(self) -> int:
        return len(self.rows) - self.succeeded


def bulk_apply(*, incidents: list[Incident], actor: User, action: Callable[[Incident], Any]) -> BulkResult:
    """Run ``action`` on each incident in its own transaction; one refusal does not stop the others."""
    result = BulkResult()
    for incident in incidents:
        try:
            with transaction.atomic():
                action(incident)
        except PermissionDenied:
            result.rows.append((incident, False, _("You may not do this on this incident.")))
        except TransitionNotAllowed:
            result.rows.append((incident, False, _("Not allowed in its current state.")))
        except ConcurrentTransition:
            result.rows.append((incident, False, _("It changed meanwhile; reload and try again.")))
        except ValidationError as exc:
            result.rows.append((incident, False, " ".join(exc.messages)))
        else:
            result.rows.append((incident, True, _("Done.")))
    return result


def incidents_bulk_assign(
    *, incidents: list[Incident], actor: User, team: Team, assignee: User | None = None, note: str = ""
) -> BulkResult:
    return bulk_apply(
        incidents=incidents,
        actor=actor,
        action=lambda incident: incident_assign(
            incident=incident, actor=actor, team=team, assignee=assignee, note=note
        ),
    )


def incidents_bulk_transition(
    *, incidents: list[Incident], actor: User, name: str, note: str = ""
) -> BulkResult:
    """A transition that needs no input beyond a note (start, resume, close, …) on many incidents."""
    service = BULK_TRANSITIONS.get(name)
    if service is None:
        raise ValidationError({"transition": _("This action cannot be applied to several incidents.")})
    return bulk_apply(
        incidents=incidents,
        actor=actor,
        action=lambda incident: service(incident=incident, actor=actor, note=note),
    )


# Configuration ---------------------------------------------------------------------------------------


@transaction.atomic
def matrix_cell_set(*, actor: User, impact: int, urgency: int, priority: str) -> PriorityMatrix:
    """Set one cell of the priority matrix (history keeps the earlier value); new incidents use it."""
    cell = PriorityMatrix.objects.filter(impact=impact, urgency=urgency).first()
    if cell is None:
        return create_audited(
            PriorityMatrix, actor=actor, data={"impact": impact, "urgency": urgency, "priority": priority}
        )
    return update_audited(cell, actor=actor, data={"priority": priority})


@transaction.atomic
def category_create(*, actor: User, data: dict[str, Any]) -> Category:
    return create_audited(Category, actor=actor, data=data)


@transaction.atomic
def category_update(*, category: Category, actor: User, data: dict[str, Any]) -> Category:
    return update_audited(category, actor=actor, data=data)


@transaction.atomic
def criteria_create(*, actor: User, data: dict[str, Any]) -> MajorIncidentCriteria:
    return create_audited(MajorIncidentCriteria, actor=actor, data=data)


@transaction.atomic
def criteria_update(
    *, criteria: MajorIncidentCriteria, actor: User, data: dict[str, Any]
) -> MajorIncidentCriteria:
    return update_audited(criteria, actor=actor, data=data)


# Transition name → service. Pages and the API look services up here; each takes ``incident``,
# ``actor`` and ``note`` plus its own inputs (see the forms and serializers).
INCIDENT_TRANSITIONS: dict[str, Callable[..., Incident]] = {
    "classify": incident_classify,
    "assign": incident_assign,
    "start": incident_start,
    "hold": incident_hold,
    "resume": incident_resume,
    "escalate": incident_escalate,
    "resolve": incident_resolve,
    "reopen": incident_reopen,
    "close": incident_close,
    "confirm": incident_confirm,
    "cancel": incident_cancel,
    "declare_major": incident_declare_major,
    "take_major": incident_take_major,
}
# Those that need nothing but a note (the others have their own inputs).
SIMPLE_TRANSITIONS = {"start", "resume", "reopen", "close", "confirm", "take_major"}
BULK_TRANSITIONS = {name: INCIDENT_TRANSITIONS[name] for name in ("start", "resume", "close")}


# Service requests ----------------------------------------------------------------------------------


def _request_due(item: Any, at: datetime.datetime) -> datetime.datetime:
    """When the fulfilment target of the catalogue item falls: in the service hours' business time when
    the service has a calendar, else in elapsed minutes."""
    from service_levels.calendars import add_business_seconds, spec_from_version

    minutes = item.fulfilment_target_minutes
    calendar = item.service.service_hours
    version = calendar.version_at(at) if calendar is not None else None
    if version is not None:
        try:
            return add_business_seconds(spec_from_version(version), at, minutes * 60)
        except ValueError:
            pass  # a calendar without working time: fall back to elapsed time
    return at + datetime.timedelta(minutes=minutes)


def request_approvers(service_request: ServiceRequest) -> list[User]:
    """The catalogue item's approver, or the holders of its approver role; never the requester."""
    item = service_request.catalogue_item
    if item.approver_id is not None:
        people = [item.approver]
    elif item.approver_role:
        people = list(User.objects.filter(groups__name=item.approver_role, is_active=True, is_system=False))
    else:
        people = []
    return [p for p in people if p is not None and p.pk != service_request.requested_by_id]


def _tell_request(
    service_request: ServiceRequest, event: str, recipients: Any, subject: Any, body: str = ""
) -> None:
    notify(
        event=event,
        event_key=f"transition:{service_request.last_transition.pk}:{event}",  # type: ignore[attr-defined]
        recipients=recipients,
        subject=format_lazy(subject, reference=service_request.reference, title=service_request.title),
        body=body,
        record=service_request,
    )


@transaction.atomic
def service_request_create(
    *, actor: User, data: dict[str, Any], at: datetime.datetime | None = None
) -> ServiceRequest:
    """Ask for a catalogue item: for oneself (``requested_for`` defaults to the actor) or, at the desk, for
    someone else. The fulfilment target and the SLA clocks start now; an item that needs approval goes
    to its approver at once."""
    item = data.get("catalogue_item")
    if item is None or not item.is_active:
        raise ValidationError({"catalogue_item": _("Choose something from the catalogue.")})
    requested_for = data.get("requested_for") or actor
    if requested_for.pk != actor.pk and not policy.allows(actor, "log", Incident):
        raise PermissionDenied  # only the desk asks on someone else's behalf
    when = at or timezone.now()
    values = {
        "catalogue_item": item,
        "title": (data.get("title") or str(item.name))[:200],
        "description": data.get("description") or "",
        "channel": data.get("channel") or Channel.PORTAL,
        "requested_by": actor,
        "requested_for": requested_for,
        "customer": data.get("customer") or selectors.customer_of(requested_for),
        "service": item.service,
        "priority": data.get("priority") or Priority.P4,
        "assignment_team": item.fulfilment_team,
        "due_at": _request_due(item, when),
    }
    if at is not None:
        values["created_at"] = values["updated_at"] = at
    service_request = record_create(ServiceRequest, actor=actor, data=values)
    clocks.clocks_start(
        record=service_request,
        customer=service_request.customer,
        service=service_request.service,
        team=service_request.assignment_team,
        priority=service_request.priority,
        at=when,
        actor=actor,
    )
    if item.needs_approval:
        run_transition(service_request, "submit", actor=actor, comment=service_request.description[:500])
        _tell_request(
            service_request,
            "request.approval_needed",
            request_approvers(service_request),
            gettext_lazy("{reference} waits for your approval: {title}"),
            service_request.description,
        )
    else:
        notify(
            event="request.new",
            event_key=f"request:{service_request.pk}:new",
            recipients=_team_people(service_request.assignment_team),
            subject=format_lazy(
                gettext_lazy("New service request {reference}: {title}"),
                reference=service_request.reference,
                title=service_request.title,
            ),
            record=service_request,
        )
    return service_request


def _tell_requester_of_request(
    service_request: ServiceRequest, actor: User, subject: Any, note: str = ""
) -> None:
    people = {
        service_request.requested_by_id: service_request.requested_by,
        service_request.requested_for_id: service_request.requested_for,
    }
    _tell_request(
        service_request, "request.status", [p for pk, p in people.items() if pk != actor.pk], subject, note
    )


@transaction.atomic
def service_request_approve(
    *, service_request: ServiceRequest, actor: User, note: str = "", at: datetime.datetime | None = None
) -> ServiceRequest:
    """awaiting approval → approved (by the item's approver, never the requester)."""
    run_transition(service_request, "approve", actor=actor, comment=note, by=actor, at=_now(at), note=note)
    _tell_requester_of_request(
        service_request, actor, gettext_lazy("{reference} was approved: {title}"), note
    )
    _tell_request(
        service_request,
        "request.approved",
        _team_people(service_request.assignment_team),
        gettext_lazy("{reference} is approved and waits for fulfilment: {title}"),
        note,
    )
    return service_request


@transaction.atomic
def service_request_reject(
    *, service_request: ServiceRequest, actor: User, note: str = "", at: datetime.datetime | None = None
) -> ServiceRequest:
    """awaiting approval → rejected, with the reason; the clocks are cancelled."""
    note = _require_note(note, _("Say why the request is rejected."))
    run_transition(service_request, "reject", actor=actor, comment=note, by=actor, at=_now(at), note=note)
    clocks.clocks_cancel(record=service_request, at=_now(at), actor=actor, reason="rejected")
    _tell_requester_of_request(
        service_request, actor, gettext_lazy("{reference} was rejected: {title}"), note
    )
    return service_request


@transaction.atomic
def service_request_start(
    *, service_request: ServiceRequest, actor: User, note: str = "", at: datetime.datetime | None = None
) -> ServiceRequest:
    """new (no approval needed) or approved → in fulfilment; the person starting takes it."""
    run_transition(
        service_request,
        "start_fulfilment",
        actor=actor,
        comment=note,
        team=service_request.assignment_team,
        assignee=service_request.assignee or actor,
    )
    clocks.clocks_stop(
        record=service_request, kind="response", at=_now(at), actor=actor, reason="fulfilment started"
    )
    _tell_requester_of_request(
        service_request, actor, gettext_lazy("Work on {reference} has started: {title}"), note
    )
    return service_request


@transaction.atomic
def service_request_fulfil(
    *, service_request: ServiceRequest, actor: User, note: str = "", at: datetime.datetime | None = None
) -> ServiceRequest:
    """in fulfilment → fulfilled, with what was done (the note)."""
    note = _require_note(note, _("Say what was done."))
    run_transition(service_request, "fulfil", actor=actor, comment=note, notes=note, at=_now(at))
    clocks.clocks_stop(
        record=service_request, kind="resolution", at=_now(at), actor=actor, reason="fulfilled"
    )
    _tell_requester_of_request(
        service_request, actor, gettext_lazy("{reference} is fulfilled: {title}"), note
    )
    return service_request


@transaction.atomic
def service_request_close(
    *, service_request: ServiceRequest, actor: User, note: str = "", at: datetime.datetime | None = None
) -> ServiceRequest:
    """fulfilled or rejected → closed."""
    return run_transition(service_request, "close", actor=actor, comment=note, at=_now(at))


@transaction.atomic
def service_request_cancel(
    *, service_request: ServiceRequest, actor: User, note: str = "", at: datetime.datetime | None = None
) -> ServiceRequest:
    """Any open state → cancelled, with the reason; the clocks are cancelled."""
    note = _require_note(note, _("Say why the request is cancelled."))
    run_transition(service_request, "cancel", actor=actor, comment=note, cancel_reason=note[:300])
    clocks.clocks_cancel(record=service_request, at=_now(at), actor=actor, reason="cancelled")
    _tell_requester_of_request(
        service_request, actor, gettext_lazy("{reference} was cancelled: {title}"), note
    )
    return service_request


@transaction.atomic
def catalogue_item_create(*, actor: User, data: dict[str, Any]) -> RequestCatalogueItem:
    return create_audited(RequestCatalogueItem, actor=actor, data=data)


@transaction.atomic
def catalogue_item_update(
    *, item: RequestCatalogueItem, actor: User, data: dict[str, Any]
) -> RequestCatalogueItem:
    return update_audited(item, actor=actor, data=data)


# Transition name → service; each takes ``service_request``, ``actor`` and ``note``.
REQUEST_TRANSITIONS: dict[str, Callable[..., ServiceRequest]] = {
    "approve": service_request_approve,
    "reject": service_request_reject,
    "start_fulfilment": service_request_start,
    "fulfil": service_request_fulfil,
    "close": service_request_close,
    "cancel": service_request_cancel,
}
