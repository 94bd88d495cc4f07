"""Citizen reception in the browser: the citizen asks for a meeting, the executive's officer schedules it on the desk,
and the citizen's open page shows the time, the place and the official at once; nobody else sees it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.store.actors import Role
from portal.store.notices.models import Notice
from portal.store.people import Person
from portal.store.reception import calendar, requests
from portal.store.reception.models import ReceptionRequest, ReceptionState
from portal.store.reception.requests import NewRequest
from portal.store.workdays import local_date
from tests.builders import use_fast_hashing
from tests.factories import make_citizen, make_org, make_person
from tests.test_ui_login import WAIT, login
from tests.ui_kit import az

LEYLA, RASHAD, SEBINE, ORXAN = '5ABC123', '2HT8P4N', '6NS2K8V', '8KL4M2N'
HOURS = {d: [(time(9), time(13)), (time(14), time(18))] for d in range(1, 8)}
PLACE = 'İnzibati bina, qəbul otağı'


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


async def officer(code: str = 'IH-NESIMI', fin: str = SEBINE) -> Person:
    person, _ = await make_person(fin, first='Səbinə', role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    return person


async def open_reception(code: str = 'IH-NESIMI', fin: str = SEBINE) -> tuple[Person, calendar.CalendarView]:
    """An executive that receives every day (public holidays aside), with one official."""
    desk, now = await officer(code, fin), datetime.now(UTC)
    await calendar.set_calendar(actor=desk.as_actor(), hours=HOURS, slot_minutes=30, place=PLACE, now=now)
    await calendar.add_official(actor=desk.as_actor(), name='Elnur Məmmədov', position='Başçının müavini', now=now)
    return desk, await calendar.my_calendar(actor=desk.as_actor())


def reception_day(view: calendar.CalendarView, after: int = 1) -> date:
    day = local_date(datetime.now(UTC)) + timedelta(days=after)  # days are Baku days
    while not view.receives_on(day):
        day += timedelta(days=1)
    return day


def choose(user: User, marker: str, value: object) -> None:
    user.find(kind=ui.select, marker=marker).elements.pop().set_value(value)


def fill(user: User, marker: str, value: str) -> None:
    user.find(marker=marker).elements.pop().set_value(value)  # type: ignore[attr-defined]


async def test_request_scheduled_on_the_desk_reaches_the_citizen_live(
    user: User, create_user: Callable[[], User]
) -> None:
    await make_citizen(LEYLA)
    _, view = await open_reception()
    day = reception_day(view, after=2)
    await login(user, LEYLA)
    await user.open('/reception')
    await user.should_see(marker='reception-form', retries=WAIT)
    await user.should_see(marker='reception-empty')

    # a refusal is shown under its field and nothing is written
    choose(user, 'reception-executive', 'IH-NESIMI')
    user.find(marker='reception-send').click()
    await user.should_see(az('Choose what the meeting is about.'), retries=WAIT)
    choose(user, 'reception-topic', 'utilities')
    user.find(marker='reception-summary').type('Həyətdə su borusu partlayıb, iki həftədir təmir olunmur.')
    user.find(marker='reception-send').click()
    await user.should_see(az('Choose one to three preferred days.'), retries=WAIT)
    assert await ReceptionRequest.all().count() == 0

    fill(user, 'reception-day-1', day.isoformat())
    user.find(marker='reception-send').click()
    await user.should_see(marker='reception-state-requested', retries=WAIT)
    (row,) = await ReceptionRequest.all()
    await user.should_see(row.number, retries=WAIT)

    # the officer schedules it; the citizen's open page follows
    desk = create_user()
    await login(desk, SEBINE)
    await desk.open('/desk/reception')
    await desk.should_see(marker=f'reception-request-{row.id}', retries=WAIT)
    await desk.should_see(LEYLA)
    desk.find(marker='reception-schedule').click()
    await desk.should_see(marker='slot-dialog', retries=WAIT)
    (slot,) = desk.find(kind=ui.select, marker='slot-time').elements
    for _attempt in range(WAIT):  # the first free time of the citizen's first preferred day, once read
        if slot.value is not None:
            break
        await asyncio.sleep(0.1)
    assert slot.value is not None
    (official,) = desk.find(kind=ui.select, marker='slot-official').elements
    assert official.value == str(view.officials[0].id)  # the only official is chosen already
    desk.find(marker='slot-send').click()

    await user.should_see(marker='reception-state-scheduled', retries=WAIT)
    await user.should_see(marker='reception-ics')
    await user.should_see(az('Received by: {name}', name='Elnur Məmmədov, Başçının müavini'), retries=WAIT)
    await user.should_see(az('Place: {place}', place=PLACE))
    await desk.should_see(marker='reception-reschedule', retries=WAIT)
    scheduled = await ReceptionRequest.get(id=row.id)
    assert scheduled.state is ReceptionState.SCHEDULED and scheduled.starts_at is not None
    assert await Notice.filter(person_id=row.person_id, type='appointment').count() == 1

    # the calendar file, for her and the desk only
    url = f'/files/reception/{row.id}/meeting.ics'
    response = await user.http_client.get(url)
    assert response.status_code == 200 and response.headers['content-type'].startswith('text/calendar')
    assert response.headers['content-disposition'].startswith('attachment;')
    assert b'BEGIN:VEVENT' in response.content and f'{row.id}@'.encode() in response.content
    assert (await desk.http_client.get(url)).status_code == 200

    await make_citizen(RASHAD, first='Rəşad')
    rashad = create_user()
    await login(rashad, RASHAD)
    await rashad.open('/reception')
    await rashad.should_see(marker='reception-empty', retries=WAIT)
    await rashad.should_not_see(row.number)
    assert (await rashad.http_client.get(url)).status_code == 404

    await officer('IH-XETAI', ORXAN)
    other = create_user()
    await login(other, ORXAN)
    await other.open('/desk/reception')
    await other.should_see(marker='reception-desk-empty', retries=WAIT)
    assert (await other.http_client.get(url)).status_code == 404

    # the citizen cancels while more than a day remains, or is told why not
    user.find(marker='reception-cancel').click()
    starts = scheduled.starts_at
    if starts - datetime.now(UTC) > timedelta(hours=24, minutes=1):
        await user.should_see(marker='reception-state-cancelled', retries=WAIT)
        await desk.should_see(marker='reception-desk-empty', retries=WAIT)
    else:
        await user.should_see(
            az('A meeting can be cancelled until 24 hours before it starts. Please contact the executive.'),
            retries=WAIT,
        )


async def test_the_officer_declines_with_a_reason_and_keeps_the_hours(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await make_citizen(LEYLA)
    _, view = await open_reception()
    made = await requests.request_meeting(
        actor=leyla.as_actor(),
        new=NewRequest('IH-NESIMI', 'roads_transport', 'Küçədə işıq yoxdur.', [reception_day(view)], []),
        now=datetime.now(UTC),
    )
    await login(user, LEYLA)
    await user.open('/reception')
    await user.should_see(marker='reception-state-requested', retries=WAIT)

    desk = create_user()
    await login(desk, SEBINE)
    await desk.open('/desk/reception')
    await desk.should_see(marker=f'reception-request-{made.id}', retries=WAIT)
    desk.find(marker='reception-decline').click()
    desk.find(marker='reason-send').click()
    await desk.should_see(az('Please give a reason.'), retries=WAIT)
    desk.find(marker='reason-text').type('Məsələ Bakı Şəhər İcra Hakimiyyətinin səlahiyyətindədir.')
    desk.find(marker='reason-send').click()
    await user.should_see(marker='reception-state-declined', retries=WAIT)
    await user.should_see('Məsələ Bakı Şəhər İcra Hakimiyyətinin səlahiyyətindədir.', retries=WAIT)

    # the reception hours: a typo is refused under its day; a good line is saved
    fill(desk, 'hours-6', 'on-dan iki-yə')
    desk.find(marker='hours-save').click()
    await desk.should_see(az('Write the hours like 10:00-13:00, 14:00-17:00.'), retries=WAIT)
    fill(desk, 'hours-6', '')
    fill(desk, 'hours-1', '10:00-12:00')
    desk.find(marker='hours-save').click()
    await desk.should_see(az('The reception hours are saved.'), retries=WAIT)
    saved = await calendar.my_calendar(actor=(await Person.get(fin=SEBINE)).as_actor())
    assert saved.hours[1] == ((time(10), time(12)),) and 6 not in saved.hours
