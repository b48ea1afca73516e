"""Navigation entries and dashboard widgets of configuration management."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from itsm.choices import Area
from itsm.ui.registry import NavItem, Widget, registry

from . import selectors
from .models import CIType, ConfigurationItem, RelationshipType
from .permissions import can_read

registry.add_nav(
    NavItem(
        Area.CONFIGURATION,
        _("Configuration items"),
        "configuration:ci_list",
        "view",
        ConfigurationItem,
        order=10,
        shortcut_create="configuration:ci_create",
    )
)
registry.add_nav(
    NavItem(Area.CONFIGURATION, _("CI types"), "configuration:citype_list", "view", CIType, order=40)
)
registry.add_nav(
    NavItem(
        Area.CONFIGURATION,
        _("Relationship types"),
        "configuration:relationshiptype_list",
        "view",
        RelationshipType,
        order=45,
    )
)


def _cmdb(user: Any) -> dict[str, Any]:
    return {"states": selectors.ci_state_counts()}


registry.add_widget(
    Widget("cmdb", _("Configuration items"), "configuration/widgets/cmdb.html", can_read, _cmdb, order=70)
)


# Baselines, CMDB audits and the CSV import ---------------------------------------------------------

from .audit_selectors import audit_overview  # noqa: E402
from .models import Baseline, CMDBAudit  # noqa: E402

registry.add_nav(
    NavItem(Area.CONFIGURATION, _("Baselines"), "configuration:baseline_list", "view", Baseline, order=20)
)
registry.add_nav(
    NavItem(Area.CONFIGURATION, _("CMDB audits"), "configuration:cmdbaudit_list", "view", CMDBAudit, order=30)
)
registry.add_nav(
    NavItem(
        Area.CONFIGURATION,
        _("Import from CSV"),
        "configuration:import_upload",
        "view",
        "configuration_import",
        order=50,
    )
)
registry.add_widget(
    Widget(
        "cmdb_audits",
        _("CMDB audits"),
        "configuration/cmdb_audit_widget.html",
        can_read,
        audit_overview,
        order=71,
    )
)
