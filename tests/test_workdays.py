"""Working-day arithmetic on Azerbaijan's calendar: weekends, public holidays and their observed days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.store.workdays import add_working_days, is_working_day, local_date, working_days_between


@pytest.mark.parametrize(
    ('day', 'working'),
    [
        (date(2026, 11, 20), True),  # Friday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 9), False),  # National Flag Day
        (date(2026, 11, 10), False),  # Victory Day, observed (8 November was a Sunday)
        (date(2026, 3, 30), False),  # Eid al-Fitr, observed
        (date(2026, 3, 31), True),
        (date(2026, 12, 31), False),  # Solidarity Day
    ],
)
def test_working_days_follow_the_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_fifteen_working_days_skip_weekends() -> None:
    # received on Friday 20 November: three full weeks of working days
    assert add_working_days(date(2026, 11, 20), 15) == date(2026, 12, 11)


def test_thirty_working_days_skip_the_new_year_holidays() -> None:
    # 31 Dec, 1-2 Jan and the observed 4 Jan are holidays; the weekends are not counted either
    assert add_working_days(date(2026, 11, 20), 30) == date(2027, 1, 6)


def test_the_spring_holidays_stop_the_clock_for_a_week_and_more() -> None:
    # 20-27 March (Novruz and Eid al-Fitr) and 30 March (observed) are all days off
    assert add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 31)
    assert add_working_days(date(2026, 3, 19), 15) == date(2026, 4, 20)


def test_forwarding_window_of_three_working_days_over_a_holiday() -> None:
    # received Friday 6 November; 9 and 10 November are holidays
    assert add_working_days(date(2026, 11, 6), 3) == date(2026, 11, 13)
    assert working_days_between(date(2026, 11, 6), date(2026, 11, 13)) == 3
    assert working_days_between(date(2026, 11, 6), date(2026, 11, 10)) == 0


def test_counting_back_and_forth_agrees() -> None:
    start = date(2026, 5, 20)
    for days in (1, 3, 15, 30):
        assert working_days_between(start, add_working_days(start, days)) == days


def test_days_are_cut_in_baku_time() -> None:
    # 21:30 UTC on Friday is already Saturday in Baku (UTC+4)
    assert local_date(datetime(2026, 11, 20, 21, 30, tzinfo=UTC)) == date(2026, 11, 21)
    assert local_date(datetime(2026, 11, 20, 19, 59, tzinfo=UTC)) == date(2026, 11, 20)


def test_unreasonable_counts_are_refused() -> None:
    with pytest.raises(ValueError, match='days'):
        add_working_days(date(2026, 1, 1), 0)
    with pytest.raises(ValueError, match='days'):
        add_working_days(date(2026, 1, 1), 10_000)
