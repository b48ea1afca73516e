"""Navigation entries and dashboard widgets of audits and improvement."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from itsm.choices import Area
from itsm.policy import is_staff_member
from itsm.ui.registry import NavItem, Widget, registry

from . import selectors
from .models import Document, Objective

registry.add_nav(NavItem(Area.AUDITS, _("Objectives"), "audits:objective_list", "view", Objective, order=10))
registry.add_nav(
    NavItem(Area.AUDITS, _("Controlled documents"), "audits:document_list", "view", Document, order=20)
)


def _objectives(user: Any) -> dict[str, Any]:
    return {"objectives": list(selectors.active_objectives())}


registry.add_widget(
    Widget(
        "objectives",
        _("Service management objectives"),
        "audits/widgets/objectives.html",
        is_staff_member,
        _objectives,
        order=50,
    )
)
