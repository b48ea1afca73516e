from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigurationConfig(AppConfig):
    name = "configuration"
    verbose_name = _("Configuration management")

    def ready(self) -> None:
        # CMDB audits are a kind of planned activity (every 3 months by default).
        from .audit_services import register_planned_kind

        register_planned_kind()
