"""Choices of the cross-cutting core."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of the product; each is a Django group with its permissions (see ``itsm.roles``)."""

    REQUESTER = "requester", _("Requester")
    SERVICE_DESK_AGENT = "service_desk_agent", _("Service desk agent")
    RESOLVER = "resolver", _("Resolver")
    INCIDENT_MANAGER = "incident_manager", _("Incident manager")
    PROBLEM_MANAGER = "problem_manager", _("Problem manager")
    CHANGE_MANAGER = "change_manager", _("Change manager")
    CAB_MEMBER = "cab_member", _("CAB member")
    RELEASE_MANAGER = "release_manager", _("Release manager")
    CONFIGURATION_MANAGER = "configuration_manager", _("Configuration manager")
    SERVICE_LEVEL_MANAGER = "service_level_manager", _("Service level manager")
    SUPPLIER_MANAGER = "supplier_manager", _("Supplier manager")
    INTERNAL_AUDITOR = "internal_auditor", _("Internal auditor")
    MANAGEMENT_REPRESENTATIVE = "management_representative", _("Management representative")
    TOP_MANAGEMENT = "top_management", _("Top management")
    ADMINISTRATOR = "administrator", _("Administrator")


class Area(models.TextChoices):
    """The process areas of the product, one per app; navigation and dashboards are built from them."""

    INCIDENTS = "incidents", _("Incidents")
    PROBLEMS = "problems", _("Problems")
    CHANGES = "changes", _("Changes")
    RELEASES = "releases", _("Releases")
    CONFIGURATION = "configuration", _("Configuration")
    SERVICE_LEVELS = "service_levels", _("Service levels")
    SUPPLIERS = "suppliers", _("Suppliers")
    AUDITS = "audits", _("Audits and improvement")
    PEOPLE = "people", _("People and teams")


class Theme(models.TextChoices):
    AUTO = "auto", _("Follow the system")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class NoteKind(models.TextChoices):
    """What a note on a record is: internal to the staff, or visible to the requester too."""

    WORK_NOTE = "work_note", _("Work note")
    COMMENT = "comment", _("Comment")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent by e-mail")


class Priority(models.TextChoices):
    """Priority of incidents, requests and problems; service level targets are set per priority."""

    P1 = "P1", _("P1 Critical")
    P2 = "P2", _("P2 High")
    P3 = "P3", _("P3 Medium")
    P4 = "P4", _("P4 Low")


class SavedFilterSharing(models.TextChoices):
    """Who sees a saved filter of a list besides its owner."""

    PRIVATE = "private", _("Only me")
    TEAM = "team", _("A team of mine")
    EVERYONE = "everyone", _("Everyone who sees the list")
