"""Small, exact checks of the arithmetic the evaluators rest on."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.evaluators.base import fmt_num, more_needed, needed_for
from compliance.evaluators.calendar import (
    add_months,
    add_working_days,
    is_working_day,
    months_between,
    windows,
)
from compliance.evaluators.figures import interpolate

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(D(2021, 1, 31), 1, D(2021, 2, 28)), (D(2020, 1, 31), 1, D(2020, 2, 29)), (D(2020, 11, 2), 2, D(2021, 1, 2)), (D(2020, 10, 1), 12, D(2021, 10, 1))],
)
def test_add_months_clamps_to_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_working_days_skip_weekends_and_englands_bank_holidays() -> None:
    assert not is_working_day(D(2020, 12, 28))  # Boxing Day (substitute)
    assert not is_working_day(D(2021, 1, 1))
    assert not is_working_day(D(2021, 5, 31))  # Spring bank holiday
    assert is_working_day(D(2021, 6, 1))
    assert add_working_days(D(2020, 12, 23), 7) == D(2021, 1, 6)
    assert add_working_days(D(2021, 3, 31), 2) == D(2021, 4, 6)  # Good Friday and Easter Monday


def test_windows_from_the_period_start() -> None:
    assert windows(D(2020, 10, 1), D(2021, 3, 31), 2) == ((D(2020, 10, 1), D(2020, 11, 30)), (D(2020, 12, 1), D(2021, 1, 31)), (D(2021, 2, 1), D(2021, 3, 31)))
    assert windows(D(2020, 10, 1), D(2020, 12, 15), 1)[-1] == (D(2020, 12, 1), D(2020, 12, 15))


def test_months_between() -> None:
    assert months_between(D(2021, 1, 1), D(2021, 3, 1)) == 2
    assert 1.4 < months_between(D(2021, 1, 1), D(2021, 2, 15)) < 1.6


@pytest.mark.parametrize(("year", "expected"), [(2010, 5.1), (2020, 4.1), (2025, 2.5), (2015, 4.6), (2022, 3.46), (2005, 5.1), (2030, 2.5)])
def test_interpolation_at_and_between_the_stated_points(year: int, expected: float) -> None:
    assert interpolate({2010: 5.1, 2020: 4.1, 2025: 2.5}, year) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("num", "den", "op", "t", "need"),
    [(94, 100, ">=", 95, 1), (95, 100, ">=", 95, 0), (18, 21, ">=", 95, 2), (20, 20, ">=", 100, 0), (0, 10, ">", 0, 1), (5, 10, ">", 50, 1), (3, 4, "<=", 50, None)],
)
def test_needed_for(num: int, den: int, op: str, t: float, need: int | None) -> None:
    assert needed_for(num, den, op, t) == need  # type: ignore[arg-type]


def test_more_needed_wording() -> None:
    assert more_needed(86, 100, ">=", 90, "staff trained") == "4 more staff trained needed to reach 90% (86 of 100 now)"
    assert more_needed(0, 12, ">", 0, "women with a reading") == "1 more women with a reading needed to exceed 0% (0 of 12 now)"
    assert more_needed(90, 100, ">=", 90, "staff trained") is None


def test_fmt_num() -> None:
    assert (fmt_num(95.0), fmt_num(84.25), fmt_num(1000.0), fmt_num(3.456, 2)) == ("95", "84.2", "1,000", "3.46")


def test_bank_holiday_table_matches_the_holidays_package() -> None:
    import holidays

    from compliance.evaluators.bank_holidays import ENGLAND, FIRST_YEAR, LAST_YEAR

    assert sorted(ENGLAND) == list(range(FIRST_YEAR, LAST_YEAR + 1))
    for year, days in ENGLAND.items():
        expected = sorted(holidays.country_holidays("GB", subdiv="ENG", years=[year]))
        assert [dt.date.fromisoformat(d) for d in days] == expected, year


def test_years_outside_the_table_ask_the_package() -> None:
    from compliance.evaluators.calendar import bank_holidays

    assert D(2035, 12, 25) in bank_holidays(2035)


def test_threshold_wording_tells_false_from_zero_whatever_came_first() -> None:
    # False == 0 and they hash alike: a cache keyed on the value alone once printed "exactly 0" for false.
    from compliance.report.wording import show_threshold as _show_threshold

    assert (_show_threshold(0, None), _show_threshold(False, None)) == ("0", "no")
    assert (_show_threshold(False, None), _show_threshold(0, None)) == ("no", "0")
