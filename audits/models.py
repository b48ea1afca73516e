"""Models of audits and improvement: the service management objectives (clause 4.1.2 / 2018: 6.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from itsm.records import Record

from .choices import Comparison, Confidentiality, DocumentState, DocumentType, ObjectiveStatus, Unit


class Objective(models.Model):
    """A measurable service management objective with its owner, method and review interval.

    Clause 6.2.2 of the 2018 edition asks for each objective: what will be done, resources, who is
    responsible, when it is due and how results are evaluated. Attainment is computed from live records by
    the processes that own the measure (``measure_key``), once those processes exist.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    comparison = models.CharField(
        _("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    target = models.DecimalField(
        _("target"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    measure_key = models.SlugField(
        _("measure"),
        max_length=60,
        blank=True,
        help_text=_("Which process computes the value (e.g. incident-resolution-rate)."),
    )
    method = models.TextField(_("evaluation method"), blank=True)
    actions = models.TextField(_("planned actions and resources"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="objectives"
    )
    department = models.ForeignKey(
        "itsm.Department",
        verbose_name=_("responsible department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    review_interval_months = models.PositiveSmallIntegerField(_("review interval (months)"), default=12)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="audits_objective_target_not_negative"),
            models.CheckConstraint(
                condition=~Q(unit="percent") | Q(target__lte=100), name="audits_objective_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1), name="audits_objective_review_interval"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("audits:objective_detail", args=[self.pk])

    @property
    def target_display(self) -> str:
        symbol = "≥" if self.comparison == Comparison.AT_LEAST else "≤"
        return f"{symbol} {self.target.normalize():f} {self.get_unit_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.unit == Unit.PERCENT and self.target is not None and self.target > 100:
            raise ValidationError({"target": _("A percentage target cannot be above 100.")})


class Document(Record):
    """A controlled document of the service management system (clause 4.3.2): manual, procedure, plan….

    Lifecycle: draft → in review → approved → effective → obsolete, with "reject" back to draft. A
    document is approved by someone other than its owner; only one version is effective at a time.
    """

    reference_prefix = "DOC"

    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("document code"), max_length=40, blank=True, help_text=_("e.g. ZBX-ITSM-B-01"))
    doc_type = models.CharField(
        _("type"), max_length=20, choices=DocumentType.choices, default=DocumentType.PROCEDURE
    )
    version = models.CharField(_("version"), max_length=20, default="1.0")
    summary = models.TextField(_("summary"), blank=True)
    confidentiality = models.CharField(
        _("confidentiality"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_documents",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_documents",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    state = FSMField(
        _("state"), max_length=20, choices=DocumentState.choices, default=DocumentState.DRAFT, protected=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")
        permissions = [("approve_document", "Can review and approve controlled documents")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "effective"]) | Q(approved_by__isnull=False),
                name="audits_document_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(approved_by=models.F("owner")), name="audits_document_not_approved_by_owner"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("audits:document_detail", args=[self.pk])

    @transition(field=state, source=DocumentState.DRAFT, target=DocumentState.IN_REVIEW)
    def submit(self) -> None:
        """Send the draft for review."""

    @transition(field=state, source=DocumentState.IN_REVIEW, target=DocumentState.DRAFT)
    def reject(self) -> None:
        """Send it back to its owner for rework."""

    @transition(field=state, source=DocumentState.IN_REVIEW, target=DocumentState.APPROVED)
    def approve(self, *, by: Any, at: Any) -> None:
        self.approved_by = by
        self.approved_at = at

    @transition(field=state, source=DocumentState.APPROVED, target=DocumentState.EFFECTIVE)
    def publish(self, *, on: Any) -> None:
        self.effective_from = self.effective_from or on

    @transition(field=state, source=DocumentState.EFFECTIVE, target=DocumentState.OBSOLETE)
    def withdraw(self) -> None:
        """Withdraw it from use; it stays in the register, marked obsolete."""
