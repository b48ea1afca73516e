"""Business-time arithmetic: pure functions over a plain, hashable calendar description.

Nothing here touches the database. A :class:`CalendarSpec` is built from a stored calendar version
(:func:`spec_from_version`) or directly (:func:`build_spec`), and the functions answer:

* :func:`working_intervals` — the working time between two instants, as aware UTC intervals;
* :func:`business_seconds_between` — how many working seconds lie between two instants;
* :func:`add_business_seconds` — the instant at which a number of working seconds has elapsed (a due
  time).

How a day is worked
-------------------

For each local date of the calendar's time zone, in this order:

1. a date in ``closed_dates`` is closed;
2. a date in ``working_dates`` is a make-up working day, worked with the hours of ``makeup_weekday``;
3. a public holiday of the ``holiday_country`` preset (python ``holidays``) is closed;
4. a make-up working day of the preset (``holidays``' ``weekend_workdays``, e.g. China's
   调休 weekends) is worked with the hours of ``makeup_weekday``;
5. any other date is worked with the weekly hours of its weekday.

A span belongs to the date it starts on: ``22:00-06:00`` on a Friday runs from Friday 22:00 to Saturday
06:00, and exists only when Friday is worked. ``24:00`` is the end of the day. Overlapping spans
(also an overnight span running into the next day's first span) count once. An ``always_open``
(24x7) calendar counts every second; its weekly hours, holidays and dates are not consulted.

Daylight saving time
--------------------

Working time is measured in **real elapsed seconds inside the local working spans**. A span's ends
are local wall times; each end is placed at the *first instant at which the wall clock shows that
time or a later one*:

* in a spring-forward gap (02:30 does not exist when clocks jump from 02:00 to 03:00) that is the
  instant of the jump, so ``01:00-03:00`` on that night is one real hour and ``02:15-02:45`` is empty;
* in a fall-back fold (01:30 happens twice) that is the first occurrence, so ``00:00-03:00`` on that
  night is four real hours, and a span inside the repeated hour is counted once (its first pass).

The mapping from wall time to instants never goes backwards, so adjacent spans stay adjacent: no
real second is lost or counted twice.

Precision: instants keep their microseconds; :func:`business_seconds_between` returns whole seconds
(rounded down). The clock engine works on whole seconds, where the arithmetic is exact.
"""

from __future__ import annotations

import datetime
import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
ONE_SECOND = datetime.timedelta(seconds=1)
MINUTES_PER_DAY = 24 * 60
# A calendar with no working time at all within this many days after a start is refused rather than
# searched for ever (a due time that far away is a misconfigured calendar, not a target).
SEARCH_HORIZON_DAYS = 3700

Interval = tuple[datetime.datetime, datetime.datetime]
Span = tuple[int, int]  # (start minute, end minute) of a local day; end <= start runs past midnight


class DayKind:
    """Why a local date has the hours it has (see the module docstring)."""

    WEEKLY = "weekly"
    CLOSED = "closed"
    MAKEUP = "makeup"
    HOLIDAY = "holiday"
    PRESET_MAKEUP = "preset_makeup"


@dataclass(frozen=True, eq=True)
class CalendarSpec:
    """Everything the arithmetic needs from a calendar version; immutable and hashable.

    ``weekly_hours`` has seven entries (Monday first), each a tuple of ``(start, end)`` minutes of the
    local day (``end`` may be 1440 for 24:00; ``end <= start`` runs past midnight). ``closed_dates`` and
    ``working_dates`` are tuples of ``(date, name)``.
    """

    time_zone: str = "UTC"
    always_open: bool = False
    weekly_hours: tuple[tuple[Span, ...], ...] = ((), (), (), (), (), (), ())
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closed_dates: tuple[tuple[datetime.date, str], ...] = ()
    working_dates: tuple[tuple[datetime.date, str], ...] = ()
    makeup_weekday: int = 0
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.weekly_hours) != 7:
            raise ValueError("weekly_hours needs seven days, Monday first")
        if not 0 <= self.makeup_weekday <= 6:
            raise ValueError("makeup_weekday is 0 (Monday) to 6 (Sunday)")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        object.__setattr__(
            self,
            "_hash",
            hash(
                (
                    self.time_zone,
                    self.always_open,
                    self.weekly_hours,
                    self.holiday_country,
                    self.holiday_subdivision,
                    self.closed_dates,
                    self.working_dates,
                    self.makeup_weekday,
                )
            ),
        )

    def __hash__(self) -> int:
        return self._hash

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def has_weekly_hours(self) -> bool:
        return any(self.weekly_hours)

    @property
    def closed_map(self) -> Mapping[datetime.date, str]:
        return _as_map(self.closed_dates)

    @property
    def working_map(self) -> Mapping[datetime.date, str]:
        return _as_map(self.working_dates)


@lru_cache(maxsize=256)
def _as_map(pairs: tuple[tuple[datetime.date, str], ...]) -> Mapping[datetime.date, str]:
    return types.MappingProxyType(dict(pairs))


# --- building a spec -------------------------------------------------------------------------------


def parse_time(value: str, *, allow_24: bool) -> int:
    """``"HH:MM"`` → minutes after midnight; ``"24:00"`` only where ``allow_24``."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise ValueError(f"{value!r} is not a time HH:MM")
    hours, minutes = value[:2], value[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"{value!r} is not a time HH:MM")
    total = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or total > MINUTES_PER_DAY or (total == MINUTES_PER_DAY and not allow_24):
        raise ValueError(f"{value!r} is not a time of day")
    return total


def parse_weekly_hours(value: Any) -> tuple[tuple[Span, ...], ...]:
    """The stored form (seven lists, Monday first, of ``["HH:MM", "HH:MM"]``) → spans in minutes.

    Raises ``ValueError`` with a readable message on anything else; ``end`` may be ``"24:00"``; an
    ``end`` before ``start`` runs past midnight into the next day; equal ends are refused.
    """
    if not isinstance(value, list | tuple) or len(value) != 7:
        raise ValueError("weekly hours need seven days, Monday first")
    days = []
    for weekday, spans in enumerate(value):
        if not isinstance(spans, list | tuple):
            raise ValueError(f"day {weekday}: a list of [start, end] spans is expected")
        parsed = []
        for span in spans:
            if not isinstance(span, list | tuple) or len(span) != 2:
                raise ValueError(f"day {weekday}: each span is [start, end]")
            start, end = parse_time(span[0], allow_24=False), parse_time(span[1], allow_24=True)
            if start == end:
                raise ValueError(f"day {weekday}: span {span[0]}-{span[1]} is empty")
            parsed.append((start, end))
        days.append(tuple(sorted(parsed)))
    return tuple(days)


def parse_dates(value: Any) -> tuple[tuple[datetime.date, str], ...]:
    """The stored form (a list of ``{"date": "YYYY-MM-DD", "name": "…"}``) → sorted ``(date, name)``."""
    if not value:
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError("dates must be a list of {date, name}")
    pairs: dict[datetime.date, str] = {}
    for item in value:
        if not isinstance(item, Mapping) or "date" not in item:
            raise ValueError("each date is {date, name}")
        try:
            day = datetime.date.fromisoformat(str(item["date"]))
        except ValueError as error:
            raise ValueError(f"{item['date']!r} is not a date YYYY-MM-DD") from error
        pairs[day] = str(item.get("name") or "")
    return tuple(sorted(pairs.items()))


def build_spec(
    *,
    time_zone: str = "UTC",
    always_open: bool = False,
    weekly_hours: Any = None,
    holiday_country: str = "",
    holiday_subdivision: str = "",
    closed_dates: Any = None,
    working_dates: Any = None,
    makeup_weekday: int = 0,
) -> CalendarSpec:
    """A spec from values in their stored form (see :func:`parse_weekly_hours`, :func:`parse_dates`)."""
    if holiday_country:
        holiday_preset(holiday_country, holiday_subdivision or "", datetime.date.today().year)  # noqa: DTZ011
    return CalendarSpec(
        time_zone=time_zone or "UTC",
        always_open=bool(always_open),
        weekly_hours=parse_weekly_hours(weekly_hours or [[]] * 7),
        holiday_country=(holiday_country or "").upper(),
        holiday_subdivision=holiday_subdivision or "",
        closed_dates=parse_dates(closed_dates),
        working_dates=parse_dates(working_dates),
        makeup_weekday=int(makeup_weekday or 0),
    )


def spec_from_version(version: Any) -> CalendarSpec:
    """The spec of a stored ``CalendarVersion`` (duck-typed: only its fields are read)."""
    return build_spec(
        time_zone=version.time_zone,
        always_open=version.always_open,
        weekly_hours=version.weekly_hours,
        holiday_country=version.holiday_country,
        holiday_subdivision=getattr(version, "holiday_subdivision", ""),
        closed_dates=version.closed_dates,
        working_dates=version.working_dates,
        makeup_weekday=getattr(version, "makeup_weekday", 0),
    )


# --- holidays --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayYear:
    """One year of a country preset: public holidays by date, and the make-up working days."""

    holidays: Mapping[datetime.date, str]
    working_days: frozenset[datetime.date]


@lru_cache(maxsize=512)
def holiday_preset(country: str, subdivision: str, year: int) -> HolidayYear:
    """Public holidays and make-up working days of ``country`` (``subdivision``) in ``year``, cached.

    Raises ``ValueError`` for a country or subdivision the ``holidays`` package does not know.
    """
    import holidays  # imported lazily: loading the package costs ~100 ms

    try:
        preset = holidays.country_holidays(country.upper(), subdiv=subdivision or None, years=year)
    except NotImplementedError as error:
        raise ValueError(f"no holiday preset for {country!r}") from error
    # ``weekend_workdays`` holds China-style make-up working days (older versions of the package lack it).
    working = frozenset(d for d in getattr(preset, "weekend_workdays", ()) if d.year == year)
    return HolidayYear(
        holidays=types.MappingProxyType({d: str(name) for d, name in preset.items() if d.year == year}),
        working_days=working,
    )


# --- one local day ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPlan:
    """The working spans of one local date, as UTC intervals, and why (``kind``, ``name``)."""

    day: datetime.date
    kind: str
    name: str
    spans: tuple[Interval, ...]


def wall_to_utc(zone: ZoneInfo, day: datetime.date, minute: int) -> datetime.datetime:
    """The first instant at which the wall clock of ``zone`` shows ``day`` ``minute`` or a later time.

    Existing times map to themselves (the earlier occurrence in a fall-back fold); a time inside a
    spring-forward gap maps to the instant of the jump.
    """
    day = day + datetime.timedelta(days=minute // MINUTES_PER_DAY)
    minute %= MINUTES_PER_DAY
    naive = datetime.datetime(day.year, day.month, day.day, minute // 60, minute % 60)  # noqa: DTZ001
    earlier = naive.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first occurrence when ambiguous
    if earlier.astimezone(zone).replace(tzinfo=None) == naive:
        return earlier
    # A gap: fold=0 and fold=1 read the wall time with the offsets before and after the jump, and the
    # jump lies between them. Find its instant to the second (tz transitions are whole seconds).
    other = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(earlier, other), max(earlier, other)
    before = low.astimezone(zone).utcoffset()
    if high.astimezone(zone).utcoffset() == before:  # not a gap after all (defensive)
        return low
    while high - low > ONE_SECOND:
        middle = low + datetime.timedelta(seconds=(high - low) // ONE_SECOND // 2)
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


def _weekday_hours(spec: CalendarSpec, day: datetime.date) -> tuple[str, str, tuple[Span, ...]]:
    closed = spec.closed_map.get(day)
    if closed is not None:
        return DayKind.CLOSED, closed, ()
    working = spec.working_map.get(day)
    if working is not None:
        return DayKind.MAKEUP, working, spec.weekly_hours[spec.makeup_weekday]
    if spec.holiday_country:
        preset = holiday_preset(spec.holiday_country, spec.holiday_subdivision, day.year)
        name = preset.holidays.get(day)
        if name is not None:
            return DayKind.HOLIDAY, name, ()
        if day in preset.working_days:
            return DayKind.PRESET_MAKEUP, "", spec.weekly_hours[spec.makeup_weekday]
    return DayKind.WEEKLY, "", spec.weekly_hours[day.weekday()]


@lru_cache(maxsize=65536)
def day_plan(spec: CalendarSpec, day: datetime.date) -> DayPlan:
    """The working spans that start on local date ``day`` (cached per spec and date)."""
    kind, name, spans = _weekday_hours(spec, day)
    zone = spec.zone
    intervals = []
    for start, end in spans:
        begin = wall_to_utc(zone, day, start)
        finish = wall_to_utc(zone, day, end if end > start else end + MINUTES_PER_DAY)
        if finish > begin:  # a span entirely inside a spring-forward gap is empty
            intervals.append((begin, finish))
    return DayPlan(day=day, kind=kind, name=name, spans=tuple(intervals))


# --- intervals -------------------------------------------------------------------------------------


def _utc(value: datetime.datetime, name: str) -> datetime.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)


def _spans_from(
    spec: CalendarSpec, start: datetime.datetime, end: datetime.datetime | None = None
) -> Iterator[Interval]:
    """Merged working intervals that end after ``start`` (not clipped), in order; with ``end``, only those
    that start before it, else without end.

    Starts one local day early so that an overnight span of the previous day is seen. Every span of a
    local date starts at or after that date's midnight, which decides when a merged interval is complete.
    """
    zone = spec.zone
    day = start.astimezone(zone).date() - ONE_DAY
    current: Interval | None = None
    idle_days = 0
    while True:
        midnight = wall_to_utc(zone, day, 0)
        if current is not None and current[1] < midnight:
            yield current
            current = None
        if end is not None and midnight >= end:
            break
        plan = day_plan(spec, day)
        for begin, finish in plan.spans:
            if finish <= start:
                continue
            if current is not None and begin <= current[1]:
                if finish > current[1]:
                    current = (current[0], finish)
                continue
            if current is not None:
                yield current
            current = (begin, finish)
        idle_days = 0 if plan.spans else idle_days + 1
        if end is None and idle_days > SEARCH_HORIZON_DAYS:
            raise ValueError("the calendar has no working time")
        day += ONE_DAY
    if current is not None:
        yield current


def working_intervals(
    spec: CalendarSpec, start: datetime.datetime, end: datetime.datetime
) -> Iterator[Interval]:
    """The working time in ``[start, end)`` as ordered, disjoint, aware UTC intervals."""
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return
    if spec.always_open:
        yield (start, end)
        return
    if not spec.has_weekly_hours and not spec.working_dates:
        return
    for begin, finish in _spans_from(spec, start, end):
        if begin >= end:
            return
        yield (max(begin, start), min(finish, end))


def business_time_between(
    spec: CalendarSpec, start: datetime.datetime, end: datetime.datetime
) -> datetime.timedelta:
    """Working time in ``[start, end)``; zero when ``end <= start``."""
    total = datetime.timedelta(0)
    for begin, finish in working_intervals(spec, start, end):
        total += finish - begin
    return total


def business_seconds_between(spec: CalendarSpec, start: datetime.datetime, end: datetime.datetime) -> int:
    """Whole working seconds in ``[start, end)`` (rounded down); zero when ``end <= start``."""
    return business_time_between(spec, start, end) // ONE_SECOND


def add_business_seconds(spec: CalendarSpec, start: datetime.datetime, seconds: int) -> datetime.datetime:
    """The first instant at which ``seconds`` working seconds have elapsed since ``start`` (a due time).

    ``seconds == 0`` answers ``start``. The answer is the end of the last second counted, so a target
    that fits exactly into a working span is due at the span's end, not at the next opening.
    Raises ``ValueError`` for a negative amount or a calendar without working time.
    """
    start = _utc(start, "start")
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    if seconds == 0:
        return start
    remaining = datetime.timedelta(seconds=seconds)
    if spec.always_open:
        return start + remaining
    if not spec.has_weekly_hours and not spec.working_dates:
        raise ValueError("the calendar has no working time")
    for begin, finish in _spans_from(spec, start):
        begin = max(begin, start)
        length = finish - begin
        if remaining <= length:
            return begin + remaining
        remaining -= length
    raise AssertionError("unreachable")  # pragma: no cover - _spans_from never ends


def next_working_instant(spec: CalendarSpec, at: datetime.datetime) -> datetime.datetime:
    """``at`` when it is working time, else the next opening."""
    at = _utc(at, "at")
    if spec.always_open:
        return at
    if not spec.has_weekly_hours and not spec.working_dates:
        raise ValueError("the calendar has no working time")
    for begin, _finish in _spans_from(spec, at):
        return max(begin, at)
    raise AssertionError("unreachable")  # pragma: no cover


def is_working(spec: CalendarSpec, at: datetime.datetime) -> bool:
    """Whether ``at`` is working time."""
    return next(working_intervals(spec, at, at + datetime.timedelta(microseconds=1)), None) is not None


def day_plans(spec: CalendarSpec, start: datetime.datetime, end: datetime.datetime) -> Iterable[DayPlan]:
    """The plans of the local dates touched by ``[start, end]`` (for explanations)."""
    zone = spec.zone
    day = _utc(start, "start").astimezone(zone).date()
    last = _utc(end, "end").astimezone(zone).date()
    while day <= last:
        yield day_plan(spec, day)
        day += ONE_DAY
