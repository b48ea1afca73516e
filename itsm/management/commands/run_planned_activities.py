"""Run the planned activities now: drafts ahead of time, reminders, done or missed cycles, escalations."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itsm.planned import planned_activities_run


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today wants a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Bring every active planned activity up to today (or --today): create the drafts whose lead time "
        "started, remind owners, mark cycles done or missed, escalate overdue ones. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=str, metavar="YYYY-MM-DD", help="the day to run as (default: today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else None
        summary = planned_activities_run(today=today)
        self.stdout.write(
            f"Planned activities on {summary.today.isoformat()}: {summary.activities} looked at, "
            f"{summary.drafts_created} drafts created, {summary.completed} done, {summary.missed} missed, "
            f"{summary.reminded} reminded, {summary.escalated} escalated, {summary.errors} failed."
        )
        if summary.errors:
            raise CommandError(f"{summary.errors} planned activities failed; see the log.")
