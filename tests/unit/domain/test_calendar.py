"""Business-hours arithmetic on the default calendar and on a small one built here.

The default calendar is America/New_York, Mon-Fri 09:00-18:00 (9 working hours a day), with
Thanksgiving 2026-11-26 a holiday. In November 2026 New York is on EST (UTC-5): DST ended on
2026-11-01. Calendar dates used: Mon 2026-11-16 ... Fri 11-20, Sat 11-21, Mon 11-23,
Wed 11-25, Thu 11-26 (holiday), Fri 11-27, Mon 11-30.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shotline.domain.calendar import BusinessCalendar
from shotline.domain.policy import Policy
from shotline.domain.policy.model import Calendar

NY = ZoneInfo("America/New_York")
UTC = dt.UTC


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)  # type: ignore[misc]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture(scope="module")
def cal(default_policy: Policy) -> BusinessCalendar:
    return BusinessCalendar(default_policy.calendar)


def small_calendar() -> BusinessCalendar:
    """UTC, Mondays and Wednesdays 08:00-12:00, Wednesday 2026-11-25 a holiday."""
    return BusinessCalendar(
        Calendar.model_validate(
            {
                "timezone": "UTC",
                "working_days": ["mon", "wed"],
                "hours": {"start": "08:00", "end": "12:00"},
                "holidays": [dt.date(2026, 11, 25)],
            }
        )
    )


# --- default calendar --------------------------------------------------------------------------


def test_within_a_day(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 18, 10), 3) == ny(2026, 11, 18, 13)


def test_result_is_in_utc(cal: BusinessCalendar) -> None:
    result = cal.add_business_hours(ny(2026, 11, 18, 10), 3)
    assert result.tzinfo is UTC
    assert result == utc(2026, 11, 18, 18)  # 13:00 EST


def test_fractional_hours(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 18, 10), 1.5) == ny(2026, 11, 18, 11, 30)


def test_zero_hours_within_business_hours_is_start(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 18, 10, 15), 0) == ny(2026, 11, 18, 10, 15)


def test_across_a_weekend(cal: BusinessCalendar) -> None:
    # Fri 16:00 + 4h: 2h on Friday, then 2h from Monday 09:00.
    assert cal.add_business_hours(ny(2026, 11, 20, 16), 4) == ny(2026, 11, 23, 11)


def test_across_thanksgiving(cal: BusinessCalendar) -> None:
    # Wed 15:00 + 5h: 3h on Wednesday, Thursday is Thanksgiving, then 2h from Friday 09:00.
    assert cal.add_business_hours(ny(2026, 11, 25, 15), 5) == ny(2026, 11, 27, 11)


def test_across_thanksgiving_and_a_weekend(cal: BusinessCalendar) -> None:
    # Wed 10:00 + 24h: Wed 8h, Thu holiday, Fri 9h (17), weekend, Mon 09:00 + 7h = 16:00.
    assert cal.add_business_hours(ny(2026, 11, 25, 10), 24) == ny(2026, 11, 30, 16)


def test_start_before_opening(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 17, 7, 30), 1) == ny(2026, 11, 17, 10)


def test_start_after_closing(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 17, 19), 1) == ny(2026, 11, 18, 10)


def test_start_on_a_saturday(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 21, 12), 2) == ny(2026, 11, 23, 11)


def test_start_on_a_holiday(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 26, 12), 2) == ny(2026, 11, 27, 11)


def test_landing_exactly_on_closing_stays_there(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 18, 15), 3) == ny(2026, 11, 18, 18)


def test_a_full_day_from_opening_ends_at_closing(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 18, 9), 9) == ny(2026, 11, 18, 18)


def test_one_minute_past_a_full_day_rolls_to_next_morning(cal: BusinessCalendar) -> None:
    assert cal.add_business_hours(ny(2026, 11, 18, 9), 9 + 1 / 60) == ny(2026, 11, 19, 9, 1)


def test_utc_start_is_converted_to_new_york(cal: BusinessCalendar) -> None:
    # 2026-11-19T02:00Z is Wednesday 21:00 EST: after closing, so work starts Thursday 09:00.
    assert cal.add_business_hours(utc(2026, 11, 19, 2), 1) == utc(2026, 11, 19, 15)


def test_utc_start_inside_new_york_hours(cal: BusinessCalendar) -> None:
    # 2026-11-18T14:00Z is Wednesday 09:00 EST.
    assert cal.add_business_hours(utc(2026, 11, 18, 14), 1) == utc(2026, 11, 18, 15)


def test_hours_are_wall_clock_across_dst_end(cal: BusinessCalendar) -> None:
    # Fri 2026-10-30 17:00 EDT (21:00Z) + 2h: 1h Friday, then Mon 2026-11-02 09:00 EST + 1h.
    assert cal.add_business_hours(ny(2026, 10, 30, 17), 2) == utc(2026, 11, 2, 15)


def test_naive_start_is_refused(cal: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_business_hours(dt.datetime(2026, 11, 18, 10), 1)


def test_is_working_day(cal: BusinessCalendar) -> None:
    assert cal.is_working_day(dt.date(2026, 11, 25))
    assert not cal.is_working_day(dt.date(2026, 11, 26))  # Thanksgiving
    assert not cal.is_working_day(dt.date(2026, 11, 21))  # Saturday


def test_business_hours_between(cal: BusinessCalendar) -> None:
    # Wed 15:00 -> Mon 11:00: Wed 3h + Fri 9h + Mon 2h.
    assert cal.business_hours_between(ny(2026, 11, 25, 15), ny(2026, 11, 30, 11)) == 14.0


def test_business_hours_between_is_negative_when_reversed(cal: BusinessCalendar) -> None:
    assert cal.business_hours_between(ny(2026, 11, 30, 11), ny(2026, 11, 25, 15)) == -14.0


def test_business_hours_between_outside_hours_is_zero(cal: BusinessCalendar) -> None:
    assert cal.business_hours_between(ny(2026, 11, 20, 18), ny(2026, 11, 23, 9)) == 0.0


def test_end_of_day_in_winter(cal: BusinessCalendar) -> None:
    # 23:59:59 EST is 04:59:59 UTC the next day.
    assert cal.end_of_day(dt.date(2026, 12, 10)) == utc(2026, 12, 11, 4, 59, 59)


def test_end_of_day_in_summer(cal: BusinessCalendar) -> None:
    # 23:59:59 EDT (UTC-4) is 03:59:59 UTC the next day.
    result = cal.end_of_day(dt.date(2027, 7, 1))
    assert result == utc(2027, 7, 2, 3, 59, 59)
    assert result.tzinfo is UTC


# --- a small calendar --------------------------------------------------------------------------


def test_small_calendar_skips_non_working_days_and_holiday() -> None:
    # Mon 11:00 + 3h: 1h Monday; Tue not worked; Wed 11-25 holiday; next Mon 08:00 + 2h.
    assert small_calendar().add_business_hours(utc(2026, 11, 23, 11), 3) == utc(2026, 11, 30, 10)


def test_small_calendar_lands_on_closing() -> None:
    assert small_calendar().add_business_hours(utc(2026, 11, 30, 8), 4) == utc(2026, 11, 30, 12)


def test_small_calendar_hours_between() -> None:
    # Mon 11-23 10:00 -> Wed 12-02 09:00: Mon 2h + Mon 11-30 4h + Wed 12-02 1h.
    between = small_calendar().business_hours_between(utc(2026, 11, 23, 10), utc(2026, 12, 2, 9))
    assert between == 7.0


def test_small_calendar_end_of_day() -> None:
    assert small_calendar().end_of_day(dt.date(2026, 11, 23)) == utc(2026, 11, 23, 23, 59, 59)


# --- property: the two directions agree --------------------------------------------------------

starts = st.datetimes(
    min_value=dt.datetime(2026, 10, 1),
    max_value=dt.datetime(2027, 4, 30),
    timezones=st.just(UTC),
)
quarter_hours = st.integers(min_value=0, max_value=4 * 120).map(lambda q: q / 4)


@settings(max_examples=150, deadline=None)
@given(start=starts, hours=quarter_hours)
def test_between_inverts_add_on_default_calendar(
    default_policy: Policy, start: dt.datetime, hours: float
) -> None:
    cal = BusinessCalendar(default_policy.calendar)
    end = cal.add_business_hours(start, hours)
    assert end >= start
    assert cal.business_hours_between(start, end) == pytest.approx(hours, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(start=starts, hours=quarter_hours)
def test_between_inverts_add_on_small_calendar(start: dt.datetime, hours: float) -> None:
    cal = small_calendar()
    end = cal.add_business_hours(start, hours)
    assert cal.business_hours_between(start, end) == pytest.approx(hours, abs=1e-9)
