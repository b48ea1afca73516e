from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ItsmConfig(AppConfig):
    name = "itsm"
    verbose_name = _("ITSM core")

    def ready(self) -> None:
        # Every app's permissions.py registers its rules with the one policy.
        autodiscover_modules("permissions")
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="itsm.sync_roles")
        autodiscover_modules("navigation")
        # Every history row of every model gets its audit-trail entry in the same transaction.
        from simple_history.signals import post_create_historical_record

        from .audit import on_historical_record_created

        post_create_historical_record.connect(on_historical_record_created, dispatch_uid="itsm.audit_trail")


def _sync_roles_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """Keep the role groups complete after every migrate and every test-database flush.

    post_migrate is sent once per app; roles are synced once, after the last app's permissions exist.
    """
    if sender is list(apps.get_app_configs())[-1]:
        from .roles import sync_roles

        sync_roles(apps)
