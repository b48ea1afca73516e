"""Policy rules of service level management, registered with ``itsm.policy``.

Who reads what:

- the service catalogue (services, components, dependencies) and business calendars: every staff
  member, because every process refers to them (incidents, changes, the CMDB);
- customers, contacts and agreements (SLAs/OLAs): staff with the service-levels area and those who
  see all records (auditors, management);
- requesters see none of it.

Only service level managers (and administrators) write: the ``service_levels.add_*`` /
``change_*`` permissions of ``itsm.roles.SERVICE_LEVELS_WRITE``. An agreement is edited only while it
is a draft; afterwards it is revised (a new draft that supersedes it once agreed).
"""

from __future__ import annotations

from typing import Any

from itsm.notes import register_note_rules
from itsm.policy import Check, has_any_perm, is_staff_member, policy
from itsm.timeline import register_timeline_source

from .choices import AgreementState
from .clocks import timeline_events
from .models import (
    Agreement,
    AgreementTarget,
    BreachCause,
    BusinessCalendar,
    CalendarVersion,
    Clock,
    Contact,
    Customer,
    ReportDefinition,
    Service,
    ServiceComponent,
    ServiceDependency,
    ServiceReview,
)

# Reading -----------------------------------------------------------------------------------------------
can_read = has_any_perm("itsm.access_service_levels", "itsm.view_all_records")
can_read_catalogue: Check = is_staff_member


def may_write(model: str) -> Check:
    """Service level managers: ``service_levels.add_<model>`` or ``change_<model>``."""
    return has_any_perm(f"service_levels.add_{model}", f"service_levels.change_{model}")


# The catalogue -----------------------------------------------------------------------------------------
policy.register(Service, "view", can_read_catalogue)
policy.register(Service, "add", has_any_perm("service_levels.add_service"))
policy.register(Service, "change", has_any_perm("service_levels.change_service"))

policy.register(ServiceComponent, "view", can_read_catalogue)
policy.register(ServiceComponent, "add", has_any_perm("service_levels.add_servicecomponent"))
policy.register(ServiceComponent, "change", has_any_perm("service_levels.change_servicecomponent"))
policy.register(ServiceComponent, "delete", has_any_perm("service_levels.change_servicecomponent"))

policy.register(ServiceDependency, "view", can_read_catalogue)
policy.register(ServiceDependency, "add", has_any_perm("service_levels.add_servicedependency"))
policy.register(ServiceDependency, "delete", has_any_perm("service_levels.change_servicedependency"))

# Business calendars: a new version is the only way to change the rules -------------------------------
policy.register(BusinessCalendar, "view", can_read_catalogue)
policy.register(BusinessCalendar, "add", has_any_perm("service_levels.add_businesscalendar"))
policy.register(BusinessCalendar, "change", has_any_perm("service_levels.change_businesscalendar"))
policy.register(BusinessCalendar, "revise", has_any_perm("service_levels.add_calendarversion"))
policy.register(CalendarVersion, "view", can_read_catalogue)

# Customers and their contacts --------------------------------------------------------------------------
policy.register(Customer, "view", can_read)
policy.register(Customer, "add", has_any_perm("service_levels.add_customer"))
policy.register(Customer, "change", has_any_perm("service_levels.change_customer"))

policy.register(Contact, "view", can_read)
policy.register(Contact, "add", has_any_perm("service_levels.add_contact"))
policy.register(Contact, "change", has_any_perm("service_levels.change_contact"))
policy.register(Contact, "delete", has_any_perm("service_levels.change_contact"))


# Agreements --------------------------------------------------------------------------------------------
can_write_agreements = may_write("agreement")
_can_change_agreements = has_any_perm("service_levels.change_agreement")
_can_add_agreements = has_any_perm("service_levels.add_agreement")


def _edit_draft(user: Any, agreement: Agreement | None) -> bool:
    """Only a draft is edited; an agreed agreement is revised instead."""
    if not _can_change_agreements(user, agreement):
        return False
    return agreement is None or agreement.state == AgreementState.DRAFT


def _revise(user: Any, agreement: Agreement | None) -> bool:
    if not _can_add_agreements(user, agreement):
        return False
    return agreement is None or agreement.state == AgreementState.AGREED


policy.register(Agreement, "view", can_read)
policy.register(Agreement, "add", _can_add_agreements)
policy.register(Agreement, "change", _edit_draft)
policy.register(Agreement, "revise", _revise)
policy.register(Agreement, "agree", can_write_agreements)
policy.register(Agreement, "expire", can_write_agreements)
policy.register(Agreement, "supersede", can_write_agreements)
register_note_rules(Agreement)

policy.register(AgreementTarget, "view", can_read)

# Service reporting (6.2) and service reviews -----------------------------------------------------------
# The SLA dashboard, its CSV exports and the report API: whoever reads agreements.
policy.register("service_level_reports", "view", can_read)
policy.register(BreachCause, "view", can_read)
policy.register(BreachCause, "add", can_write_agreements)
policy.register(ReportDefinition, "view", can_read)
policy.register(ReportDefinition, "add", has_any_perm("service_levels.add_reportdefinition"))
policy.register(ReportDefinition, "change", has_any_perm("service_levels.change_reportdefinition"))

_can_change_reviews = has_any_perm("service_levels.change_servicereview")


def _edit_planned_review(user: Any, review: ServiceReview | None) -> bool:
    """A review is edited (and its performance recomputed) only while it is planned."""
    if not _can_change_reviews(user, review):
        return False
    return review is None or review.state == ServiceReview.State.PLANNED


policy.register(ServiceReview, "view", can_read)
policy.register(ServiceReview, "add", has_any_perm("service_levels.add_servicereview"))
policy.register(ServiceReview, "change", _edit_planned_review)
policy.register(ServiceReview, "hold", _can_change_reviews)
policy.register(ServiceReview, "close", _can_change_reviews)
policy.register(ServiceReview, "cancel", _can_change_reviews)
register_note_rules(ServiceReview)

# SLA clocks (read only: the clock engine is their only writer) ----------------------------------------
# Staff of service level management or of incidents, and those who see all records (auditors).
policy.register(
    Clock,
    "view",
    has_any_perm("itsm.access_service_levels", "itsm.access_incidents", "itsm.view_all_records"),
)
# Clock events on every record's timeline, for those who may read clocks.
register_timeline_source(timeline_events)
