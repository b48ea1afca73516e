"""Choices (TextChoices) of incident and service request management."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentState(models.TextChoices):
    """Where an incident is in its lifecycle (see docs/incidents.md for the transitions)."""

    NEW = "new", _("New")
    CLASSIFIED = "classified", _("Classified")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_INCIDENT_STATES = [
    IncidentState.NEW,
    IncidentState.CLASSIFIED,
    IncidentState.ASSIGNED,
    IncidentState.IN_PROGRESS,
    IncidentState.ON_HOLD,
]
# Waiting for the resolver or the requester: neither closed nor cancelled.
ACTIVE_INCIDENT_STATES = [*OPEN_INCIDENT_STATES, IncidentState.RESOLVED]


class Channel(models.TextChoices):
    """How the incident or request reached the service desk."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    WALK_IN = "walk_in", _("Walk-in")
    MONITORING = "monitoring", _("Monitoring")


class Impact(models.IntegerChoices):
    """How widely the business is affected (1 = most)."""

    EXTENSIVE = 1, _("1 Extensive / widespread")
    SIGNIFICANT = 2, _("2 Significant / large")
    MODERATE = 3, _("3 Moderate / limited")
    MINOR = 4, _("4 Minor / localised")


class Urgency(models.IntegerChoices):
    """How quickly the business needs it restored (1 = most)."""

    CRITICAL = 1, _("1 Critical")
    HIGH = 2, _("2 High")
    MEDIUM = 3, _("3 Medium")
    LOW = 4, _("4 Low")


class EscalationKind(models.TextChoices):
    FUNCTIONAL = "functional", _("Functional (to another team)")
    HIERARCHICAL = "hierarchical", _("Hierarchical (to a manager)")


class HoldReason(models.TextChoices):
    """Why the incident waits; the SLA clock pauses while it is on hold."""

    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting the customer")
    AWAITING_SUPPLIER = "awaiting_supplier", _("Awaiting a supplier")
    AWAITING_CHANGE = "awaiting_change", _("Awaiting a change")
    SCHEDULED = "scheduled", _("Scheduled with the customer")
    OTHER = "other", _("Other (see note)")


class ResolutionCode(models.TextChoices):
    """How the incident was resolved."""

    FIXED = "fixed", _("Fixed (permanent)")
    WORKAROUND = "workaround", _("Workaround applied")
    CONFIGURATION = "configuration", _("Configuration corrected")
    CHANGE = "change", _("Resolved by a change")
    USER_GUIDANCE = "user_guidance", _("User guidance / training")
    SUPPLIER = "supplier", _("Resolved by a supplier")
    NO_FAULT = "no_fault", _("No fault found")
    SELF_RECOVERED = "self_recovered", _("Recovered without intervention")


class CancelReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of another incident")
    LOGGED_IN_ERROR = "logged_in_error", _("Logged in error")
    NOT_AN_INCIDENT = "not_an_incident", _("Not an incident (a request or question)")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")


class ServiceRequestState(models.TextChoices):
    NEW = "new", _("New")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_FULFILMENT = "in_fulfilment", _("In fulfilment")
    FULFILLED = "fulfilled", _("Fulfilled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REQUEST_STATES = [
    ServiceRequestState.NEW,
    ServiceRequestState.AWAITING_APPROVAL,
    ServiceRequestState.APPROVED,
    ServiceRequestState.IN_FULFILMENT,
]
