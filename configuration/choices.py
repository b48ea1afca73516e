"""Choices (TextChoices) of configuration management."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CIState(models.TextChoices):
    """Lifecycle of a configuration item (clause 9.1)."""

    PLANNED = "planned", _("Planned")
    IN_BUILD = "in_build", _("In build")
    IN_TEST = "in_test", _("In test")
    LIVE = "live", _("Live")
    MAINTENANCE = "maintenance", _("In maintenance")
    RETIRED = "retired", _("Retired")
    DISPOSED = "disposed", _("Disposed")


#: States in which a CI delivers (or supports) a service: its dependants are "live" dependants.
ACTIVE_STATES = (CIState.LIVE, CIState.MAINTENANCE)
#: States after which a controlled CI changes only with an RFC.
CONTROLLED_STATES = (CIState.LIVE, CIState.MAINTENANCE)


class AttributeType(models.TextChoices):
    """The value types of a CI type's attribute schema."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    REFERENCE = "reference", _("Reference to a CI")


class Importance(models.TextChoices):
    """How much protection a CI needs: critical CIs are always sampled by CMDB audits."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ImpactDirection(models.TextChoices):
    """Which end of a relationship is affected when the other end fails or changes."""

    TO_SOURCE = "to_source", _("The source depends on the target")
    TO_TARGET = "to_target", _("The target depends on the source")
    BOTH = "both", _("Both ends depend on each other")


class LicenceModel(models.TextChoices):
    NONE = "none", _("No licence")
    PERPETUAL = "perpetual", _("Perpetual")
    SUBSCRIPTION = "subscription", _("Subscription")
    OPEN_SOURCE = "open_source", _("Open source")
    FREEWARE = "freeware", _("Freeware")
    OTHER = "other", _("Other")


class BaselineState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    TAKEN = "taken", _("Taken")
    SUPERSEDED = "superseded", _("Superseded")


class CMDBAuditState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class AuditVerdict(models.TextChoices):
    PENDING = "pending", _("Not yet verified")
    CORRECT = "correct", _("Correct")
    DISCREPANCY = "discrepancy", _("Discrepancy")


class SampleReason(models.TextChoices):
    """Why a CI is in a CMDB audit's sample."""

    CRITICAL = "critical", _("Critical CI")
    RANDOM = "random", _("Random share")
    MANUAL = "manual", _("Added by the auditor")
