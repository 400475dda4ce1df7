"""Reading single cells: text, booleans, enums and deadlines, each with a plain error."""

from __future__ import annotations

import datetime as dt
import re

from shotline.domain.calendar import BusinessCalendar
from shotline.domain.intake.model import CellValue

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = frozenset({"yes", "y", "true", "t", "1"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})


class CellError(ValueError):
    """A cell's value cannot be read as its field's type."""


def as_text(value: CellValue) -> str:
    """Any cell as trimmed text. Formula-like text stays text: nothing is ever evaluated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def as_bool(text: str) -> str:
    """yes/no, true/false, y/n, 1/0 in any case -> "yes" or "no"."""
    lowered = text.lower()
    if lowered in _TRUE:
        return "yes"
    if lowered in _FALSE:
        return "no"
    raise CellError(f"expected yes or no, got {text!r}")


def as_choice(text: str, allowed: tuple[str, ...], what: str) -> str:
    """Case-insensitive choice from `allowed`, returned in its canonical spelling."""
    wanted = text.strip().lower().replace(" ", "_").replace("-", "_")
    for option in allowed:
        if option.lower() == wanted:
            return option
    raise CellError(f"unknown {what} {text!r}; expected one of {', '.join(allowed)}")


def as_deadline(value: CellValue, calendar: BusinessCalendar) -> dt.datetime:
    """An ISO date (end of that day, workspace time) or datetime (naive = workspace time)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return calendar.end_of_day(value)
    else:
        text = as_text(value)
        try:
            if _DATE.fullmatch(text):
                return calendar.end_of_day(dt.date.fromisoformat(text))
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CellError(
                f"expected an ISO date like 2026-12-01 or datetime like 2026-12-01T17:00, "
                f"got {text!r}"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.zone)
    return moment.astimezone(dt.UTC)
