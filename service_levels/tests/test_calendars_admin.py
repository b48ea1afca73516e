"""Business calendars as data: creating one with its version 1, revising (a new version; the old one
never changes), and the validation of hours, time zones, holiday countries and dates."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from service_levels import services
from service_levels.models import BusinessCalendar, CalendarVersion

OFFICE = [[["09:00", "12:00"], ["13:30", "18:00"]]] * 5 + [[], []]


@pytest.fixture
def calendar(demo: dict[str, Any]) -> BusinessCalendar:
    return services.calendar_create(
        actor=demo["slm"],
        data={"code": "t-office", "name": "Office"},
        rules={"time_zone": "Asia/Shanghai", "weekly_hours": OFFICE, "holiday_country": "cn"},
    )


def test_create_makes_version_one(demo: dict[str, Any], calendar: BusinessCalendar) -> None:
    version = calendar.versions.get()
    assert (version.number, version.time_zone, version.holiday_country) == (1, "Asia/Shanghai", "CN")
    assert version.weekly_hours == OFFICE
    assert version.created_by == demo["slm"]
    assert calendar.current_version == version


def test_revise_creates_a_new_version_and_the_old_one_stays(
    demo: dict[str, Any], calendar: BusinessCalendar
) -> None:
    old = calendar.versions.get()
    new = services.calendar_revise(
        calendar=calendar,
        actor=demo["slm"],
        rules={
            "time_zone": "Asia/Shanghai",
            "weekly_hours": [[["08:30", "17:30"]]] * 5 + [[], []],
            "holiday_country": "CN",
            "closed_dates": ["2026-12-31"],
        },
        note="Winter hours",
    )
    assert new.number == 2
    old.refresh_from_db()
    assert old.weekly_hours == OFFICE
    assert old.history.count() == 1  # never saved again
    assert new.closed_dates == [{"date": "2026-12-31", "name": ""}]
    assert calendar.current_version == new
    assert new.history.get().history_change_reason == "revise"


def test_revise_refuses_the_past_no_change_and_no_note(
    demo: dict[str, Any], calendar: BusinessCalendar
) -> None:
    rules = {"time_zone": "Asia/Shanghai", "weekly_hours": OFFICE, "holiday_country": "CN"}
    with pytest.raises(ValidationError) as error:
        services.calendar_revise(calendar=calendar, actor=demo["slm"], rules=rules, note=" ")
    assert error.value.message_dict == {"note": ["Say what changed and why."]}
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.calendar_revise(calendar=calendar, actor=demo["slm"], rules=rules, note="again")
    with pytest.raises(ValidationError) as error:
        services.calendar_revise(
            calendar=calendar,
            actor=demo["slm"],
            rules={**rules, "holiday_country": ""},
            note="no holidays",
            valid_from=timezone.now() - datetime.timedelta(days=1),
        )
    assert list(error.value.message_dict) == ["valid_from"]
    with pytest.raises(PermissionDenied):
        services.calendar_revise(
            calendar=calendar, actor=demo["agent"], rules={**rules, "holiday_country": ""}, note="x"
        )
    assert calendar.versions.count() == 1


def test_a_future_version_applies_from_its_start(demo: dict[str, Any], calendar: BusinessCalendar) -> None:
    start = timezone.now() + datetime.timedelta(days=30)
    services.calendar_revise(
        calendar=calendar,
        actor=demo["slm"],
        rules={"time_zone": "Asia/Shanghai", "always_open": True},
        note="24x7 from next month",
        valid_from=start,
    )
    assert calendar.current_version.number == 1
    version = calendar.version_at(start)
    assert (version.number, version.always_open) == (2, True)
    assert version.weekly_hours == [[["00:00", "24:00"]]] * 7


@pytest.mark.parametrize(
    ("rules", "errors"),
    [
        (
            {"time_zone": "Mars/Olympus"},
            {"time_zone": ["Mars/Olympus is not a time zone name, e.g. Asia/Shanghai."]},
        ),
        (
            {"weekly_hours": [[["9:00", "18:00"]]] + [[]] * 6},
            {"weekly_hours": ["Monday: 9:00-18:00 is not a span of HH:MM times (00:00 to 24:00)."]},
        ),
        (
            {"weekly_hours": [[["09:00", "12:60"]]] + [[]] * 6},
            {"weekly_hours": ["Monday: 09:00-12:60 is not a span of HH:MM times (00:00 to 24:00)."]},
        ),
        (
            {"weekly_hours": [[["09:00", "09:00"]]] + [[]] * 6},
            {"weekly_hours": ["Monday: 09:00-09:00 is empty."]},
        ),
        (
            {"weekly_hours": [[["09:00", "13:00"], ["12:00", "18:00"]]] + [[]] * 6},
            {"weekly_hours": ["Monday and Monday: working spans overlap."]},
        ),
        (
            {"weekly_hours": [[["22:00", "07:00"]], [["06:00", "12:00"]]] + [[]] * 5},
            {"weekly_hours": ["Monday and Tuesday: working spans overlap."]},
        ),
        (
            {"weekly_hours": [[]] * 5},
            {"weekly_hours": ["Give the working hours of seven days, Monday first."]},
        ),
        (
            {"weekly_hours": [[]] * 7},
            {"weekly_hours": ["Give some working hours, or mark the calendar as open 24 hours, 7 days."]},
        ),
        ({"holiday_country": "XX"}, {"holiday_country": ["XX is not a country with a holiday preset."]}),
        (
            {"holiday_country": "US", "holiday_subdivision": "ZZ"},
            {"holiday_subdivision": ["ZZ is not a region of US."]},
        ),
        ({"closed_dates": ["2026-02-30"]}, {"closed_dates": ["2026-02-30 is not a date (YYYY-MM-DD)."]}),
        (
            {"closed_dates": ["2026-10-08"], "working_dates": [{"date": "2026-10-08", "name": "x"}]},
            {"working_dates": ["Closed and working on the same day: 2026-10-08."]},
        ),
        ({"makeup_weekday": 7}, {"makeup_weekday": ["Choose a weekday (0 = Monday to 6 = Sunday)."]}),
    ],
)
def test_rules_are_validated_with_sentences(
    demo: dict[str, Any], rules: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    base = {"time_zone": "Asia/Shanghai", "weekly_hours": OFFICE}
    with pytest.raises(ValidationError) as error:
        services.calendar_create(
            actor=demo["slm"], data={"code": "t-bad", "name": "Bad"}, rules={**base, **rules}
        )
    assert error.value.message_dict == errors
    assert not BusinessCalendar.objects.filter(code="t-bad").exists()


def test_an_overnight_span_is_fine(demo: dict[str, Any]) -> None:
    calendar = services.calendar_create(
        actor=demo["slm"],
        data={"code": "t-night", "name": "Night shift"},
        rules={"time_zone": "UTC", "weekly_hours": [[["22:00", "06:00"]]] * 5 + [[], []]},
    )
    assert CalendarVersion.objects.get(calendar=calendar).weekly_hours[0] == [["22:00", "06:00"]]
