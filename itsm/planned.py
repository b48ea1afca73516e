"""Planned activities: recurring work with an owner, an interval and a lead time.

Management reviews, internal audits, CMDB audits, SLA reviews, supplier reviews, plan tests and surveys
are all "do this every N months". A ``PlannedActivity`` holds the schedule; each cycle is a
``PlannedOccurrence`` (scheduled → draft created → done, or missed). ``planned_activities_run`` (hourly
from beat, and ``manage.py run_planned_activities``) creates each cycle's draft record ahead of its due
date, reminds the owner, notices when the record is done and schedules the next cycle, and escalates
once when the cycle is overdue. It is idempotent and catch-up safe: running it twice, or once after a
long outage, gives the same rows.

Apps plug in their record types with ``register(kind, label=…, create_draft=…, is_done=…)``; the
built-in kind ``"task"`` has no record of its own (the occurrence is the draft, completed by hand).
See docs/planned-activities.md.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm import ConcurrentTransitionMixin, FSMField, TransitionNotAllowed, can_proceed, transition
from simple_history.models import HistoricalRecords

from .choices import Role
from .history import REASON_LABELS, save_with_history, system_user, validate
from .notifications import notify
from .policy import Check, has_any_perm, is_active_user, policy

logger = logging.getLogger(__name__)

# How many past cycles one run closes as missed for one activity (a daily activity after years of
# outage); the next run goes on from there.
MAX_CATCH_UP = 1000
# Activities looked at together (one read of their open cycles and the cycles' records).
RUN_BATCH = 500

REASON_LABELS.update(
    {
        "planned_scheduled": _("cycle scheduled"),
        "planned_draft": _("draft created ahead of the due date"),
        "planned_reminder": _("owner reminded"),
        "planned_escalation": _("escalated: overdue"),
        "planned_done": _("cycle done"),
        "planned_missed": _("cycle missed"),
        "planned_next_cycle": _("next cycle scheduled"),
    }
)


class OccurrenceState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DRAFT_CREATED = "draft_created", _("Draft created")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


OPEN_STATES = (OccurrenceState.SCHEDULED, OccurrenceState.DRAFT_CREATED)


class ScheduleStatus(models.TextChoices):
    """Where an activity stands today (computed, for badges and the list filter)."""

    OK = "ok", _("On schedule")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    INACTIVE = "inactive", _("Inactive")


# Registry -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedKind:
    """A kind of planned activity and how its records are made and judged (see ``register``)."""

    key: str
    label: Any
    create_draft: Callable[[PlannedOccurrence, Any], models.Model]
    is_done: Callable[[Any], bool]
    manage_permission: Check | None = None
    subject_model: str | None = None

    def may_manage(self, user: Any, activity: PlannedActivity | None = None) -> bool:
        """Whether the area's owners (this kind's hook) let ``user`` set up and edit such activities."""
        return self.manage_permission is not None and bool(self.manage_permission(user, activity))

    def subject_model_class(self) -> type[models.Model] | None:
        return django_apps.get_model(self.subject_model) if self.subject_model else None


_KINDS: dict[str, PlannedKind] = {}


def register(
    kind: str,
    *,
    label: Any,
    create_draft: Callable[[PlannedOccurrence, Any], models.Model],
    is_done: Callable[[Any], bool],
    manage_permission: str | Sequence[str] | Check | None = None,
    subject_model: str | type[models.Model] | None = None,
) -> PlannedKind:
    """Plug a record type into planned activities (call it once, from ``AppConfig.ready``).

    ``create_draft(occurrence, actor)`` makes and returns the cycle's draft record (saved, with
    ``get_absolute_url``); it runs in the run's transaction as the system user, so it must not call
    ``policy.require`` (the schedule is the authority). ``is_done(record)`` says whether that record
    counts as the cycle done. ``manage_permission`` names who, besides management and administrators,
    sets up and edits activities of this kind: a permission (``"service_levels.change_agreement"``), a
    list of permissions (any of them), or a policy check ``(user, activity_or_None) -> bool``.
    ``subject_model`` (``"app_label.Model"``) makes a subject of that model required; such activities
    are created by their app (``planned_activity_ensure``), not on the generic page.
    """
    if kind in _KINDS:
        raise ValueError(f"Planned activity kind {kind!r} is already registered.")
    if len(kind) > 40 or not kind.replace("_", "").isalnum():
        raise ValueError(f"Planned activity kind {kind!r}: letters, digits and _ only, at most 40.")
    if isinstance(manage_permission, str):
        check: Check | None = has_any_perm(manage_permission)
    elif isinstance(manage_permission, (list, tuple)):
        check = has_any_perm(*manage_permission)
    else:
        check = manage_permission  # type: ignore[assignment]
    if isinstance(subject_model, type):
        subject_model = subject_model._meta.label
    entry = PlannedKind(
        key=kind,
        label=label,
        create_draft=create_draft,
        is_done=is_done,
        manage_permission=check,
        subject_model=subject_model,
    )
    _KINDS[kind] = entry
    return entry


def unregister(kind: str) -> None:
    """Remove a kind (tests that register their own)."""
    _KINDS.pop(kind, None)


def get_kind(kind: str) -> PlannedKind | None:
    return _KINDS.get(kind)


def kinds() -> list[PlannedKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)


def kind_choices() -> list[tuple[str, Any]]:
    return [(k.key, k.label) for k in kinds()]


can_manage_all = has_any_perm("itsm.change_plannedactivity")
can_add_all = has_any_perm("itsm.add_plannedactivity")


def may_manage(user: Any, activity: PlannedActivity) -> bool:
    """Management (the model permission) or the owners of the activity's area (the kind's hook)."""
    if not is_active_user(user):
        return False
    if can_manage_all(user, activity):
        return True
    entry = get_kind(activity.kind)
    return entry is not None and entry.may_manage(user, activity)


def may_manage_any(user: Any) -> bool:
    return is_active_user(user) and (
        can_manage_all(user, None) or any(k.may_manage(user) for k in _KINDS.values())
    )


def creatable_kinds(user: Any) -> list[PlannedKind]:
    """Kinds this person may set up on the generic page (those without a required subject)."""
    if not is_active_user(user):
        return []
    return [k for k in kinds() if k.subject_model is None and (can_add_all(user, None) or k.may_manage(user))]


# Dates --------------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


# Models -------------------------------------------------------------------------------------------


class PlannedActivity(models.Model):
    """Recurring work (a review, an audit, a test) with an owner, an interval and a lead time.

    Every due date is ``schedule_start`` plus a whole number of intervals, so cycles never drift (not
    with late completion, not from the 31st through February). ``next_due`` is the due date of the
    current cycle; ``draft_on`` (``next_due`` less the lead time) is when its draft gets created.
    """

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="planned_activities",
    )
    team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_activities",
    )
    interval_months = models.PositiveSmallIntegerField(_("every … months"), null=True, blank=True)
    interval_days = models.PositiveSmallIntegerField(_("every … days"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        default=30,
        help_text=_("The draft is created this many days before the due date."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder (days before due)"), default=7, help_text=_("The owner is reminded this many days ahead.")
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (days overdue)"),
        default=7,
        help_text=_("An overdue cycle is escalated once it is this many days late."),
    )
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalate to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the head of the owner's department, else top management."),
    )
    next_due = models.DateField(_("next due"))
    schedule_start = models.DateField(_("schedule start"), editable=False)
    draft_on = models.DateField(_("draft on"), editable=False)
    subject_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_object_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_content_type", "subject_object_id")
    is_active = models.BooleanField(_("active"), default=True)
    last_created_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_created_object_id = models.CharField(max_length=64, blank=True)
    last_created = GenericForeignKey("last_created_content_type", "last_created_object_id")
    last_completed_on = models.DateField(_("last completed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["next_due", "id"]
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__isnull=False, interval_months__gte=1)
                | Q(interval_days__isnull=False, interval_days__gte=1),
                name="itsm_planned_interval_set",
                violation_error_message=_("Set an interval in months, in days, or both."),
            ),
            models.UniqueConstraint(
                fields=["kind", "subject_content_type", "subject_object_id"],
                condition=~Q(subject_object_id=""),
                name="itsm_planned_one_per_subject",
                violation_error_message=_("This subject already has a planned activity of this kind."),
            ),
        ]
        indexes = [models.Index(fields=["is_active", "draft_on"], name="itsm_planned_draft_on")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_schedule()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("itsm:planned_activity_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        entry = get_kind(self.kind)
        if entry is None:
            errors["kind"] = _("Unknown kind of planned activity.")
        elif entry.subject_model is not None:
            model = entry.subject_model_class()
            if self.subject_content_type_id is None or (
                model is not None and self.subject_content_type != ContentType.objects.get_for_model(model)
            ):
                errors["kind"] = _("This kind of planned activity is set up from its subject's page.")
        if not (self.interval_months or self.interval_days):
            errors["interval_months"] = _("Set an interval in months, in days, or both.")
        if errors:
            raise ValidationError(errors)

    def refresh_schedule(self) -> None:
        """Keep the derived dates in step with ``next_due`` and the lead time."""
        if self.next_due is not None:
            if self.schedule_start is None:
                self.schedule_start = self.next_due
            self.draft_on = self.next_due - datetime.timedelta(days=self.lead_days or 0)

    @property
    def kind_label(self) -> Any:
        entry = get_kind(self.kind)
        return entry.label if entry is not None else self.kind

    @property
    def interval_label(self) -> str:
        months, days = self.interval_months or 0, self.interval_days or 0
        parts = []
        if months:
            parts.append(ngettext("%(n)d month", "%(n)d months", months) % {"n": months})
        if days:
            parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
        return " + ".join(parts)

    def cycle(self, n: int) -> datetime.date:
        """The due date of cycle ``n`` counted from ``schedule_start``."""
        start = add_months(self.schedule_start, (self.interval_months or 0) * n)
        return start + datetime.timedelta(days=(self.interval_days or 0) * n)

    def due_after(self, due: datetime.date) -> datetime.date:
        """The first due date of the schedule strictly after ``due``."""
        step = (self.interval_months or 0) * 30.44 + (self.interval_days or 0)
        n = max(0, int((due - self.schedule_start).days / step))
        while n > 0 and self.cycle(n - 1) > due:
            n -= 1
        while self.cycle(n) <= due:
            n += 1
        return self.cycle(n)

    def opens_on(self, due: datetime.date) -> datetime.date:
        return due - datetime.timedelta(days=self.lead_days)

    def status(self, today: datetime.date | None = None) -> ScheduleStatus:
        today = today or timezone.localdate()
        if not self.is_active:
            return ScheduleStatus.INACTIVE
        if self.next_due < today:
            return ScheduleStatus.OVERDUE
        if self.opens_on(self.next_due) <= today:
            return ScheduleStatus.DUE
        return ScheduleStatus.OK

    def escalation_targets(self) -> list[Any]:
        """``escalate_to``; else the head of the owner's department (not the owner); else top management."""
        if self.escalate_to is not None and self.escalate_to.is_active:
            return [self.escalate_to]
        department = self.owner.department
        head = department.head if department is not None else None
        if head is not None and head.pk != self.owner_id and head.is_active:
            return [head]
        user_model = get_user_model()
        return list(
            user_model._default_manager.filter(
                groups__name=Role.TOP_MANAGEMENT, is_active=True, is_system=False
            ).distinct()
        )


class PlannedOccurrence(ConcurrentTransitionMixin, models.Model):
    """One cycle of a planned activity: its due date, its draft record, and whether it was done.

    Created when the cycle's lead time starts (exactly once: unique per activity and due date). Evidence
    packs list these rows: what was done against what was due.
    """

    activity = models.ForeignKey(
        PlannedActivity,
        verbose_name=_("planned activity"),
        on_delete=models.PROTECT,
        related_name="occurrences",
    )
    due = models.DateField(_("due"))
    state = FSMField(
        _("state"),
        max_length=20,
        choices=OccurrenceState.choices,
        default=OccurrenceState.SCHEDULED,
        protected=True,
    )
    record_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record_object_id = models.CharField(max_length=64, blank=True)
    record = GenericForeignKey("record_content_type", "record_object_id")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-due", "-id"]
        verbose_name = _("planned occurrence")
        verbose_name_plural = _("planned occurrences")
        constraints = [
            models.UniqueConstraint(fields=["activity", "due"], name="itsm_planned_occurrence_once"),
        ]
        indexes = [
            models.Index(fields=["state", "due"], name="itsm_planned_occ_state"),
            models.Index(fields=["record_content_type", "record_object_id"], name="itsm_planned_occ_record"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.due.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("itsm:planned_activity_detail", args=[self.activity_id]) + f"#occurrence-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due < (today or timezone.localdate())

    @property
    def completes_by_hand(self) -> bool:
        """The draft is the occurrence itself (kind "task"): a person marks it done."""
        return self.record_content_type_id == ContentType.objects.get_for_model(
            PlannedOccurrence
        ).pk and self.record_object_id == str(self.pk)

    @transition(field=state, source=OccurrenceState.SCHEDULED, target=OccurrenceState.DRAFT_CREATED)
    def draft(self, *, record: models.Model) -> None:
        self.record_content_type = ContentType.objects.get_for_model(record)
        self.record_object_id = str(record.pk)

    @transition(field=state, source=list(OPEN_STATES), target=OccurrenceState.DONE)
    def complete(self, *, at: datetime.datetime, note: str = "") -> None:
        self.completed_at = at
        if note:
            self.note = note

    @transition(field=state, source=list(OPEN_STATES), target=OccurrenceState.MISSED)
    def miss(self) -> None:
        pass


# Selectors ----------------------------------------------------------------------------------------


def planned_activity_list() -> QuerySet[PlannedActivity]:
    return PlannedActivity.objects.select_related("owner", "team", "escalate_to")


def planned_occurrence_list() -> QuerySet[PlannedOccurrence]:
    return PlannedOccurrence.objects.select_related("activity", "activity__owner")


def with_status(queryset: QuerySet[PlannedActivity], status: str, today: datetime.date) -> QuerySet[Any]:
    """Activities in a ``ScheduleStatus`` today (the same rule as ``PlannedActivity.status``)."""
    if status == ScheduleStatus.INACTIVE:
        return queryset.filter(is_active=False)
    if status == ScheduleStatus.OVERDUE:
        return queryset.filter(is_active=True, next_due__lt=today)
    if status == ScheduleStatus.DUE:
        return queryset.filter(is_active=True, draft_on__lte=today, next_due__gte=today)
    if status == ScheduleStatus.OK:
        return queryset.filter(is_active=True, draft_on__gt=today)
    return queryset


def due_summary(today: datetime.date, *, days: int = 30) -> dict[str, int]:
    """Active activities overdue, and due within ``days`` (one query)."""
    horizon = today + datetime.timedelta(days=days)
    return PlannedActivity.objects.filter(is_active=True).aggregate(
        overdue=Count("pk", filter=Q(next_due__lt=today)),
        due_soon=Count("pk", filter=Q(next_due__gte=today, next_due__lte=horizon)),
    )


def activities_for(subject: models.Model) -> QuerySet[PlannedActivity]:
    """The planned activities about one record (e.g. the reviews of an SLA)."""
    return planned_activity_list().filter(
        subject_content_type=ContentType.objects.get_for_model(subject), subject_object_id=str(subject.pk)
    )


def occurrences_between(
    start: datetime.date, end: datetime.date, *, kind: str | Iterable[str] | None = None
) -> QuerySet[PlannedOccurrence]:
    """The cycles due in ``[start, end]`` (for an evidence pack: done versus due), oldest first."""
    rows = planned_occurrence_list().filter(due__gte=start, due__lte=end)
    if kind is not None:
        rows = rows.filter(activity__kind__in=[kind] if isinstance(kind, str) else list(kind))
    return rows.order_by("due", "activity_id", "id")


def done_versus_due(
    start: datetime.date, end: datetime.date, *, kind: str | Iterable[str] | None = None
) -> dict[str, int]:
    """Counts of the cycles due in the period: ``due``, ``done``, ``missed``, ``open``."""
    counts = occurrences_between(start, end, kind=kind).aggregate(
        due=Count("pk"),
        done=Count("pk", filter=Q(state=OccurrenceState.DONE)),
        missed=Count("pk", filter=Q(state=OccurrenceState.MISSED)),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
    )
    return {key: value or 0 for key, value in counts.items()}


# Services: operators ------------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "title",
    "description",
    "owner",
    "team",
    "interval_months",
    "interval_days",
    "next_due",
    "lead_days",
    "reminder_days",
    "escalate_after_days",
    "escalate_to",
    "is_active",
)


@transaction.atomic
def planned_activity_create(
    *, actor: Any, data: dict[str, Any], subject: models.Model | None = None
) -> PlannedActivity:
    """Set up a planned activity (``data``: ``kind`` and the editable fields); the first cycle is due
    on ``next_due`` and every later one a whole number of intervals after it."""
    activity = PlannedActivity(**data)
    if subject is not None:
        activity.subject = subject
    policy.require(actor, "add", activity)
    activity.schedule_start = activity.next_due
    activity.refresh_schedule()
    validate(activity)
    save_with_history(activity, actor=actor, reason="create")
    return activity


@transaction.atomic
def planned_activity_ensure(
    *, kind: str, subject: models.Model, actor: Any, defaults: dict[str, Any]
) -> tuple[PlannedActivity, bool]:
    """The activity of ``kind`` about ``subject``, created from ``defaults`` if there is none yet.

    For apps: e.g. an SLA's service calls it when the SLA is agreed. Returns ``(activity, created)``.
    """
    existing = activities_for(subject).filter(kind=kind).first()
    if existing is not None:
        return existing, False
    return planned_activity_create(actor=actor, data={**defaults, "kind": kind}, subject=subject), True


@transaction.atomic
def planned_activity_update(
    *, activity: PlannedActivity, actor: Any, data: dict[str, Any], reason: str
) -> PlannedActivity:
    """Change the schedule, owner or escalation of an activity; ``reason`` goes to its history.

    A new interval or due date re-anchors the schedule at ``next_due``. The due date cannot move while
    the current cycle's draft exists (complete it first); the interval can.
    """
    policy.require(actor, "change", activity)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the schedule changes (for the audit trail).")})
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    stored = PlannedActivity.objects.select_for_update().get(pk=activity.pk)
    changed = {name for name, value in data.items() if getattr(stored, name) != value}
    if (
        "next_due" in changed
        and stored.occurrences.filter(due=stored.next_due, state__in=OPEN_STATES).exists()
    ):
        raise ValidationError(
            {
                "next_due": _(
                    "The draft for the cycle due on %(due)s exists already; complete it before moving the date."
                )
                % {"due": stored.next_due.isoformat()}
            }
        )
    for name, value in data.items():
        setattr(activity, name, value)
    if changed & {"interval_months", "interval_days", "next_due"}:
        activity.schedule_start = activity.next_due
    activity.refresh_schedule()
    validate(activity)
    if changed:
        save_with_history(activity, actor=actor, reason=reason.strip()[:100])
    return activity


@transaction.atomic
def planned_occurrence_complete(
    *, occurrence: PlannedOccurrence, actor: Any, note: str = ""
) -> PlannedOccurrence:
    """A person marks a cycle done whose draft is the occurrence itself (kind "task"); the next cycle is
    scheduled at once. Cycles with a record of their own are done when their record is."""
    policy.require(actor, "complete", occurrence)
    activity = PlannedActivity.objects.select_for_update().get(pk=occurrence.activity_id)
    if not occurrence.completes_by_hand:
        raise ValidationError(_("This cycle is done when its record is done."))
    if not can_proceed(occurrence.complete):
        raise TransitionNotAllowed(f"complete is not allowed from {occurrence.state}.")
    _complete(activity, occurrence, actor=actor, reason="planned_done", note=note, today=timezone.localdate())
    _save_activity(activity, actor=actor, reason="planned_next_cycle")
    return occurrence


def planned_record_sync(*, record: models.Model, actor: Any = None) -> int:
    """Mark done, at once, the open cycles whose draft is ``record`` if their kind says it is done.

    For apps: call it after the record's closing transition so the next cycle is scheduled without
    waiting for the hourly run (which would notice too). Returns the number of cycles completed.
    """
    actor = actor or system_user()
    content_type = ContentType.objects.get_for_model(record)
    done = 0
    for occurrence_id, activity_id in PlannedOccurrence.objects.filter(
        record_content_type=content_type, record_object_id=str(record.pk), state__in=OPEN_STATES
    ).values_list("pk", "activity_id"):
        with transaction.atomic():
            activity = PlannedActivity.objects.select_for_update().get(pk=activity_id)
            occurrence = PlannedOccurrence.objects.get(pk=occurrence_id)
            entry = get_kind(activity.kind)
            if entry is None or not occurrence.is_open or not entry.is_done(record):
                continue
            _complete(activity, occurrence, actor=actor, reason="planned_done", today=timezone.localdate())
            _save_activity(activity, actor=actor, reason="planned_next_cycle")
            done += 1
    return done


# Services: the run --------------------------------------------------------------------------------


@dataclass
class PlannedRunSummary:
    """What one run did (``as_dict`` for the task result and the command's output)."""

    today: datetime.date
    activities: int = 0
    drafts_created: int = 0
    completed: int = 0
    missed: int = 0
    reminded: int = 0
    escalated: int = 0
    errors: int = 0

    def add(self, other: PlannedRunSummary) -> None:
        for name in ("drafts_created", "completed", "missed", "reminded", "escalated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        result = asdict(self)
        result["today"] = self.today.isoformat()
        return result


def planned_activities_run(*, today: datetime.date | None = None, actor: Any = None) -> PlannedRunSummary:
    """Bring every active planned activity up to ``today`` (idempotent, catch-up safe).

    Per activity, in its own transaction with the activity row locked: open cycles whose record is done
    become done (the next cycle is due a whole interval after the previous due date); cycles whose
    successor's lead time has started become missed; the current cycle gets its occurrence and draft
    record once its lead time starts; the owner is reminded once within ``reminder_days`` of the due
    date; an overdue cycle is escalated once ``escalate_after_days`` late. One activity that fails (its
    app's factory raised) is logged and counted, and the others go on.
    """
    today = today or timezone.localdate()
    actor = actor or system_user()
    summary = PlannedRunSummary(today=today)
    open_cycle = PlannedOccurrence.objects.filter(activity=OuterRef("pk"), state__in=OPEN_STATES)
    candidates = list(
        PlannedActivity.objects.filter(is_active=True)
        .filter(Q(draft_on__lte=today) | Q(Exists(open_cycle)))
        .order_by("draft_on", "pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(candidates), RUN_BATCH):
        batch = candidates[start : start + RUN_BATCH]
        # A read-only look at the whole batch first (a few queries), so that only the activities
        # with something to do take a lock and a transaction of their own.
        activities = PlannedActivity.objects.in_bulk(batch)
        open_cycles: dict[int, list[PlannedOccurrence]] = {pk: [] for pk in batch}
        for cycle in PlannedOccurrence.objects.filter(
            activity_id__in=batch, state__in=OPEN_STATES
        ).prefetch_related("record"):
            open_cycles[cycle.activity_id].append(cycle)
        for pk in batch:
            summary.activities += 1
            try:
                activity = activities.get(pk)
                if activity is not None and _has_work(activity, open_cycles[pk], today):
                    summary.add(_run_activity(pk, today=today, actor=actor))
            except Exception:  # one app's failing factory must not stop the others' schedules
                logger.exception("planned activity run failed", extra={"planned_activity": pk})
                summary.errors += 1
    return summary


def _has_work(activity: PlannedActivity, open_cycles: list[PlannedOccurrence], today: datetime.date) -> bool:
    """Whether ``_run_activity`` would change anything (read only; it decides again under the lock)."""
    entry = get_kind(activity.kind)
    if entry is None:
        return True  # reported as a failure by the run
    if today >= activity.opens_on(activity.next_due):
        if not any(cycle.due == activity.next_due for cycle in open_cycles):
            return True
        if today >= activity.opens_on(activity.due_after(activity.next_due)):
            return True
    for cycle in open_cycles:
        late = (today - cycle.due).days
        if (
            cycle.due != activity.next_due
            or cycle.state != OccurrenceState.DRAFT_CREATED
            or (
                cycle.reminded_at is None
                and today >= cycle.due - datetime.timedelta(days=activity.reminder_days)
            )
            or (cycle.escalated_at is None and late > 0 and late >= activity.escalate_after_days)
        ):
            return True
        record = cycle.record
        if record is not None and entry.is_done(record):
            return True
    return False


@transaction.atomic
def _run_activity(pk: int, *, today: datetime.date, actor: Any) -> PlannedRunSummary:
    counts = PlannedRunSummary(today=today)
    activity = (
        PlannedActivity.objects.select_for_update(of=("self",))  # not the nullable joined rows
        .select_related("owner", "owner__department__head", "escalate_to")
        .get(pk=pk)
    )
    if not activity.is_active:
        return counts
    entry = get_kind(activity.kind)
    if entry is None:
        raise LookupError(f"Planned activity kind {activity.kind!r} is not registered.")
    start_due = activity.next_due
    created = None

    # 1. Open cycles whose record is done now.
    for open_cycle in activity.occurrences.filter(state__in=OPEN_STATES).order_by("due"):
        record = open_cycle.record
        if record is not None and entry.is_done(record):
            _complete(activity, open_cycle, actor=actor, reason="planned_done", today=today)
            counts.completed += 1

    # 2. Close the cycles a later cycle has overtaken; open the current one.
    known = {o.due: o for o in activity.occurrences.filter(due__gte=activity.next_due)}
    for _step in range(MAX_CATCH_UP):
        due = activity.next_due
        if today < activity.opens_on(due):
            break
        following = activity.due_after(due)
        occurrence = known.get(due)
        if occurrence is not None and not occurrence.is_open:
            activity.next_due = following
            continue
        if today >= activity.opens_on(following):
            if occurrence is None:
                occurrence = PlannedOccurrence(activity=activity, due=due)
                occurrence.miss()
                if not _insert(occurrence, actor=actor, reason="planned_missed"):
                    break
            else:
                occurrence.miss()
                save_with_history(occurrence, actor=actor, reason="planned_missed")
            counts.missed += 1
            activity.next_due = following
            continue
        if occurrence is None:
            occurrence = PlannedOccurrence(activity=activity, due=due)
            if not _insert(occurrence, actor=actor, reason="planned_scheduled"):
                break
            record = entry.create_draft(occurrence, actor)
            if record is None or record.pk is None:
                raise ValueError(f"The {activity.kind} factory returned no saved record.")
            occurrence.draft(record=record)
            save_with_history(occurrence, actor=actor, reason="planned_draft")
            created = record
            counts.drafts_created += 1
        break

    # 3. Remind and escalate the open cycle, once each.
    for occurrence in activity.occurrences.filter(state=OccurrenceState.DRAFT_CREATED).order_by("due"):
        if occurrence.reminded_at is None and today >= occurrence.due - datetime.timedelta(
            days=activity.reminder_days
        ):
            _remind(activity, occurrence)
            occurrence.reminded_at = timezone.now()
            save_with_history(occurrence, actor=actor, reason="planned_reminder")
            counts.reminded += 1
        late = (today - occurrence.due).days
        if occurrence.escalated_at is None and late > 0 and late >= activity.escalate_after_days:
            _escalate(activity, occurrence, late)
            occurrence.escalated_at = timezone.now()
            save_with_history(occurrence, actor=actor, reason="planned_escalation")
            counts.escalated += 1

    if created is not None:
        activity.last_created = created
    reason = "planned_next_cycle" if activity.next_due != start_due else "planned_draft"
    _save_activity(activity, actor=actor, reason=reason)
    return counts


def _insert(occurrence: PlannedOccurrence, *, actor: Any, reason: str) -> bool:
    """Insert a cycle's row; False when it exists already (the unique constraint: exactly once)."""
    try:
        with transaction.atomic():
            save_with_history(occurrence, actor=actor, reason=reason)
    except IntegrityError:
        return False
    return True


def _complete(
    activity: PlannedActivity,
    occurrence: PlannedOccurrence,
    *,
    actor: Any,
    reason: str,
    today: datetime.date,
    note: str = "",
) -> None:
    occurrence.complete(at=timezone.now(), note=note)
    save_with_history(occurrence, actor=actor, reason=reason)
    activity.last_completed_on = today
    if occurrence.due >= activity.next_due:
        # From the due date, not from today: a late review does not push the next one back.
        activity.next_due = activity.due_after(occurrence.due)


def _save_activity(activity: PlannedActivity, *, actor: Any, reason: str) -> None:
    """Save the run's changes to the activity, if any (no empty history rows)."""
    activity.refresh_schedule()
    stored = PlannedActivity.objects.filter(pk=activity.pk).values(
        "next_due", "draft_on", "last_completed_on", "last_created_content_type_id", "last_created_object_id"
    )[0]
    current = {name: getattr(activity, name) for name in stored}
    if current != stored:
        save_with_history(activity, actor=actor, reason=reason)


def _link(occurrence: PlannedOccurrence) -> str:
    record = occurrence.record
    url = getattr(record, "get_absolute_url", None)
    return url() if callable(url) else occurrence.activity.get_absolute_url()


def _remind(activity: PlannedActivity, occurrence: PlannedOccurrence) -> None:
    notify(
        event="planned.reminder",
        event_key=f"planned-occurrence:{occurrence.pk}:reminder",
        recipients=[activity.owner],
        subject=format_lazy(
            _("{title} is due on {due}"), title=activity.title, due=occurrence.due.isoformat()
        ),
        body=format_lazy(
            _('The {kind} "{title}" is due on {due}. Its draft is ready; please complete it in time.'),
            kind=activity.kind_label,
            title=activity.title,
            due=occurrence.due.isoformat(),
        ),
        record=occurrence,
        url=_link(occurrence),
    )


def _escalate(activity: PlannedActivity, occurrence: PlannedOccurrence, late: int) -> None:
    notify(
        event="planned.escalation",
        event_key=f"planned-occurrence:{occurrence.pk}:escalation",
        recipients=[*activity.escalation_targets(), activity.owner],
        subject=format_lazy(
            _("Overdue: {title} (due {due})"), title=activity.title, due=occurrence.due.isoformat()
        ),
        body=format_lazy(
            _('The {kind} "{title}" owned by {owner} was due on {due} and is {days} days late.'),
            kind=activity.kind_label,
            title=activity.title,
            owner=str(activity.owner),
            due=occurrence.due.isoformat(),
            days=late,
        ),
        record=occurrence,
        url=_link(occurrence),
    )


# The built-in kind: a plain task, done by hand -----------------------------------------------------


def _task_draft(occurrence: PlannedOccurrence, actor: Any) -> models.Model:
    return occurrence


def _task_done(record: Any) -> bool:
    return isinstance(record, PlannedOccurrence) and record.state == OccurrenceState.DONE


register("task", label=_("Task"), create_draft=_task_draft, is_done=_task_done)
