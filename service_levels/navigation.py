"""Navigation entries and dashboard widgets of service level management."""

from django.utils.translation import gettext_lazy as _

from itsm.choices import Area
from itsm.ui.registry import NavItem, registry

from .models import Agreement, BusinessCalendar, Customer, ReportDefinition, Service, ServiceReview

# The catalogue, customers, agreements and calendars -----------------------------------------------------
registry.add_nav(
    NavItem(
        Area.SERVICE_LEVELS, _("Service catalogue"), "service_levels:service_list", "view", Service, order=10
    )
)
registry.add_nav(
    NavItem(Area.SERVICE_LEVELS, _("Customers"), "service_levels:customer_list", "view", Customer, order=20)
)
registry.add_nav(
    NavItem(
        Area.SERVICE_LEVELS, _("SLAs and OLAs"), "service_levels:agreement_list", "view", Agreement, order=30
    )
)
registry.add_nav(
    NavItem(
        Area.SERVICE_LEVELS,
        _("Business calendars"),
        "service_levels:calendar_list",
        "view",
        BusinessCalendar,
        order=40,
    )
)

# Service reporting and service reviews ---------------------------------------------------------------
registry.add_nav(
    NavItem(
        Area.SERVICE_LEVELS,
        _("SLA dashboard"),
        "service_levels:report_dashboard",
        "view",
        "service_level_reports",
        order=60,
    )
)
registry.add_nav(
    NavItem(
        Area.SERVICE_LEVELS,
        _("Service reviews"),
        "service_levels:review_list",
        "view",
        ServiceReview,
        order=70,
    )
)
registry.add_nav(
    NavItem(
        Area.SERVICE_LEVELS,
        _("Report definitions"),
        "service_levels:report_definition_list",
        "view",
        ReportDefinition,
        order=80,
    )
)
