"""Writes of service reporting (clause 6.2) and service reviews (clauses 6.1, 7.1).

Report definitions are plain reference data edited by service level managers. A service review is a
record (``SLR-000001``): planned (created ahead of time with the period's performance attached) →
held (minutes required) → closed, or cancelled. Agreements get their planned review activity from
:func:`agreement_review_plan_ensure`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm import planned
from itsm.history import REASON_LABELS, create_audited, save_with_history, update_audited, validate
from itsm.models import User
from itsm.policy import policy
from itsm.records import next_reference, run_transition

from . import reports
from .choices import ClockState
from .models import Agreement, BreachCause, Clock, ReportDefinition, ServiceReview

REASON_LABELS.update({"refresh_performance": gettext_lazy("performance of the period recomputed")})

# ---------------------------------------------------------------------------------------------------
# Report definitions


@transaction.atomic
def report_definition_create(*, actor: User, data: dict[str, Any]) -> ReportDefinition:
    return create_audited(ReportDefinition, actor=actor, data=data)


@transaction.atomic
def report_definition_update(
    *, definition: ReportDefinition, actor: User, data: dict[str, Any]
) -> ReportDefinition:
    return update_audited(definition, actor=actor, data=data)


# ---------------------------------------------------------------------------------------------------
# Breach causes


def clock_has_breached(clock: Clock, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        clock.state == ClockState.BREACHED
        or clock.breached_at is not None
        or (clock.state == ClockState.RUNNING and clock.due_at is not None and clock.due_at <= now)
    )


@transaction.atomic
def breach_cause_record(*, clock: Clock, actor: User, cause: str) -> BreachCause:
    """Record (or reword) why a clock breached; the earlier wording stays in history."""
    policy.require(actor, "add", BreachCause)
    cause = cause.strip()
    if not cause:
        raise ValidationError({"cause": _("Say why the target was missed.")})
    if not clock_has_breached(clock):
        raise ValidationError(_("This clock has not breached; there is no cause to record."))
    existing = BreachCause.objects.select_for_update().filter(clock=clock).first()
    if existing is None:
        entry = BreachCause(clock=clock, cause=cause, recorded_by=actor, recorded_at=timezone.now())
        validate(entry)
        save_with_history(entry, actor=actor, reason="create")
        return entry
    if existing.cause == cause:
        return existing
    existing.cause = cause
    existing.recorded_by = actor
    existing.recorded_at = timezone.now()
    validate(existing)
    save_with_history(existing, actor=actor, reason="update")
    return existing


# ---------------------------------------------------------------------------------------------------
# Service reviews

REVIEW_EDITABLE_FIELDS = ("title", "owner", "due_on", "period_start", "period_end", "attendees")


def _is_system(actor: Any) -> bool:
    return bool(getattr(actor, "is_system", False))


def review_title(agreement: Agreement, period_end: datetime.date) -> str:
    return _("Service review of %(agreement)s, period to %(end)s") % {
        "agreement": agreement.reference,
        "end": period_end.isoformat(),
    }


@transaction.atomic
def service_review_create(
    *,
    actor: User,
    agreement: Agreement,
    due_on: datetime.date,
    period_start: datetime.date,
    period_end: datetime.date,
    owner: User | None = None,
    title: str = "",
    attendees: str = "",
    reason: str = "create",
) -> ServiceReview:
    """A planned review of ``agreement`` with the performance of ``period_start`` to ``period_end`` attached.

    People need ``add`` on service reviews; the planned-activity job acts as the system user, which
    creates the drafts the plan asks for (the plan itself was set up by a service level manager).
    """
    if not _is_system(actor):
        policy.require(actor, "add", ServiceReview)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    review = ServiceReview(
        title=title or review_title(agreement, period_end),
        agreement=agreement,
        owner=owner or agreement.owner,
        due_on=due_on,
        period_start=period_start,
        period_end=period_end,
        attendees=attendees,
        performance=reports.agreement_performance(agreement=agreement, start=period_start, end=period_end),
        created_by=actor,
        updated_by=actor,
    )
    review.reference = next_reference(review.reference_prefix)
    validate(review)
    save_with_history(review, actor=actor, reason=reason)
    return review


@transaction.atomic
def service_review_update(*, review: ServiceReview, actor: User, data: dict[str, Any]) -> ServiceReview:
    """Edit a planned review (title, owner, due date, period, attendees)."""
    policy.require(actor, "change", review)
    unknown = set(data) - set(REVIEW_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if review.state != ServiceReview.State.PLANNED:
        raise ValidationError(_("Only a planned review can be edited."))
    data = {**data, "updated_by": actor, "updated_at": timezone.now()}
    return update_audited(review, actor=actor, data=data)


@transaction.atomic
def service_review_refresh_performance(*, review: ServiceReview, actor: User) -> ServiceReview:
    """Recompute the attached performance for the review's period (only while it is planned)."""
    policy.require(actor, "change", review)
    if review.state != ServiceReview.State.PLANNED:
        raise ValidationError(_("Only a planned review can be refreshed."))
    review.performance = reports.agreement_performance(
        agreement=review.agreement, start=review.period_start, end=review.period_end
    )
    review.updated_by = actor
    review.updated_at = timezone.now()
    save_with_history(review, actor=actor, reason="refresh_performance")
    return review


@transaction.atomic
def service_review_hold(
    *,
    review: ServiceReview,
    actor: User,
    minutes: str,
    held_on: datetime.date | None = None,
    attendees: str = "",
    actions: str = "",
    note: str = "",
) -> ServiceReview:
    """Record that the review took place: the minutes are required, the date defaults to today."""
    if not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes of the review.")})
    on = held_on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"held_on": _("A review cannot be held in the future.")})
    run_transition(
        review,
        "hold",
        actor=actor,
        comment=note,
        on=on,
        attendees=attendees.strip() or review.attendees,
        minutes=minutes.strip(),
        actions=actions.strip(),
    )
    # The planned cycle is done now; the next one is scheduled without waiting for the hourly run.
    planned.planned_record_sync(record=review, actor=actor)
    return review


@transaction.atomic
def service_review_close(*, review: ServiceReview, actor: User, note: str = "") -> ServiceReview:
    return run_transition(review, "close", actor=actor, comment=note)


@transaction.atomic
def service_review_cancel(*, review: ServiceReview, actor: User, note: str) -> ServiceReview:
    if not note.strip():
        raise ValidationError({"note": _("Say why the review will not take place.")})
    return run_transition(review, "cancel", actor=actor, comment=note)


# Transitions that need only a note (pages and the API look them up here); ``hold`` has its own form.
REVIEW_TRANSITIONS = {
    "close": service_review_close,
    "cancel": service_review_cancel,
}


def review_is_overdue(review: ServiceReview, today: datetime.date | None = None) -> bool:
    return review.state == ServiceReview.State.PLANNED and review.due_on < (today or timezone.localdate())


# ---------------------------------------------------------------------------------------------------
# The planned activity "sla_review": one per agreement, every ``review_interval_months``

PLANNED_KIND = "sla_review"
REVIEW_LEAD_DAYS = 30
DONE_STATES = (ServiceReview.State.HELD, ServiceReview.State.CLOSED)


def review_period_for(agreement: Agreement, due: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period a review due on ``due`` looks back on: from the day after the last held review's
    period (else the agreement's start, else one interval back) to the day before the due date."""
    last = (
        ServiceReview.objects.filter(agreement=agreement, state__in=DONE_STATES, period_end__lt=due)
        .order_by("-period_end", "-id")
        .values_list("period_end", flat=True)
        .first()
    )
    if last is not None:
        start = last + datetime.timedelta(days=1)
    elif agreement.effective_from is not None and agreement.effective_from < due:
        start = agreement.effective_from
    else:
        start = planned.add_months(due, -agreement.review_interval_months)
    end = max(start, due - datetime.timedelta(days=1))
    return start, end


def sla_review_draft(occurrence: planned.PlannedOccurrence, actor: Any) -> ServiceReview:
    """The planned-activity factory: the cycle's review, with the performance since the last review."""
    agreement = occurrence.activity.subject
    if not isinstance(agreement, Agreement):
        raise TypeError(f"Planned activity {occurrence.activity_id} has no agreement as its subject.")
    start, end = review_period_for(agreement, occurrence.due)
    return service_review_create(
        actor=actor,
        agreement=agreement,
        due_on=occurrence.due,
        period_start=start,
        period_end=end,
        owner=occurrence.activity.owner,
        reason="planned_draft",
    )


def sla_review_is_done(record: Any) -> bool:
    return isinstance(record, ServiceReview) and record.state in DONE_STATES


def register_planned_kind() -> None:
    """Called once from ``ServiceLevelsConfig.ready``."""
    if planned.get_kind(PLANNED_KIND) is None:
        planned.register(
            PLANNED_KIND,
            label=gettext_lazy("SLA / service review"),
            create_draft=sla_review_draft,
            is_done=sla_review_is_done,
            manage_permission=("service_levels.add_servicereview", "service_levels.change_agreement"),
            subject_model=Agreement,
        )


def _first_review_due(agreement: Agreement, today: datetime.date) -> datetime.date:
    """``next_review`` when set; else one interval after the effective date, rolled forward by whole
    intervals past today (agreeing a back-dated agreement does not create missed reviews)."""
    if agreement.next_review is not None:
        return agreement.next_review
    start = agreement.effective_from or today
    due = planned.add_months(start, agreement.review_interval_months)
    step = 1
    while due < today:
        step += 1
        due = planned.add_months(start, agreement.review_interval_months * step)
    return due


@transaction.atomic
def agreement_review_plan_ensure(*, agreement: Agreement, actor: User) -> planned.PlannedActivity:
    """Make sure an agreed agreement has its planned review (call it when the agreement is agreed).

    Creates a planned activity of kind ``sla_review`` about the agreement (owner: the agreement's owner;
    every ``review_interval_months``, default 12; first due on ``next_review``, or one interval after
    the effective date; draft 30 days ahead). A revision takes over the schedule of the agreement it
    supersedes, whose activity is then deactivated. An existing activity is returned unchanged.
    """
    existing = planned.activities_for(agreement).filter(kind=PLANNED_KIND).first()
    if existing is not None:
        return existing
    previous = None
    if agreement.supersedes_id is not None:
        previous = (
            planned.activities_for(agreement.supersedes)  # type: ignore[arg-type]
            .filter(kind=PLANNED_KIND, is_active=True)
            .first()
        )
    today = timezone.localdate()
    next_due = previous.next_due if previous is not None else _first_review_due(agreement, today)
    activity, _created = planned.planned_activity_ensure(
        kind=PLANNED_KIND,
        subject=agreement,
        actor=actor,
        defaults={
            "title": _("Service review: %(agreement)s") % {"agreement": agreement},
            "owner": agreement.owner,
            "interval_months": agreement.review_interval_months,
            "next_due": next_due,
            "lead_days": REVIEW_LEAD_DAYS,
        },
    )
    if previous is not None:
        planned.planned_activity_update(
            activity=previous,
            actor=actor,
            data={"is_active": False},
            reason=_("Superseded by %(reference)s") % {"reference": agreement.reference},
        )
    return activity
