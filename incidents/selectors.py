"""Reads of incident and service request management: joins and policy scoping live here."""

from __future__ import annotations

import datetime

from django.utils import timezone


def add_business_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` moved forward by ``days`` working days (Monday to Friday, in the project's time zone).

    Used for the reopen window and the automatic closure; the time of day is kept.
    """
    local = timezone.localtime(start)
    moved = 0
    while moved < days:
        local = local + datetime.timedelta(days=1)
        if local.weekday() < 5:
            moved += 1
    return local
