"""Crash safety: the portal killed (SIGKILL) in the middle of a burst of writes loses nothing it acknowledged and does
nothing twice.

The portal runs as its own process (`python main.py`) on an SQLite file. At once, through the HTTP API, an agency's
system writes letters with a file to citizens (each with its ``Idempotency-Key``), citizens vote in open polls with
their session tokens (a vote's own key is the citizen and the poll: the database takes one), and the payment gateway
reports payments with signed callbacks (the gateway's event id is its idempotency key). The process is killed at a
random moment of the burst (0.3 to 1 s after its first answer), started again on the same database, hit by a second
burst, killed again and started again. Then every request ever sent is sent once more, answered or not: what was
acknowledged answers as the same result and is in the database exactly once, what was not is now done exactly once,
and the database is whole (integrity check, foreign keys, the history's hash chain) with the invariants of the votes,
the outbox and the letters holding.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import httpx
from tortoise import Tortoise

from portal import db
from portal.api import PREFIX
from portal.payments.sandbox import SIGNATURE_HEADER, SandboxGateway
from portal.store import payments
from portal.store.actors import Role
from portal.store.apikeys import authenticate, create_api_key
from portal.store.audit import verify_history
from portal.store.auth import hash_password
from portal.store.notices.cabinet import save_preferences
from portal.store.orgs import ensure_reference_organisations, get_organisation
from portal.store.participation import voting
from portal.store.people import Person
from portal.store.registry import upsert_record

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = 'crash-safety-password'
PAYMENT_SECRET = 'crash-safety-payment-secret-0123456789'
CITIZENS = 8
POLLS = 30
FINES_EACH = 3
# concurrent clients per kind of request, each with its own keep-alive connection
WORKERS = {'letter': 4, 'vote': 6, 'payment': 2}
# what a first answer may be, per kind (anything else is a failure of its own)
ACCEPTED = {'letter': {201}, 'vote': {201}, 'payment': {200}}


@dataclass
class Call:
    """One request as a client keeps it to send again: what it is, its bytes, and its first answer if one came."""

    kind: str  # 'letter', 'vote' or 'payment'
    key: str  # the Idempotency-Key, the gateway's event id, or '<poll id>:<person id>' for a vote
    path: str
    headers: dict[str, str]
    content: bytes
    answer: tuple[int, Any] | None = None


@dataclass
class World:
    letters_key: str
    citizens: list[tuple[str, str]]  # (person id, FIN)
    polls: list[tuple[str, list[str]]]  # (poll id, option ids)
    payments: list[tuple[str, str, str]]  # (payment id, gateway reference, amount)
    tokens: dict[str, str] = field(default_factory=dict)  # person id → session token


class Portal:
    """`python main.py` on a fixed port and database, started and killed again and again."""

    def __init__(self, env: dict[str, str], log: IO[bytes], port: int) -> None:
        self.env, self.log, self.url = env, log, f'http://127.0.0.1:{port}'
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, 'main.py'], cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=self.url, timeout=1) as client:
            while True:
                code = self.process.poll()
                assert code is None, f'the portal exited with {code} (see {self.log.name})'
                try:
                    if (await client.get(f'{PREFIX}/health')).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, 'the portal did not start within 60 s'
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, nothing the process could still finish."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


async def test_nothing_acknowledged_is_lost_or_doubled_when_the_portal_is_killed_mid_burst(
    sqlite_db: str, tmp_path: Path
) -> None:
    database = Path(sqlite_db.removeprefix('sqlite://'))
    files = tmp_path / 'files'  # the test's own store calls use the same folder (conftest's attachment_folder)
    world = await prepare()
    await Tortoise.close_connections()  # the portal alone holds the database from here on
    port = _free_port()
    env = {
        **os.environ,
        'PORTAL_PORT': str(port),
        'PORTAL_DB_URL': sqlite_db,
        'PORTAL_DEMO': '1',
        'PORTAL_SCHEDULER': '0',
        'PORTAL_PAYMENT_SECRET': PAYMENT_SECRET,
        'PORTAL_FILES_DIR': str(files),
        'PORTAL_TALLY_KEY_FILE': str(tmp_path / 'tally.key'),  # the key this test's polls were sealed to
        'PORTAL_MAILBOX_DIR': str(tmp_path / 'mailbox'),
        'PORTAL_SMS_LOG': str(tmp_path / 'sms.log'),
    }
    pairs = [(person_id, poll) for person_id, _ in world.citizens for poll in world.polls]
    random.shuffle(pairs)
    halves = (pairs[: len(pairs) // 2], pairs[len(pairs) // 2 :])
    bills = (world.payments[::2], world.payments[1::2])
    sent: list[Call] = []
    with (tmp_path / 'portal.log').open('ab') as log:
        portal = Portal(env, log, port)
        try:
            await portal.start()
            await log_in_all(portal.url, world)
            for burst in (0, 1):
                streams = {
                    'letter': letter_calls(world, burst),
                    'vote': iter([vote_call(world, person_id, poll) for person_id, poll in halves[burst]]),
                    'payment': iter(payment_calls(bills[burst])),
                }
                issued = await fire_and_kill(portal, streams)
                assert any(c.answer is None for c in issued), 'the portal must be killed with requests in flight'
                for call in issued:
                    if call.answer is not None:
                        assert call.answer[0] in ACCEPTED[call.kind], (call.kind, call.answer)
                sent += issued
                await portal.start()  # on the same database, after the crash
                assert_acknowledged_kept(database, sent)
            again = await send_all(portal.url, sent)
        finally:
            portal.kill()
    assert {c.kind for c in sent if c.answer is not None} == set(WORKERS), 'every kind must have been acknowledged'

    letter_ids = check_replays(sent, again)
    with sqlite3.connect(database) as con:
        assert con.execute('PRAGMA integrity_check').fetchall() == [('ok',)]
        assert con.execute('PRAGMA foreign_key_check').fetchall() == []
        check_letters(con, files, sent, letter_ids)
        check_outbox(con)
        check_votes(con, sent, world)
        check_payments(con, sent, world)
    await Tortoise.init(config=db.tortoise_config(sqlite_db), _enable_global_fallback=True)
    verdict = await verify_history()
    assert verdict.ok, verdict


# -- before the first start: people, polls, keys, debts and their open payments, through the store --------------------


async def prepare() -> World:
    now = datetime.now(UTC)
    await ensure_reference_organisations()
    nesimi = await get_organisation(code='IH-NESIMI')
    officer = await Person.create(
        fin='6CRASH0', role=Role.EXECUTIVE_OFFICER, first_name='Səbinə', last_name='Sınaq', organisation_id=nesimi.id
    )
    hashed = hash_password(PASSWORD)  # one hash for all: logging in is not what is tested
    await Person.bulk_create(
        [
            Person(fin=f'C{n:06d}', role=Role.CITIZEN, first_name='Vətəndaş', last_name=f'{n}', password_hash=hashed)
            for n in range(CITIZENS)
        ]
    )
    citizens = await Person.filter(role=Role.CITIZEN).order_by('fin')
    polls = []
    for n in range(POLLS):
        poll = await voting.create_poll(
            actor=officer.as_actor(),
            question=f'Sorğu {n + 1}: həyətdə yeni meydança tikilsin?',
            options=['Bəli', 'Xeyr', 'Bitərəfəm'],
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            now=now,
        )
        polls.append((str(poll.id), [str(o.id) for o in poll.options]))
    _, letters_key = await create_api_key(organisation_code='MIA', scopes=['letters:read', 'letters:write'], now=now)
    _, fines_key = await create_api_key(organisation_code='DYP', scopes=['registry:write'], now=now)
    police = await authenticate(key=fines_key, now=now)
    for n, person in enumerate(citizens):
        # a letter from an agency goes to the cabinet, by SMS and by e-mail: two deliveries in the outbox
        await save_preferences(
            actor=person.as_actor(),
            email=f'c{n}@example.az',
            phone=f'+99450{n:07d}',
            channels={'letter_received': {'sms': True, 'email': True}},
            quiet_from=0,
            quiet_until=0,
            digest=False,
            lang='az',
            now=now,
        )
        for m in range(FINES_EACH):
            fine = await upsert_record(
                actor=police,
                fin=person.fin,
                kind='fine',
                data={
                    'protocol_no': f'CR{n:03d}-{m}',
                    'issued_on': (now - timedelta(days=3)).date().isoformat(),
                    'article': 'İXM 327.1',
                    'amount': f'{20 + n + m}.50',
                    'due_on': (now + timedelta(days=27)).date().isoformat(),
                },
                now=now,
            )
            await payments.start_payment(actor=person.as_actor(), record_id=fine.record.id, now=now)
    open_payments = await payments.Payment.all().order_by('gateway_ref')
    return World(
        letters_key=letters_key,
        citizens=[(str(p.id), p.fin) for p in citizens],
        polls=polls,
        payments=[(str(p.id), p.gateway_ref, f'{p.amount:.2f}') for p in open_payments],
    )


async def log_in_all(url: str, world: World) -> None:
    gate = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def one(person_id: str, fin: str) -> None:
            async with gate:
                response = await client.post(f'{PREFIX}/sessions', json={'fin': fin, 'password': PASSWORD})
            assert response.status_code == 201, response.text
            world.tokens[person_id] = response.json()['token']

        await asyncio.gather(*(one(person_id, fin) for person_id, fin in world.citizens))


# -- the requests ----------------------------------------------------------------------------------------------------


def letter_calls(world: World, burst: int) -> Iterator[Call]:
    """Letters from the Ministry's system to citizens, each with a file and its own key, for as long as asked."""
    for n in itertools.count():
        key = f'crash-{burst}-{n}-{secrets.token_hex(4)}'
        body = {
            'fin': world.citizens[n % len(world.citizens)][1],
            'title': f'Letter {key}',
            'body': 'Hörmətli vətəndaş, müraciətinizə baxılmışdır.',
            'attachments': [{'filename': f'{key}.pdf', 'content_base64': base64.b64encode(pdf_of(key)).decode()}],
        }
        headers = {'Authorization': f'Bearer {world.letters_key}', 'Idempotency-Key': key}
        yield Call('letter', key, f'{PREFIX}/letters', headers, json.dumps(body).encode())


def pdf_of(key: str) -> bytes:
    return b'%PDF-1.4\n% ' + key.encode() + b'\n%%EOF\n'


def vote_call(world: World, person_id: str, poll: tuple[str, list[str]]) -> Call:
    poll_id, options = poll
    body = json.dumps({'option': random.choice(options)}).encode()
    headers = {'Authorization': f'Bearer {world.tokens[person_id]}'}
    return Call('vote', f'{poll_id}:{person_id}', f'{PREFIX}/polls/{poll_id}/vote', headers, body)


def payment_calls(bills: list[tuple[str, str, str]]) -> list[Call]:
    """The gateway's signed verdicts: every payment succeeds, every third after a declined card first."""
    gateway = SandboxGateway(secret=PAYMENT_SECRET)
    calls = []
    for index, (_, ref, amount) in enumerate(bills):
        verdicts = [('payment.failed', 'card_declined'), ('payment.succeeded', '')] if index % 3 == 0 else []
        for kind, reason in verdicts or [('payment.succeeded', '')]:
            event_id = f'evt_{secrets.token_urlsafe(12)}'
            created = int(time.time())
            data = {'ref': ref, 'amount': amount, 'currency': 'AZN', 'reason': reason, 'card_last4': '4242'}
            body = json.dumps({'id': event_id, 'type': kind, 'created': created, 'data': data}).encode()
            headers = {SIGNATURE_HEADER: gateway.signature(body, timestamp=created)}
            calls.append(Call('payment', event_id, f'{PREFIX}/payments/sandbox/callback', headers, body))
    return calls


async def send(client: httpx.AsyncClient, call: Call) -> httpx.Response:
    headers = {'Content-Type': 'application/json', **call.headers}
    return await client.post(call.path, content=call.content, headers=headers)


async def fire_and_kill(portal: Portal, streams: dict[str, Iterator[Call]]) -> list[Call]:
    """Send the streams from concurrent clients; kill the portal 0.3 to 1 s after each kind had its first answer (a
    letter with its file takes longer than a vote). Every request sent is returned, with its answer if one arrived."""
    issued: list[Call] = []
    kinds_answered: set[str] = set()
    answered = asyncio.Event()
    killed = False

    async def client_of(stream: Iterator[Call]) -> None:
        async with httpx.AsyncClient(base_url=portal.url, timeout=30) as client:
            for call in stream:
                if killed:
                    return
                issued.append(call)
                try:
                    response = await send(client, call)
                except httpx.TransportError:
                    continue  # no answer: the portal died with the request (or before it arrived)
                call.answer = (response.status_code, _body(response))
                kinds_answered.add(call.kind)
                if kinds_answered == set(streams):
                    answered.set()

    tasks = [asyncio.create_task(client_of(stream)) for kind, stream in streams.items() for _ in range(WORKERS[kind])]
    try:
        await asyncio.wait_for(answered.wait(), timeout=30)
        await asyncio.sleep(random.uniform(0.3, 1.0))
    finally:
        portal.kill()
        killed = True
        await asyncio.gather(*tasks)
    return issued


async def send_all(url: str, calls: list[Call]) -> list[tuple[int, Any]]:
    """Every request once more, with the same key, from a few connections."""
    cursor = iter(list(enumerate(calls)))
    answers: dict[int, tuple[int, Any]] = {}

    async def client_of() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            for index, call in cursor:
                response = await send(client, call)
                answers[index] = (response.status_code, _body(response))

    await asyncio.gather(*(client_of() for _ in range(8)))
    return [answers[i] for i in range(len(calls))]


# -- the checks ------------------------------------------------------------------------------------------------------


def assert_acknowledged_kept(database: Path, calls: list[Call]) -> None:
    """Right after a restart, before anything is sent again: every acknowledged write is there."""
    with sqlite3.connect(database) as con:
        for call in calls:
            if call.answer is None:
                continue
            if call.kind == 'letter':
                row = con.execute('SELECT resource_id FROM idempotency_keys WHERE key = ?', (call.key,)).fetchone()
                assert row is not None and UUID(row[0]) == UUID(call.answer[1]['id']), call.key
            elif call.kind == 'vote':
                poll_id, person_id = call.key.split(':')
                row = con.execute(
                    'SELECT COUNT(*) FROM participations WHERE poll_id = ? AND person_id = ?', (poll_id, person_id)
                ).fetchone()
                assert row == (1,), call.key
            else:
                row = con.execute('SELECT COUNT(*) FROM gateway_events WHERE event_id = ?', (call.key,)).fetchone()
                assert row == (1,), call.key


def check_replays(calls: list[Call], again: list[tuple[int, Any]]) -> dict[str, str]:
    """A retried request answers as the first one did; the letters' ids by key."""
    letter_ids = {}
    for call, (status, body) in zip(calls, again, strict=True):
        if call.kind == 'letter':
            assert status == 201, body
            if call.answer is not None:
                assert body == call.answer[1], 'a retried letter must be the letter first answered'
            letter_ids[call.key] = str(body['id'])
        elif call.kind == 'vote':
            if call.answer is not None or status != 201:
                assert (status, body['error']['code']) == (422, 'already_voted'), (call.answer, body)
        else:
            assert status == 200, body
            if call.answer is not None:
                assert body == {'status': 'duplicate'}, body
            else:
                assert body['status'] in {'processed', 'ignored', 'duplicate'}, body
    return letter_ids


def check_letters(con: sqlite3.Connection, files: Path, calls: list[Call], letter_ids: dict[str, str]) -> None:
    """One letter per key, each whole: its first timeline step, its history entry, its notice, its file."""
    keys = [c.key for c in calls if c.kind == 'letter']
    assert len(set(keys)) == len(keys) == len(letter_ids)
    titles = dict(con.execute("SELECT title, COUNT(*) FROM letters WHERE title LIKE 'Letter crash-%' GROUP BY title"))
    assert titles == {f'Letter {k}': 1 for k in keys}
    stored = con.execute("SELECT key, resource_id FROM idempotency_keys WHERE key LIKE 'crash-%'").fetchall()
    assert sorted((k, UUID(r)) for k, r in stored) == sorted((k, UUID(letter_ids[k])) for k in keys)
    for key, letter_id in letter_ids.items():
        assert con.execute('SELECT kind FROM letter_events WHERE letter_id = ?', (letter_id,)).fetchall() == [('sent',)]
        history = con.execute(
            "SELECT COUNT(*) FROM history_events WHERE kind = 'letter_received' "
            "AND json_extract(detail, '$.letter_id') = ?",
            (letter_id,),
        ).fetchone()
        assert history == (1,), key
        attachments = con.execute(
            'SELECT filename, sha256 FROM letter_attachments WHERE letter_id = ?', (letter_id,)
        ).fetchall()
        assert attachments == [(f'{key}.pdf', hashlib.sha256(pdf_of(key)).hexdigest())], key
        notice = con.execute('SELECT id FROM notices WHERE key = ?', (f'letter:{letter_id}:sent',)).fetchall()
        assert len(notice) == 1, key
        channels = con.execute('SELECT channel FROM deliveries WHERE notice_id = ? ORDER BY 1', notice[0]).fetchall()
        assert channels == [('email',), ('sms',)], key
    # no letter anywhere without its first step, and every file a row names is on disk as it was checked in
    bare = con.execute(
        "SELECT COUNT(*) FROM letters l WHERE l.status != 'draft' "
        'AND NOT EXISTS (SELECT 1 FROM letter_events e WHERE e.letter_id = l.id)'
    ).fetchone()
    assert bare == (0,)
    for name, sha256 in con.execute('SELECT storage_name, sha256 FROM letter_attachments'):
        path = files / name
        assert path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256, name


def check_outbox(con: sqlite3.Connection) -> None:
    """Each notice's deliveries are its own: its person, its key per channel, one per channel."""
    strays = con.execute(
        'SELECT COUNT(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id '
        "WHERE d.key != n.key || ':' || d.channel OR d.person_id != n.person_id"
    ).fetchone()
    assert strays == (0,)
    doubled = con.execute(
        'SELECT COUNT(*) FROM (SELECT 1 FROM deliveries WHERE notice_id IS NOT NULL '
        'GROUP BY notice_id, channel HAVING COUNT(*) > 1)'
    ).fetchone()
    assert doubled == (0,)
    orphans = con.execute("SELECT COUNT(*) FROM deliveries WHERE notice_id IS NULL AND key NOT LIKE 'digest:%'")
    assert orphans.fetchone() == (0,)


def check_votes(con: sqlite3.Connection, calls: list[Call], world: World) -> None:
    """Exactly one participation per citizen and poll voted in; per poll, participations = waiting + counted."""
    asked = {tuple(c.key.split(':')) for c in calls if c.kind == 'vote'}
    rows = con.execute('SELECT poll_id, person_id, COUNT(*) FROM participations GROUP BY poll_id, person_id').fetchall()
    assert all(n == 1 for _, _, n in rows), 'one participation per citizen and poll'
    assert {(str(UUID(p)), str(UUID(c))) for p, c, _ in rows} == asked
    for poll_id, _ in world.polls:
        (taking,) = con.execute('SELECT COUNT(*) FROM participations WHERE poll_id = ?', (poll_id,)).fetchone()
        (waiting,) = con.execute('SELECT COUNT(*) FROM sealed_ballots WHERE poll_id = ?', (poll_id,)).fetchone()
        (counted,) = con.execute('SELECT COUNT(*) FROM ballots WHERE poll_id = ?', (poll_id,)).fetchone()
        assert taking == waiting + counted, (poll_id, taking, waiting, counted)


def check_payments(con: sqlite3.Connection, calls: list[Call], world: World) -> None:
    """Every event kept once; every payment succeeded once, its debt paid once, its history entry written once."""
    events = dict(con.execute('SELECT event_id, COUNT(*) FROM gateway_events WHERE event_id IS NOT NULL GROUP BY 1'))
    assert events == {c.key: 1 for c in calls if c.kind == 'payment'}
    verdicts: dict[str, set[str]] = {}
    for call in calls:
        if call.kind == 'payment':
            event = json.loads(call.content)
            verdicts.setdefault(event['data']['ref'], set()).add(event['type'])
    settled = [payment_id for payment_id, ref, _ in world.payments if 'payment.succeeded' in verdicts.get(ref, ())]
    assert settled
    for payment_id, ref, _ in world.payments:
        state, settles, record_id, receipt = con.execute(
            'SELECT state, settles, record_id, receipt_no FROM payments WHERE id = ?', (payment_id,)
        ).fetchone()
        paid = con.execute(
            "SELECT json_extract(data, '$.status') FROM registry_records WHERE id = ?", (record_id,)
        ).fetchone()
        if payment_id not in settled:  # only declined, or never reported: the debt is still owed
            expected = 'failed' if ref in verdicts else 'pending'
            assert (state, settles, receipt, paid) == (expected, None, None, ('unpaid',)), payment_id
            continue
        assert (state, settles, paid) == ('succeeded', record_id, ('paid',)), payment_id
        history = con.execute(
            "SELECT COUNT(*) FROM history_events WHERE kind = 'payment_succeeded' "
            "AND json_extract(detail, '$.receipt_no') = ?",
            (receipt,),
        ).fetchone()
        assert history == (1,), payment_id
    (succeeded,) = con.execute("SELECT COUNT(*) FROM history_events WHERE kind = 'payment_succeeded'").fetchone()
    assert succeeded == len(settled)


def _body(response: httpx.Response) -> Any:
    """The JSON of an answer (a server error's page as text, so that the check shows it)."""
    try:
        return response.json()
    except ValueError:
        return response.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])
