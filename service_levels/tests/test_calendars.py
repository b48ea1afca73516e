"""Business-time arithmetic (no database): hand-written cases and property tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service_levels.calendars import (
    CalendarSpec,
    DayKind,
    add_business_seconds,
    build_spec,
    business_seconds_between,
    day_plan,
    holiday_preset,
    is_working,
    next_working_instant,
    parse_weekly_hours,
    wall_to_utc,
    working_intervals,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
OFFICE = [["09:00", "12:00"], ["13:30", "18:00"]]  # 7.5 h a day


def at(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=zone, fold=fold)


def shanghai(**kwargs: object) -> CalendarSpec:
    values: dict[str, object] = {
        "time_zone": "Asia/Shanghai",
        "weekly_hours": [OFFICE] * 5 + [[], []],
        "holiday_country": "CN",
    }
    values.update(kwargs)
    return build_spec(**values)


def local_spans(
    spec: CalendarSpec, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[str, str]]:
    zone = spec.zone
    return [
        (a.astimezone(zone).strftime("%m-%d %H:%M"), b.astimezone(zone).strftime("%m-%d %H:%M"))
        for a, b in working_intervals(spec, start, end)
    ]


# --- Shanghai office hours, the National Day week and make-up working days ------------------------


def test_a_shanghai_office_day_counts_both_spans_and_not_the_lunch_break() -> None:
    spec = shanghai()
    monday = at(SHANGHAI, 2025, 9, 22)
    assert local_spans(spec, monday, monday + datetime.timedelta(days=1)) == [
        ("09-22 09:00", "09-22 12:00"),
        ("09-22 13:30", "09-22 18:00"),
    ]
    assert business_seconds_between(spec, monday, monday + datetime.timedelta(days=1)) == 7.5 * HOUR
    # 11:00 + 2 h: one hour before lunch, one after it
    assert add_business_seconds(spec, at(SHANGHAI, 2025, 9, 22, 11), 2 * HOUR) == at(
        SHANGHAI, 2025, 9, 22, 14, 30
    )
    # lunch counts nothing
    assert (
        business_seconds_between(spec, at(SHANGHAI, 2025, 9, 22, 12), at(SHANGHAI, 2025, 9, 22, 13, 30)) == 0
    )


def test_national_day_week_is_closed_and_the_clock_continues_after_it() -> None:
    spec = shanghai()
    start = at(SHANGHAI, 2025, 9, 30, 17)
    due = add_business_seconds(spec, start, 2 * HOUR)
    # 17:00-18:00 on 30 Sep, then closed 1-8 Oct (holidays, weekend, substituted days off)
    assert due == at(SHANGHAI, 2025, 10, 9, 10)
    assert business_seconds_between(spec, start, due) == 2 * HOUR
    assert day_plan(spec, datetime.date(2025, 10, 1)).kind == DayKind.HOLIDAY
    assert day_plan(spec, datetime.date(2025, 10, 1)).name == "National Day"


def test_the_preset_make_up_sunday_is_worked_with_monday_hours() -> None:
    spec = shanghai()
    sunday = datetime.date(2025, 9, 28)  # 调休: worked instead of 7 October
    assert sunday.weekday() == 6
    plan = day_plan(spec, sunday)
    assert plan.kind == DayKind.PRESET_MAKEUP
    assert business_seconds_between(spec, at(SHANGHAI, 2025, 9, 28), at(SHANGHAI, 2025, 9, 29)) == 7.5 * HOUR
    # Saturday 27th is an ordinary weekend day
    assert business_seconds_between(spec, at(SHANGHAI, 2025, 9, 27), at(SHANGHAI, 2025, 9, 28)) == 0
    assert holiday_preset("CN", "", 2025).working_days >= {
        datetime.date(2025, 9, 28),
        datetime.date(2025, 10, 11),
    }


def test_manual_dates_override_the_preset_and_closed_beats_working() -> None:
    spec = shanghai(
        closed_dates=[{"date": "2025-09-22", "name": "Office move"}, {"date": "2025-09-27", "name": "both"}],
        working_dates=[
            {"date": "2025-10-01", "name": "Support cover"},
            {"date": "2025-09-27", "name": "both"},
        ],
        makeup_weekday=4,
        weekly_hours=[[["09:00", "18:00"]]] * 4 + [[["09:00", "12:00"]], [], []],
    )
    assert day_plan(spec, datetime.date(2025, 9, 22)).kind == DayKind.CLOSED
    assert business_seconds_between(spec, at(SHANGHAI, 2025, 9, 22), at(SHANGHAI, 2025, 9, 23)) == 0
    # worked on a national holiday with Friday's (the make-up weekday's) hours
    plan = day_plan(spec, datetime.date(2025, 10, 1))
    assert (plan.kind, plan.name) == (DayKind.MAKEUP, "Support cover")
    assert business_seconds_between(spec, at(SHANGHAI, 2025, 10, 1), at(SHANGHAI, 2025, 10, 2)) == 3 * HOUR
    assert day_plan(spec, datetime.date(2025, 9, 27)).kind == DayKind.CLOSED


def test_a_target_that_fits_exactly_is_due_at_the_end_of_the_span() -> None:
    spec = shanghai()
    assert add_business_seconds(spec, at(SHANGHAI, 2025, 9, 22, 9), 3 * HOUR) == at(SHANGHAI, 2025, 9, 22, 12)
    assert add_business_seconds(spec, at(SHANGHAI, 2025, 9, 22, 9), 3 * HOUR + 1) == at(
        SHANGHAI, 2025, 9, 22, 13, 30, 1
    )
    # a start outside working hours begins counting at the next opening
    assert add_business_seconds(spec, at(SHANGHAI, 2025, 9, 19, 20), 60) == at(SHANGHAI, 2025, 9, 22, 9, 1)
    assert add_business_seconds(spec, at(SHANGHAI, 2025, 9, 19, 20), 0) == at(SHANGHAI, 2025, 9, 19, 20)
    assert next_working_instant(spec, at(SHANGHAI, 2025, 9, 19, 20)) == at(SHANGHAI, 2025, 9, 22, 9)
    # …unless the weekend has a make-up day (Sunday 28 September)
    assert add_business_seconds(spec, at(SHANGHAI, 2025, 9, 26, 20), 60) == at(SHANGHAI, 2025, 9, 28, 9, 1)
    assert is_working(spec, at(SHANGHAI, 2025, 9, 29, 9))
    assert not is_working(spec, at(SHANGHAI, 2025, 9, 29, 12))


# --- overnight spans, 24:00 and merging -----------------------------------------------------------


def test_overnight_spans_belong_to_the_day_they_start_on() -> None:
    night = [["22:00", "06:00"]]
    spec = build_spec(time_zone="Asia/Shanghai", weekly_hours=[night] * 5 + [[], []])  # Mon-Fri nights
    friday = at(SHANGHAI, 2025, 9, 26)
    assert local_spans(spec, friday, friday + datetime.timedelta(days=5)) == [
        ("09-26 00:00", "09-26 06:00"),  # Thursday's night
        ("09-26 22:00", "09-27 06:00"),  # Friday's night runs into Saturday
        ("09-29 22:00", "09-30 06:00"),  # nothing Saturday/Sunday night
        ("09-30 22:00", "10-01 00:00"),
    ]
    assert business_seconds_between(spec, friday, friday + datetime.timedelta(days=5)) == 24 * HOUR


def test_an_overnight_span_on_a_holiday_eve_still_runs_and_the_holiday_night_does_not() -> None:
    spec = build_spec(
        time_zone="Asia/Shanghai", weekly_hours=[[["22:00", "06:00"]]] * 7, holiday_country="CN"
    )
    start, end = at(SHANGHAI, 2025, 9, 30, 12), at(SHANGHAI, 2025, 10, 1, 23)
    # 30 Sep 22:00 → 1 Oct 06:00 counts; 1 Oct (a holiday) has no night of its own
    assert local_spans(spec, start, end) == [("09-30 22:00", "10-01 06:00")]


def test_touching_and_overlapping_spans_count_once() -> None:
    spec = build_spec(
        weekly_hours=[
            [["22:00", "06:00"]],  # Monday night …
            [["00:00", "08:00"], ["07:00", "09:00"]],  # … overlaps Tuesday's early spans
            [["00:00", "24:00"]],
            [["00:00", "24:00"]],
            [],
            [],
            [],
        ]
    )
    utc = datetime.UTC
    monday = datetime.datetime(2025, 9, 22, tzinfo=utc)
    intervals = list(working_intervals(spec, monday, monday + datetime.timedelta(days=4)))
    assert intervals == [
        (monday.replace(hour=22), monday.replace(day=23, hour=9)),
        (monday.replace(day=24), monday.replace(day=26)),  # Wednesday and Thursday are one interval
    ]
    assert business_seconds_between(spec, monday, monday + datetime.timedelta(days=4)) == (11 + 48) * HOUR


def test_always_open_counts_every_real_second_and_ignores_holidays() -> None:
    spec = build_spec(time_zone="America/New_York", always_open=True, holiday_country="US")
    start, end = at(NEW_YORK, 2025, 3, 8, 12), at(NEW_YORK, 2025, 3, 9, 12)  # spring forward in between
    assert business_seconds_between(spec, start, end) == 23 * HOUR
    assert add_business_seconds(spec, start, 23 * HOUR) == end
    assert list(working_intervals(spec, start, end)) == [(start.astimezone(datetime.UTC), end)]


# --- daylight saving time ------------------------------------------------------------------------


def test_an_overnight_span_across_spring_forward_is_one_real_hour_shorter() -> None:
    spec = build_spec(time_zone="America/New_York", weekly_hours=[[["22:00", "06:00"]]] * 7)
    # Saturday 8 March 2025 22:00 → Sunday 06:00; at 02:00 clocks jump to 03:00
    assert (
        business_seconds_between(spec, at(NEW_YORK, 2025, 3, 8, 21), at(NEW_YORK, 2025, 3, 9, 7)) == 7 * HOUR
    )


def test_an_overnight_span_across_fall_back_is_one_real_hour_longer() -> None:
    spec = build_spec(time_zone="America/New_York", weekly_hours=[[["22:00", "06:00"]]] * 7)
    # Saturday 1 November 2025 22:00 → Sunday 06:00; at 02:00 clocks go back to 01:00
    start, end = at(NEW_YORK, 2025, 11, 1, 21), at(NEW_YORK, 2025, 11, 2, 7)
    assert business_seconds_between(spec, start, end) == 9 * HOUR
    assert add_business_seconds(spec, start, 9 * HOUR) == at(NEW_YORK, 2025, 11, 2, 6)


@pytest.mark.parametrize(
    ("span", "seconds"),
    [
        (["01:00", "03:00"], 1 * HOUR),  # 02:00-03:00 does not exist
        (["02:15", "02:45"], 0),  # entirely inside the gap
        (["02:30", "05:00"], 2 * HOUR),  # opens at the jump (03:00)
        (["00:00", "24:00"], 23 * HOUR),
    ],
)
def test_spring_forward_gap(span: list[str], seconds: int) -> None:
    spec = build_spec(time_zone="America/New_York", weekly_hours=[[span]] * 7)
    day = datetime.date(2025, 3, 9)
    start, end = wall_to_utc(NEW_YORK, day, 0), wall_to_utc(NEW_YORK, day + datetime.timedelta(days=1), 0)
    assert business_seconds_between(spec, start, end) == seconds


@pytest.mark.parametrize(
    ("span", "seconds"),
    [
        (["00:00", "03:00"], 4 * HOUR),  # 01:00-02:00 happens twice
        (["01:15", "01:45"], 30 * 60),  # inside the repeated hour: its first pass
        (["01:30", "03:00"], int(2.5 * HOUR)),  # from the first 01:30
        (["00:00", "24:00"], 25 * HOUR),
    ],
)
def test_fall_back_fold(span: list[str], seconds: int) -> None:
    spec = build_spec(time_zone="America/New_York", weekly_hours=[[span]] * 7)
    day = datetime.date(2025, 11, 2)
    start, end = wall_to_utc(NEW_YORK, day, 0), wall_to_utc(NEW_YORK, day + datetime.timedelta(days=1), 0)
    assert business_seconds_between(spec, start, end) == seconds


def test_europe_across_both_changes_with_office_hours_loses_nothing() -> None:
    spec = build_spec(time_zone="Europe/Berlin", weekly_hours=[[["08:00", "17:00"]]] * 7)
    # A business day is 9 real hours on the day of each change: the change happens outside office hours
    for day in (datetime.date(2025, 3, 30), datetime.date(2025, 10, 26)):
        start = wall_to_utc(BERLIN, day, 0)
        assert business_seconds_between(
            spec, start, wall_to_utc(BERLIN, day + datetime.timedelta(days=1), 0)
        ) == (9 * HOUR)
    assert add_business_seconds(spec, at(BERLIN, 2025, 3, 29, 16), 2 * HOUR) == at(BERLIN, 2025, 3, 30, 9)


def test_wall_to_utc_maps_gaps_to_the_jump_and_folds_to_the_first_pass() -> None:
    day = datetime.date(2025, 3, 9)
    jump = datetime.datetime(2025, 3, 9, 7, tzinfo=datetime.UTC)  # 02:00 EST = 03:00 EDT
    assert wall_to_utc(NEW_YORK, day, 2 * 60 + 30) == jump
    assert wall_to_utc(NEW_YORK, day, 3 * 60) == jump
    first_pass = datetime.datetime(2025, 11, 2, 5, 30, tzinfo=datetime.UTC)  # 01:30 EDT, not 01:30 EST
    assert wall_to_utc(NEW_YORK, datetime.date(2025, 11, 2), 90) == first_pass
    # Samoa skipped 30 December 2011 altogether
    apia = ZoneInfo("Pacific/Apia")
    assert wall_to_utc(apia, datetime.date(2011, 12, 30), 9 * 60) == wall_to_utc(
        apia, datetime.date(2011, 12, 31), 0
    )


# --- edges and input -----------------------------------------------------------------------------


def test_microseconds_are_kept_and_seconds_round_down() -> None:
    spec = build_spec(always_open=True)
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    assert (
        business_seconds_between(spec, start, start + datetime.timedelta(seconds=5, microseconds=999_999))
        == 5
    )
    assert add_business_seconds(spec, start.replace(microsecond=500), 3) == start.replace(
        second=3, microsecond=500
    )


def test_a_calendar_without_working_time() -> None:
    spec = build_spec()
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    assert business_seconds_between(spec, start, start + datetime.timedelta(days=400)) == 0
    with pytest.raises(ValueError, match="no working time"):
        add_business_seconds(spec, start, 1)
    only_one_day = build_spec(
        working_dates=[{"date": "2025-01-02", "name": "x"}], weekly_hours=[[["09:00", "10:00"]]] + [[]] * 6
    )
    assert add_business_seconds(only_one_day, start, 60) == datetime.datetime(
        2025, 1, 2, 9, 1, tzinfo=datetime.UTC
    )


def test_negative_amounts_and_naive_datetimes_are_refused() -> None:
    spec = build_spec(always_open=True)
    with pytest.raises(ValueError, match="negative"):
        add_business_seconds(spec, datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC), -1)
    with pytest.raises(ValueError, match="aware"):
        business_seconds_between(spec, datetime.datetime(2025, 1, 1), datetime.datetime(2025, 1, 2))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[]] * 6, "seven days"),
        ([[["9:00", "12:00"]]] + [[]] * 6, "HH:MM"),
        ([[["09:00", "24:01"]]] + [[]] * 6, "time of day"),
        ([[["24:00", "02:00"]]] + [[]] * 6, "time of day"),
        ([[["09:60", "10:00"]]] + [[]] * 6, "time of day"),
        ([[["10:00", "10:00"]]] + [[]] * 6, "empty"),
        ([[["10:00"]]] + [[]] * 6, r"\[start, end\]"),
        (["nope"] + [[]] * 6, "list"),
    ],
)
def test_weekly_hours_are_validated(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_weekly_hours(value)


def test_unknown_zones_countries_and_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        build_spec(time_zone="Mars/Olympus")
    with pytest.raises(ValueError, match="holiday preset"):
        build_spec(holiday_country="XX")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        build_spec(closed_dates=[{"date": "01.10.2025"}])


def test_holiday_presets_are_loaded_once_per_country_and_year() -> None:
    spec = shanghai()
    holiday_preset.cache_clear()
    day_plan.cache_clear()
    start = at(SHANGHAI, 2025, 1, 1)
    business_seconds_between(spec, start, start + datetime.timedelta(days=365))
    business_seconds_between(spec, start, start + datetime.timedelta(days=365))
    assert holiday_preset.cache_info().misses == 2  # 2024 (the day before the start) and 2025


# --- properties ----------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Asia/Shanghai",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "America/Santiago",  # changes at midnight
    "America/St_Johns",  # offsets in half hours
]
# Days around which DST changes (in one zone or another): starts are drawn near them half the time.
CHANGES = [
    datetime.datetime(2025, 3, 9, 7, tzinfo=datetime.UTC),
    datetime.datetime(2025, 11, 2, 6, tzinfo=datetime.UTC),
    datetime.datetime(2025, 3, 30, 1, tzinfo=datetime.UTC),
    datetime.datetime(2025, 10, 26, 1, tzinfo=datetime.UTC),
    datetime.datetime(2025, 4, 5, 15, tzinfo=datetime.UTC),
    datetime.datetime(2025, 4, 6, 3, tzinfo=datetime.UTC),
    datetime.datetime(2025, 9, 7, 4, tzinfo=datetime.UTC),
    datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC),
]


def _time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def spans(draw: st.DrawFn) -> list[str]:
    start = draw(st.integers(0, 24 * 4 - 1)) * 15
    end = draw(st.integers(1, 24 * 4).filter(lambda e: e * 15 != start)) * 15
    return [_time(start), _time(end)]


@st.composite
def specs(draw: st.DrawFn) -> CalendarSpec:
    if draw(st.integers(0, 9)) == 0:
        return build_spec(time_zone=draw(st.sampled_from(ZONES)), always_open=True)
    week = [draw(st.lists(spans(), max_size=3)) for _ in range(7)]
    if not any(week):
        week[0] = [["09:00", "17:00"]]
    dates = st.dates(datetime.date(2025, 2, 20), datetime.date(2025, 11, 10))
    named = st.builds(lambda d: {"date": d.isoformat(), "name": "x"}, dates)
    return build_spec(
        time_zone=draw(st.sampled_from(ZONES)),
        weekly_hours=week,
        holiday_country=draw(st.sampled_from(["", "", "CN", "US", "DE"])),
        closed_dates=draw(st.lists(named, max_size=4)),
        working_dates=draw(st.lists(named, max_size=2)),
        makeup_weekday=draw(st.integers(0, 6)),
    )


@st.composite
def instants(draw: st.DrawFn) -> datetime.datetime:
    if draw(st.booleans()):
        base = draw(st.sampled_from(CHANGES))
        return base + datetime.timedelta(seconds=draw(st.integers(-3 * 86400, 3 * 86400)))
    return datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        seconds=draw(st.integers(0, 250 * 86400))
    )


amounts = st.integers(0, 30 * 86400)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(specs(), instants(), amounts)
def test_adding_then_measuring_gives_the_amount_back(
    spec: CalendarSpec, start: datetime.datetime, n: int
) -> None:
    due = add_business_seconds(spec, start, n)
    assert due >= start
    assert business_seconds_between(spec, start, due) == n
    # and the due time is the first such instant: one second earlier, one second is missing
    if n:
        assert business_seconds_between(spec, start, due - datetime.timedelta(seconds=1)) == n - 1


@PROPERTY
@given(specs(), instants(), st.integers(0, 20 * 86400))
def test_measuring_then_adding_never_overshoots(
    spec: CalendarSpec, start: datetime.datetime, span: int
) -> None:
    end = start + datetime.timedelta(seconds=span)
    counted = business_seconds_between(spec, start, end)
    assert 0 <= counted <= span
    back = add_business_seconds(spec, start, counted)
    assert start <= back <= end
    assert business_seconds_between(spec, back, end) == 0


@PROPERTY
@given(specs(), instants(), amounts, amounts)
def test_due_times_are_monotonic(spec: CalendarSpec, start: datetime.datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert add_business_seconds(spec, start, low) <= add_business_seconds(spec, start, high)
    later = start + datetime.timedelta(seconds=b)
    assert add_business_seconds(spec, start, a) <= add_business_seconds(spec, later, a)


@PROPERTY
@given(specs(), instants(), st.integers(0, 10 * 86400), st.integers(0, 10 * 86400))
def test_measuring_is_additive(spec: CalendarSpec, start: datetime.datetime, a: int, b: int) -> None:
    middle = start + datetime.timedelta(seconds=a)
    end = middle + datetime.timedelta(seconds=b)
    assert business_seconds_between(spec, start, end) == business_seconds_between(
        spec, start, middle
    ) + business_seconds_between(spec, middle, end)


@PROPERTY
@given(specs(), instants(), st.integers(0, 10 * 86400))
def test_intervals_are_ordered_disjoint_and_inside_the_range(
    spec: CalendarSpec, start: datetime.datetime, span: int
) -> None:
    end = start + datetime.timedelta(seconds=span)
    previous_end = None
    for begin, finish in working_intervals(spec, start, end):
        assert begin.tzinfo is datetime.UTC
        assert start <= begin < finish <= end
        if previous_end is not None:
            assert begin > previous_end  # merged: never touching
        previous_end = finish


def _oracle_minutes(spec: CalendarSpec, start: datetime.datetime, minutes: int) -> int:
    """Working minutes counted the slow, independent way: a minute is working when the highest wall time
    shown so far (the wall clock "high-water mark") lies inside a span of its local date or of the
    previous date's overnight span. This is exactly "each span runs from the first instant the wall
    clock shows its start to the first instant it shows its end"."""
    zone = spec.zone
    if spec.always_open:
        return minutes

    def wall(x: datetime.datetime) -> datetime.datetime:
        return x.astimezone(zone).replace(tzinfo=None, fold=0)

    def hours_of(day: datetime.date) -> tuple[tuple[int, int], ...]:
        if day in spec.closed_map:
            return ()
        if day in spec.working_map:
            return spec.weekly_hours[spec.makeup_weekday]
        if spec.holiday_country:
            preset = holiday_preset(spec.holiday_country, spec.holiday_subdivision, day.year)
            if day in preset.holidays:
                return ()
            if day in preset.working_days:
                return spec.weekly_hours[spec.makeup_weekday]
        return spec.weekly_hours[day.weekday()]

    def inside(w: datetime.datetime) -> bool:
        for day in (w.date(), w.date() - datetime.timedelta(days=1)):
            midnight = datetime.datetime.combine(day, datetime.time())
            for s, e in hours_of(day):
                begin = midnight + datetime.timedelta(minutes=s)
                finish = midnight + datetime.timedelta(minutes=e if e > s else e + 1440)
                if begin <= w < finish:
                    return True
        return False

    step = datetime.timedelta(minutes=1)
    high = max(wall(start - step * k) for k in range(1, 26 * 60))
    count = 0
    for k in range(minutes):
        high = max(high, wall(start + step * k))
        count += inside(high)
    return count


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), instants(), st.integers(0, 3 * 1440))
def test_the_count_agrees_with_a_minute_by_minute_oracle(
    spec: CalendarSpec, start: datetime.datetime, minutes: int
) -> None:
    start = start.replace(second=0)
    counted = business_seconds_between(spec, start, start + datetime.timedelta(minutes=minutes))
    assert counted == 60 * _oracle_minutes(spec, start, minutes)
