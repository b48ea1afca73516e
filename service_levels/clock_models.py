"""SLA clocks: bookkeeping rows counted in business time, and their append-only event log.

A :class:`Clock` measures one target (response or resolution) of one agreement (SLA or OLA) for one
record (incident, service request, problem …, linked generically). It is data, not a timer: it keeps
what was counted up to its last event (``segment_started_at``) and the instants precomputed from it
(``due_at``, ``warn_at``, ``critical_at``), so the breach sweep is an indexed comparison with the
current time. Clocks are bookkeeping, not audited records: their explanation is the
:class:`ClockEvent` log, from which ``service_levels.clocks.clock_recompute`` rebuilds the same state.
The engine (``service_levels.clocks``) is the only writer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.choices import Priority

from .choices import ClockEventKind, ClockKind, ClockState

OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)
FINAL_STATES = (ClockState.MET, ClockState.BREACHED, ClockState.STOPPED, ClockState.CANCELLED)


class Clock(models.Model):
    """One response or resolution clock of one agreement for one record.

    ``elapsed_business_seconds`` and ``paused_business_seconds`` hold the working seconds counted while
    running, and those that passed while paused, up to ``segment_started_at`` (the last event). A clock
    without ``target_seconds`` is a gap of its agreement (no target for the priority): it runs for the
    record, is shown as a gap, and is neither met nor breached.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("record id"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    record_reference = models.CharField(_("record"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ClockKind.choices)
    agreement = models.ForeignKey(
        "service_levels.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clocks",
    )
    team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("team holding the record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_clocks",
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    target_seconds = models.PositiveIntegerField(_("target (business seconds)"), null=True, blank=True)
    calendar_version = models.ForeignKey(
        "service_levels.CalendarVersion",
        verbose_name=_("calendar version"),
        on_delete=models.PROTECT,
        related_name="clocks",
    )
    warn_percent = models.PositiveSmallIntegerField(_("warning at (%)"), default=75)
    critical_percent = models.PositiveSmallIntegerField(_("critical at (%)"), default=90)
    started_at = models.DateTimeField(_("started"))
    segment_started_at = models.DateTimeField(_("counted up to"))
    elapsed_business_seconds = models.PositiveIntegerField(_("business seconds elapsed"), default=0)
    paused_business_seconds = models.PositiveIntegerField(_("business seconds paused"), default=0)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    critical_at = models.DateTimeField(_("critical at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    warning_level = models.PositiveSmallIntegerField(_("warning level"), default=0)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["content_type_id", "object_id", "kind", "id"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "agreement"],
                condition=Q(state__in=["running", "paused"]),
                name="sl_clock_one_open_per_agreement",
            ),
            models.CheckConstraint(condition=Q(warning_level__lte=2), name="sl_clock_warning_level"),
            models.CheckConstraint(
                condition=Q(target_seconds__isnull=True) | Q(target_seconds__gt=0), name="sl_clock_target"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["running", "paused"]) | Q(stopped_at__isnull=False),
                name="sl_clock_final_has_stop",
            ),
            models.CheckConstraint(
                condition=~Q(state="breached") | Q(breached_at__isnull=False),
                name="sl_clock_breached_has_time",
            ),
        ]
        indexes = [
            # The sweep's three claims are range scans over running clocks only.
            models.Index(
                fields=["due_at"],
                condition=Q(state="running", breached_at__isnull=True),
                name="sl_clock_due_running",
            ),
            models.Index(
                fields=["warn_at"],
                condition=Q(state="running", warning_level=0),
                name="sl_clock_warn_running",
            ),
            models.Index(
                fields=["critical_at"],
                condition=Q(state="running", warning_level__lt=2),
                name="sl_clock_crit_running",
            ),
            models.Index(fields=["content_type", "object_id"], name="sl_clock_record"),
            # No other index may lead with ``state``: SQLite's planner would prefer it to the partial ones.
        ]

    def __str__(self) -> str:
        return f"{self.record_reference or self.object_id} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        record: Any = self.record
        return str(record.get_absolute_url()) if record is not None else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_gap(self) -> bool:
        """No target for the record's priority in the agreement (shown, never silently defaulted)."""
        return self.target_seconds is None


class ClockEvent(models.Model):
    """An entry of a clock's append-only log: what happened, when (``at``, the true instant, also for a
    breach found late by the sweep), who did it and why; ``data`` keeps the values that changed."""

    clock = models.ForeignKey(Clock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=ClockEventKind.choices)
    at = models.DateTimeField(_("at"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["clock_id", "at", "id"]
        verbose_name = _("SLA clock event")
        verbose_name_plural = _("SLA clock events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("clock events are append-only")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.clock.get_absolute_url()
