"""Choices of monitoring-alert ingest (integrations and alerts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertStatus(models.TextChoices):
    """Where an alert is: the sender's view (PagerDuty Events API v2 semantics)."""

    TRIGGERED = "triggered", _("Triggered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Severity(models.TextChoices):
    """The sender's severity (PagerDuty's four levels; Alertmanager's ``severity`` label is mapped)."""

    CRITICAL = "critical", _("Critical")
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class AutoResolve(models.TextChoices):
    """What a recovery event (resolve) does to the incident."""

    RESOLVE = "resolve", _("Resolve the incident")
    NOTE = "note", _("Only add a note; a person resolves it")


class AlertSource(models.TextChoices):
    """The wire format an alert arrived in."""

    EVENTS_V2 = "events_v2", _("PagerDuty Events API v2")
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    TEST = "test", _("Test event")
