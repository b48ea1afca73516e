"""``manage.py create_integration``: set up a monitoring integration and print its key (once)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from configuration.models import ConfigurationItem
from incidents.alert_choices import AutoResolve
from incidents.alert_services import integration_create
from incidents.models import Category
from itsm.history import system_user
from itsm.models import Team, User
from service_levels.models import Service


class Command(BaseCommand):
    help = (
        "Create a monitoring integration (PagerDuty Events v2 / Alertmanager) and print its key. The key"
        " is shown only here: it is stored as a hash."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="name of the sending system")
        parser.add_argument("--service", required=True, help="code of the service its incidents affect")
        parser.add_argument("--category", required=True, help="code of the incident category")
        parser.add_argument("--team", help="code of the assignment group (default: the category's team)")
        parser.add_argument("--ci", help="reference of the configuration item (e.g. CI-000012)")
        parser.add_argument(
            "--on-recovery",
            choices=AutoResolve.values,
            default=AutoResolve.RESOLVE,
            help="auto-resolve policy",
        )
        parser.add_argument("--storm-threshold", type=int, default=20)
        parser.add_argument("--storm-window", type=int, default=5, help="minutes")
        parser.add_argument("--rate-limit", type=int, default=1200, help="events per minute")
        parser.add_argument("--disabled", action="store_true", help="create it disabled")
        parser.add_argument("--actor", help="username to record as creator (default: the system user)")
        parser.add_argument("--key-only", action="store_true", help="print only the key (for scripts)")

    def handle(self, *args: Any, **options: Any) -> None:
        def lookup(model: Any, field: str, value: str | None, label: str) -> Any:
            if value is None:
                return None
            found = model.objects.filter(**{field: value}).first()
            if found is None:
                raise CommandError(f"No {label} {value!r}.")
            return found

        actor = lookup(User, "username", options["actor"], "user") if options["actor"] else system_user()
        data = {
            "name": options["name"],
            "enabled": not options["disabled"],
            "service": lookup(Service, "code", options["service"], "service"),
            "category": lookup(Category, "code", options["category"], "category"),
            "assignment_team": lookup(Team, "code", options["team"], "team"),
            "configuration_item": lookup(ConfigurationItem, "reference", options["ci"], "configuration item"),
            "auto_resolve": options["on_recovery"],
            "storm_threshold": options["storm_threshold"],
            "storm_window_minutes": options["storm_window"],
            "rate_limit_per_minute": options["rate_limit"],
        }
        try:
            integration, key = integration_create(actor=actor, data=data)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["key_only"]:
            self.stdout.write(key)
            return
        self.stdout.write(f"Created integration {integration.pk} {integration.name!r}.")
        self.stdout.write(f"Integration key (shown once): {key}")
        self.stdout.write(
            "PagerDuty-style senders: POST /api/v1/integrations/events/ with routing_key = the key."
        )
        self.stdout.write(
            "Alertmanager: POST /api/v1/integrations/alertmanager/ with Authorization: Bearer <key>."
        )
