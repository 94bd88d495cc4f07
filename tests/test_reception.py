"""Citizen reception in the store: a request, a slot given once (also under concurrency), the notice, the calendar
file, the reminder of the day before, the end of the meeting; the refusals; who may see and do what."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from jobs.scheduler import run_job
from portal.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Throttled
from portal.store.actors import ApiActor, Role
from portal.store.apikeys import authenticate
from portal.store.letters import common as letters_common
from portal.store.letters.files import Upload
from portal.store.notices.models import Notice
from portal.store.notices.types import TYPES, render
from portal.store.people import Person
from portal.store.reception import calendar, desk, ics, requests
from portal.store.reception.models import ReceptionEvent, ReceptionRequest, ReceptionState
from portal.store.reception.requests import NewRequest
from portal.store.workdays import TIMEZONE
from tests.builders import collect_events, make_key_with_scopes
from tests.factories import NOW, make_citizen, make_org, make_person
from tests.letters_kit import PDF

pytestmark = pytest.mark.usefixtures('store_db')

# NOW is Friday 20 November 2026, 13:00 in Baku
MONDAY, TUESDAY, SATURDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 28)
HOURS = {d: [(time(10), time(13)), (time(14), time(17))] for d in range(1, 6)}
PLACE = 'Nəsimi rayon İcra Hakimiyyəti, 1-ci mərtəbə, qəbul otağı'


def baku(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TIMEZONE).astimezone(UTC)


async def officer(code: str = 'IH-NESIMI', fin: str = '6OFF001') -> Person:
    person, _ = await make_person(fin, role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    return person


async def reception(code: str = 'IH-NESIMI', fin: str = '6OFF001') -> tuple[Person, calendar.OfficialView]:
    """An executive with hours on working days and one official; returns its officer and the official."""
    desk_officer = await officer(code, fin)
    await calendar.set_calendar(actor=desk_officer.as_actor(), hours=HOURS, slot_minutes=20, place=PLACE, now=NOW)
    official = await calendar.add_official(
        actor=desk_officer.as_actor(), name='Elnur Məmmədov', position='Başçının müavini', now=NOW
    )
    return desk_officer, official


async def ask(person: Person, code: str = 'IH-NESIMI', **change: Any) -> requests.RequestView:
    values: dict[str, Any] = {
        'executive_code': code,
        'topic': 'housing',
        'summary': 'Binanın damı axır, təmir üçün müraciət etmək istəyirəm.',
        'preferred_days': [MONDAY, TUESDAY],
        'uploads': [],
    }
    values.update(change)
    return await requests.request_meeting(actor=person.as_actor(), new=NewRequest(**values), now=NOW)


def unfold(text: str) -> dict[str, str]:
    """The calendar file's properties (RFC 5545: CRLF lines, continuation lines start with a space)."""
    assert text.endswith('\r\n') and '\n' not in text.replace('\r\n', '')
    lines = text.replace('\r\n ', '').split('\r\n')[:-1]
    assert all(len(raw.encode()) <= 75 for raw in text.split('\r\n'))
    return {name: value for name, _, value in (line.partition(':') for line in lines) if name not in ('BEGIN', 'END')}


async def test_request_schedule_notice_calendar_file_reminder_and_done() -> None:
    desk_officer, official = await reception()
    leyla = await make_citizen('5ABC123')
    executive = await make_org('IH-NESIMI')
    with collect_events(f'citizen:{leyla.id}') as mine, collect_events(executive.topic) as desks:
        made = await ask(leyla, uploads=[Upload('damın şəkli.pdf', PDF)])
    assert made.state is ReceptionState.REQUESTED and made.number.startswith('Q-2026-')
    assert made.preferred_days == (MONDAY, TUESDAY)
    assert [f.filename for f in made.files] == ['damın şəkli.pdf']
    assert [e.kind for e in mine] == [e.kind for e in desks] == ['reception.updated']
    file_view, content = await requests.read_file(
        actor=desk_officer.as_actor(), request_id=made.id, file_id=made.files[0].id
    )
    assert (file_view.content_type, content) == ('application/pdf', PDF)

    page = await desk.list_desk(actor=desk_officer.as_actor())
    assert [r.id for r in page.items] == [made.id] and page.items[0].citizen_fin == '5ABC123'
    slots = await calendar.free_slots(actor=desk_officer.as_actor(), first=MONDAY, last=MONDAY, now=NOW)
    assert len(slots) == 18 and slots[0].starts_at == baku(MONDAY, 10) and slots[-1].starts_at == baku(MONDAY, 16, 40)

    with collect_events(f'citizen:{leyla.id}') as mine:
        scheduled = await desk.schedule_meeting(
            actor=desk_officer.as_actor(),
            request_id=made.id,
            official_id=official.id,
            starts_at=slots[0].starts_at,
            now=NOW,
        )
    assert scheduled.state is ReceptionState.SCHEDULED and scheduled.official_name == 'Elnur Məmmədov'
    assert (scheduled.starts_at, scheduled.ends_at, scheduled.place) == (baku(MONDAY, 10), baku(MONDAY, 10, 20), PLACE)
    assert {e.kind for e in mine} == {'reception.updated', 'notices.changed'}
    (notice,) = await Notice.filter(person_id=leyla.id, type='appointment')
    assert render(TYPES['appointment'], notice.params, 'en') == (
        'Your meeting at Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti is on 23.11.2026 10:00.'
    )
    free = await calendar.free_slots(actor=desk_officer.as_actor(), first=MONDAY, last=MONDAY, now=NOW)
    assert baku(MONDAY, 10) not in {s.starts_at for s in free} and len(free) == 17

    # the calendar file, as the citizen downloads it
    name, body = await ics.meeting_calendar(actor=leyla.as_actor(), request_id=made.id, now=NOW, lang='az')
    assert name == f'{made.number}.ics'
    props = unfold(body.decode())
    assert props['VERSION'] == '2.0' and props['UID'] == f'{made.id}@reception.kabinet'
    assert (props['DTSTAMP'], props['DTSTART'], props['DTEND']) == (
        '20261120T090000Z',
        '20261123T060000Z',
        '20261123T062000Z',
    )
    assert props['LOCATION'] == 'Nəsimi rayon İcra Hakimiyyəti\\, 1-ci mərtəbə\\, qəbul otağı'
    assert 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti' in props['SUMMARY']
    assert (
        made.number in props['DESCRIPTION']
        and '\\n' in props['DESCRIPTION']
        and 'Elnur Məmmədov' in props['DESCRIPTION']
    )
    assert props['SEQUENCE'] == '0'

    # the reminder of the day before: not on Friday, once on Sunday however often the job runs
    assert await run_job('reception-reminders', NOW) == {'reminded': 0}
    sunday = baku(date(2026, 11, 22), 9, 15)
    assert await run_job('reception-reminders', sunday) == {'reminded': 1}
    assert await run_job('reception-reminders', sunday + timedelta(hours=1)) == {'reminded': 0}
    assert await Notice.filter(person_id=leyla.id, type='appointment').count() == 2
    assert (await ReceptionRequest.get(id=made.id)).reminded_at == sunday

    # done only once the meeting has started; then the citizen may ask again
    with pytest.raises(Invalid) as refused:
        await desk.mark_done(actor=desk_officer.as_actor(), request_id=made.id, now=baku(MONDAY, 9, 59))
    assert refused.value.code == 'meeting_not_started'
    finished = await desk.mark_done(actor=desk_officer.as_actor(), request_id=made.id, now=baku(MONDAY, 10, 25))
    assert finished.state is ReceptionState.DONE
    assert [s.kind for s in finished.steps] == ['requested', 'scheduled', 'reminded', 'done']
    row = await ReceptionRequest.get(id=made.id)
    assert (row.open_key, row.slot_key) == (None, None)
    with pytest.raises(Invalid, match='not_scheduled'):
        await ics.meeting_calendar(actor=leyla.as_actor(), request_id=made.id, now=NOW)
    await ask(leyla)


async def test_a_slot_given_at_once_to_several_requests_goes_to_exactly_one() -> None:
    desk_officer, official = await reception()
    people = [await make_citizen(f'5ABC12{n}') for n in range(4)]
    made = [await ask(p) for p in people]
    starts = baku(MONDAY, 11)

    async def give(request_id: Any) -> requests.RequestView:
        return await desk.schedule_meeting(
            actor=desk_officer.as_actor(), request_id=request_id, official_id=official.id, starts_at=starts, now=NOW
        )

    results = await asyncio.gather(*(give(r.id) for r in made), return_exceptions=True)
    won = [r for r in results if isinstance(r, requests.RequestView)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 3, results
    assert {(type(e), e.code) for e in lost} == {(Conflict, 'slot_taken')}
    assert await ReceptionRequest.filter(state=ReceptionState.SCHEDULED).count() == 1
    # nothing of the losers was written: no step, no notice, no time
    losers = [r.id for r in made if r.id != won[0].id]
    assert await ReceptionEvent.filter(request_id__in=losers).count() == 3  # their 'requested' steps only
    assert await ReceptionRequest.filter(id__in=losers, starts_at__not_isnull=True).count() == 0
    assert await Notice.filter(type='appointment').count() == 1
    # moving another meeting onto the same time is refused too
    other = await give_other(desk_officer, official, losers[0])
    with pytest.raises(Conflict, match='slot_taken'):
        await desk.reschedule_meeting(actor=desk_officer.as_actor(), request_id=other.id, starts_at=starts, now=NOW)


async def give_other(desk_officer: Person, official: calendar.OfficialView, request_id: Any) -> requests.RequestView:
    return await desk.schedule_meeting(
        actor=desk_officer.as_actor(),
        request_id=request_id,
        official_id=official.id,
        starts_at=baku(MONDAY, 12),
        now=NOW,
    )


async def test_days_and_times_outside_the_calendar_are_refused() -> None:
    desk_officer, official = await reception()
    leyla = await make_citizen('5ABC123')
    refusals = {
        'not_a_reception_day': [date(2026, 12, 31)],  # a public holiday (a Thursday)
        'day_in_past': [date(2026, 11, 20)],  # today
    }
    for code, days in refusals.items():
        with pytest.raises(Invalid) as refused:
            await ask(leyla, preferred_days=days)
        assert (refused.value.code, refused.value.field) == (code, 'preferred_days')
    with pytest.raises(Invalid, match='not_a_reception_day'):
        await ask(leyla, preferred_days=[SATURDAY])  # no hours on Saturday
    with pytest.raises(Invalid, match='days_required'):
        await ask(leyla, preferred_days=[])
    with pytest.raises(Invalid, match='days_required'):
        await ask(leyla, preferred_days=[MONDAY, TUESDAY, date(2026, 11, 25), date(2026, 11, 26)])
    with pytest.raises(Invalid, match='topic_required'):
        await ask(leyla, topic='weather')
    with pytest.raises(Invalid, match='summary_required'):
        await ask(leyla, summary='  ')
    with pytest.raises(Invalid, match='executive_required'):
        await ask(leyla, code='MIA')
    assert await ReceptionRequest.all().count() == 0

    made = await ask(leyla)
    holiday_slots = await calendar.free_slots(
        actor=desk_officer.as_actor(), first=date(2026, 12, 31), last=date(2027, 1, 2), now=NOW
    )
    assert holiday_slots == []
    for starts in (baku(MONDAY, 8), baku(MONDAY, 10, 5), baku(MONDAY, 13), baku(date(2026, 12, 31), 10)):
        with pytest.raises(Invalid, match='not_a_slot'):
            await desk.schedule_meeting(
                actor=desk_officer.as_actor(), request_id=made.id, official_id=official.id, starts_at=starts, now=NOW
            )
    with pytest.raises(Invalid, match='slot_in_past'):
        await desk.schedule_meeting(
            actor=desk_officer.as_actor(),
            request_id=made.id,
            official_id=official.id,
            starts_at=baku(date(2026, 11, 20), 10),
            now=NOW,
        )
    # past slots are never offered: Friday afternoon from 13:00 on
    today = await calendar.free_slots(
        actor=desk_officer.as_actor(), first=date(2026, 11, 20), last=date(2026, 11, 20), now=NOW
    )
    assert today[0].starts_at == baku(date(2026, 11, 20), 14)
    assert (await ReceptionRequest.get(id=made.id)).state is ReceptionState.REQUESTED


async def test_the_citizen_cancels_until_24_hours_before_and_the_slot_is_free_again() -> None:
    desk_officer, official = await reception()
    leyla = await make_citizen('5ABC123')
    made = await ask(leyla)
    await desk.schedule_meeting(
        actor=desk_officer.as_actor(), request_id=made.id, official_id=official.id, starts_at=baku(MONDAY, 10), now=NOW
    )
    with pytest.raises(Invalid) as refused:
        await requests.cancel_request(
            actor=leyla.as_actor(), request_id=made.id, now=baku(MONDAY, 10) - timedelta(hours=23)
        )
    assert refused.value.code == 'too_late_to_cancel'
    assert (await ReceptionRequest.get(id=made.id)).state is ReceptionState.SCHEDULED
    cancelled = await requests.cancel_request(
        actor=leyla.as_actor(), request_id=made.id, now=baku(MONDAY, 10) - timedelta(hours=25)
    )
    assert cancelled.state is ReceptionState.CANCELLED
    free = await calendar.free_slots(actor=desk_officer.as_actor(), first=MONDAY, last=MONDAY, now=NOW)
    assert free[0].starts_at == baku(MONDAY, 10)
    with pytest.raises(Invalid, match='wrong_state'):
        await requests.cancel_request(actor=leyla.as_actor(), request_id=made.id, now=NOW)


async def test_one_open_request_per_executive_even_at_once_and_five_a_day() -> None:
    await reception()
    leyla = await make_citizen('5ABC123')
    results = await asyncio.gather(ask(leyla), ask(leyla), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ['Conflict', 'RequestView'], results
    with pytest.raises(Conflict, match='request_open'):
        await ask(leyla)
    # other executives (without a calendar of their own: any working day) take requests, up to five a day
    for code in ('IH-XETAI', 'IH-YASAMAL', 'IH-SEBAIL', 'IH-NIZAMI'):
        await make_org(code)
        await ask(leyla, code=code)
    await make_org('IH-BINEQEDI')
    with pytest.raises(Throttled) as refused:
        await ask(leyla, code='IH-BINEQEDI')
    assert refused.value.code == 'too_many_requests' and refused.value.params['limit'] == 5
    assert await ReceptionRequest.filter(person_id=leyla.id).count() == 5


async def test_nobody_else_sees_or_moves_a_request() -> None:
    _, official = await reception()
    leyla, rashad = await make_citizen('5ABC123'), await make_citizen('2HT8P4N', first='Rəşad')
    made = await ask(leyla, uploads=[Upload('a.pdf', PDF)])
    other_desk, _ = await reception('IH-XETAI', '6OFF002')
    for actor in (rashad.as_actor(), other_desk.as_actor()):
        with pytest.raises(NotFound):
            await requests.get_request(actor=actor, request_id=made.id)
        with pytest.raises(NotFound):
            await requests.read_file(actor=actor, request_id=made.id, file_id=made.files[0].id)
        with pytest.raises(NotFound):
            await ics.meeting_calendar(actor=actor, request_id=made.id, now=NOW)
    with pytest.raises(NotFound):
        await requests.cancel_request(actor=rashad.as_actor(), request_id=made.id, now=NOW)
    with pytest.raises(NotFound):
        await desk.decline_request(actor=other_desk.as_actor(), request_id=made.id, reason='Yox', now=NOW)
    with pytest.raises(NotFound):  # another executive's official
        await desk.schedule_meeting(
            actor=other_desk.as_actor(),
            request_id=made.id,
            official_id=official.id,
            starts_at=baku(MONDAY, 10),
            now=NOW,
        )
    assert [r.id for r in await requests.list_my_requests(actor=rashad.as_actor())] == []
    assert (await desk.list_desk(actor=other_desk.as_actor())).total == 0
    with pytest.raises(Forbidden):
        await desk.list_desk(actor=leyla.as_actor())
    # keys: another executive's is 404, one without the scope is refused
    xetai = await authenticate(key=await make_key_with_scopes('IH-XETAI', ['reception:write']), now=NOW)
    with pytest.raises(NotFound):
        await requests.get_request(actor=xetai, request_id=made.id)
    unscoped = await authenticate(key=await make_key_with_scopes('IH-NESIMI', ['applications:write']), now=NOW)
    assert isinstance(unscoped, ApiActor)
    with pytest.raises(NotFound):
        await requests.get_request(actor=unscoped, request_id=made.id)
    with pytest.raises(Forbidden, match='insufficient_scope'):
        await desk.list_desk(actor=unscoped)
    assert (await ReceptionRequest.get(id=made.id)).state is ReceptionState.REQUESTED


async def test_decline_reschedule_no_show_and_the_desk_figures() -> None:
    desk_officer, official = await reception()
    second = await calendar.add_official(
        actor=desk_officer.as_actor(), name='Aynur Qasımova', position='Şöbə müdiri', now=NOW
    )
    leyla, rashad, gunel = [await make_citizen(f) for f in ('5ABC123', '2HT8P4N', '7QW3E9D')]
    a = await ask(leyla)
    b = await ask(rashad, topic='utilities')
    c = await ask(gunel, topic='utilities')
    with pytest.raises(Invalid, match='reason_required'):
        await desk.decline_request(actor=desk_officer.as_actor(), request_id=c.id, reason=' ', now=NOW)
    declined = await desk.decline_request(
        actor=desk_officer.as_actor(), request_id=c.id, reason='Mövzu rayona aid deyil.', now=NOW
    )
    assert (declined.state, declined.reason) == (ReceptionState.DECLINED, 'Mövzu rayona aid deyil.')
    (told,) = await Notice.filter(person_id=gunel.id)
    assert render(TYPES[told.type], told.params, 'en').startswith(f'Your application No. {c.number} (')

    await desk.schedule_meeting(
        actor=desk_officer.as_actor(), request_id=a.id, official_id=official.id, starts_at=baku(MONDAY, 10), now=NOW
    )
    await run_job('reception-reminders', baku(date(2026, 11, 22), 9))
    moved = await desk.reschedule_meeting(
        actor=desk_officer.as_actor(),
        request_id=a.id,
        starts_at=baku(TUESDAY, 14),
        official_id=second.id,
        now=baku(date(2026, 11, 22), 10),
    )
    assert (moved.starts_at, moved.official_name) == (baku(TUESDAY, 14), 'Aynur Qasımova')
    assert (await ReceptionRequest.get(id=a.id)).reminded_at is None
    notices = await Notice.filter(person_id=leyla.id, type='appointment').order_by('created_at')
    assert len(notices) == 3 and notices[-1].params['when'] == '24.11.2026 14:00'
    assert await run_job('reception-reminders', baku(MONDAY, 9)) == {'reminded': 1}  # the new time, again
    _, body = await ics.meeting_calendar(actor=leyla.as_actor(), request_id=a.id, now=NOW)
    assert unfold(body.decode())['SEQUENCE'] == '1'

    await desk.schedule_meeting(
        actor=desk_officer.as_actor(), request_id=b.id, official_id=official.id, starts_at=baku(MONDAY, 11), now=NOW
    )
    await desk.mark_no_show(actor=desk_officer.as_actor(), request_id=b.id, now=baku(MONDAY, 11, 30))
    await desk.mark_done(actor=desk_officer.as_actor(), request_id=a.id, now=baku(TUESDAY, 14, 30))
    figures = await desk.reception_statistics(actor=desk_officer.as_actor())
    assert figures.total == 3 and figures.by_topic['utilities'] == 2 and figures.by_topic['housing'] == 1
    assert figures.by_state['no_show'] == 1 and figures.no_show_rate == 0.5
    # from Friday 13:00 to Monday 11:00 and to Tuesday 14:00 (Baku): 2.9 and 4.0 days
    assert figures.median_days == pytest.approx((2.9167 + 4.0417) / 2, abs=0.06)


async def test_the_calendar_is_checked_and_officials_leave() -> None:
    desk_officer, official = await reception()
    me = desk_officer.as_actor()
    assert calendar.parse_intervals('10:00-13:00, 14:00 – 17:30', weekday=1) == [
        (time(10), time(13)),
        (time(14), time(17, 30)),
    ]
    assert calendar.parse_intervals('', weekday=6) == []
    with pytest.raises(Invalid) as refused:
        calendar.parse_intervals('ten to one', weekday=2)
    assert (refused.value.code, refused.value.field) == ('bad_hours', 'day-2')
    with pytest.raises(Invalid, match='overlapping_hours'):
        await calendar.set_calendar(
            actor=me, hours={1: [(time(10), time(13)), (time(12), time(14))]}, slot_minutes=20, place=PLACE, now=NOW
        )
    with pytest.raises(Invalid, match='bad_slot_length'):
        await calendar.set_calendar(actor=me, hours=HOURS, slot_minutes=7, place=PLACE, now=NOW)
    with pytest.raises(Invalid, match='place_required'):
        await calendar.set_calendar(actor=me, hours=HOURS, slot_minutes=20, place=' ', now=NOW)
    view = await calendar.set_calendar(
        actor=me, hours={6: [(time(10), time(12))]}, slot_minutes=30, place=PLACE, now=NOW
    )
    assert view.receives_on(SATURDAY) and not view.receives_on(MONDAY)
    assert len(await calendar.free_slots(actor=me, first=SATURDAY, last=SATURDAY, now=NOW)) == 4

    await calendar.set_official_active(actor=me, official_id=official.id, active=False)
    leyla = await make_citizen('5ABC123')
    made = await ask(leyla, preferred_days=[SATURDAY])
    with pytest.raises(NotFound, match='official_not_found'):
        await desk.schedule_meeting(
            actor=me, request_id=made.id, official_id=official.id, starts_at=baku(SATURDAY, 10), now=NOW
        )
    with pytest.raises(Invalid, match='bad_range'):
        await calendar.free_slots(actor=me, first=MONDAY, last=MONDAY + timedelta(days=40), now=NOW)


async def test_the_nightly_sweep_keeps_reception_files(attachment_folder: Any) -> None:
    leyla = await make_citizen('5ABC123')
    await make_org('IH-NESIMI')
    made = await ask(leyla, uploads=[Upload('a.pdf', PDF)])
    stray = attachment_folder / ('0' * 32)
    stray.write_bytes(b'left over')
    assert await letters_common.purge_orphan_files(now=datetime.now(UTC) + timedelta(days=1)) == 1
    _, content = await requests.read_file(actor=leyla.as_actor(), request_id=made.id, file_id=made.files[0].id)
    assert content == PDF
