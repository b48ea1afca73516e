"""Models of service reporting: the recorded cause of an SLA breach.

The clock engine's event log says *when* a clock breached; a person says *why* (clause 6.2 asks for
the causes of nonconformities against service targets in the reports). One current cause per clock,
its earlier wording kept in history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BreachCause(models.Model):
    """Why an SLA/OLA clock breached, as recorded by a person (shown in the breach reports)."""

    clock = models.OneToOneField(
        "service_levels.Clock", verbose_name=_("clock"), on_delete=models.CASCADE, related_name="breach_cause"
    )
    cause = models.TextField(_("cause"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("breach cause")
        verbose_name_plural = _("breach causes")
        constraints = [
            models.CheckConstraint(condition=~models.Q(cause=""), name="sl_breach_cause_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.clock}: {self.cause[:60]}"

    def get_absolute_url(self) -> str:
        return self.clock.get_absolute_url()
