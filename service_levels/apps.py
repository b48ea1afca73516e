from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceLevelsConfig(AppConfig):
    name = "service_levels"
    verbose_name = _("Service level management")

    def ready(self) -> None:
        # The planned activity "sla_review" (a service review per agreement, created ahead of time).
        from .review_services import register_planned_kind

        register_planned_kind()
