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
