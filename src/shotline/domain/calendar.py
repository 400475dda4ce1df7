"""Business-hours arithmetic: SLA clocks run only on working hours of working days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shotline.domain.policy.model import Calendar

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Bounds the walk so a calendar with every day a holiday cannot loop forever.
_MAX_DAYS = 3660


class BusinessCalendar:
    """A policy calendar bound to its timezone, answering SLA questions."""

    def __init__(self, calendar: Calendar) -> None:
        self.zone = ZoneInfo(calendar.timezone)
        self.working_days = frozenset(_WEEKDAYS.index(d) for d in calendar.working_days)
        self.opens = calendar.hours.start
        self.closes = calendar.hours.end
        self.holidays = frozenset(calendar.holidays)

    def is_working_day(self, day: dt.date) -> bool:
        """True on a working weekday that is not a holiday."""
        return day.weekday() in self.working_days and day not in self.holidays

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, self.opens, self.zone),
            dt.datetime.combine(day, self.closes, self.zone),
        )

    def add_business_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment `hours` working hours after `start` (aware), in UTC.

        Work started outside business hours begins at the next opening; a result that lands
        exactly on closing time stays there rather than rolling to the next morning.
        """
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = dt.timedelta(hours=hours)
        cursor = start.astimezone(self.zone)
        day = cursor.date()
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(cursor, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(dt.UTC)
                    remaining -= available
            day += dt.timedelta(days=1)
            cursor = dt.datetime.combine(day, dt.time(0), self.zone)
        raise ValueError("the calendar has no working hours within ten years")

    def business_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working hours from `start` to `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.business_hours_between(end, start)
        total = dt.timedelta(0)
        a, b = start.astimezone(self.zone), end.astimezone(self.zone)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                opens, closes = self._window(day)
                lo, hi = max(a, opens), min(b, closes)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """A deadline given as a date means the end of that day in the workspace timezone."""
        local = dt.datetime.combine(day, dt.time(23, 59, 59), self.zone)
        return local.astimezone(dt.UTC)
