"""Menu entry and dashboard widget of planned activities (imported by ``itsm.navigation``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Area
from .planned import PlannedActivity, due_summary, planned_activity_list
from .planned_views import activity_badge
from .policy import is_staff_member
from .ui.registry import NavItem, Widget, registry

WIDGET_DAYS = 30
WIDGET_ROWS = 8

registry.add_nav(
    NavItem(
        Area.AUDITS, _("Planned activities"), "itsm:planned_activity_list", "view", PlannedActivity, order=80
    )
)


def _planned(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    rows = planned_activity_list().filter(
        is_active=True, next_due__lte=today + datetime.timedelta(days=WIDGET_DAYS)
    )[:WIDGET_ROWS]
    return {
        "summary": due_summary(today, days=WIDGET_DAYS),
        "rows": [(activity, activity_badge(activity)) for activity in rows],
    }


registry.add_widget(
    Widget(
        "planned-activities",
        _("Planned activities due in 30 days or overdue"),
        "itsm/planned_widget.html",
        is_staff_member,
        _planned,
        order=60,
    )
)
