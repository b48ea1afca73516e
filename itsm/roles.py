"""What each role may do, as Django permissions on its group.

``sync_roles`` is idempotent: data migrations call it, and later process issues extend ``ROLE_PERMISSIONS``
and add a migration that calls it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .choices import Area, Role

ALL_AREAS = [f"itsm.access_{area.value}" for area in Area]
OBJECTIVES_WRITE = ["audits.view_objective", "audits.add_objective", "audits.change_objective"]
DOCUMENTS_WRITE = ["audits.add_document", "audits.change_document", "audits.approve_document"]
# Set up and edit any planned activity; each kind's area owners get theirs through the kind's hook.
PLANNED_WRITE = ["itsm.add_plannedactivity", "itsm.change_plannedactivity"]
SERVICE_LEVELS_WRITE = [
    f"service_levels.{action}_{model}"
    for model in (
        "service",
        "servicecomponent",
        "servicedependency",
        "customer",
        "contact",
        "agreement",
        "agreementtarget",
        "businesscalendar",
        "calendarversion",
        "reportdefinition",
        "servicereview",
    )
    for action in ("add", "change")
]

CONFIGURATION_WRITE = [
    *[
        f"configuration.{action}_{model}"
        for model in ("configurationitem", "citype", "relationshiptype", "baseline", "cmdbaudit")
        for action in ("add", "change")
    ],
    "configuration.add_relationship",
    "configuration.delete_relationship",
]
# Incidents: agents log, classify, assign and close; resolvers work and resolve; incident managers also
# declare major incidents and keep the matrix, categories, criteria and the request catalogue.
INCIDENT_RESOLVER = [
    "incidents.change_incident",
    "incidents.resolve_incident",
    "incidents.change_servicerequest",
    "incidents.fulfil_servicerequest",
]
INCIDENT_AGENT = [*INCIDENT_RESOLVER, "incidents.add_incident", "incidents.add_servicerequest"]
INCIDENT_MANAGER_WRITE = [
    *INCIDENT_AGENT,
    "incidents.declare_major_incident",
    "incidents.add_majorincidentreview",
    "incidents.change_majorincidentreview",
    *[
        f"incidents.{action}_{model}"
        for model in ("prioritymatrix", "category", "majorincidentcriteria", "requestcatalogueitem")
        for action in ("add", "change")
    ],
    # Monitoring integrations (alert ingest): set up, edit, rotate keys, send test events.
    "incidents.add_integration",
    "incidents.change_integration",
]


def _access(*areas: Area) -> list[str]:
    return [f"itsm.access_{area.value}" for area in areas]


ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.REQUESTER: [],
    Role.SERVICE_DESK_AGENT: [
        *_access(Area.INCIDENTS, Area.PROBLEMS, Area.CONFIGURATION, Area.SERVICE_LEVELS),
        *INCIDENT_AGENT,
    ],
    Role.RESOLVER: [
        *_access(Area.INCIDENTS, Area.PROBLEMS, Area.CHANGES, Area.CONFIGURATION),
        *INCIDENT_RESOLVER,
    ],
    Role.INCIDENT_MANAGER: [
        *_access(
            Area.INCIDENTS, Area.PROBLEMS, Area.CHANGES, Area.CONFIGURATION, Area.SERVICE_LEVELS, Area.PEOPLE
        ),
        *INCIDENT_MANAGER_WRITE,
    ],
    Role.PROBLEM_MANAGER: _access(Area.INCIDENTS, Area.PROBLEMS, Area.CHANGES, Area.CONFIGURATION),
    Role.CHANGE_MANAGER: _access(
        Area.INCIDENTS, Area.PROBLEMS, Area.CHANGES, Area.RELEASES, Area.CONFIGURATION
    ),
    Role.CAB_MEMBER: _access(Area.CHANGES, Area.RELEASES, Area.CONFIGURATION),
    Role.RELEASE_MANAGER: _access(Area.CHANGES, Area.RELEASES, Area.CONFIGURATION),
    Role.CONFIGURATION_MANAGER: [
        *_access(Area.CHANGES, Area.RELEASES, Area.CONFIGURATION),
        *CONFIGURATION_WRITE,
    ],
    Role.SERVICE_LEVEL_MANAGER: [
        *_access(Area.INCIDENTS, Area.SERVICE_LEVELS, Area.SUPPLIERS, Area.CONFIGURATION),
        *SERVICE_LEVELS_WRITE,
    ],
    Role.SUPPLIER_MANAGER: _access(Area.SUPPLIERS, Area.SERVICE_LEVELS),
    # Internal auditors also verify CMDB audit items as a second, independent auditor.
    Role.INTERNAL_AUDITOR: [*ALL_AREAS, "itsm.view_all_records", "configuration.change_cmdbaudititem"],
    Role.MANAGEMENT_REPRESENTATIVE: [
        *ALL_AREAS,
        "itsm.view_all_records",
        *OBJECTIVES_WRITE,
        *DOCUMENTS_WRITE,
        *PLANNED_WRITE,
    ],
    Role.TOP_MANAGEMENT: [
        *ALL_AREAS,
        "itsm.view_all_records",
        *OBJECTIVES_WRITE,
        "audits.approve_document",
        *PLANNED_WRITE,
    ],
    Role.ADMINISTRATOR: [
        *ALL_AREAS,
        "itsm.view_all_records",
        "itsm.manage_people",
        *OBJECTIVES_WRITE,
        *DOCUMENTS_WRITE,
        *PLANNED_WRITE,
    ],
}


# Managers (and administrators) may share a saved filter of a list with everyone (itsm.saved_filters).
SHARE_SAVED_FILTERS = "itsm.share_savedfilter"
for _role in (
    Role.INCIDENT_MANAGER,
    Role.PROBLEM_MANAGER,
    Role.CHANGE_MANAGER,
    Role.RELEASE_MANAGER,
    Role.CONFIGURATION_MANAGER,
    Role.SERVICE_LEVEL_MANAGER,
    Role.SUPPLIER_MANAGER,
    Role.MANAGEMENT_REPRESENTATIVE,
    Role.TOP_MANAGEMENT,
    Role.ADMINISTRATOR,
):
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], SHARE_SAVED_FILTERS]


def sync_roles(apps: Any, role_permissions: Mapping[str, Iterable[str]] | None = None) -> None:
    """Create one group per role and give it exactly its permissions (by default those listed above).

    Works with historical models (``apps`` from a migration) and with the live registry. Model
    permissions are created first, so a migration need not wait for ``post_migrate``.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs have no models module, and create_permissions skips those.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = previous

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    mapping = role_permissions or {role.value: perms for role, perms in ROLE_PERMISSIONS.items()}
    for role, perms in mapping.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                raise LookupError(f"Role {role} names an unknown permission {dotted}.")
            wanted.append(permission)
        group.permissions.set(wanted)
