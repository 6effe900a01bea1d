"""Date arithmetic the standards use: calendar months, England's working days, cadence windows."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

__all__ = ["add_months", "add_working_days", "is_working_day", "bank_holidays", "windows", "whole_windows", "months_between"]


@lru_cache(maxsize=4096)
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_between(earlier: dt.date, later: dt.date) -> float:
    """Whole months plus the fraction of the next, e.g. 1 Jan -> 16 Feb is about 1.5."""
    whole = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    if add_months(earlier, whole) > later:
        whole -= 1
    anchor = add_months(earlier, whole)
    nxt = add_months(earlier, whole + 1)
    return whole + (later - anchor).days / max(1, (nxt - anchor).days)


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England's bank holidays in ``year`` (the ``holidays`` package keeps them current).

    Years 2015-2030 come from a table generated from the package (importing it
    costs ~0.2 s); other years ask the package itself.
    """
    from .bank_holidays import ENGLAND

    if year in ENGLAND:
        return frozenset(dt.date.fromisoformat(d) for d in ENGLAND[year])
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


@lru_cache(maxsize=4096)
def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``day`` (weekends and England's bank holidays skipped)."""
    current = day
    left = n
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


@lru_cache(maxsize=256)
def windows(start: dt.date, end: dt.date, months: int) -> tuple[tuple[dt.date, dt.date], ...]:
    """Consecutive windows of ``months`` from ``start``, the last one cut at ``end``."""
    out: list[tuple[dt.date, dt.date]] = []
    i = 0
    while True:
        lo = add_months(start, i * months)
        if lo > end:
            return tuple(out)
        hi = min(add_months(start, (i + 1) * months) - dt.timedelta(days=1), end)
        out.append((lo, hi))
        i += 1


@lru_cache(maxsize=256)
def whole_windows(start: dt.date, end: dt.date, months: int) -> tuple[tuple[dt.date, dt.date], ...]:
    """The windows of :func:`windows` that are whole: a stub cut short by ``end`` is left out."""
    return tuple(w for w in windows(start, end, months) if add_months(w[0], months) - dt.timedelta(days=1) == w[1])
