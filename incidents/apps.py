from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incident and service request management")

    def ready(self) -> None:
        post_migrate.connect(_search_index_after_migrate, sender=self, dispatch_uid="incidents.search_index")
        # What the SLA sweep does when an incident's clock crosses a threshold, and who else hears of it.
        from service_levels.clocks import register_escalation, register_recipients

        from .models import Incident
        from .services import sla_escalate, sla_recipients

        register_escalation(Incident, sla_escalate)
        register_recipients(Incident, sla_recipients)
        # Comments tell the other side, whichever page or endpoint added them (itsm.notes.note_add).
        from itsm.notes import register_note_hook

        from .models import ServiceRequest
        from .services import incident_note_added, service_request_note_added

        register_note_hook(Incident, incident_note_added)
        register_note_hook(ServiceRequest, service_request_note_added)


def _search_index_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """SQLite loses the full-text triggers when a later migration rebuilds the incident table; put them
    back (and rebuild the index) after every migrate."""
    from django.db import connections

    from .search import ensure_search_index

    ensure_search_index(connections[using])
