"""Citizen reception through the integrator API: a local executive's key with `reception:write` reads its requests and
free slots, schedules, moves, declines, cancels and closes meetings; another executive's request is 404; a slot is
never given twice."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import httpx

from portal.api import PREFIX, create_api
from portal.store.actors import Role
from portal.store.reception import calendar, requests
from portal.store.reception.requests import NewRequest
from portal.store.workdays import TIMEZONE
from tests.api_kit import assert_error
from tests.builders import make_key_with_scopes
from tests.factories import NOW, make_citizen, make_org, make_person
from tests.test_reception import HOURS, MONDAY, PLACE, TUESDAY

BASE = f'{PREFIX}/reception'


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), TIMEZONE).isoformat()


async def setup(code: str = 'IH-NESIMI', fin: str = '6OFF001') -> tuple[dict[str, str], str]:
    officer, _ = await make_person(fin, role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    await calendar.set_calendar(actor=officer.as_actor(), hours=HOURS, slot_minutes=20, place=PLACE, now=NOW)
    official = await calendar.add_official(actor=officer.as_actor(), name='Elnur Məmmədov', position='Müavin', now=NOW)
    key = await make_key_with_scopes(code, ['reception:write'])
    return {'Authorization': f'Bearer {key}'}, str(official.id)


async def ask(fin: str, code: str = 'IH-NESIMI') -> requests.RequestView:
    person = await make_citizen(fin)
    new = NewRequest(code, 'housing', 'Mənzil növbəsi barədə.', [MONDAY], [])
    return await requests.request_meeting(actor=person.as_actor(), new=new, now=NOW)


async def test_the_desk_through_the_api(http: httpx.AsyncClient) -> None:
    headers, official = await setup()
    made = await ask('5ABC123')
    listed = (await http.get(f'{BASE}/requests', headers=headers)).json()
    assert listed['total'] == 1 and listed['items'][0]['fin'] == '5ABC123'
    assert listed['items'][0]['preferred_days'] == [MONDAY.isoformat()]
    calendar_out = (await http.get(f'{BASE}/calendar', headers=headers)).json()
    assert calendar_out['hours']['1'] == [['10:00', '13:00'], ['14:00', '17:00']] and calendar_out['place'] == PLACE

    slots = (await http.get(f'{BASE}/slots', params={'from': '2026-11-23', 'to': '2026-11-23'}, headers=headers)).json()
    assert len(slots) == 18 and slots[0]['starts_at'] == '2026-11-23T06:00:00Z'
    assert_error(
        await http.get(f'{BASE}/slots', params={'from': '2026-11-23', 'to': '2027-01-23'}, headers=headers),
        422,
        'bad_range',
        'range',
    )

    url = f'{BASE}/requests/{made.id}'
    assert_error(
        await http.post(f'{url}/schedule', json={'official_id': official, 'starts_at': at(MONDAY, 8)}, headers=headers),
        422,
        'not_a_slot',
        'starts_at',
    )
    assert_error(await http.post(f'{url}/done', headers=headers), 422, 'wrong_state')
    body = {'official_id': official, 'starts_at': at(MONDAY, 10)}
    scheduled = await http.post(f'{url}/schedule', json=body, headers=headers)
    assert scheduled.status_code == 200, scheduled.text
    out = scheduled.json()
    assert (out['state'], out['starts_at'], out['ends_at']) == (
        'scheduled',
        '2026-11-23T06:00:00Z',
        '2026-11-23T06:20:00Z',
    )
    assert out['official']['name'] == 'Elnur Məmmədov' and out['place'] == PLACE

    other = await ask('2HT8P4N')
    assert_error(
        await http.post(f'{BASE}/requests/{other.id}/schedule', json=body, headers=headers),
        409,
        'slot_taken',
        'starts_at',
    )
    moved = await http.post(f'{url}/reschedule', json={'starts_at': at(TUESDAY, 14)}, headers=headers)
    assert moved.status_code == 200 and moved.json()['starts_at'] == '2026-11-24T10:00:00Z'
    assert [s['kind'] for s in moved.json()['timeline']] == ['requested', 'scheduled', 'rescheduled']
    assert_error(await http.post(f'{url}/no-show', headers=headers), 422, 'meeting_not_started')
    assert_error(
        await http.post(f'{url}/cancel', json={'reason': ''}, headers=headers), 422, 'reason_required', 'reason'
    )
    cancelled = await http.post(f'{url}/cancel', json={'reason': 'Başçı ezamiyyətdədir.'}, headers=headers)
    assert cancelled.json()['state'] == 'cancelled' and cancelled.json()['reason'] == 'Başçı ezamiyyətdədir.'

    declined = await http.post(f'{BASE}/requests/{other.id}/decline', json={'reason': 'Aid deyil.'}, headers=headers)
    assert declined.json()['state'] == 'declined'
    assert (await http.get(f'{BASE}/requests', params={'state': 'declined'}, headers=headers)).json()['total'] == 1
    assert (await http.get(f'{BASE}/requests', headers=headers)).json()['total'] == 0
    assert_error(
        await http.post(f'{url}/schedule', json={**body, 'extra': 1}, headers=headers), 422, 'validation_error', 'extra'
    )


async def test_keys_of_another_executive_or_without_the_scope_get_nothing(http: httpx.AsyncClient) -> None:
    _, official = await setup()
    xetai, _ = await setup('IH-XETAI', '6OFF002')
    made = await ask('5ABC123')
    url = f'{BASE}/requests/{made.id}'
    assert_error(await http.get(url, headers=xetai), 404, 'request_not_found')
    body: dict[str, Any] = {'official_id': official, 'starts_at': at(MONDAY, 10)}
    assert_error(await http.post(f'{url}/schedule', json=body, headers=xetai), 404, 'official_not_found', 'official')
    assert_error(await http.post(f'{url}/decline', json={'reason': 'x'}, headers=xetai), 404, 'request_not_found')
    assert (await http.get(f'{BASE}/requests', headers=xetai)).json()['total'] == 0

    unscoped = {'Authorization': f'Bearer {await make_key_with_scopes("IH-NESIMI", ["applications:write"])}'}
    assert_error(await http.get(f'{BASE}/requests', headers=unscoped), 403, 'insufficient_scope')
    assert_error(await http.get(url, headers=unscoped), 404, 'request_not_found')
    assert (await http.get(f'{BASE}/requests')).status_code == 401
    assert_error(
        await http.get(f'{BASE}/requests/not-a-uuid', headers=xetai), 422, 'validation_error', 'path.request_id'
    )
    assert_error(
        await http.get(f'{BASE}/requests', params={'state': 'lost'}, headers=xetai),
        422,
        'validation_error',
        'query.state',
    )


def test_the_scope_and_the_routes_are_documented() -> None:
    from portal.store.apikeys import SCOPES

    assert 'reception:write' in SCOPES
    schema = create_api().openapi()
    operation = schema['paths']['/reception/requests/{request_id}/schedule']['post']
    assert {'401', '403', '404', '409', '422'} <= set(operation['responses'])
    assert operation['tags'] == ['reception']
