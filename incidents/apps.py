from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incident and service request management")

    def ready(self) -> None:
        post_migrate.connect(_search_index_after_migrate, sender=self, dispatch_uid="incidents.search_index")


def _search_index_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """SQLite loses the full-text triggers when a later migration rebuilds the incident table; put them
    back (and rebuild the index) after every migrate."""
    from django.db import connections

    from .search import ensure_search_index

    ensure_search_index(connections[using])
