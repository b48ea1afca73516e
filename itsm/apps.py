from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ItsmConfig(AppConfig):
    name = "itsm"
    verbose_name = _("ITSM core")

    def ready(self) -> None:
        # Every app's permissions.py registers its rules with the one policy.
        autodiscover_modules("permissions")
        autodiscover_modules("navigation")
