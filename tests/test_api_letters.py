"""Official letters through the integrator API, as an agency's system sees them (mounted at /api/v1 as in production).

The letters are real: a citizen writes, attaches and signs with their own key as their device would
(``tests/letters_kit.signed_letter``); the API's clock is set by each test, so the legal deadlines are exact dates.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from portal.api import PREFIX, create_api
from portal.api import deps as api_deps
from portal.store import letters
from portal.store.audit import HistoryEvent
from portal.store.idempotency import IdempotencyKey
from portal.store.letters import LetterStatus, Upload
from portal.store.letters.models import Attachment, Direction, Letter, LetterEvent
from portal.store.letters.views import LetterView
from portal.store.people import Person
from tests.api_kit import assert_error
from tests.builders import collect_events, make_key_with_scopes
from tests.factories import NOW, make_key, make_org, make_person
from tests.letters_kit import HTML, PNG, pdf, signed_letter

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
LETTERS = f'{PREFIX}/letters'
RW = ('letters:read', 'letters:write')
SCAN = 'Şəxsiyyət vəsiqəsi.pdf'
SCAN_BYTES = pdf(2048)
# NOW is Friday 2026-11-20 in Baku; the letters below reach the agency then
DUE_15 = '2026-12-11'  # 15 working days: three full weeks
DUE_30 = '2027-01-06'  # 30: 31 Dec, 1 Jan and 4 Jan (New Year observed) are holidays
FORWARD_DUE = '2026-11-25'  # 3 working days


class Api:
    """The API as mounted in production, with a clock the test moves."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.now = NOW


@asynccontextmanager
async def open_api() -> AsyncIterator[Api]:
    sub = create_api()
    parent = FastAPI()
    parent.mount(PREFIX, sub)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url='http://test') as http:
        api = Api(http)

        async def clock() -> Any:
            return api.now

        sub.dependency_overrides[api_deps.clock] = clock
        yield api


@pytest.fixture
async def api(sqlite_db: str) -> AsyncIterator[Api]:
    async with open_api() as opened:
        yield opened


@pytest.fixture
async def any_api(store_db: str) -> AsyncIterator[Api]:
    """The same, on SQLite and on PostgreSQL."""
    async with open_api() as opened:
        yield opened


async def desk(code: str = 'MIA', scopes: tuple[str, ...] = RW) -> dict[str, str]:
    """The Authorization header of a new key of the organisation."""
    return {'Authorization': f'Bearer {await make_key(code, scopes)}'}


async def citizen_letter(
    fin: str = A_FIN, *, to: str = 'MIA', title: str = 'Ünvan arayışı', body: str = 'Ünvanımla bağlı arayış istəyirəm.'
) -> tuple[Person, LetterView]:
    """A citizen's letter with one PDF, signed and sent at NOW."""
    await make_org(to)
    person, device_key = await make_person(fin, password=None)
    sent = await signed_letter(person, device_key, to=to, title=title, body=body, uploads=[Upload(SCAN, SCAN_BYTES)])
    return person, sent


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def upload(filename: str, content: bytes) -> dict[str, str]:
    return {'filename': filename, 'content_base64': b64(content)}


async def snapshot(folder: Path) -> tuple[Any, ...]:
    """Everything a letters use case may write: letters and their state, timeline steps, files, keys, history."""
    return (
        sorted(await Letter.all().values_list('id', 'status', 'due_on', 'investigation_reason', 'closing_note')),
        await LetterEvent.all().count(),
        await Attachment.all().count(),
        sorted(p.name for p in folder.iterdir()) if folder.exists() else [],
        await IdempotencyKey.all().count(),
        await HistoryEvent.all().count(),
    )


# --- the whole flow -------------------------------------------------------------------------------------------------


async def test_an_agency_receives_reviews_extends_and_answers_a_letter(any_api: Api) -> None:
    api, mia = any_api, await desk('MIA')
    leyla, sent = await citizen_letter()
    api.now = NOW + timedelta(hours=2)

    listed = (await api.http.get(LETTERS, headers=mia)).json()
    assert listed['total'] == 1
    [item] = listed['items']
    assert (item['id'], item['status'], item['fin'], item['due_on']) == (str(sent.id), 'sent', A_FIN, DUE_15)
    assert (item['organisation']['code'], item['overdue'], item['investigation']) == ('MIA', False, False)

    letter = (await api.http.get(f'{LETTERS}/{sent.id}', headers=mia)).json()
    assert (letter['title'], letter['body']) == ('Ünvan arayışı', 'Ünvanımla bağlı arayış istəyirəm.')
    assert (letter['due_on'], letter['forward_due_on']) == (DUE_15, FORWARD_DUE)
    assert letter['signer']['name'] == leyla.full_name
    assert letter['signer']['method'] == 'sima'
    [attachment] = letter['attachments']
    assert attachment['filename'] == SCAN
    assert (attachment['content_type'], attachment['size']) == ('application/pdf', len(SCAN_BYTES))
    assert attachment['download'] == f'{LETTERS}/{sent.id}/attachments/{attachment["id"]}'
    assert [(e['kind'], e['actor_role'], e['organisation']) for e in letter['timeline']] == [('sent', 'citizen', 'MIA')]

    file = await api.http.get(attachment['download'], headers=mia)
    assert file.status_code == 200
    assert file.content == SCAN_BYTES
    assert attachment['sha256'] == hashlib.sha256(SCAN_BYTES).hexdigest()
    assert file.headers['content-type'] == 'application/pdf'
    assert file.headers['x-content-type-options'] == 'nosniff'
    assert file.headers['cache-control'] == 'no-store'
    disposition = file.headers['content-disposition']
    assert disposition.startswith('attachment;')
    assert f"filename*=UTF-8''{quote(SCAN)}" in disposition
    assert 'filename="S_xsiyy_t v_siq_si.pdf"' in disposition  # plain ASCII for old clients

    with collect_events(f'citizen:{leyla.id}') as events:
        received = await api.http.post(f'{LETTERS}/{sent.id}/status', json={'status': 'received'}, headers=mia)
        assert (received.json()['status'], received.json()['due_on']) == ('received', DUE_15)

        api.now = NOW + timedelta(days=3)
        reason = 'Ünvan qeydiyyatı arxivdən yoxlanılmalıdır.'
        review = await api.http.post(
            f'{LETTERS}/{sent.id}/status',
            json={'status': 'under_review', 'investigation_reason': reason},
            headers=mia,
        )
        assert review.status_code == 200, review.text
        reviewed = review.json()
        assert (reviewed['status'], reviewed['due_on'], reviewed['investigation']) == ('under_review', DUE_30, True)
        assert reviewed['investigation_reason'] == reason

        api.now = NOW + timedelta(days=10)
        answer = {'text': 'Arayış əlavə olunur.', 'attachments': [upload('arayis.png', PNG)]}
        answered = (await api.http.post(f'{LETTERS}/{sent.id}/answer', json=answer, headers=mia)).json()

    assert answered['status'] == 'answered'
    assert answered['closed_at'] is not None
    reply = answered['answer']
    assert (reply['direction'], reply['body'], reply['reply_to_id']) == (
        'outbound',
        'Arayış əlavə olunur.',
        str(sent.id),
    )
    assert [(a['filename'], a['content_type']) for a in reply['attachments']] == [('arayis.png', 'image/png')]
    reply_file = await api.http.get(reply['attachments'][0]['download'], headers=mia)
    assert reply_file.content == PNG
    steps = [(e['kind'], e['actor_role'], e['actor_name'], e['note']) for e in answered['timeline']]
    assert steps == [
        ('sent', 'citizen', '', ''),
        ('received', 'integration', 'MIA integration', ''),
        ('under_review', 'integration', 'MIA integration', ''),
        ('investigation', 'integration', 'MIA integration', reason),
        ('answered', 'integration', 'MIA integration', ''),
    ]
    letter_events = [e for e in events if e.kind == 'letter.updated']  # each step also raises a notice
    assert [e.data['status'] for e in letter_events] == [
        'received',
        'under_review',
        'answered',
        'sent',
    ]  # then the answer

    # the citizen's side: the letter answered, the answer in "Gələn", unread
    mine = await letters.get_letter(actor=leyla.as_actor(), letter_id=sent.id, now=api.now)
    assert mine.status is LetterStatus.ANSWERED
    assert mine.answer is not None
    assert (mine.answer.body, [a.filename for a in mine.answer.attachments]) == ('Arayış əlavə olunur.', ['arayis.png'])
    assert all(e.actor_name == '' for e in mine.timeline)  # officers' and integrations' names stay on the desk
    inbox = await letters.list_inbox(actor=leyla.as_actor(), now=api.now)
    assert [(i.id, i.unread, i.reply_to_id) for i in inbox.items] == [(UUID(reply['id']), True, sent.id)]
    assert await letters.count_unread(actor=leyla.as_actor()) == 1


async def test_listing_filters_and_pages(api: Api) -> None:
    mia = await desk('MIA')
    _, first = await citizen_letter(title='Ünvan arayışı', body='Qeydiyyat haqqında')
    _, second = await citizen_letter(B_FIN, title='Sürücülük vəsiqəsi', body='Vəsiqə itib')
    _, elsewhere = await citizen_letter('7QW3E9R', to='MOJ')
    await Letter.filter(id=second.id).update(
        delivered_at=NOW - timedelta(days=9), due_on=NOW.date() - timedelta(days=1)
    )
    api.now = NOW + timedelta(hours=1)
    await api.http.post(f'{LETTERS}/{first.id}/status', json={'status': 'received'}, headers=mia)

    async def ids(**params: Any) -> tuple[list[str], int]:
        response = await api.http.get(LETTERS, params=params, headers=mia)
        assert response.status_code == 200, response.text
        page = response.json()
        return [i['id'] for i in page['items']], page['total']

    assert await ids() == ([str(second.id), str(first.id)], 2)  # nearest deadline first; MOJ's letter is not here
    assert await ids(status='received') == ([str(first.id)], 1)
    assert await ids(q='itib') == ([str(second.id)], 1)
    assert await ids(since='2026-11-20') == ([str(first.id)], 1)
    assert await ids(until='2026-11-19') == ([str(second.id)], 1)
    assert await ids(limit=1, offset=1) == ([str(first.id)], 2)
    assert await ids(overdue='true') == ([str(second.id)], 1)
    assert [i['overdue'] for i in (await api.http.get(LETTERS, headers=mia)).json()['items']] == [True, False]
    assert str(elsewhere.id) not in (await ids())[0]

    assert_error(await api.http.get(LETTERS, params={'limit': 0}, headers=mia), 422, 'validation_error', 'query.limit')
    assert_error(
        await api.http.get(LETTERS, params={'limit': 201}, headers=mia), 422, 'validation_error', 'query.limit'
    )
    assert_error(
        await api.http.get(LETTERS, params={'since': '2026-11-21', 'until': '2026-11-20'}, headers=mia),
        422,
        'invalid_range',
        'since',
    )

    written = await api.http.post(LETTERS, json={'fin': B_FIN, 'title': 'Bildiriş', 'body': 'Mətn'}, headers=mia)
    assert written.status_code == 201, written.text
    outgoing = (await api.http.get(f'{LETTERS}/outgoing', headers=mia)).json()
    assert [(i['id'], i['direction'], i['fin']) for i in outgoing['items']] == [
        (written.json()['id'], 'outbound', B_FIN)
    ]
    assert written.json()['id'] not in (await ids())[0]


async def test_a_letter_to_a_citizen_reaches_their_inbox(api: Api) -> None:
    mia = await desk('MIA')
    leyla, _ = await make_person(A_FIN, password=None)
    body = {
        'fin': A_FIN,
        'title': 'Bildiriş',
        'body': 'Sənədiniz hazırdır.',
        'attachments': [upload('a.pdf', SCAN_BYTES)],
    }
    response = await api.http.post(LETTERS, json=body, headers=mia)

    assert response.status_code == 201, response.text
    out = response.json()
    assert (out['direction'], out['status'], out['fin'], out['organisation']['code']) == (
        'outbound',
        'sent',
        A_FIN,
        'MIA',
    )
    assert (out['signer'], out['due_on']) == (None, None)
    inbox = await letters.list_inbox(actor=leyla.as_actor(), now=NOW)
    assert [(str(i.id), i.title, i.unread) for i in inbox.items] == [(out['id'], 'Bildiriş', True)]
    assert (await api.http.get(out['attachments'][0]['download'], headers=mia)).content == SCAN_BYTES


# --- forwarding -----------------------------------------------------------------------------------------------------


async def test_a_forwarded_letter_belongs_to_the_other_agency(api: Api) -> None:
    mia, moj = await desk('MIA'), await desk('MOJ')
    _, sent = await citizen_letter()
    api.now = NOW + timedelta(days=3)  # Monday 2026-11-23, within the 3 working days

    response = await api.http.post(
        f'{LETTERS}/{sent.id}/forward', json={'to': 'MOJ', 'note': 'Məhkəmə işidir.'}, headers=mia
    )
    assert response.status_code == 200, response.text
    original = response.json()
    assert (original['status'], original['closing_note']) == ('forwarded', 'Məhkəmə işidir.')
    assert original['forwarded_to']['organisation']['code'] == 'MOJ'
    copy_id = original['forwarded_to']['letter_id']
    assert original['timeline'][-1]['kind'] == 'forwarded'
    assert original['timeline'][-1]['other_organisation'] == 'MOJ'

    [item] = (await api.http.get(LETTERS, headers=moj)).json()['items']
    assert (item['id'], item['status'], item['forwarded_from']['code']) == (copy_id, 'sent', 'MIA')
    assert item['due_on'] == '2026-12-14'  # its own clock: 15 working days from the Monday it arrived
    copy = (await api.http.get(f'{LETTERS}/{copy_id}', headers=moj)).json()
    assert (copy['origin_id'], copy['signer']['method']) == (str(sent.id), 'sima')
    [attachment] = copy['attachments']
    assert attachment['download'] == f'{LETTERS}/{copy_id}/attachments/{attachment["id"]}'
    assert (await api.http.get(attachment['download'], headers=moj)).content == SCAN_BYTES
    forwarded_step = next(e for e in copy['timeline'] if e['kind'] == 'forwarded')
    assert (forwarded_step['organisation'], forwarded_step['actor_name']) == ('MIA', '')  # MIA's names stay at MIA
    signature = (await api.http.get(f'{LETTERS}/{copy_id}/signature', headers=moj)).json()
    assert signature['state'] == 'valid'

    # MIA's key reaches neither the copy nor MOJ's path to the files; MOJ's key not the original
    assert_error(await api.http.get(f'{LETTERS}/{copy_id}', headers=mia), 404, 'letter_not_found')
    assert_error(await api.http.get(attachment['download'], headers=mia), 404, 'letter_not_found')
    for action, body in (('status', {'status': 'received'}), ('answer', {'text': 'Cavab'})):
        assert_error(
            await api.http.post(f'{LETTERS}/{copy_id}/{action}', json=body, headers=mia), 404, 'letter_not_found'
        )
    assert_error(await api.http.get(f'{LETTERS}/{sent.id}', headers=moj), 404, 'letter_not_found')
    original_file = f'{LETTERS}/{sent.id}/attachments/{attachment["id"]}'
    assert_error(await api.http.get(original_file, headers=moj), 404, 'letter_not_found')
    assert (await Letter.get(id=copy_id)).status is LetterStatus.SENT

    moved = await api.http.post(f'{LETTERS}/{copy_id}/status', json={'status': 'received'}, headers=moj)
    assert moved.json()['status'] == 'received'


async def test_forwarding_refusals(api: Api, attachment_folder: Path) -> None:
    mia = await desk('MIA')
    await make_org('MOJ')
    _, sent = await citizen_letter()
    before = await snapshot(attachment_folder)
    url = f'{LETTERS}/{sent.id}/forward'

    api.now = NOW + timedelta(hours=1)
    assert_error(await api.http.post(url, json={'to': 'MIA'}, headers=mia), 422, 'forward_to_self', 'forward_to')
    assert_error(
        await api.http.post(url, json={'to': 'NOPE'}, headers=mia), 422, 'organisation_not_found', 'forward_to'
    )
    api.now = NOW + timedelta(days=6)  # Thursday 2026-11-26: past the 3 working days
    assert_error(await api.http.post(url, json={'to': 'MOJ'}, headers=mia), 422, 'forward_too_late', 'status')
    assert await snapshot(attachment_folder) == before


# --- the signature --------------------------------------------------------------------------------------------------


async def test_signature_valid_then_tampered_body_then_tampered_file(api: Api, attachment_folder: Path) -> None:
    mia = await desk('MIA')
    leyla, sent = await citizen_letter()
    url = f'{LETTERS}/{sent.id}/signature'

    valid = (await api.http.get(url, headers=mia)).json()
    assert (valid['state'], valid['valid']) == ('valid', True)
    assert (valid['signer']['name'], valid['signer']['method']) == (leyla.full_name, 'sima')
    assert re.fullmatch('[0-9a-f]{64}', valid['digest'])

    await Letter.filter(id=sent.id).update(body='Ünvanımla bağlı arayış istəmirəm.')
    changed = (await api.http.get(url, headers=mia)).json()
    assert (changed['state'], changed['valid'], changed['digest']) == ('content_changed', False, valid['digest'])

    await Letter.filter(id=sent.id).update(body=sent.body)
    assert (await api.http.get(url, headers=mia)).json()['state'] == 'valid'
    row = await Attachment.get(letter_id=sent.id)
    (attachment_folder / row.storage_name).write_bytes(pdf(2048).replace(b'Catalog', b'Catalug'))
    replaced = (await api.http.get(url, headers=mia)).json()
    assert (replaced['state'], replaced['valid']) == ('attachment_changed', False)


async def test_a_letter_from_the_agency_is_unsigned(api: Api) -> None:
    mia = await desk('MIA')
    await make_person(A_FIN, password=None)
    out = (await api.http.post(LETTERS, json={'fin': A_FIN, 'title': 'T', 'body': 'B'}, headers=mia)).json()
    report = (await api.http.get(f'{LETTERS}/{out["id"]}/signature', headers=mia)).json()
    assert report == {'state': 'unsigned', 'valid': False, 'signer': None, 'digest': None}


# --- idempotency ----------------------------------------------------------------------------------------------------


async def test_a_retried_letter_to_a_citizen_is_written_once(api: Api, attachment_folder: Path) -> None:
    mia = await desk('MIA')
    await make_person(A_FIN, password=None)
    body = {'fin': A_FIN, 'title': 'Bildiriş', 'body': 'Mətn', 'attachments': [upload('a.pdf', SCAN_BYTES)]}
    headers = {**mia, 'Idempotency-Key': 'send-1'}

    first = await api.http.post(LETTERS, json=body, headers=headers)
    api.now = NOW + timedelta(minutes=5)
    retry = await api.http.post(LETTERS, json=body, headers=headers)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert await Letter.filter(direction=Direction.OUTBOUND).count() == 1
    assert len(list(attachment_folder.iterdir())) == 1  # the retry wrote no file either
    before = await snapshot(attachment_folder)
    other = await api.http.post(LETTERS, json={**body, 'body': 'Başqa mətn'}, headers=headers)
    assert_error(other, 409, 'idempotency_key_reused', 'Idempotency-Key')
    assert await snapshot(attachment_folder) == before

    # the key is the client's: another key of the same agency may use the same string
    again = await api.http.post(LETTERS, json=body, headers={**await desk('MIA'), 'Idempotency-Key': 'send-1'})
    assert again.status_code == 201
    assert again.json()['id'] != first.json()['id']


async def test_a_retried_answer_answers_once(api: Api) -> None:
    mia = await desk('MIA')
    _, sent = await citizen_letter()
    body = {'text': 'Cavab', 'attachments': [upload('cavab.pdf', SCAN_BYTES)]}
    headers = {**mia, 'Idempotency-Key': 'answer-1'}
    url = f'{LETTERS}/{sent.id}/answer'

    first = await api.http.post(url, json=body, headers=headers)
    retry = await api.http.post(url, json=body, headers=headers)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert await Letter.filter(reply_to_id=sent.id).count() == 1
    assert await LetterEvent.filter(letter_id=sent.id, kind='answered').count() == 1
    changed = await api.http.post(url, json={**body, 'text': 'Başqa cavab'}, headers=headers)
    assert_error(changed, 409, 'idempotency_key_reused', 'Idempotency-Key')
    status = await api.http.post(f'{LETTERS}/{sent.id}/status', json={'status': 'received'}, headers=headers)
    assert_error(status, 409, 'idempotency_key_reused', 'Idempotency-Key')
    # without the key, the same answer is a second answer, which the state machine refuses
    assert_error(await api.http.post(url, json=body, headers=mia), 422, 'illegal_transition', 'status')
    assert await Letter.filter(reply_to_id=sent.id).count() == 1


async def test_identical_requests_at_once_do_the_work_once(any_api: Api) -> None:
    api, mia = any_api, await desk('MIA')
    _, sent = await citizen_letter()
    _, other = await citizen_letter('7QW3E9R')
    answer_url, body = f'{LETTERS}/{sent.id}/answer', {'text': 'Cavab'}
    letter = {'fin': B_FIN, 'title': 'Bildiriş', 'body': 'Mətn'}
    await make_person(B_FIN, password=None)

    answers = await asyncio.gather(
        *(api.http.post(answer_url, json=body, headers={**mia, 'Idempotency-Key': 'twin-a'}) for _ in range(2))
    )
    extend_url, extend = f'{LETTERS}/{other.id}/status', {'status': 'under_review', 'investigation_reason': 'Arxiv'}
    extensions = await asyncio.gather(
        *(api.http.post(extend_url, json=extend, headers={**mia, 'Idempotency-Key': 'twin-x'}) for _ in range(2))
    )
    sends = await asyncio.gather(
        *(api.http.post(LETTERS, json=letter, headers={**mia, 'Idempotency-Key': 'twin-s'}) for _ in range(2))
    )

    assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
    assert answers[0].json() == answers[1].json()
    assert [r.status_code for r in extensions] == [200, 200], [r.text for r in extensions]
    assert extensions[0].json() == extensions[1].json()
    assert [r.status_code for r in sends] == [201, 201], [r.text for r in sends]
    assert sends[0].json() == sends[1].json()
    assert await Letter.filter(reply_to_id=sent.id).count() == 1
    assert await Letter.filter(direction=Direction.OUTBOUND, reply_to_id=None).count() == 1
    assert await IdempotencyKey.all().count() == 3
    assert await LetterEvent.filter(letter_id=other.id, kind='investigation').count() == 1


@pytest.mark.parametrize('key', ['   ', 'k' * 121, 'tab\tkey'])
async def test_a_malformed_idempotency_key_is_refused(api: Api, attachment_folder: Path, key: str) -> None:
    mia = await desk('MIA')
    _, sent = await citizen_letter()
    before = await snapshot(attachment_folder)
    response = await api.http.post(
        f'{LETTERS}/{sent.id}/status', json={'status': 'received'}, headers={**mia, 'Idempotency-Key': key}
    )
    assert_error(response, 422, 'idempotency_key_invalid', 'Idempotency-Key')
    assert await snapshot(attachment_folder) == before


# --- access ---------------------------------------------------------------------------------------------------------


async def test_another_agency_finds_nothing(api: Api, attachment_folder: Path) -> None:
    dyp = await desk('DYP')
    _, sent = await citizen_letter()
    attachment_id = sent.attachments[0].id
    before = await snapshot(attachment_folder)

    assert (await api.http.get(LETTERS, headers=dyp)).json() == {'items': [], 'total': 0}
    for path in ('', f'/attachments/{attachment_id}', '/signature'):
        assert_error(await api.http.get(f'{LETTERS}/{sent.id}{path}', headers=dyp), 404, 'letter_not_found')
    posts = {
        'status': {'status': 'received'},
        'answer': {'text': 'Cavab', 'attachments': [upload('a.pdf', SCAN_BYTES)]},
        'forward': {'to': 'MIA'},
    }
    for action, body in posts.items():
        assert_error(
            await api.http.post(f'{LETTERS}/{sent.id}/{action}', json=body, headers=dyp), 404, 'letter_not_found'
        )
    assert await snapshot(attachment_folder) == before


async def test_an_attachment_is_served_only_through_its_own_letter(api: Api) -> None:
    mia = await desk('MIA')
    _, first = await citizen_letter()
    _, second = await citizen_letter(B_FIN)
    other_file = f'{LETTERS}/{second.id}/attachments/{first.attachments[0].id}'
    assert_error(await api.http.get(other_file, headers=mia), 404, 'attachment_not_found')
    unknown = f'{LETTERS}/{first.id}/attachments/{UUID(int=1)}'
    assert_error(await api.http.get(unknown, headers=mia), 404, 'attachment_not_found')
    assert_error(await api.http.get(f'{LETTERS}/{UUID(int=2)}', headers=mia), 404, 'letter_not_found')
    assert_error(await api.http.get(f'{LETTERS}/not-a-uuid', headers=mia), 422, 'validation_error', 'path.letter_id')


async def test_scopes_and_keys(api: Api, attachment_folder: Path) -> None:
    await make_person(B_FIN, password=None)
    _, sent = await citizen_letter()
    registry_only = await desk('MIA', ('registry:write',))
    read_only = await desk('MIA', ('letters:read',))
    write_only = await desk('MIA', ('letters:write',))
    nothing = {'Authorization': f'Bearer {await make_key_with_scopes("MIA", [])}'}
    status_url, status = f'{LETTERS}/{sent.id}/status', {'status': 'received'}
    before = await snapshot(attachment_folder)

    for headers in (registry_only, nothing, write_only):
        assert_error(await api.http.get(LETTERS, headers=headers), 403, 'insufficient_scope')
        assert_error(await api.http.get(f'{LETTERS}/{sent.id}', headers=headers), 403, 'insufficient_scope')
    for headers in (registry_only, nothing, read_only):
        assert_error(await api.http.post(status_url, json=status, headers=headers), 403, 'insufficient_scope')
        letter = {'fin': B_FIN, 'title': 'T', 'body': 'B'}
        assert_error(await api.http.post(LETTERS, json=letter, headers=headers), 403, 'insufficient_scope')
    assert (await api.http.get(f'{LETTERS}/{sent.id}', headers=read_only)).status_code == 200
    anonymous = await api.http.get(LETTERS)
    assert_error(anonymous, 401, 'missing_api_key')
    assert anonymous.headers['WWW-Authenticate'] == 'Bearer'
    bad_key = {'Authorization': 'Bearer kab_0000000000000000_nope'}
    assert_error(await api.http.post(status_url, json=status, headers=bad_key), 401, 'invalid_api_key')
    assert await snapshot(attachment_folder) == before

    # a key with only letters:write still moves the letter, and gets the letter back
    moved = await api.http.post(status_url, json=status, headers=write_only)
    assert moved.json()['status'] == 'received'


async def test_a_list_reads_the_key_once_then_its_letters(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """Reading records nothing: the key's row is read once, to check it, and not again for the integration's name;
    the list is its count and its page (the organisations, citizens and previous legs joined)."""
    await citizen_letter()
    await citizen_letter(B_FIN)
    mia = await desk('MIA', ('letters:read',))
    assert (await api.http.get(LETTERS, headers=mia)).status_code == 200  # the key's first use is written down

    with caplog.at_level(logging.DEBUG, logger='tortoise.db_client'):
        listed = await api.http.get(LETTERS, headers=mia)
    assert listed.json()['total'] == 2
    statements = [r.getMessage() for r in caplog.records if r.name == 'tortoise.db_client']
    tables = [re.findall(r'FROM "?(\w+)', s)[0] for s in statements if s.startswith('SELECT')]
    assert tables == ['api_clients', 'letters', 'letters']
    assert not [s for s in statements if not s.startswith('SELECT')]  # nothing written within the minute


# --- bad input ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    id: str
    action: str  # 'status', 'answer', 'forward' on the letter, or 'send' for POST /letters
    body: dict[str, Any] | bytes
    status: int
    code: str
    field: str | None = None


BAD_INPUT = [
    Bad('empty-answer', 'answer', {'text': '  \n '}, 422, 'text_required', 'text'),
    Bad('long-answer', 'answer', {'text': 'x' * 20_001}, 422, 'text_too_long', 'text'),
    Bad('reject-without-reason', 'status', {'status': 'rejected', 'reason': ' '}, 422, 'reason_required', 'reason'),
    Bad('unknown-status', 'status', {'status': 'archived'}, 422, 'validation_error', 'status'),
    Bad('answer-by-status', 'status', {'status': 'answered'}, 422, 'validation_error', 'status'),
    Bad(
        'investigation-without-review',
        'status',
        {'status': 'received', 'investigation_reason': 'x'},
        422,
        'validation_error',
        'investigation_reason',
    ),
    Bad('extra-field', 'status', {'status': 'received', 'by': 'me'}, 422, 'validation_error', 'by'),
    Bad(
        'six-files',
        'answer',
        {'text': 'Cavab', 'attachments': [upload(f'{n}.pdf', SCAN_BYTES) for n in range(6)]},
        422,
        'too_many_files',
        'attachments',
    ),
    Bad(
        'file-over-10-mb',
        'answer',
        {'text': 'Cavab', 'attachments': [upload('big.pdf', pdf(10 * 1024 * 1024 + 1))]},
        422,
        'file_too_large',
        'attachments',
    ),
    Bad(
        'html-named-pdf',
        'answer',
        {'text': 'Cavab', 'attachments': [upload('cavab.pdf', SCAN_BYTES), upload('x.pdf', HTML)]},
        422,
        'file_type_not_allowed',
        'attachments',
    ),
    Bad(
        'traversal-name',
        'send',
        {'fin': A_FIN, 'title': 'T', 'body': 'B', 'attachments': [upload('../../etc/passwd.pdf', SCAN_BYTES)]},
        422,
        'filename_invalid',
        'attachments',
    ),
    Bad(
        'control-character-name',
        'answer',
        {'text': 'Cavab', 'attachments': [upload('cavab\x00.pdf', SCAN_BYTES)]},
        422,
        'filename_invalid',
        'attachments',
    ),
    Bad(
        'bad-base64',
        'answer',
        {'text': 'Cavab', 'attachments': [upload('a.pdf', SCAN_BYTES), {'filename': 'b.pdf', 'content_base64': '%%'}]},
        422,
        'invalid_base64',
        'attachments.1.content_base64',
    ),
    Bad('unknown-fin', 'send', {'fin': '9ZZZ999', 'title': 'T', 'body': 'B'}, 404, 'citizen_not_found', 'fin'),
    Bad('empty-title', 'send', {'fin': A_FIN, 'title': ' ', 'body': 'B'}, 422, 'title_required', 'title'),
    Bad('missing-title', 'send', {'fin': A_FIN, 'body': 'B'}, 422, 'validation_error', 'title'),
    Bad('malformed-json', 'answer', b'{"text": "Cavab", ', 400, 'malformed_json'),
]


@pytest.mark.parametrize('bad', [pytest.param(b, id=b.id) for b in BAD_INPUT])
async def test_bad_input_is_refused_and_nothing_is_written(api: Api, attachment_folder: Path, bad: Bad) -> None:
    mia = await desk('MIA')
    _, sent = await citizen_letter()
    url = LETTERS if bad.action == 'send' else f'{LETTERS}/{sent.id}/{bad.action}'
    before = await snapshot(attachment_folder)

    if isinstance(bad.body, bytes):
        response = await api.http.post(url, content=bad.body, headers={**mia, 'Content-Type': 'application/json'})
    else:
        response = await api.http.post(url, json=bad.body, headers={**mia, 'Idempotency-Key': bad.id})

    assert_error(response, bad.status, bad.code, bad.field)
    assert await snapshot(attachment_folder) == before


async def test_a_closed_letter_does_not_move_again(api: Api, attachment_folder: Path) -> None:
    mia = await desk('MIA')
    _, sent = await citizen_letter()
    answered = await api.http.post(f'{LETTERS}/{sent.id}/answer', json={'text': 'Cavab'}, headers=mia)
    assert answered.status_code == 200, answered.text
    before = await snapshot(attachment_folder)

    again = {'text': 'Yenə', 'attachments': [upload('a.pdf', SCAN_BYTES)]}
    assert_error(
        await api.http.post(f'{LETTERS}/{sent.id}/answer', json=again, headers=mia), 422, 'illegal_transition', 'status'
    )
    for status in ({'status': 'received'}, {'status': 'rejected', 'reason': 'Gec'}):
        response = await api.http.post(f'{LETTERS}/{sent.id}/status', json=status, headers=mia)
        assert_error(response, 422, 'illegal_transition', 'status')
    assert await snapshot(attachment_folder) == before


# --- the contract ---------------------------------------------------------------------------------------------------


async def test_openapi_documents_every_letters_route(api: Api) -> None:
    spec = (await api.http.get(f'{PREFIX}/openapi.json')).json()
    operations = {
        (path, method): op
        for path, ops in spec['paths'].items()
        if path.startswith('/letters')
        for method, op in ops.items()
    }
    assert set(operations) == {
        ('/letters', 'get'),
        ('/letters', 'post'),
        ('/letters/outgoing', 'get'),
        ('/letters/{letter_id}', 'get'),
        ('/letters/{letter_id}/attachments/{attachment_id}', 'get'),
        ('/letters/{letter_id}/signature', 'get'),
        ('/letters/{letter_id}/status', 'post'),
        ('/letters/{letter_id}/forward', 'post'),
        ('/letters/{letter_id}/answer', 'post'),
    }
    for (path, method), op in operations.items():
        assert op['description'] and '\n' not in op['description'], (path, method)  # the one-line docstring
        assert {'401', '403', '404'} <= set(op['responses']), (path, method)
        if method == 'post':
            assert {'409', '422'} <= set(op['responses'])
            assert 'Idempotency-Key' in [p['name'] for p in op['parameters']]
