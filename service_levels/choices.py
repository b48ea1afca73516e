"""Choices (TextChoices) of service level management."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceStatus(models.TextChoices):
    """Where a service is in its life: planned (pipeline), delivered (live) or withdrawn (retired)."""

    PIPELINE = "pipeline", _("Pipeline")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Retired")


class ServiceKind(models.TextChoices):
    CUSTOMER_FACING = "customer_facing", _("Customer-facing")
    SUPPORTING = "supporting", _("Supporting")


class DependencyKind(models.TextChoices):
    """How strongly a service needs what it depends on."""

    REQUIRES = "requires", _("Requires (down when it is down)")
    USES = "uses", _("Uses (degraded when it is down)")


class AgreementKind(models.TextChoices):
    SLA = "sla", _("Service level agreement")
    OLA = "ola", _("Operational level agreement")


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed")
    SUPERSEDED = "superseded", _("Superseded")
    EXPIRED = "expired", _("Expired")


class ClockKind(models.TextChoices):
    """What an SLA clock measures."""

    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


class ClockState(models.TextChoices):
    """Where an SLA clock is. ``met`` and ``breached`` are the results of a stopped clock; a running
    clock past its due time is still ``running`` (with ``breached_at`` set) until the record stops it.
    ``stopped`` ends a clock that had no target (a gap in the agreement): neither met nor breached."""

    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    STOPPED = "stopped", _("Stopped without a target")
    CANCELLED = "cancelled", _("Cancelled")


class ClockEventKind(models.TextChoices):
    """An entry of a clock's append-only event log (its explanation)."""

    START = "start", _("Started")
    PAUSE = "pause", _("Paused")
    RESUME = "resume", _("Resumed")
    RETARGET = "retarget", _("Target changed")
    REASSIGN = "reassign", _("Team changed")
    STOP = "stop", _("Stopped")
    CANCEL = "cancel", _("Cancelled")
    WARNING = "warning", _("Warning threshold reached")
    CRITICAL = "critical", _("Critical threshold reached")
    BREACH = "breach", _("Breached")
    NO_TARGET = "no_target", _("No target for the priority")
