"""E-participation through the integrator API: polls and results are public, a local executive's key creates and
closes its own polls and moderates citizens' proposals, and results stay withheld until ten votes are counted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from portal.api import PREFIX
from portal.store.actors import Role
from portal.store.orgs import Organisation
from portal.store.participation import proposals, voting
from portal.store.people import Person
from tests.api_kit import Clock, assert_error
from tests.builders import make_key_with_scopes
from tests.factories import NOW, PASSWORD, make_citizen, make_person

POLLS = f'{PREFIX}/polls'
PROPOSALS = f'{PREFIX}/proposals'
WRITE = ['participation:write']
NEW_POLL = {
    'question': 'Parkda yeni uşaq meydançası tikilsin?',
    'description': 'Nəsimi parkının şimal hissəsi',
    'options': ['Bəli', 'Xeyr'],
    'opens_at': NOW.isoformat(),
    'closes_at': (NOW + timedelta(days=7)).isoformat(),
}


async def key_of(code: str = 'IH-NESIMI', scopes: list[str] = WRITE) -> dict[str, str]:
    return {'Authorization': f'Bearer {await make_key_with_scopes(code, scopes)}'}


async def create(http: httpx.AsyncClient, headers: dict[str, str], **change: Any) -> dict[str, Any]:
    response = await http.post(POLLS, json={**NEW_POLL, **change}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def vote(poll: dict[str, Any], count: int, *, start: int = 0) -> None:
    people = [
        Person(fin=f'V{n:06d}', role=Role.CITIZEN, first_name='Səs', last_name=f'Verən {n}')
        for n in range(start, start + count)
    ]
    await Person.bulk_create(people)
    for n, person in enumerate(await Person.filter(fin__in=[p.fin for p in people]).order_by('fin')):
        option = UUID(poll['options'][1 if n % 3 == 0 else 0]['id'])
        await voting.cast_vote(actor=person.as_actor(), poll_id=UUID(poll['id']), option_id=option, now=NOW)


async def test_polls_are_listed_and_shown_without_a_key(http: httpx.AsyncClient) -> None:
    nesimi = await key_of()
    made = await create(http, nesimi)
    assert made == {
        'id': made['id'],
        'executive': {'code': 'IH-NESIMI', 'name': 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti'},
        'question': NEW_POLL['question'],
        'description': NEW_POLL['description'],
        'options': [
            {'id': made['options'][0]['id'], 'label': 'Bəli'},
            {'id': made['options'][1]['id'], 'label': 'Xeyr'},
        ],
        'opens_at': '2026-11-20T09:00:00Z',
        'closes_at': '2026-11-27T09:00:00Z',
        'state': 'open',
        'live_results': True,
        'from_proposal': False,
        'outcome': '',
        'outcome_note': '',
    }
    xetai = await create(http, await key_of('IH-XETAI'), question='Yeni avtobus xətti açılsın?')
    closed = await create(http, nesimi, question='Küçə işıqlandırılsın?')
    assert (await http.post(f'{POLLS}/{closed["id"]}/close', json={'reason': 'Təkrar'}, headers=nesimi)).json()[
        'state'
    ] == 'closed'

    assert (await http.get(f'{POLLS}/{made["id"]}')).json() == made
    assert {p['id'] for p in (await http.get(POLLS)).json()} == {made['id'], xetai['id'], closed['id']}
    listed = (await http.get(POLLS, params={'executive': 'ih-nesimi', 'open': 'true'})).json()
    assert [p['id'] for p in listed] == [made['id']]
    assert_error(await http.get(f'{POLLS}/00000000-0000-0000-0000-000000000007'), 404, 'poll_not_found')


async def test_results_are_withheld_below_ten_counted_votes_then_shown(http: httpx.AsyncClient) -> None:
    poll = await create(http, await key_of())
    results = f'{POLLS}/{poll["id"]}/results'
    assert (await http.get(results)).json() == {
        'participants': 0,
        'counted': 0,
        'waiting': 0,
        'withheld': 'too_few',
        'counts': None,
    }

    await vote(poll, 9)
    await voting.tally(now=NOW)  # fewer than ten waiting: nothing is counted yet
    assert (await http.get(results)).json() == {
        'participants': 9,
        'counted': 0,
        'waiting': 9,
        'withheld': 'too_few',
        'counts': None,
    }

    await vote(poll, 1, start=9)
    await voting.tally(now=NOW)
    yes, no = poll['options']
    assert (await http.get(results)).json() == {
        'participants': 10,
        'counted': 10,
        'waiting': 0,
        'withheld': '',
        'counts': [
            {'option_id': yes['id'], 'label': 'Bəli', 'votes': 6},
            {'option_id': no['id'], 'label': 'Xeyr', 'votes': 4},
        ],
    }


async def test_results_chosen_for_after_closing_wait_for_the_close(http: httpx.AsyncClient, clock: Clock) -> None:
    poll = await create(http, await key_of(), live_results=False)
    assert poll['live_results'] is False
    await vote(poll, 10)
    await voting.tally(now=NOW)
    results = f'{POLLS}/{poll["id"]}/results'
    assert ((r := (await http.get(results)).json())['withheld'], r['counts'], r['counted']) == (
        'after_closing',
        None,
        10,
    )
    clock.now = NOW + timedelta(days=7)
    assert [c['votes'] for c in (await http.get(results)).json()['counts']] == [6, 4]


async def session_of(http: httpx.AsyncClient, fin: str, **kwargs: Any) -> dict[str, str]:
    await make_citizen(fin, **kwargs)
    response = await http.post(f'{PREFIX}/sessions', json={'fin': fin, 'password': PASSWORD})
    assert response.status_code == 201, response.text
    return {'Authorization': f'Bearer {response.json()["token"]}'}


async def test_a_citizen_votes_once_with_a_session_and_the_answer_never_tells_the_choice(
    http: httpx.AsyncClient, clock: Clock
) -> None:
    poll, other = await create(http, await key_of()), await create(http, await key_of())
    leyla, resad = await session_of(http, '5ZK2M7R'), await session_of(http, '2HT8P4N', first='Rəşad')
    url = f'{POLLS}/{poll["id"]}/vote'
    yes = poll['options'][0]['id']
    assert (await http.get(url, headers=leyla)).json() == {'voted': False}

    response = await http.post(url, json={'option': yes}, headers=leyla)
    assert response.status_code == 201, response.text
    assert response.json() == {'voted': True} and yes not in response.text
    assert (await http.get(url, headers=leyla)).json() == {'voted': True}
    assert (await http.get(url, headers=resad)).json() == {'voted': False}  # someone else's vote is not theirs
    assert_error(await http.post(url, json={'option': poll['options'][1]['id']}, headers=leyla), 422, 'already_voted')

    wrong = {'option': other['options'][0]['id']}
    assert_error(await http.post(url, json=wrong, headers=resad), 422, 'unknown_option', 'option')
    assert_error(await http.post(url, json={'option': 'yes'}, headers=resad), 422, 'validation_error', 'option')
    assert_error(await http.post(url, json={}, headers=resad), 422, 'validation_error', 'option')
    unknown = f'{POLLS}/00000000-0000-4000-8000-000000000000/vote'
    assert_error(await http.post(unknown, json={'option': yes}, headers=resad), 404, 'poll_not_found')
    assert_error(await http.get(unknown, headers=resad), 404, 'poll_not_found')
    assert_error(await http.post(url, json={'option': yes}), 401, 'not_logged_in')
    assert_error(await http.post(url, json={'option': yes}, headers=await key_of()), 401, 'session_required')

    officer, _ = await make_person('6NS2K8V', role=Role.EXECUTIVE_OFFICER, org=await Organisation.get(code='IH-NESIMI'))
    response = await http.post(f'{PREFIX}/sessions', json={'fin': officer.fin, 'password': PASSWORD})
    as_officer = {'Authorization': f'Bearer {response.json()["token"]}'}
    assert_error(await http.post(url, json={'option': yes}, headers=as_officer), 403, 'forbidden')

    clock.now = NOW + timedelta(days=7)
    assert_error(await http.post(url, json={'option': yes}, headers=resad), 401, 'session_expired')
    late = await session_of(http, '7QW3E9D', first='Günel')
    assert_error(await http.post(url, json={'option': yes}, headers=late), 422, 'poll_closed')
    results = (await http.get(f'{POLLS}/{poll["id"]}/results')).json()
    assert (results['participants'], results['waiting']) == (1, 1)


async def test_creating_and_closing_are_the_executives_own(http: httpx.AsyncClient) -> None:
    nesimi = await key_of()
    for options in (['Bəli'], ['Bəli', 'Bəli'], [f'Variant {n}' for n in range(11)]):
        assert_error(
            await http.post(POLLS, json={**NEW_POLL, 'options': options}, headers=nesimi),
            422,
            'invalid_options',
            'options',
        )
    late = {**NEW_POLL, 'closes_at': (NOW - timedelta(days=1)).isoformat()}
    assert_error(await http.post(POLLS, json=late, headers=nesimi), 422, 'invalid_period', 'closes_at')
    assert_error(
        await http.post(POLLS, json={**NEW_POLL, 'question': ' '}, headers=nesimi), 422, 'required', 'question'
    )

    poll = await create(http, nesimi)
    close = f'{POLLS}/{poll["id"]}/close'
    assert_error(
        await http.post(close, json={'reason': 'Səhv'}, headers=await key_of('IH-XETAI')), 404, 'poll_not_found'
    )
    assert_error(await http.post(close, json={'reason': ''}, headers=nesimi), 422, 'required', 'reason')
    closed = await http.post(close, json={'reason': 'Səhv tərtib olunub'}, headers=nesimi)
    assert closed.status_code == 200, closed.text
    assert closed.json() == {**poll, 'state': 'closed'}
    assert_error(await http.post(close, json={'reason': 'Yenə'}, headers=nesimi), 422, 'poll_closed')


async def test_the_executive_marks_what_came_of_a_closed_poll(http: httpx.AsyncClient) -> None:
    nesimi = await key_of()
    poll = await create(http, nesimi)
    outcome = f'{POLLS}/{poll["id"]}/outcome'
    accepted = {'outcome': 'accepted', 'note': 'Meydança 2027-ci ilin planına daxil edildi.'}
    assert_error(await http.post(outcome, json=accepted, headers=nesimi), 422, 'poll_open')
    await http.post(f'{POLLS}/{poll["id"]}/close', json={'reason': 'Kifayət qədər rəy toplandı'}, headers=nesimi)

    assert_error(await http.post(outcome, json=accepted, headers=await key_of('IH-XETAI')), 404, 'poll_not_found')
    assert_error(await http.post(outcome, json=accepted, headers=await key_of(scopes=[])), 403, 'insufficient_scope')
    assert_error(
        await http.post(outcome, json={**accepted, 'outcome': 'maybe'}, headers=nesimi),
        422,
        'unknown_outcome',
        'outcome',
    )
    assert_error(await http.post(outcome, json={**accepted, 'note': ' '}, headers=nesimi), 422, 'required', 'note')
    assert (await http.get(f'{POLLS}/{poll["id"]}')).json()['outcome'] == ''  # nothing of the refused ones stayed

    marked = await http.post(outcome, json=accepted, headers=nesimi)
    assert marked.status_code == 200, marked.text
    assert (marked.json()['outcome'], marked.json()['outcome_note']) == ('accepted', accepted['note'])
    public = (await http.get(f'{POLLS}/{poll["id"]}')).json()
    assert (public['outcome'], public['outcome_note']) == ('accepted', accepted['note'])


async def test_proposals_are_moderated_into_a_poll_or_rejected(http: httpx.AsyncClient) -> None:
    nesimi = await key_of()
    leyla = (await make_citizen()).as_actor()

    async def propose(title: str, at: datetime = NOW) -> proposals.ProposalView:
        return await proposals.propose(
            actor=leyla,
            executive_code='IH-NESIMI',
            direction='roads',
            title=title,
            description='Səkilər təmir olunsun.',
            now=at,
        )

    first, second = await propose('Səkilərin təmiri'), await propose('Yol nişanları', NOW + timedelta(minutes=1))
    await make_key_with_scopes('IH-XETAI', WRITE)
    await proposals.propose(
        actor=leyla, executive_code='IH-XETAI', direction='roads', title='Başqa', description='Başqa', now=NOW
    )
    pending = await http.get(f'{PROPOSALS}/moderation', headers=nesimi)
    assert pending.status_code == 200, pending.text
    assert [p['id'] for p in pending.json()] == [str(first.id), str(second.id)]
    assert pending.json()[0] == {
        'id': str(first.id),
        'executive': {'code': 'IH-NESIMI', 'name': 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti'},
        'direction': 'roads',
        'title': 'Səkilərin təmiri',
        'description': 'Səkilər təmir olunsun.',
        'state': 'pending',
        'reason': '',
        'reports': 0,
        'created_at': '2026-11-20T09:00:00Z',
        'decided_at': None,
        'poll_id': None,
    }

    approve = {k: v for k, v in NEW_POLL.items() if k != 'description'}
    other = await key_of('IH-XETAI')
    assert_error(
        await http.post(f'{PROPOSALS}/{first.id}/approve', json=approve, headers=other), 404, 'proposal_not_found'
    )
    bad = {**approve, 'options': ['Bəli']}
    assert_error(
        await http.post(f'{PROPOSALS}/{first.id}/approve', json=bad, headers=nesimi), 422, 'invalid_options', 'options'
    )
    approved = await http.post(f'{PROPOSALS}/{first.id}/approve', json=approve, headers=nesimi)
    assert approved.status_code == 201, approved.text
    poll = approved.json()
    assert (poll['from_proposal'], poll['description'], poll['question']) == (
        True,
        'Səkilər təmir olunsun.',
        NEW_POLL['question'],
    )
    assert (await http.get(f'{POLLS}/{poll["id"]}')).json() == poll
    assert_error(
        await http.post(f'{PROPOSALS}/{first.id}/approve', json=approve, headers=nesimi), 422, 'already_decided'
    )

    rejected = await http.post(
        f'{PROPOSALS}/{second.id}/reject', json={'reason': 'Artıq planlaşdırılıb'}, headers=nesimi
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()['state'], rejected.json()['reason'], rejected.json()['decided_at']) == (
        'rejected',
        'Artıq planlaşdırılıb',
        '2026-11-20T09:00:00Z',
    )
    assert (await http.get(f'{PROPOSALS}/moderation', headers=nesimi)).json() == []
    mine = {p.id: p for p in await proposals.list_mine(actor=leyla)}
    assert (mine[first.id].state, str(mine[first.id].poll_id)) == ('approved', poll['id'])


async def test_writes_need_a_key_with_the_scope(http: httpx.AsyncClient) -> None:
    poll = await create(http, await key_of())
    reader = await key_of('IH-NESIMI', ['registry:write'])
    writes = [
        ('POST', POLLS, NEW_POLL),
        ('POST', f'{POLLS}/{poll["id"]}/close', {'reason': 'Səhv'}),
        ('GET', f'{PROPOSALS}/moderation', None),
        ('POST', f'{PROPOSALS}/{poll["id"]}/approve', {k: v for k, v in NEW_POLL.items() if k != 'description'}),
        ('POST', f'{PROPOSALS}/{poll["id"]}/reject', {'reason': 'Yox'}),
    ]
    for method, url, body in writes:
        assert_error(await http.request(method, url, json=body, headers=reader), 403, 'insufficient_scope')
        response = await http.request(method, url, json=body)
        assert response.status_code == 401, response.text
        assert response.headers['WWW-Authenticate'] == 'Bearer'
    assert (await http.get(f'{POLLS}/{poll["id"]}')).json()['state'] == 'open'
