"""An executive's reception calendar: weekly hours (one or more intervals per weekday, Baku time), the length of a
meeting, the place, and the officials who receive. Free slots are computed from it: in the future, inside the hours,
never on a public holiday of Azerbaijan, and never overlapping a meeting already given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from uuid import UUID

import holidays
from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Invalid, NotFound
from portal.store.actors import Actor
from portal.store.orgs import Organisation, OrgCategory
from portal.store.reception.common import CALENDAR_EVENT, desk_of, utc
from portal.store.reception.models import (
    NAME_MAX,
    PLACE_MAX,
    POSITION_MAX,
    ReceptionCalendar,
    ReceptionOfficial,
    ReceptionRequest,
    ReceptionState,
)
from portal.store.workdays import TIMEZONE, is_working_day, local_date

SLOT_MINUTES = (10, 15, 20, 30, 45, 60)
WEEKDAYS = range(1, 8)  # ISO: 1 Monday … 7 Sunday
# how many days of free slots one question may cover
RANGE_MAX_DAYS = 31
_TIME = re.compile(r'^([01]?\d|2[0-3]):([0-5]\d)$')
_INTERVAL = re.compile(r'^\s*(\S+)\s*[-–]\s*(\S+)\s*$')

Hours = dict[int, list[tuple[time, time]]]


@dataclass(frozen=True)
class OfficialView:
    id: UUID
    name: str
    position: str
    active: bool


@dataclass(frozen=True)
class CalendarView:
    executive_id: UUID
    hours: dict[int, tuple[tuple[time, time], ...]]  # by ISO weekday; a day without intervals is closed
    slot_minutes: int
    place: str
    officials: tuple[OfficialView, ...]
    configured: bool  # False until the executive has set its hours

    def receives_on(self, day: date) -> bool:
        """A day with reception hours that is not a public holiday (without a calendar: any working day)."""
        if not self.configured:
            return is_working_day(day)
        return bool(self.hours.get(day.isoweekday())) and not is_holiday(day)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime


def is_holiday(day: date) -> bool:
    """A public holiday of Azerbaijan, or a day off carried over from one (a weekend is not a holiday in itself: an
    executive may receive on Saturday)."""
    return day in _holidays(day.year)


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays('AZ', years=year).keys())


# -- reading ----------------------------------------------------------------------------------------------------------


async def get_calendar(*, executive_id: UUID) -> CalendarView:
    """The executive's calendar and officials (an empty one when none is set)."""
    row = await ReceptionCalendar.get_or_none(executive_id=executive_id)
    officials = await ReceptionOfficial.filter(executive_id=executive_id).order_by('-active', 'created_at')
    people = tuple(OfficialView(o.id, o.name, o.position, o.active) for o in officials)
    if row is None:
        return CalendarView(executive_id, {}, 20, '', people, configured=False)
    hours = {int(k): tuple((_time(a), _time(b)) for a, b in v) for k, v in row.hours.items() if v}
    return CalendarView(executive_id, hours, row.slot_minutes, row.place, people, configured=bool(hours))


async def my_calendar(*, actor: Actor) -> CalendarView:
    """The calendar of the executive the officer (or key) works for."""
    return await get_calendar(executive_id=desk_of(actor))


async def free_slots(*, actor: Actor, first: date, last: date, now: datetime) -> list[Slot]:
    """The executive's free slots from ``first`` to ``last`` (Baku dates, at most a month)."""
    executive_id = desk_of(actor)
    if last < first or (last - first).days >= RANGE_MAX_DAYS:
        raise Invalid('bad_range', N_('Choose a range of at most {days} days.'), field='range', days=RANGE_MAX_DAYS)
    return await slots_of(executive_id=executive_id, first=first, last=last, now=now)


async def slots_of(*, executive_id: UUID, first: date, last: date, now: datetime) -> list[Slot]:
    calendar = await get_calendar(executive_id=executive_id)
    if not calendar.configured:
        return []
    now = utc(now)
    start = max(first, local_date(now))
    days = [d for d in _days(start, last) if calendar.receives_on(d)]
    candidates = [s for day in days for s in _day_slots(calendar, day) if s.starts_at > now]
    if not candidates:
        return []
    booked = await ReceptionRequest.filter(
        executive_id=executive_id,
        state=ReceptionState.SCHEDULED,
        starts_at__lt=candidates[-1].ends_at,
        ends_at__gt=candidates[0].starts_at,
    ).values_list('starts_at', 'ends_at')
    taken = [(utc(a), utc(b)) for a, b in booked]
    return [s for s in candidates if not any(a < s.ends_at and s.starts_at < b for a, b in taken)]


def slot_at(calendar: CalendarView, starts_at: datetime) -> Slot | None:
    """The calendar's slot that starts at this moment, or None (outside the hours, a holiday, misaligned)."""
    starts_at = utc(starts_at)
    day = local_date(starts_at)
    if not calendar.configured or not calendar.receives_on(day):
        return None
    return next((s for s in _day_slots(calendar, day) if s.starts_at == starts_at), None)


def _day_slots(calendar: CalendarView, day: date) -> list[Slot]:
    length = timedelta(minutes=calendar.slot_minutes)
    out = []
    for begin, end in calendar.hours.get(day.isoweekday(), ()):
        moment = datetime.combine(day, begin, TIMEZONE)
        close = datetime.combine(day, end, TIMEZONE)
        while moment + length <= close:
            out.append(Slot(utc(moment), utc(moment + length)))
            moment += length
    return out


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# -- the officer edits ------------------------------------------------------------------------------------------------


def parse_intervals(text: str, *, weekday: int) -> list[tuple[time, time]]:
    """A day's hours as an officer types them, e.g. ``10:00-13:00, 14:00-17:00`` (empty: closed that day)."""
    field = f'day-{weekday}'
    out = []
    for part in (p for p in (text or '').replace(';', ',').split(',') if p.strip()):
        match = _INTERVAL.match(part)
        if match is None or not _TIME.match(match[1]) or not _TIME.match(match[2]):
            raise Invalid(
                'bad_hours', N_('Write the hours like 10:00-13:00, 14:00-17:00.'), field=field, text=part.strip()
            )
        out.append((_time(match[1]), _time(match[2])))
    return out


async def set_calendar(*, actor: Actor, hours: Hours, slot_minutes: int, place: str, now: datetime) -> CalendarView:
    """Replace the executive's weekly hours, meeting length and place. Meetings already given keep their time."""
    executive_id = desk_of(actor)
    if slot_minutes not in SLOT_MINUTES:
        raise Invalid(
            'bad_slot_length',
            N_('A meeting lasts one of: {choices} minutes.'),
            field='slot_minutes',
            choices=', '.join(str(m) for m in SLOT_MINUTES),
        )
    where = ' '.join((place or '').split())
    if not where:
        raise Invalid('place_required', N_('Say where citizens are received.'), field='place')
    if len(where) > PLACE_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='place', limit=PLACE_MAX)
    clean: dict[str, list[list[str]]] = {}
    for weekday, intervals in sorted(hours.items()):
        if weekday not in WEEKDAYS:
            raise Invalid('bad_weekday', N_('There is no such weekday.'), field='hours')
        ordered = sorted(intervals)
        for n, (begin, end) in enumerate(ordered):
            if (datetime.combine(date.min, end) - datetime.combine(date.min, begin)) < timedelta(minutes=slot_minutes):
                raise Invalid(
                    'bad_interval',
                    N_('Each interval must end after it starts and hold at least one meeting.'),
                    field=f'day-{weekday}',
                )
            if n and begin < ordered[n - 1][1]:
                raise Invalid('overlapping_hours', N_('The intervals of a day overlap.'), field=f'day-{weekday}')
        if ordered:
            clean[str(weekday)] = [[b.strftime('%H:%M'), e.strftime('%H:%M')] for b, e in ordered]
    async with in_transaction():
        row = await ReceptionCalendar.select_for_update().get_or_none(executive_id=executive_id)
        if row is None:
            await ReceptionCalendar.create(
                executive_id=executive_id, hours=clean, slot_minutes=slot_minutes, place=where, updated_at=utc(now)
            )
        else:
            row.hours, row.slot_minutes, row.place, row.updated_at = clean, slot_minutes, where, utc(now)
            await row.save(update_fields=['hours', 'slot_minutes', 'place', 'updated_at'])
    await _announce(executive_id)
    return await get_calendar(executive_id=executive_id)


async def add_official(*, actor: Actor, name: str, position: str, now: datetime) -> OfficialView:
    executive_id = desk_of(actor)
    clean_name = _text(name, field='name', limit=NAME_MAX, code='name_required', message=N_('Enter the name.'))
    clean_position = _text(
        position, field='position', limit=POSITION_MAX, code='position_required', message=N_('Enter the position.')
    )
    row = await ReceptionOfficial.create(
        executive_id=executive_id, name=clean_name, position=clean_position, active=True, created_at=utc(now)
    )
    await _announce(executive_id)
    return OfficialView(row.id, row.name, row.position, row.active)


async def set_official_active(*, actor: Actor, official_id: UUID, active: bool) -> OfficialView:
    """An official stops (or starts again) receiving; their meetings already given stay theirs."""
    executive_id = desk_of(actor)
    updated = await ReceptionOfficial.filter(id=official_id, executive_id=executive_id).update(active=active)
    if not updated:
        raise _official_not_found()
    await _announce(executive_id)
    row = await ReceptionOfficial.get(id=official_id)
    return OfficialView(row.id, row.name, row.position, row.active)


async def active_official(executive_id: UUID, official_id: UUID) -> ReceptionOfficial:
    row = await ReceptionOfficial.get_or_none(id=official_id, executive_id=executive_id, active=True)
    if row is None:
        raise _official_not_found()
    return row


async def list_executives() -> list[Organisation]:
    return await Organisation.filter(category=OrgCategory.EXECUTIVE).order_by('name_az')


def _official_not_found() -> NotFound:
    return NotFound('official_not_found', N_('No such official receives citizens here.'), field='official')


def _text(value: str, *, field: str, limit: int, code: str, message: str) -> str:
    text = ' '.join((value or '').split())
    if not text:
        raise Invalid(code, message, field=field)
    if len(text) > limit:
        raise Invalid('too_long', N_('At most {limit} characters.'), field=field, limit=limit)
    return text


def _time(value: str) -> time:
    hour, minute = value.strip().split(':')
    return time(int(hour), int(minute))


async def _announce(executive_id: UUID) -> None:
    executive = await Organisation.get(id=executive_id)
    live.publish(live.Event(executive.topic, CALENDAR_EVENT, {}))
