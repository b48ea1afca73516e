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
