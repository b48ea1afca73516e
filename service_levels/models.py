"""Models of service level management: the catalogue, customers, business calendars and agreements.

Clauses 6.1 (service level management), 6.2 (service reporting) and 7.1 (business relationship
management). SLA clocks (``service_levels.clocks``) count time against the targets kept here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from itsm.choices import Priority
from itsm.records import Record

from .choices import AgreementKind, AgreementState, DependencyKind, ServiceKind, ServiceStatus

WEEKDAYS = 7


def default_weekly_hours() -> list[list[list[str]]]:
    """Monday to Friday 09:00-18:00, closed at weekends."""
    return [[["09:00", "18:00"]] for _day in range(5)] + [[], []]


class BusinessCalendar(models.Model):
    """When the clock of an agreement runs: a named calendar whose rules live in immutable versions.

    Editing a calendar creates a new :class:`CalendarVersion`; a clock keeps the version it was computed
    with, so last month's due times stay explainable after this month's edit.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("service_levels:calendar_detail", args=[self.pk])

    def version_at(self, moment: datetime.datetime) -> CalendarVersion | None:
        """The version in force at ``moment`` (the latest one that started at or before it)."""
        return self.versions.filter(valid_from__lte=moment).order_by("-valid_from", "-number").first()

    @property
    def current_version(self) -> CalendarVersion | None:
        return self.version_at(timezone.now())


class CalendarVersion(models.Model):
    """One immutable edition of a business calendar's rules.

    ``weekly_hours`` holds seven lists (Monday first) of ``["HH:MM", "HH:MM"]`` working spans in the
    calendar's time zone; ``"24:00"`` ends a span at midnight and an end before its start runs past
    midnight into the next day. Holidays come from a country preset of the ``holidays`` package plus
    ``closed_dates``; ``working_dates`` are make-up working days, worked with the hours of
    ``makeup_weekday``.
    """

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    always_open = models.BooleanField(_("open 24 hours, 7 days"), default=False)
    weekly_hours = models.JSONField(_("working hours per weekday"), default=default_weekly_hours)
    holiday_country = models.CharField(
        _("public holidays of"), max_length=8, blank=True, help_text=_("Country code, e.g. CN.")
    )
    holiday_subdivision = models.CharField(_("region"), max_length=16, blank=True)
    closed_dates = models.JSONField(_("extra closed days"), default=list, blank=True)
    working_dates = models.JSONField(_("make-up working days"), default=list, blank=True)
    makeup_weekday = models.PositiveSmallIntegerField(
        _("make-up days work the hours of"),
        default=0,
        validators=[MaxValueValidator(WEEKDAYS - 1)],
        help_text=_("Weekday whose hours apply on make-up working days (0 = Monday)."),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar_id", "-number"]
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "number"], name="sl_calendar_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="sl_calendar_version_positive"),
            models.CheckConstraint(condition=Q(makeup_weekday__lte=6), name="sl_calendar_makeup_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.calendar} v{self.number}"

    def get_absolute_url(self) -> str:
        return f"{self.calendar.get_absolute_url()}?version={self.number}"


class Service(models.Model):
    """A service in the catalogue (clause 6.1): what is delivered, by whom, when and to which standard."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_services",
    )
    team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("support team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.LIVE
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.CUSTOMER_FACING
    )
    service_hours = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("service hours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    hours_exceptions = models.TextField(_("service hours exceptions"), blank=True)
    contact_interface = models.TextField(_("contact interface"), blank=True)
    security_arrangements = models.TextField(_("security arrangements"), blank=True)
    authorising_change = models.CharField(
        _("authorising change"),
        max_length=40,
        blank=True,
        help_text=_("Reference of the RFC that authorised the latest change of this entry."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("service_levels:service_detail", args=[self.pk])


class ServiceComponent(models.Model):
    """A part a service is built from (application, platform, supplier service…); CIs attach to it."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="components"
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        "itsm.Team", verbose_name=_("responsible team"), on_delete=models.SET_NULL, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_id", "name", "id"]
        verbose_name = _("service component")
        verbose_name_plural = _("service components")
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="sl_component_unique_name")]

    def __str__(self) -> str:
        return f"{self.service}: {self.name}"

    def get_absolute_url(self) -> str:
        return self.service.get_absolute_url()


class ServiceDependency(models.Model):
    """A service depends on another service or on a service component."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="dependencies"
    )
    depends_on = models.ForeignKey(
        Service,
        verbose_name=_("depends on service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependants",
    )
    component = models.ForeignKey(
        ServiceComponent,
        verbose_name=_("depends on component"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependants",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=DependencyKind.choices, default=DependencyKind.REQUIRES
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_id", "id"]
        verbose_name = _("service dependency")
        verbose_name_plural = _("service dependencies")
        constraints = [
            models.CheckConstraint(
                condition=(Q(depends_on__isnull=False) & Q(component__isnull=True))
                | (Q(depends_on__isnull=True) & Q(component__isnull=False)),
                name="sl_dependency_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(depends_on=models.F("service")), name="sl_dependency_not_self"
            ),
            models.UniqueConstraint(fields=["service", "depends_on"], name="sl_dependency_unique_service"),
            models.UniqueConstraint(fields=["service", "component"], name="sl_dependency_unique_component"),
        ]

    def __str__(self) -> str:
        return f"{self.service} → {self.depends_on or self.component}"

    def get_absolute_url(self) -> str:
        return self.service.get_absolute_url()


class Customer(models.Model):
    """An organisation (external or internal) that receives services (clause 7.1)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    is_internal = models.BooleanField(_("internal customer"), default=False)
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship owner"),
        on_delete=models.PROTECT,
        related_name="customer_relationships",
        help_text=_("The named person responsible for the relationship and the customer's satisfaction."),
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services received"), related_name="customers", blank=True
    )
    complaint_definition = models.TextField(_("complaint definition agreed with the customer"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[services])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("service_levels:customer_detail", args=[self.pk])


class Contact(models.Model):
    """A person at a customer: who reports, who approves, who signs the SLA."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_contacts",
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id", "-is_primary", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="sl_contact_one_primary"
            ),
            models.UniqueConstraint(
                fields=["customer", "user"], condition=Q(user__isnull=False), name="sl_contact_user_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"

    def get_absolute_url(self) -> str:
        return self.customer.get_absolute_url()


def _agreement_complete(agreement: Any) -> bool:
    """Guard of ``agree``: an effective date and at least one target."""
    return bool(agreement.can_agree())


class Agreement(Record):
    """An SLA with a customer or an OLA with an internal team, with targets per priority.

    Lifecycle: draft → agreed → superseded (a newer agreement for the same scope was agreed) or expired.
    A priority without a target is shown as a gap; clocks never fall back to a silent default.
    """

    kind = models.CharField(_("kind"), max_length=3, choices=AgreementKind.choices, default=AgreementKind.SLA)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
    )
    team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("internal team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
    )
    services = models.ManyToManyField(Service, verbose_name=_("services"), related_name="agreements")
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("business calendar"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_agreements",
    )
    customer_signatory = models.CharField(_("signed for the customer by"), max_length=160, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(_("review interval (months)"), default=12)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    workload = models.TextField(_("workload characteristics"), blank=True)
    exceptions = models.TextField(_("exceptions"), blank=True)
    availability_percent = models.DecimalField(
        _("availability target (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    warn_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warning at (% of target used)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    critical_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("critical at (% of target used)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    state = FSMField(
        _("state"),
        max_length=12,
        choices=AgreementState.choices,
        default=AgreementState.DRAFT,
        protected=True,
    )
    history = HistoricalRecords(m2m_fields=[services])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="sla") | Q(customer__isnull=False), name="sl_agreement_sla_has_customer"
            ),
            models.CheckConstraint(
                condition=~Q(kind="ola") | Q(team__isnull=False), name="sl_agreement_ola_has_team"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="sl_agreement_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(warn_percent__lt=models.F("critical_percent")),
                name="sl_agreement_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(state="agreed") | (Q(agreed_by__isnull=False) & Q(effective_from__isnull=False)),
                name="sl_agreement_agreed_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1), name="sl_agreement_review_interval"
            ),
        ]

    @property
    def reference_prefix(self) -> str:  # type: ignore[override]
        return "OLA" if self.kind == AgreementKind.OLA else "SLA"

    def get_absolute_url(self) -> str:
        return reverse("service_levels:agreement_detail", args=[self.pk])

    def target_gaps(self) -> list[str]:
        """The priorities this agreement sets no target for (shown, never silently defaulted)."""
        covered = {t.priority for t in self.targets.all() if t.respond_minutes or t.resolve_minutes}
        return [p.value for p in Priority if p.value not in covered]

    def is_in_force(self, on: datetime.date) -> bool:
        return (
            self.state == AgreementState.AGREED
            and self.effective_from is not None
            and self.effective_from <= on
            and (self.effective_to is None or on <= self.effective_to)
        )

    def can_agree(self) -> bool:
        return self.effective_from is not None and self.targets.exists()

    @transition(
        field=state,
        source=AgreementState.DRAFT,
        target=AgreementState.AGREED,
        conditions=[_agreement_complete],
    )
    def agree(self, *, by: Any, at: datetime.datetime) -> None:
        self.agreed_by = by
        self.agreed_at = at

    @transition(field=state, source=AgreementState.AGREED, target=AgreementState.SUPERSEDED)
    def supersede(self, *, on: datetime.date) -> None:
        if self.effective_to is None or self.effective_to > on:
            self.effective_to = on

    @transition(field=state, source=AgreementState.AGREED, target=AgreementState.EXPIRED)
    def expire(self, *, on: datetime.date) -> None:
        if self.effective_to is None or self.effective_to > on:
            self.effective_to = on


class AgreementTarget(models.Model):
    """Response and resolution targets of an agreement for one priority, in business minutes."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="targets"
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    respond_minutes = models.PositiveIntegerField(
        _("respond within (business minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    resolve_minutes = models.PositiveIntegerField(
        _("resolve within (business minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement_id", "priority"]
        verbose_name = _("agreement target")
        verbose_name_plural = _("agreement targets")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "priority"], name="sl_target_one_per_priority"),
            models.CheckConstraint(
                condition=Q(respond_minutes__isnull=False) | Q(resolve_minutes__isnull=False),
                name="sl_target_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(respond_minutes__isnull=True)
                | Q(resolve_minutes__isnull=True)
                | Q(resolve_minutes__gte=models.F("respond_minutes")),
                name="sl_target_resolve_after_respond",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} {self.priority}"

    def get_absolute_url(self) -> str:
        return self.agreement.get_absolute_url()


class ReportDefinition(models.Model):
    """A service report as agreed (clause 6.2): identity, purpose, audience, frequency and data source."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    class Source(models.TextChoices):
        SLA_ATTAINMENT = "sla_attainment", _("SLA attainment (SLA clocks)")
        OLA_ATTAINMENT = "ola_attainment", _("OLA attainment (SLA clocks by team)")
        WORKLOAD = "workload", _("Workload (records opened and closed)")
        BREACHES = "breaches", _("Breaches and their causes")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    purpose = models.TextField(_("purpose"))
    audience = models.CharField(_("audience"), max_length=200)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    source = models.CharField(_("data source"), max_length=20, choices=Source.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_reports",
    )
    agreed_with = models.CharField(_("agreed with"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("report definition")
        verbose_name_plural = _("report definitions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("service_levels:report_definition_detail", args=[self.pk])


class ServiceReview(Record):
    """A planned review of services and an SLA with the customer (clauses 6.1 and 7.1).

    Created ahead of time by the planned-activity job with the period's performance attached;
    planned → held (minutes and actions recorded) → closed, or cancelled.
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    reference_prefix = "SLR"

    title = models.CharField(_("title"), max_length=200)
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="reviews"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    performance = models.JSONField(_("performance in the period"), default=dict, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    actions = models.TextField(_("agreed actions"), blank=True)
    state = FSMField(_("state"), max_length=12, choices=State.choices, default=State.PLANNED, protected=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("service review")
        verbose_name_plural = _("service reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="sl_review_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["held", "closed"]) | (Q(held_on__isnull=False) & ~Q(minutes="")),
                name="sl_review_held_has_minutes",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("service_levels:review_detail", args=[self.pk])

    @transition(field=state, source=State.PLANNED, target=State.HELD)
    def hold(self, *, on: datetime.date, attendees: str, minutes: str, actions: str) -> None:
        self.held_on = on
        self.attendees = attendees
        self.minutes = minutes
        self.actions = actions

    @transition(field=state, source=State.HELD, target=State.CLOSED)
    def close(self) -> None:
        """Close the review once its actions are handed over."""

    @transition(field=state, source=State.PLANNED, target=State.CANCELLED)
    def cancel(self) -> None:
        """Cancel a review that will not take place (the planned activity records it as missed)."""


# SLA clocks live in their own module (service_levels.clocks is the engine); imported so Django sees them.
# The recorded causes of SLA breaches (service reporting) live in their own module too.
from .clock_models import Clock, ClockEvent  # noqa: E402, F401
from .report_models import BreachCause  # noqa: E402, F401
