"""Load the demo organisation (idempotent, deterministic)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from itsm.demo import demo_logins, seed_demo


class Command(BaseCommand):
    help = "Create the demo organisation: departments, teams, one user per role, objectives."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins", action="store_true", help="Print the demo logins afterwards.")

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed_demo(today=timezone.localdate())
        summary = ", ".join(f"{n} {kind}" for kind, n in created.items())
        self.stdout.write(f"Demo data: added {summary}.")
        if options["logins"]:
            self.stdout.write(f"Demo logins (password for all: {demo_logins()[0]['password']}):")
            for login in demo_logins():
                self.stdout.write(f"  {login['username']:<18} {login['role']}")
