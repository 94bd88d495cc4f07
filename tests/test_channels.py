"""Outside channels: e-mail to a real SMTP server (aiosmtpd on loopback), SMS to a gateway faked at the HTTP edge,
the gateway's signed receipts through the API, the demo backends, and the settings that choose among them."""

from __future__ import annotations

import json
import os
import socket
import stat
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session
from fastapi import FastAPI
from pydantic import ValidationError

from portal.api import PREFIX, create_api, notices_gateway
from portal.channels import Message, SendError, Senders
from portal.channels.email import MailboxSender, SmtpSender
from portal.channels.setup import senders_from_settings
from portal.channels.sms import SIGNATURE_HEADER, FileSmsSender, HttpSmsGateway, sign_receipt, verify_receipt
from portal.config import Settings
from portal.errors import Unauthorized
from portal.store.notices.delivery import deliver_due
from portal.store.notices.models import Channel, Delivery, DeliveryState, NoticeSettings
from portal.store.notices.outbox import NewNotice, notify
from portal.store.people import Person
from tests.factories import NOW, make_citizen

LETTERS = 'ə ğ ı ö ü ş ç Ə Ğ I Ö Ü Ş Ç'
FROM = 'Kabinet <no-reply@kabinet.local>'
SECRET = 'receipt-secret-for-tests-0123456789'
RECEIPT = f'{PREFIX}/notifications/sms/receipt'
GATEWAY = 'https://sms.example.az/v1/messages'


# -- a real SMTP server on loopback -----------------------------------------------------------------------------------


class Keeper:
    """aiosmtpd handler: keeps what it accepts, refuses the recipients it is told to with the code it is told."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b''
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return '250 Message accepted for delivery'


class SmtpServer:
    """One port, a server that can go down and come back on it, one keeper across restarts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.keeper = Keeper()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.keeper, hostname='127.0.0.1', port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def sender(self, timeout: float = 5.0) -> SmtpSender:
        return SmtpSender(host='127.0.0.1', port=self.port, starttls=False, sender_address=FROM, timeout=timeout)


def text_of(mail: EmailMessage) -> str:
    """The body as a mail client shows it (SMTP carries CRLF line ends)."""
    content: str = mail.get_content()
    return content.replace('\r\n', '\n')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def message(to: str, *, channel: str = 'email', body: str = f'Mətn: {LETTERS}\nİkinci sətir.') -> Message:
    return Message(uuid.uuid4(), channel, to, f'Kabinet: {LETTERS}', body)


# -- e-mail ---------------------------------------------------------------------------------------------------------


async def test_smtp_sender_hands_a_utf8_message_to_a_real_server(smtp: SmtpServer) -> None:
    sent = message('leyla@example.az')
    message_id = await smtp.sender().send(sent)
    [mail] = smtp.keeper.messages
    assert smtp.keeper.envelopes == [('no-reply@kabinet.local', ['leyla@example.az'])]
    assert mail['From'] == FROM
    assert mail['To'] == 'leyla@example.az'
    assert mail['Subject'] == f'Kabinet: {LETTERS}'
    assert text_of(mail) == f'Mətn: {LETTERS}\nİkinci sətir.\n'
    assert mail['Message-ID'] == message_id
    assert message_id.startswith('<') and message_id.endswith('@kabinet.local>')
    assert mail['Auto-Submitted'] == 'auto-generated'
    assert mail['Date'].datetime.tzinfo is not None
    assert await smtp.sender().send(message('leyla@example.az')) != message_id  # a Message-ID is never reused


async def test_smtp_down_is_a_transient_failure() -> None:
    closed = SmtpSender(host='127.0.0.1', port=free_port(), starttls=False, sender_address=FROM, timeout=2)
    with pytest.raises(SendError) as failed:
        await closed.send(message('leyla@example.az'))
    assert failed.value.permanent is False
    assert 'unavailable' in failed.value.reason


async def test_a_refused_recipient_is_permanent_and_a_busy_mailbox_is_not(smtp: SmtpServer) -> None:
    smtp.keeper.refuse['nobody@example.az'] = '550 5.1.1 No such user here'
    smtp.keeper.refuse['busy@example.az'] = '450 4.2.1 Mailbox busy, try later'
    with pytest.raises(SendError) as refused:
        await smtp.sender().send(message('nobody@example.az'))
    assert refused.value.permanent is True
    assert '550' in refused.value.reason
    with pytest.raises(SendError) as busy:
        await smtp.sender().send(message('busy@example.az'))
    assert busy.value.permanent is False
    assert smtp.keeper.messages == []


async def test_a_garbled_address_is_refused_permanently_without_a_connection() -> None:
    closed = SmtpSender(host='127.0.0.1', port=free_port(), starttls=False, sender_address=FROM)
    for to in ('leyla', 'leyla@example.az\r\nBcc: all@example.az', ''):
        with pytest.raises(SendError) as failed:
            await closed.send(message(to))
        assert failed.value.permanent is True, to


async def test_mailbox_sender_writes_whole_parseable_eml_files(tmp_path: Path) -> None:
    folder = tmp_path / 'mailbox'
    sender = MailboxSender(folder)
    first = await sender.send(message('leyla@example.az'))
    second = await sender.send(message('rauf@example.az', body='İkinci'))
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == ['.eml', '.eml']  # no temporary files left behind
    mails = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert {m['Message-ID'] for m in mails} == {first, second}
    mail = next(m for m in mails if m['Message-ID'] == first)
    assert isinstance(mail, EmailMessage)
    assert (mail['From'], mail['To'], mail['Subject']) == (FROM, 'leyla@example.az', f'Kabinet: {LETTERS}')
    assert mail.get_content() == f'Mətn: {LETTERS}\nİkinci sətir.\n'
    assert mail['Auto-Submitted'] == 'auto-generated'
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600  # citizens' mail: the portal's user only


# -- end to end: the outbox through a real SMTP server ----------------------------------------------------------------


async def _citizen_with_email(address: str = 'leyla@example.az') -> Person:
    citizen = await make_citizen()
    await NoticeSettings.create(person_id=citizen.id, email=address, updated_at=NOW)
    return citizen


def _letter(citizen: Person, key: str) -> NewNotice:
    params = {'agency': 'Ədliyyə Nazirliyi', 'title': f'Müraciətinizə cavab ({LETTERS})'}
    return NewNotice(citizen.id, 'letter_received', key, params, '/letters')


async def test_a_notice_goes_out_through_smtp_and_a_failed_try_is_sent_once_later(
    sqlite_db: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    citizen = await _citizen_with_email()
    senders = Senders(email=smtp.sender(timeout=2), sms=FileSmsSender(tmp_path / 'sms.log'))
    assert await notify(_letter(citizen, 'letter:1:received'), now=NOW)

    report = await deliver_due(senders=senders, now=NOW, worker='t')
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [mail] = smtp.keeper.messages
    assert mail['To'] == 'leyla@example.az'
    assert mail['Subject'].startswith('Kabinet: ')
    assert 'Ədliyyə Nazirliyi' in text_of(mail) and LETTERS in text_of(mail)
    row = await Delivery.get(key='letter:1:received:email')
    assert (row.state, row.attempts, row.provider_id) == (DeliveryState.SENT, 1, mail['Message-ID'])

    # the server goes down: the try fails, the row waits for a later one
    smtp.stop()
    assert await notify(_letter(citizen, 'letter:2:received'), now=NOW)
    report = await deliver_due(senders=senders, now=NOW, worker='t')
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    row = await Delivery.get(key='letter:2:received:email')
    assert (row.state, row.attempts, row.provider_id) == (DeliveryState.QUEUED, 1, '')
    assert row.next_attempt_at >= NOW + timedelta(seconds=30)
    assert 'unavailable' in row.last_error

    # back up: nothing goes before its time, then it goes exactly once
    smtp.start()
    assert (await deliver_due(senders=senders, now=NOW + timedelta(seconds=1), worker='t')).sent == 0
    later = row.next_attempt_at
    assert (await deliver_due(senders=senders, now=later, worker='t')).sent == 1
    assert (await deliver_due(senders=senders, now=later + timedelta(hours=2), worker='t')).sent == 0
    assert len(smtp.keeper.messages) == 2  # the first notice's and this one's, nothing twice
    row = await Delivery.get(key='letter:2:received:email')
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.SENT, 2, '')
    assert row.provider_id == smtp.keeper.messages[1]['Message-ID']


# -- SMS through an HTTP gateway --------------------------------------------------------------------------------------


class FakeGateway:
    """The SMS gateway's HTTP API as an ``httpx.MockTransport``: answers each request with the next planned answer."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if self.answers else httpx.Response(200, json={'id': f'gw-{len(self.requests)}'})
        if isinstance(answer, Exception):
            raise answer
        return answer

    def sender(self) -> HttpSmsGateway:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return HttpSmsGateway(url=GATEWAY, api_key='key-123', sender_name='Kabinet', timeout=2, client=client)


async def test_the_gateway_gets_the_sms_as_json_with_the_key_and_the_delivery_as_reference() -> None:
    gateway = FakeGateway(httpx.Response(202, json={'id': 'msg-7781'}))
    sms = message('+994 50 123 45 67', channel='sms', body=f'Kabinet: {LETTERS}')
    assert await gateway.sender().send(sms) == 'msg-7781'
    [request] = gateway.requests
    assert (request.method, str(request.url)) == ('POST', GATEWAY)
    assert request.headers['Authorization'] == 'Bearer key-123'
    assert json.loads(request.content) == {
        'to': '+994501234567',
        'text': f'Kabinet: {LETTERS}',
        'sender': 'Kabinet',
        'reference': str(sms.delivery_id),
    }


@pytest.mark.parametrize(
    ('answer', 'permanent', 'said'),
    [
        (httpx.Response(503, json={'message': 'Upstream operator down'}), False, 'Upstream operator down'),
        (httpx.Response(500, text='oops'), False, '500'),
        (httpx.Response(429, json={'message': 'Slow down'}), False, 'Slow down'),
        (httpx.ConnectTimeout('timed out'), False, 'timed out'),
        (httpx.ConnectError('connection refused'), False, 'unavailable'),
        (httpx.Response(200, json={'accepted': True}), False, 'without a message id'),
        (httpx.Response(400, json={'message': 'Number not in service'}), True, 'Number not in service'),
        (httpx.Response(422, json={'error': {'message': 'Text too long'}}), True, 'Text too long'),
    ],
)
async def test_gateway_failures_are_transient_or_permanent(
    answer: httpx.Response | Exception, permanent: bool, said: str
) -> None:
    gateway = FakeGateway(answer)
    with pytest.raises(SendError) as failed:
        await gateway.sender().send(message('+994501234567', channel='sms'))
    assert failed.value.permanent is permanent
    assert said in failed.value.reason


@pytest.mark.parametrize('number', ['0501234567', '994501234567', '+0501234567', '+99450abc4567', ''])
async def test_a_number_that_is_not_e164_is_refused_for_good_before_sending(number: str, tmp_path: Path) -> None:
    gateway = FakeGateway()
    for sender in (gateway.sender(), FileSmsSender(tmp_path / 'sms.log')):
        with pytest.raises(SendError) as failed:
            await sender.send(message(number, channel='sms'))
        assert failed.value.permanent is True
    assert gateway.requests == []
    assert not (tmp_path / 'sms.log').exists()


async def test_file_sms_sender_appends_one_line_per_sms(tmp_path: Path) -> None:
    log = tmp_path / 'demo' / 'sms.log'
    sender = FileSmsSender(log)
    first = await sender.send(message('+994501234567', channel='sms', body=f'Kabinet: {LETTERS}'))
    second = await sender.send(message('+994551112233', channel='sms', body='Birinci sətir\nikinci sətir'))
    assert first != second
    lines = log.read_text(encoding='utf-8').splitlines()
    assert len(lines) == 2
    when, number, text = lines[0].split('\t')
    assert datetime.fromisoformat(when).tzinfo is not None
    assert (number, text) == ('+994501234567', f'Kabinet: {LETTERS}')
    assert lines[1].split('\t')[1:] == ['+994551112233', 'Birinci sətir\\nikinci sətir']
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600


# -- receipts ---------------------------------------------------------------------------------------------------------


def test_a_receipt_signature_is_checked_against_body_secret_and_time() -> None:
    body = b'{"id":"gw-1","status":"delivered"}'
    stamp = int(NOW.timestamp())
    header = sign_receipt(body, SECRET, stamp)
    assert header.startswith(f't={stamp},v1=')
    verify_receipt(body, header, SECRET, NOW)
    verify_receipt(body, header, SECRET, NOW + timedelta(seconds=300))
    for bad_body, bad_header, secret, now in (
        (body + b' ', header, SECRET, NOW),  # another body
        (body, header, SECRET + 'x', NOW),  # another secret
        (body, header, '', NOW),  # no secret configured: nothing is trusted
        (body, sign_receipt(body, '', stamp), '', NOW),
        (body, header, SECRET, NOW + timedelta(seconds=301)),  # too old
        (body, header, SECRET, NOW - timedelta(seconds=301)),  # from the future
        (body, '', SECRET, NOW),
        (body, header.replace('v1=', 'v2='), SECRET, NOW),
        (body, header[:-1], SECRET, NOW),
    ):
        with pytest.raises(Unauthorized) as refused:
            verify_receipt(bad_body, bad_header, secret, now)
        assert refused.value.code == 'bad_signature'


class GatewayApi:
    """The API as mounted in production, with the receipt secret and the clock set by the test."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.now = NOW

    async def receipt(self, payload: dict[str, Any] | bytes, *, secret: str = SECRET, age: int = 0) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        signature = sign_receipt(body, secret, int(self.now.timestamp()) - age)
        headers = {SIGNATURE_HEADER: signature, 'Content-Type': 'application/json'}
        return await self.http.post(RECEIPT, content=body, headers=headers)


@asynccontextmanager
async def open_gateway_api(configured_secret: str = SECRET) -> AsyncIterator[GatewayApi]:
    sub = create_api()
    parent = FastAPI()
    parent.mount(PREFIX, sub)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url='http://test') as http:
        api = GatewayApi(http)

        async def clock() -> datetime:
            return api.now

        async def secret() -> str:
            return configured_secret

        sub.dependency_overrides[notices_gateway.clock] = clock
        sub.dependency_overrides[notices_gateway.receipt_secret] = secret
        yield api


async def _sms_sent(gateway: FakeGateway, tmp_path: Path, count: int = 2) -> list[Delivery]:
    """A citizen's document-expiry notices, sent by SMS through the gateway (each gets id gw-<n>)."""
    citizen = await make_citizen()
    await NoticeSettings.create(person_id=citizen.id, phone='+994501234567', updated_at=NOW)
    for n in range(count):
        params = {'document': 'Şəxsiyyət vəsiqəsi', 'number': f'AA{n}', 'expires_on': '2026-12-20'}
        assert await notify(NewNotice(citizen.id, 'document_expiry', f'doc-expiry:{n}:30d', params), now=NOW)
    senders = Senders(email=MailboxSender(tmp_path / 'mailbox'), sms=gateway.sender())
    assert (await deliver_due(senders=senders, now=NOW, worker='t')).sent == count
    rows = await Delivery.filter(channel=Channel.SMS).order_by('provider_id')
    assert [r.state for r in rows] == [DeliveryState.SENT] * count
    return rows


async def test_a_signed_receipt_marks_the_sms_delivered_and_others_are_refused_or_ignored(
    sqlite_db: str, tmp_path: Path
) -> None:
    gateway = FakeGateway()
    first, second = await _sms_sent(gateway, tmp_path)
    assert (first.provider_id, second.provider_id) == ('gw-1', 'gw-2')
    assert json.loads(gateway.requests[0].content)['reference'] == str(first.id)
    async with open_gateway_api() as api:
        # forged, unsigned and replayed receipts change nothing
        forged = await api.receipt({'id': 'gw-1', 'status': 'delivered'}, secret='another-secret-0123456789')
        assert forged.status_code == 401
        assert forged.json()['error']['code'] == 'bad_signature'
        unsigned = await api.http.post(RECEIPT, json={'id': 'gw-1', 'status': 'delivered'})
        assert (unsigned.status_code, unsigned.json()['error']['code']) == (401, 'bad_signature')
        old = await api.receipt({'id': 'gw-1', 'status': 'delivered'}, age=301)
        assert (old.status_code, old.json()['error']['code']) == (401, 'bad_signature')
        assert (await Delivery.get(id=first.id)).state is DeliveryState.SENT

        # signed but not a receipt
        malformed = await api.receipt({'id': 'gw-1', 'status': 'lost'})
        assert (malformed.status_code, malformed.json()['error']['code']) == (422, 'malformed_receipt')
        not_json = await api.receipt(b'delivered')
        assert not_json.status_code == 422

        api.now = NOW + timedelta(minutes=3)
        delivered = await api.receipt({'id': 'gw-1', 'status': 'delivered'})
        assert (delivered.status_code, delivered.json()) == (200, {'status': 'recorded'})
        row = await Delivery.get(id=first.id)
        assert (row.state, row.finished_at) == (DeliveryState.DELIVERED, api.now)

        failed = await api.receipt({'id': 'gw-2', 'status': 'failed', 'reason': 'absent subscriber'})
        assert failed.json() == {'status': 'recorded'}
        row = await Delivery.get(id=second.id)
        assert (row.state, row.last_error) == (DeliveryState.FAILED, 'absent subscriber')

        # final already, or unknown: acknowledged so the gateway stops, and nothing changes
        again = await api.receipt({'id': 'gw-1', 'status': 'failed', 'reason': 'late'})
        assert (again.status_code, again.json()) == (200, {'status': 'ignored'})
        assert (await Delivery.get(id=first.id)).state is DeliveryState.DELIVERED
        unknown = await api.receipt({'id': 'gw-999', 'status': 'delivered'})
        assert unknown.json() == {'status': 'ignored'}


async def test_without_a_configured_secret_no_receipt_is_trusted(sqlite_db: str, tmp_path: Path) -> None:
    gateway = FakeGateway()
    [row] = await _sms_sent(gateway, tmp_path, count=1)
    async with open_gateway_api(configured_secret='') as api:
        refused = await api.receipt({'id': row.provider_id, 'status': 'delivered'}, secret='')
        assert refused.status_code == 401
    assert (await Delivery.get(id=row.id)).state is DeliveryState.SENT


# -- settings ----------------------------------------------------------------------------------------------------------

PRODUCTION: dict[str, Any] = {'demo': False, 'secret': 's' * 40, 'payment_secret': 'p' * 40}


def test_a_fresh_machine_sends_to_local_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ('EMAIL_BACKEND', 'SMS_BACKEND', 'MAILBOX_DIR', 'SMS_LOG', 'EMAIL_FROM'):
        monkeypatch.delenv(f'PORTAL_{name}', raising=False)
    for settings in (Settings(demo=True), Settings(**PRODUCTION)):
        assert (settings.email_backend, settings.sms_backend) == ('mailbox', 'file')
        senders = senders_from_settings(settings)
        assert isinstance(senders.email, MailboxSender) and senders.email.folder == Path('.kabinet/mailbox')
        assert isinstance(senders.sms, FileSmsSender) and senders.sms.path == Path('.kabinet/sms.log')


def test_smtp_and_the_http_gateway_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        'EMAIL_BACKEND': 'smtp',
        'SMTP_HOST': 'smtp.example.az',
        'SMTP_PORT': '2525',
        'SMTP_USERNAME': 'kabinet',
        'SMTP_PASSWORD': 'pw',
        'SMTP_STARTTLS': 'false',
        'EMAIL_FROM': 'Kabinet <bildiris@kabinet.gov.az>',
        'SMS_BACKEND': 'http',
        'SMS_GATEWAY_URL': GATEWAY,
        'SMS_API_KEY': 'key-123',
        'SMS_SENDER': 'KABINET',
        'SMS_RECEIPT_SECRET': SECRET,
    }
    for name, value in values.items():
        monkeypatch.setenv(f'PORTAL_{name}', value)
    settings = Settings(**PRODUCTION)
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == ('smtp.example.az', 2525, False)
    assert (settings.sms_gateway_url, settings.sms_receipt_secret) == (GATEWAY, SECRET)
    senders = senders_from_settings(settings)
    assert isinstance(senders.email, SmtpSender)
    assert isinstance(senders.sms, HttpSmsGateway)


@pytest.mark.parametrize(
    ('values', 'named'),
    [
        ({'email_backend': 'pigeon'}, 'PORTAL_EMAIL_BACKEND'),
        ({'sms_backend': 'fax'}, 'PORTAL_SMS_BACKEND'),
        ({'email_from': 'Kabinet'}, 'PORTAL_EMAIL_FROM'),
        ({'email_backend': 'smtp'}, 'PORTAL_SMTP_HOST'),
        ({'sms_backend': 'http', 'sms_api_key': 'k', 'sms_receipt_secret': SECRET}, 'PORTAL_SMS_GATEWAY_URL'),
        ({'sms_backend': 'http', 'sms_gateway_url': GATEWAY, 'sms_receipt_secret': SECRET}, 'PORTAL_SMS_API_KEY'),
        ({'sms_backend': 'http', 'sms_gateway_url': GATEWAY, 'sms_api_key': 'k'}, 'PORTAL_SMS_RECEIPT_SECRET'),
        (
            {'sms_backend': 'http', 'sms_gateway_url': GATEWAY, 'sms_api_key': 'k', 'sms_receipt_secret': 'short'},
            'PORTAL_SMS_RECEIPT_SECRET',
        ),
        ({'smtp_port': 0}, 'smtp_port'),
    ],
)
def test_channel_settings_are_checked_outside_demo_mode(values: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(**PRODUCTION, **values)


def test_demo_mode_lets_a_half_configured_channel_fall_back_to_local_files() -> None:
    settings = Settings(demo=True, email_backend='smtp', sms_backend='http')
    senders = senders_from_settings(settings)
    assert isinstance(senders.email, MailboxSender)
    assert isinstance(senders.sms, FileSmsSender)
    with pytest.raises(ValidationError, match='PORTAL_EMAIL_BACKEND'):
        Settings(demo=True, email_backend='pigeon')
