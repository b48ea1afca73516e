"""Navigation and dashboard widgets of the core."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from . import planned_navigation, selectors  # noqa: F401 (planned activities' menu entry and widget)
from .choices import Area
from .health import health
from .models import Department, Team, User
from .policy import has_any_perm, signed_in
from .ui.registry import NavItem, Widget, registry

registry.add_nav(NavItem(Area.PEOPLE, _("People"), "itsm:user_list", "view", User, order=10))
registry.add_nav(NavItem(Area.PEOPLE, _("Teams"), "itsm:team_list", "view", Team, order=20))
registry.add_nav(NavItem(Area.PEOPLE, _("Departments"), "itsm:department_list", "view", Department, order=30))
registry.add_nav(NavItem(Area.AUDITS, _("Audit trail"), "itsm:audit_trail", "view", "audit-trail", order=90))


def _my_work(user: Any) -> dict[str, Any]:
    return {
        "roles": user.roles,
        "teams": selectors.teams_of(user),
        "led": list(user.led_teams.order_by("name")),
    }


def _people(user: Any) -> dict[str, Any]:
    return {
        "role_counts": selectors.role_counts(),
        "people": User.objects.filter(is_active=True, is_system=False).count(),
        "teams": Team.objects.filter(is_active=True).count(),
        "departments": Department.objects.count(),
    }


def _operations(user: Any) -> dict[str, Any]:
    return {
        "health": health(),
        "database": connection.vendor,
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
    }


registry.add_widget(
    Widget("my-work", _("Your work"), "itsm/widgets/my_work.html", signed_in, _my_work, order=10)
)
registry.add_widget(
    Widget(
        "people",
        _("People and teams"),
        "itsm/widgets/people.html",
        has_any_perm("itsm.access_people", "itsm.manage_people"),
        _people,
        order=80,
    )
)
registry.add_widget(
    Widget(
        "operations",
        _("Operations"),
        "itsm/widgets/operations.html",
        has_any_perm("itsm.manage_people"),
        _operations,
        order=90,
    )
)
