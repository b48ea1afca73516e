"""Report periods: whole days in the reader's time zone, both ends inclusive.

The reports of several processes (service levels, incidents, …) read "from" and "to" as days; what they
count is bounded by the instants these days start and end in the reader's (active) time zone."""

from __future__ import annotations

import datetime

from django.utils import timezone


def at_midnight(day: datetime.date) -> datetime.datetime:
    """The instant ``day`` starts in the active time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Period:
    """The instants and days of a period; mixed into frozen dataclasses with ``start`` and ``end``."""

    start: datetime.date
    end: datetime.date

    @property
    def since(self) -> datetime.datetime:
        return at_midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        """The first instant after the period (exclusive bound)."""
        return at_midnight(self.end + datetime.timedelta(days=1))

    @property
    def days(self) -> list[datetime.date]:
        count = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=i) for i in range(count)]
