"""Models of monitoring-alert ingest: integrations (one per sending system), alerts and alert storms.

Imported at the end of ``incidents/models.py`` so that Django registers them with the incidents app.

* ``Integration``: a sending system with its secret key (stored as a SHA-256 hash, shown once), the
  service, category and team its incidents get, the severity → impact/urgency mapping, the auto-resolve
  policy, the storm settings and the rate limit. History-tracked (the key's hash is not).
* ``Alert``: one problem as the sender sees it. ``open_dedup_key`` is ``"<integration id>:<dedup key>"``
  while the alert is open and NULL once it is resolved; a plain UNIQUE constraint on it (NULLs are
  distinct in PostgreSQL and SQLite) lets one ``INSERT … ON CONFLICT (open_dedup_key) DO UPDATE`` open
  an alert or count a repeat, so concurrent identical triggers can never open two. Bookkeeping, not
  history-tracked: a repeat is a counter, never a row (the incident carries the history).
* ``AlertStorm``: more than the threshold of new alerts for one service within the window; further
  alerts attach to one parent incident, the candidate major incident. At most one open storm per
  service (partial unique constraint).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .alert_choices import AlertSource, AlertStatus, AutoResolve, Severity

LEVELS = (1, 2, 3, 4)
# Severity → (impact, urgency); 1 is the most. An integration may override any of them.
DEFAULT_SEVERITY_MAP: dict[str, dict[str, int]] = {
    Severity.CRITICAL.value: {"impact": 1, "urgency": 1},
    Severity.ERROR.value: {"impact": 2, "urgency": 2},
    Severity.WARNING.value: {"impact": 3, "urgency": 3},
    Severity.INFO.value: {"impact": 4, "urgency": 4},
}


def default_severity_map() -> dict[str, dict[str, int]]:
    return {key: dict(value) for key, value in DEFAULT_SEVERITY_MAP.items()}


def severity_map_errors(value: Any) -> list[str]:
    """What is wrong with a severity mapping (an empty list when it is valid)."""
    if not isinstance(value, dict):
        return [str(_("The mapping must be an object keyed by severity."))]
    errors = []
    for severity, levels in value.items():
        if severity not in Severity.values:
            errors.append(
                str(
                    _("Unknown severity %(severity)s (use critical, error, warning or info).")
                    % {"severity": severity}
                )
            )
            continue
        if not isinstance(levels, dict) or set(levels) != {"impact", "urgency"}:
            errors.append(
                str(_("%(severity)s needs exactly an impact and an urgency.") % {"severity": severity})
            )
            continue
        for name, level in levels.items():
            if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
                errors.append(
                    str(
                        _("%(severity)s: %(name)s must be 1, 2, 3 or 4.")
                        % {"severity": severity, "name": name}
                    )
                )
    return errors


class Integration(models.Model):
    """A monitoring system that sends alerts: its secret key, where its incidents go and how alerts
    become incidents (severity mapping, auto-resolve policy, storm settings, rate limit)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("A disabled integration's key is refused.")
    )
    key_prefix = models.CharField(_("key prefix"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    key_created_at = models.DateTimeField(_("key created"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("The account the integration's incidents and notes are recorded under."),
    )
    service = models.ForeignKey(
        "service_levels.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="integrations",
    )
    configuration_item = models.ForeignKey(
        "configuration.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="integrations",
    )
    category = models.ForeignKey(
        "incidents.Category",
        verbose_name=_("incident category"),
        on_delete=models.PROTECT,
        related_name="integrations",
    )
    assignment_team = models.ForeignKey(
        "itsm.Team",
        verbose_name=_("assignment group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="integrations",
        help_text=_("Empty: the category's default team, else the service's team."),
    )
    severity_map = models.JSONField(_("severity mapping"), default=default_severity_map)
    auto_resolve = models.CharField(
        _("on recovery"), max_length=10, choices=AutoResolve.choices, default=AutoResolve.RESOLVE
    )
    storm_threshold = models.PositiveIntegerField(
        _("storm threshold"),
        default=20,
        validators=[MaxValueValidator(100_000)],
        help_text=_(
            "More new alerts than this for the service within the window attach to one parent incident"
            " (0: never)."
        ),
    )
    storm_window_minutes = models.PositiveIntegerField(
        _("storm window (minutes)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("rate limit (events per minute)"),
        default=1200,
        validators=[MinValueValidator(1), MaxValueValidator(10_000_000)],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["key_hash"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(storm_window_minutes__gte=1), name="incidents_integration_storm_window"
            ),
            models.CheckConstraint(
                condition=Q(rate_limit_per_minute__gte=1), name="incidents_integration_rate_limit"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:integration_detail", args=[self.pk])

    def clean(self) -> None:
        errors = severity_map_errors(self.severity_map)
        if errors:
            raise ValidationError({"severity_map": errors})

    def levels_for(self, severity: str) -> tuple[int, int]:
        """(impact, urgency) for a severity: the integration's mapping, else the default."""
        levels = (self.severity_map or {}).get(severity) or DEFAULT_SEVERITY_MAP.get(
            severity, DEFAULT_SEVERITY_MAP[Severity.WARNING]
        )
        return int(levels["impact"]), int(levels["urgency"])


class Alert(models.Model):
    """One problem reported by a monitoring system, deduplicated by its key while it is open."""

    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.PROTECT, related_name="alerts"
    )
    service = models.ForeignKey(
        "service_levels.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    source_format = models.CharField(
        _("received as"), max_length=12, choices=AlertSource.choices, default=AlertSource.EVENTS_V2
    )
    dedup_key = models.CharField(_("deduplication key"), max_length=255)
    open_dedup_key = models.CharField(max_length=300, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.TRIGGERED
    )
    summary = models.CharField(_("summary"), max_length=1024)
    source = models.CharField(_("source"), max_length=255, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    component = models.CharField(_("component"), max_length=255, blank=True)
    group_name = models.CharField(_("group"), max_length=255, blank=True)
    event_class = models.CharField(_("class"), max_length=255, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    storm_incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("parent storm incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="storm_alerts",
    )
    # Follow-up work (open the incident, note an acknowledgement, apply the recovery policy) runs from
    # the committed row: set by ingest, cleared by ``alerts_process`` once done.
    needs_processing = models.BooleanField(default=True, editable=False)
    process_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    ack_noted = models.BooleanField(default=False, editable=False)
    resolution_applied = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="resolved") & Q(open_dedup_key__isnull=True))
                | (~Q(status="resolved") & Q(open_dedup_key__isnull=False)),
                name="incidents_alert_open_key_while_open",
            ),
            models.CheckConstraint(condition=Q(occurrences__gte=1), name="incidents_alert_occurrences"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(needs_processing=True), name="incidents_alert_pending"),
            models.Index(fields=["service", "first_seen_at"], name="incidents_alert_service_seen"),
            models.Index(fields=["integration", "dedup_key"], name="incidents_alert_key"),
        ]

    def __str__(self) -> str:
        return f"{self.dedup_key}: {self.summary[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:integration_detail", args=[self.integration_id])

    @property
    def carrier_id(self) -> int | None:
        """The incident that answers for this alert: its own, or the storm's parent."""
        return self.incident_id or self.storm_incident_id


class AlertStorm(models.Model):
    """An alert storm on one service: the parent incident (a candidate major incident) that further
    alerts attach to while they keep arriving within the window."""

    service = models.ForeignKey(
        "service_levels.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("parent incident"),
        on_delete=models.PROTECT,
        related_name="alert_storms",
    )
    threshold = models.PositiveIntegerField(_("threshold"))
    window_minutes = models.PositiveIntegerField(_("window (minutes)"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_alert_at = models.DateTimeField(_("last alert"), default=timezone.now)
    alert_count = models.PositiveIntegerField(_("alerts attached"), default=0)
    is_open = models.BooleanField(_("open"), default=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("alert storm")
        verbose_name_plural = _("alert storms")
        constraints = [
            models.UniqueConstraint(
                fields=["service"], condition=Q(is_open=True), name="incidents_one_open_storm_per_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()
