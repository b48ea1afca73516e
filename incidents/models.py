"""Models of incident and service request management (ISO/IEC 20000-1 clause 8.1).

Incidents and service requests are records (``itsm.records.Record``): a reference number, a protected
lifecycle whose transitions are the only way to change the state, history with actor and reason, and
the audit trail. Transitions here only check their guards and change fields in memory; the services
in ``services.py`` save, start the SLA clocks and notify.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition
from simple_history.models import HistoricalRecords

from itsm.choices import Priority, Role
from itsm.records import Record

from .choices import (
    ACTIVE_INCIDENT_STATES,
    OPEN_INCIDENT_STATES,
    CancelReason,
    Channel,
    EscalationKind,
    HoldReason,
    Impact,
    IncidentState,
    ResolutionCode,
    ReviewState,
    ServiceRequestState,
    Urgency,
)

# Configuration ------------------------------------------------------------------------------------


class PriorityMatrix(models.Model):
    """One cell of the impact x urgency matrix: the priority an incident gets at classification.

    The provider's manual sets no matrix, so it is data the incident manager maintains (clause 8.1:
    "priority from impact and urgency"); every change is in the history.
    """

    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["impact", "urgency"]
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="incidents_matrix_unique_cell"),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=4, urgency__gte=1, urgency__lte=4),
                name="incidents_matrix_levels",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_impact_display()} x {self.get_urgency_display()} → {self.priority}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:priority_matrix")


class Category(models.Model):
    """What kind of incident it is (a two-level tree: "Network / Wi-Fi"), with the team that usually
    takes it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    default_team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("default team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_security = models.BooleanField(
        _("information security"),
        default=False,
        help_text=_("Incidents of this category are information security incidents (clause 6.6.3)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["parent_id", "name", "id"]
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="incidents_category_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        if self.parent_id is not None:
            return f"{self.parent} / {self.name}"
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:category_list")

    def clean(self) -> None:
        if self.parent_id is not None and self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError({"parent": _("Categories have two levels: choose a top-level parent.")})


class MajorIncidentCriteria(models.Model):
    """The documented definition of a major incident agreed with a customer (clause 8.1).

    ``customer`` empty is the provider's default definition, used for customers without their own.
    """

    customer = models.ForeignKey(
        "service_levels.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="major_incident_criteria",
        help_text=_("Empty: the default definition for every customer without its own."),
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    criteria = models.TextField(_("criteria"), help_text=_("When an incident is a major incident."))
    min_priority = models.CharField(
        _("lowest priority that may be major"), max_length=2, choices=Priority.choices, default=Priority.P1
    )
    notify_top_management = models.BooleanField(_("notify top management at once"), default=True)
    takeover_minutes = models.PositiveIntegerField(
        _("manager take-over (minutes)"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_("If the named manager has not taken the incident within this time, it is escalated."),
    )
    agreed_with = models.CharField(_("agreed with"), max_length=200, blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id", "name", "id"]
        verbose_name = _("major incident criteria")
        verbose_name_plural = _("major incident criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_active=True, customer__isnull=False),
                name="incidents_mic_one_active_per_customer",
            ),
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True, customer__isnull=True),
                name="incidents_mic_one_active_default",
            ),
            models.CheckConstraint(condition=Q(takeover_minutes__gte=1), name="incidents_mic_takeover"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:criteria_list")


# Incidents --------------------------------------------------------------------------------------


def within_reopen_window(incident: Any) -> bool:
    """Guard of ``reopen``: resolved no more than ``ITSM_INCIDENT_REOPEN_DAYS`` business days ago."""
    from .selectors import add_business_days

    if incident.resolved_at is None:
        return False
    deadline = add_business_days(incident.resolved_at, settings.ITSM_INCIDENT_REOPEN_DAYS)
    return timezone.now() <= deadline


def major_review_done(incident: Any) -> bool:
    """Guard of ``close``: a major incident closes only after its review is completed."""
    if not incident.is_major:
        return True
    review = getattr(incident, "major_review", None)
    return review is not None and review.state == ReviewState.COMPLETED


def not_confirmed(incident: Any) -> bool:
    """Guard of ``confirm``: the requester confirms a resolution once."""
    return incident.resolution_confirmed_at is None


def is_not_major(incident: Any) -> bool:
    return not incident.is_major


def major_not_acknowledged(incident: Any) -> bool:
    return incident.is_major and incident.major_acknowledged_at is None


class Incident(Record):
    """An unplanned interruption or reduction in quality of a service, or an event that has not yet
    affected the customer (clause 3.10), from logging to closure (clause 8.1).

    Lifecycle: new → classified → assigned → in progress ↔ on hold → resolved → closed, with reopen
    (resolved → in progress, within a window), cancel (any open state; duplicates name their master),
    escalation (functional: to another team, back to assigned; hierarchical: to a manager, state kept)
    and major-incident declaration (state kept).
    """

    reference_prefix = "INC"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PHONE)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="reported_incidents",
    )
    customer = models.ForeignKey(
        "service_levels.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    service = models.ForeignKey(
        "service_levels.Service",
        verbose_name=_("affected service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.MODERATE)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, default=Priority.P3)
    priority_overridden = models.BooleanField(_("priority set by hand"), default=False)
    priority_override_reason = models.CharField(
        _("why the priority was set by hand"), max_length=300, blank=True
    )
    assignment_team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("assignment group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_incidents",
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_incidents",
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    is_security = models.BooleanField(_("information security incident"), default=False)
    is_major = models.BooleanField(_("major incident"), default=False)
    major_incident_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("major incident manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_major_incidents",
    )
    major_criteria = models.ForeignKey(
        MajorIncidentCriteria,
        verbose_name=_("major incident criteria"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    major_declared_at = models.DateTimeField(_("declared major"), null=True, blank=True)
    major_acknowledged_at = models.DateTimeField(_("taken by the manager"), null=True, blank=True)
    major_escalated_at = models.DateTimeField(_("escalated for no manager"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    on_hold_reason = models.CharField(
        _("on hold because"), max_length=20, choices=HoldReason.choices, blank=True
    )
    resolution_code = models.CharField(
        _("resolution code"), max_length=20, choices=ResolutionCode.choices, blank=True
    )
    resolution_notes = models.TextField(_("resolution notes"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution_confirmed_at = models.DateTimeField(_("resolution confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(
        _("cancel reason"), max_length=20, choices=CancelReason.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    exempt = models.BooleanField(
        _("exempt from the repair-rate objective"),
        default=False,
        help_text=_("Excluded from the timely fault repair rate (after exemptions); give the reason."),
    )
    exemption_reason = models.CharField(_("exemption reason"), max_length=300, blank=True)
    state = FSMField(
        _("state"), max_length=20, choices=IncidentState.choices, default=IncidentState.NEW, protected=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [
            ("resolve_incident", "Can work, resolve and escalate incidents"),
            ("declare_major_incident", "Can declare and manage major incidents"),
        ]
        indexes = [
            models.Index(fields=["state", "priority", "id"], name="incidents_state_prio"),
            models.Index(fields=["assignment_team", "state"], name="incidents_team_state"),
            # A team's queue, newest first (the queue's default order): flat at any size (bench S3).
            models.Index(fields=["assignment_team", "created_at", "id"], name="incidents_team_created"),
            models.Index(fields=["assignee", "state"], name="incidents_assignee_state"),
            models.Index(fields=["reported_by", "created_at"], name="incidents_reporter"),
            models.Index(fields=["created_at", "id"], name="incidents_created"),
            models.Index(fields=["state", "resolved_at"], name="incidents_resolved"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=4, urgency__gte=1, urgency__lte=4),
                name="incidents_incident_levels",
            ),
            models.CheckConstraint(
                condition=Q(priority_overridden=False) | ~Q(priority_override_reason=""),
                name="incidents_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_major=False)
                | Q(major_incident_manager__isnull=False, major_declared_at__isnull=False),
                name="incidents_major_has_manager",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["resolved", "closed"])
                | (Q(resolved_at__isnull=False) & ~Q(resolution_code="")),
                name="incidents_resolved_has_resolution",
            ),
            models.CheckConstraint(
                condition=~Q(state="on_hold") | ~Q(on_hold_reason=""), name="incidents_hold_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | ~Q(cancel_reason=""), name="incidents_cancel_reason"
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | Q(state="cancelled"),
                name="incidents_duplicate_cancelled",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="incidents_not_own_parent"),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="incidents_not_own_duplicate"
            ),
            models.CheckConstraint(
                condition=Q(exempt=False) | ~Q(exemption_reason=""), name="incidents_exemption_reason"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_INCIDENT_STATES

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_INCIDENT_STATES

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.parent_id is not None and self.pk is not None and self.parent_id == self.pk:
            errors["parent"] = _("An incident cannot be its own parent.")
        if self.priority_overridden and not self.priority_override_reason.strip():
            errors["priority_override_reason"] = _("Say why the priority differs from the matrix.")
        if self.exempt and not self.exemption_reason.strip():
            errors["exemption_reason"] = _("Say why the incident is exempt.")
        if errors:
            raise ValidationError(errors)

    # Transitions: guards and in-memory changes only (the services save, start clocks and notify).

    @transition(field=state, source=IncidentState.NEW, target=IncidentState.CLASSIFIED)
    def classify(
        self,
        *,
        service: Any,
        category: Any,
        impact: int,
        urgency: int,
        is_security: bool,
        priority: str,
        override_reason: str = "",
    ) -> None:
        """Service, category, impact and urgency; the priority comes from the matrix (or an override,
        which carries its reason)."""
        self.service = service
        self.category = category
        self.impact = impact
        self.urgency = urgency
        self.is_security = is_security
        self.priority = priority
        self.priority_overridden = bool(override_reason)
        self.priority_override_reason = override_reason

    @transition(
        field=state,
        source=[IncidentState.CLASSIFIED, IncidentState.ASSIGNED, IncidentState.IN_PROGRESS],
        target=IncidentState.ASSIGNED,
    )
    def assign(self, *, team: Any, assignee: Any) -> None:
        """Give it to a team (and optionally a person in it); they acknowledge it by starting work."""
        self.assignment_team = team
        self.assignee = assignee

    @transition(field=state, source=IncidentState.ASSIGNED, target=IncidentState.IN_PROGRESS)
    def start(self, *, by: Any, at: datetime.datetime) -> None:
        """The assignee acknowledges it: the first response, if there was none yet."""
        if self.assignee_id is None:
            self.assignee = by
        if self.first_response_at is None:
            self.first_response_at = at

    @transition(field=state, source=IncidentState.IN_PROGRESS, target=IncidentState.ON_HOLD)
    def hold(self, *, on_hold_reason: str) -> None:
        self.on_hold_reason = on_hold_reason

    @transition(field=state, source=IncidentState.ON_HOLD, target=IncidentState.IN_PROGRESS)
    def resume(self) -> None:
        self.on_hold_reason = ""

    @transition(
        field=state,
        source=[
            IncidentState.CLASSIFIED,
            IncidentState.ASSIGNED,
            IncidentState.IN_PROGRESS,
            IncidentState.ON_HOLD,
        ],
        target=RETURN_VALUE(
            IncidentState.CLASSIFIED, IncidentState.ASSIGNED, IncidentState.IN_PROGRESS, IncidentState.ON_HOLD
        ),
    )
    def escalate(self, *, kind: str, team: Any, to: Any, at: datetime.datetime) -> str:
        """Functional: to another team, which must acknowledge it (back to assigned). Hierarchical: to a
        manager, who now answers for it (the state is kept)."""
        self.escalation_level += 1
        self.escalated_at = at
        if kind == EscalationKind.FUNCTIONAL:
            self.assignment_team = team
            self.assignee = to
            self.on_hold_reason = ""
            return str(IncidentState.ASSIGNED)
        self.escalated_to = to
        return str(self.state)

    @transition(
        field=state,
        source=[IncidentState.CLASSIFIED, IncidentState.ASSIGNED, IncidentState.IN_PROGRESS],
        target=IncidentState.RESOLVED,
    )
    def resolve(self, *, code: str, notes: str, by: Any, at: datetime.datetime) -> None:
        self.resolution_code = code
        self.resolution_notes = notes
        self.resolved_by = by
        self.resolved_at = at
        if self.first_response_at is None:
            self.first_response_at = at

    @transition(
        field=state,
        source=IncidentState.RESOLVED,
        target=IncidentState.IN_PROGRESS,
        conditions=[within_reopen_window],
    )
    def reopen(self) -> None:
        """The fix did not hold: back to work (the resolution stays in the history)."""
        self.reopen_count += 1
        self.resolved_at = None
        self.resolved_by = None
        self.resolution_code = ""
        self.resolution_confirmed_at = None

    @transition(
        field=state,
        source=IncidentState.RESOLVED,
        target=IncidentState.CLOSED,
        conditions=[major_review_done],
    )
    def close(self, *, by: Any, at: datetime.datetime) -> None:
        self.closed_by = by
        self.closed_at = at

    @transition(
        field=state,
        source=IncidentState.RESOLVED,
        target=RETURN_VALUE(IncidentState.CLOSED, IncidentState.RESOLVED),
        conditions=[not_confirmed],
    )
    def confirm(self, *, by: Any, at: datetime.datetime) -> str:
        """The requester confirms the resolution: closed, unless a major incident still awaits its
        review (then the confirmation is recorded and the desk closes it after the review)."""
        self.resolution_confirmed_at = at
        if major_review_done(self):
            self.closed_by = by
            self.closed_at = at
            return str(IncidentState.CLOSED)
        return str(IncidentState.RESOLVED)

    @transition(field=state, source=OPEN_INCIDENT_STATES, target=IncidentState.CANCELLED)
    def cancel(self, *, cancel_reason: str, duplicate_of: Any = None) -> None:
        self.cancel_reason = cancel_reason
        self.duplicate_of = duplicate_of
        self.on_hold_reason = ""

    @transition(field=state, source=ACTIVE_INCIDENT_STATES, target=None, conditions=[is_not_major])
    def declare_major(self, *, manager: Any, criteria: Any, at: datetime.datetime) -> None:
        self.is_major = True
        self.major_incident_manager = manager
        self.major_criteria = criteria
        self.major_declared_at = at

    @transition(field=state, source=ACTIVE_INCIDENT_STATES, target=None, conditions=[major_not_acknowledged])
    def take_major(self, *, by: Any, at: datetime.datetime) -> None:
        """The major incident manager takes charge (stops the take-over watchdog)."""
        self.major_incident_manager = by
        self.major_acknowledged_at = at


def _review_complete(review: Any) -> bool:
    return bool(review.is_complete)


class MajorIncidentReview(Record):
    """The review of a major incident after service is restored (clause 8.1): what happened, the
    timeline, the causes and the improvements. A major incident closes only when it is completed."""

    reference_prefix = "MIR"

    incident = models.OneToOneField(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="major_review"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    what_happened = models.TextField(_("what happened"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    improvements = models.TextField(_("improvements"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = FSMField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, protected=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("major incident review")
        verbose_name_plural = _("major incident reviews")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="completed") | Q(completed_at__isnull=False),
                name="incidents_mir_completed_at",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.incident.reference})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:review_detail", args=[self.pk])

    @property
    def is_complete(self) -> bool:
        return all(s.strip() for s in (self.what_happened, self.timeline, self.causes, self.improvements))

    @transition(
        field=state,
        source=ReviewState.DRAFT,
        target=ReviewState.COMPLETED,
        conditions=[_review_complete],
    )
    def complete(self, *, by: Any, at: datetime.datetime) -> None:
        self.completed_by = by
        self.completed_at = at


# Service requests -------------------------------------------------------------------------------


class RequestCatalogueItem(models.Model):
    """Something that can be requested from a service (access, information, a standard change…),
    whether it needs approval and by whom, who fulfils it and how fast."""

    service = models.ForeignKey(
        "service_levels.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="catalogue_items",
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approver_role = models.CharField(_("approver role"), max_length=40, choices=Role.choices, blank=True)
    fulfilment_team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("fulfilment team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    fulfilment_target_minutes = models.PositiveIntegerField(
        _("fulfilment target (business minutes)"), default=2400, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_id", "name", "id"]
        verbose_name = _("request catalogue item")
        verbose_name_plural = _("request catalogue")
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="incidents_catalogue_unique_name"),
            models.CheckConstraint(
                condition=Q(needs_approval=False) | Q(approver__isnull=False) | ~Q(approver_role=""),
                name="incidents_catalogue_approval_has_approver",
            ),
            models.CheckConstraint(
                condition=Q(fulfilment_target_minutes__gte=1), name="incidents_catalogue_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:catalogue_list")

    def clean(self) -> None:
        if self.needs_approval and self.approver_id is None and not self.approver_role:
            raise ValidationError(
                {"approver": _("An item that needs approval names its approver or their role.")}
            )


def needs_approval(request: Any) -> bool:
    return bool(request.catalogue_item.needs_approval)


def skips_approval(request: Any) -> bool:
    return not request.catalogue_item.needs_approval


def _approved_or_no_approval_needed(request: Any) -> bool:
    return bool(request.state == ServiceRequestState.APPROVED or skips_approval(request))


class ServiceRequest(Record):
    """A request for information, advice, access or a pre-approved change (clause 8.1), from logging to
    closure: new → awaiting approval → approved | rejected → in fulfilment → fulfilled → closed, or
    cancelled. Approval is skipped when the catalogue item needs none."""

    reference_prefix = "REQ"

    catalogue_item = models.ForeignKey(
        RequestCatalogueItem,
        verbose_name=_("catalogue item"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PORTAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    requested_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested for"),
        on_delete=models.PROTECT,
        related_name="service_requests_for",
    )
    customer = models.ForeignKey(
        "service_levels.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
    )
    service = models.ForeignKey(
        "service_levels.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, default=Priority.P4)
    assignment_team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("fulfilment team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_service_requests",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_service_requests",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    fulfilment_notes = models.TextField(_("fulfilment notes"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=300, blank=True)
    state = FSMField(
        _("state"),
        max_length=20,
        choices=ServiceRequestState.choices,
        default=ServiceRequestState.NEW,
        protected=True,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        permissions = [("fulfil_servicerequest", "Can fulfil service requests")]
        indexes = [
            models.Index(fields=["state", "priority", "id"], name="incidents_req_state_prio"),
            models.Index(fields=["assignment_team", "state"], name="incidents_req_team_state"),
            models.Index(fields=["requested_by", "created_at"], name="incidents_req_requester"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "rejected"])
                | Q(approver__isnull=False, decided_at__isnull=False),
                name="incidents_req_decision_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(approver=models.F("requested_by")), name="incidents_req_not_self_approved"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("incidents:request_detail", args=[self.pk])

    @transition(
        field=state,
        source=ServiceRequestState.NEW,
        target=ServiceRequestState.AWAITING_APPROVAL,
        conditions=[needs_approval],
    )
    def submit(self) -> None:
        """Send it to the approver named by the catalogue item."""

    @transition(
        field=state, source=ServiceRequestState.AWAITING_APPROVAL, target=ServiceRequestState.APPROVED
    )
    def approve(self, *, by: Any, at: datetime.datetime, note: str) -> None:
        self.approver = by
        self.decided_at = at
        self.decision_note = note

    @transition(
        field=state, source=ServiceRequestState.AWAITING_APPROVAL, target=ServiceRequestState.REJECTED
    )
    def reject(self, *, by: Any, at: datetime.datetime, note: str) -> None:
        self.approver = by
        self.decided_at = at
        self.decision_note = note

    @transition(
        field=state,
        source=[ServiceRequestState.NEW, ServiceRequestState.APPROVED],
        target=ServiceRequestState.IN_FULFILMENT,
        conditions=[_approved_or_no_approval_needed],
    )
    def start_fulfilment(self, *, team: Any, assignee: Any) -> None:
        self.assignment_team = team or self.assignment_team
        self.assignee = assignee or self.assignee

    @transition(field=state, source=ServiceRequestState.IN_FULFILMENT, target=ServiceRequestState.FULFILLED)
    def fulfil(self, *, notes: str, at: datetime.datetime) -> None:
        self.fulfilment_notes = notes
        self.fulfilled_at = at

    @transition(
        field=state,
        source=[ServiceRequestState.FULFILLED, ServiceRequestState.REJECTED],
        target=ServiceRequestState.CLOSED,
    )
    def close(self, *, at: datetime.datetime) -> None:
        self.closed_at = at

    @transition(
        field=state,
        source=[
            ServiceRequestState.NEW,
            ServiceRequestState.AWAITING_APPROVAL,
            ServiceRequestState.APPROVED,
            ServiceRequestState.IN_FULFILMENT,
        ],
        target=ServiceRequestState.CANCELLED,
    )
    def cancel(self, *, cancel_reason: str) -> None:
        self.cancel_reason = cancel_reason


__all__ = [
    "Category",
    "Incident",
    "MajorIncidentCriteria",
    "MajorIncidentReview",
    "PriorityMatrix",
    "RequestCatalogueItem",
    "ServiceRequest",
]

# Monitoring-alert ingest (integrations, alerts, alert storms) lives in its own module; importing it here
# registers its models with the incidents app.
from .alert_models import Alert, AlertStorm, Integration  # noqa: E402, F401
