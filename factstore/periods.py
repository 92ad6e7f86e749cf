"""Periods and the fiscal calendar: 'FY26-Q3' -> (2025-08-01, 2025-10-31) when FY starts in Feb.

A fiscal year is named by the calendar year it ends in (FY26 with a February start runs
2025-02-01..2026-01-31); with a January start fiscal and calendar years coincide.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from factstore.errors import InvalidInput

FISCAL = re.compile(r"^FY(\d{2})(?:-(Q[1-4]|H[12]))?$")
CALENDAR = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}(?:-\d{2})?))?$")


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _span(start: date, months: int) -> tuple[date, date]:
    return start, _add_months(start, months) - timedelta(days=1)


def _part(start: date, part: str | None) -> tuple[date, date]:
    if part is None:
        return _span(start, 12)
    months = 3 if part[0] == "Q" else 6
    return _span(_add_months(start, months * (int(part[1]) - 1)), months)


def period_range(period: str, fiscal_start_month: int = 1) -> tuple[date, date]:
    """First and last day of a period: FY26, FY26-Q3, FY26-H1, 2025, 2025-Q3, 2025-10,
    2025-10-31."""
    if m := FISCAL.match(period):
        end_year = 2000 + int(m.group(1))
        start_year = end_year - (1 if fiscal_start_month > 1 else 0)
        return _part(date(start_year, fiscal_start_month, 1), m.group(2))
    if m := CALENDAR.match(period):
        year, rest = int(m.group(1)), m.group(2)
        if rest is None or rest[0] in "QH":
            return _part(date(year, 1, 1), rest)
        try:
            if len(rest) == 2:
                return _span(date(year, int(rest), 1), 1)
            day = date.fromisoformat(period)
            return day, day
        except ValueError:
            pass
    raise InvalidInput(f"period: {period!r} is not a period (FY26, FY26-Q3, 2025-10 …)")


def fiscal_year_of(day: date, start_month: int) -> int:
    """The fiscal year (named by the calendar year it ends in) that contains day."""
    start_year = day.year if day.month >= start_month else day.year - 1
    return start_year + (1 if start_month > 1 else 0)


def fiscal_quarter_of(day: date, start_month: int) -> str:
    quarter = (day.month - start_month) % 12 // 3 + 1
    return f"FY{fiscal_year_of(day, start_month) % 100:02d}-Q{quarter}"


def is_period(text: str) -> bool:
    return bool(FISCAL.match(text) or CALENDAR.match(text))


def parse_day(text: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field}: expected a date YYYY-MM-DD, got {text!r}") from None


def valid_on(row: dict[str, Any], day: date, fiscal_start_month: int) -> bool:
    """Was the row true on day? Its valid_from/valid_to, else the period it is about."""
    start, end = row.get("valid_from"), row.get("valid_to")
    if start is None and end is None and row.get("period"):
        first, last = period_range(row["period"], fiscal_start_month)
        start, end = first.isoformat(), last.isoformat()
    text = day.isoformat()
    return (start is None or start <= text) and (end is None or text <= end)


__all__ = [
    "CALENDAR", "FISCAL", "fiscal_quarter_of", "fiscal_year_of", "is_period", "parse_day",
    "period_range", "valid_on"
]
