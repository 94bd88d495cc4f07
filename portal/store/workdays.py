"""Working days in Azerbaijan: weekends and public holidays (the ``holidays`` package) are not counted.

The legal clocks of letters count working days: an agency answers within 15 (30 when an investigation is needed)
and forwards within 3, counted from the day after the letter reached it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# days are cut in the portal's time zone
TIMEZONE = ZoneInfo('Asia/Baku')
# how far a count may run before it is refused as unreasonable (guards against loops on bad input)
MAX_DAYS = 366


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays('AZ', years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def local_date(moment: datetime) -> date:
    """The calendar day in Baku of a moment."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(TIMEZONE).date()


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself is never counted)."""
    if not 0 < days <= MAX_DAYS:
        raise ValueError(f'days must be between 1 and {MAX_DAYS}')
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


@lru_cache(maxsize=65_536)
def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
