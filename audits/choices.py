"""Choices (TextChoices) of audits and improvement."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    POINTS = "points", _("points")
    HOURS = "hours", _("hours")
    COUNT = "count", _("count")


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    EFFECTIVE = "effective", _("Effective")
    OBSOLETE = "obsolete", _("Obsolete")


class DocumentType(models.TextChoices):
    MANUAL = "manual", _("Manual")
    PROCEDURE = "procedure", _("Procedure")
    REGULATION = "regulation", _("Regulation")
    INSTRUCTION = "instruction", _("Work instruction")
    FORM = "form", _("Form")
    PLAN = "plan", _("Plan")
    EXTERNAL = "external", _("External document")
    LAW = "law", _("Law or regulation")


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
