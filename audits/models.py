"""Models of audits and improvement: the service management objectives (clause 4.1.2 / 2018: 6.2)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Comparison, ObjectiveStatus, Unit


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
