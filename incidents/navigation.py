"""Navigation entries and dashboard widgets of incident and service request management."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from itsm.choices import Area
from itsm.policy import policy
from itsm.ui.registry import NavItem, Widget, registry

from . import report_charts, reports, selectors
from .models import (
    Category,
    Incident,
    MajorIncidentCriteria,
    MajorIncidentReview,
    PriorityMatrix,
    RequestCatalogueItem,
    ServiceRequest,
)

registry.add_nav(
    NavItem(Area.INCIDENTS, _("Incident queue"), "incidents:incident_list", "view", Incident, order=10)
)
registry.add_nav(
    NavItem(Area.INCIDENTS, _("Log incident"), "incidents:incident_create", "log", Incident, order=20)
)
registry.add_nav(
    NavItem(Area.INCIDENTS, _("Service requests"), "incidents:request_list", "view", ServiceRequest, order=30)
)
registry.add_nav(
    NavItem(
        Area.INCIDENTS,
        _("Request catalogue"),
        "incidents:catalogue_list",
        "view",
        RequestCatalogueItem,
        order=35,
    )
)
registry.add_nav(
    NavItem(
        Area.INCIDENTS,
        _("Major incident reviews"),
        "incidents:review_list",
        "view",
        MajorIncidentReview,
        order=40,
    )
)
registry.add_nav(
    NavItem(Area.INCIDENTS, _("Incident report"), "incidents:report", "view", "incident_reports", order=50)
)
registry.add_nav(
    NavItem(
        Area.INCIDENTS, _("Priority matrix"), "incidents:priority_matrix", "view", PriorityMatrix, order=60
    )
)
registry.add_nav(
    NavItem(Area.INCIDENTS, _("Categories"), "incidents:category_list", "view", Category, order=70)
)
registry.add_nav(
    NavItem(
        Area.INCIDENTS,
        _("Major incident criteria"),
        "incidents:criteria_list",
        "view",
        MajorIncidentCriteria,
        order=80,
    )
)


def _may_read(user: Any, obj: Any) -> bool:
    return policy.allows(user, "view", Incident)


def _open_incidents(user: Any) -> dict[str, Any]:
    scoped = policy.scope(user, "view", Incident.objects.all())
    return {"by_priority": selectors.open_by_priority(scoped), "by_team": selectors.open_by_team(scoped)[:8]}


def _major(user: Any) -> dict[str, Any]:
    scoped = policy.scope(user, "view", Incident.objects.all())
    return {"majors": selectors.active_major_incidents(scoped)}


registry.add_widget(
    Widget(
        "incidents-open",
        _("Open incidents"),
        "incidents/widgets/open.html",
        _may_read,
        _open_incidents,
        order=10,
    )
)
registry.add_widget(
    Widget(
        "incidents-major", _("Major incidents"), "incidents/widgets/major.html", _may_read, _major, order=11
    )
)


def _may_read_reports(user: Any, obj: Any) -> bool:
    return policy.allows(user, "view", "incident_reports")


def _created_resolved(user: Any) -> dict[str, Any]:
    summary = reports.widget_summary(policy.scope(user, "view", Incident.objects.all()))
    return {**summary, "sparkline": report_charts.sparkline(summary["days"])}


registry.add_widget(
    Widget(
        "incidents-created-resolved",
        _("Incidents created vs resolved (14 days)"),
        "incidents/widgets/created_resolved.html",
        _may_read_reports,
        _created_resolved,
        order=12,
    )
)

# Monitoring-alert ingest: the integrations (incidents/alert_*.py).
from .alert_models import Integration  # noqa: E402

registry.add_nav(
    NavItem(
        Area.INCIDENTS,
        _("Monitoring integrations"),
        "incidents:integration_list",
        "view",
        Integration,
        order=90,
    )
)
