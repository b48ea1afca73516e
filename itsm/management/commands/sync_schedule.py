"""Create the periodic tasks the product needs in django-celery-beat's tables, keeping operators' edits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask


class Command(BaseCommand):
    help = "Add missing periodic tasks (ITSM_PERIODIC_TASKS); existing ones, possibly edited, are left alone."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        for name, spec in settings.ITSM_PERIODIC_TASKS.items():
            if PeriodicTask.objects.filter(name=name).exists():
                continue
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=int(spec["every"]),  # type: ignore[call-overload]
                period=IntervalSchedule.SECONDS,
            )
            PeriodicTask.objects.create(name=name, task=str(spec["task"]), interval=interval)
            created += 1
        self.stdout.write(
            f"Periodic tasks: {created} added, {len(settings.ITSM_PERIODIC_TASKS) - created} kept."
        )
