"""Paying debts: start a payment, apply the gateway's signed callback exactly once, receipts; store and API."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pypdf
import pytest
from pydantic import ValidationError
from tortoise.exceptions import IntegrityError

from portal.api import create_api
from portal.config import Settings, get_settings
from portal.errors import DomainError, Invalid, NotFound, Unauthorized
from portal.payments import get_gateway
from portal.payments.sandbox import (
    SIGNATURE_HEADER,
    SandboxGateway,
    SandboxSession,
    SessionInvalid,
    check_card,
    declined,
    luhn_valid,
)
from portal.receipts import mask_fin
from portal.store import apikeys, payments, registry
from portal.store.actors import PersonActor
from portal.store.audit import HistoryEvent, HistoryKind
from portal.store.payments import GatewayEvent, Payment, PaymentState
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from tests.builders import collect_events
from tests.factories import ADDRESS, NOW, make_citizen, make_key, make_record

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
FINE = {
    'protocol_no': 'DYP-2026-000123',
    'issued_on': '2026-11-01',
    'article': '328.1',
    'description': 'İşıqforun qadağanedici işığına keçmə, sürət həddinin aşılması',
    'plate': '10-AB-123',
    'amount': '45.00',
    'due_on': '2026-12-01',
    'status': 'unpaid',
}
CALLBACK = '/payments/sandbox/callback'


async def citizen(fin: str = A_FIN, **kwargs: Any) -> tuple[Person, PersonActor]:
    person = await make_citizen(fin, password=None, **kwargs)
    return person, person.as_actor()


async def fine_of(fin: str = A_FIN, **changes: Any) -> RegistryRecord:
    """A fine written the way the traffic police writes it: through the registry use case with its API key."""
    dyp = await apikeys.authenticate(key=await make_key('DYP'), now=NOW)
    result = await registry.upsert_record(actor=dyp, fin=fin, kind='fine', data={**FINE, **changes}, now=NOW)
    return await RegistryRecord.get(id=result.record.id)


def sandbox() -> SandboxGateway:
    gateway = get_gateway()
    assert isinstance(gateway, SandboxGateway)
    return gateway


def session_of(redirect_url: str, now: Any = NOW) -> SandboxSession:
    assert redirect_url.startswith('/sandbox-gateway/')
    return sandbox().open_session(redirect_url.rsplit('/', 1)[1], now=now)


async def started(actor: PersonActor, record: RegistryRecord, now: Any = NOW) -> tuple[Payment, SandboxSession]:
    start = await payments.start_payment(actor=actor, record_id=record.id, now=now)
    return await Payment.get(id=start.payment_id), session_of(start.redirect_url, now)


def callback(
    session: SandboxSession, *, succeeded: bool = True, at: Any = NOW, **kw: str
) -> tuple[dict[str, str], bytes]:
    return sandbox().signed_callback(session, succeeded=succeeded, now=at, **kw)


async def deliver(headers: dict[str, str], body: bytes, now: Any = NOW) -> payments.CallbackAck:
    return await payments.handle_callback(headers=headers, body=body, now=now)


async def history(person: Person) -> list[HistoryEvent]:
    return await HistoryEvent.filter(person_id=person.id, kind__startswith='payment').order_by('created_at')


# --- starting -----------------------------------------------------------------------------------------------------


async def test_start_opens_a_pending_payment_and_a_gateway_session(store_db: str) -> None:
    leyla, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)

    assert payment.state is PaymentState.PENDING
    assert (payment.person_id, payment.record_id, payment.record_version) == (leyla.id, record.id, 1)
    assert (payment.amount, payment.currency, payment.gateway) == (Decimal('45.00'), 'AZN', 'sandbox')
    assert payment.settles is None and payment.receipt_no is None
    assert payment.summary['details']['article'] == '328.1'
    assert 'amount' not in payment.summary['details']
    assert (session.ref, session.amount, session.currency) == (payment.gateway_ref, Decimal('45.00'), 'AZN')
    assert session.merchant == 'Dövlət Yol Polisi'
    assert session.description.endswith('DYP-2026-000123')
    assert session.return_url == f'/payments/{payment.id}'
    assert session.expires_at == NOW + payments.SESSION_LIFETIME

    again, _ = await started(actor, record, NOW + timedelta(minutes=5))
    assert again.id == payment.id  # a second 'Pay' while the gateway page is open continues the same payment
    later, _ = await started(actor, record, NOW + payments.SESSION_LIFETIME + timedelta(seconds=1))
    assert later.id != payment.id
    assert await HistoryEvent.filter(kind__startswith='payment').count() == 0


async def test_only_payable_records_can_be_paid(store_db: str) -> None:
    leyla, actor = await citizen()
    address = await make_record(leyla, 'address', ADDRESS)
    with pytest.raises(Invalid) as caught:
        await payments.start_payment(actor=actor, record_id=address.id, now=NOW)
    assert caught.value.code == 'not_payable'
    assert await Payment.all().count() == 0


async def test_paying_an_already_paid_debt_says_so_and_changes_nothing(store_db: str) -> None:
    _, actor = await citizen()
    record = await fine_of(status='paid')
    with pytest.raises(Invalid) as caught:
        await payments.start_payment(actor=actor, record_id=record.id, now=NOW)
    assert caught.value.code == 'already_paid'
    assert caught.value.message == 'This debt has already been paid. Nothing was charged.'
    assert await Payment.all().count() == 0
    assert (await RegistryRecord.get(id=record.id)).version == 1


# --- callbacks ----------------------------------------------------------------------------------------------------


async def test_success_settles_the_debt_once_with_a_receipt(store_db: str) -> None:
    leyla, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)
    paid_at = NOW + timedelta(minutes=2)

    with collect_events(f'citizen:{leyla.id}') as events:
        ack = await deliver(*callback(session, at=paid_at, card_last4='4242'), now=paid_at)
    assert (ack.status, ack.outcome, ack.payment_id) == ('processed', 'succeeded', payment.id)

    payment = await Payment.get(id=payment.id)
    assert payment.state is PaymentState.SUCCEEDED
    assert payment.settles == record.id
    assert payment.completed_at == paid_at
    assert payment.receipt_no is not None
    assert re.fullmatch(r'R[A-Z2-7]{10}', payment.receipt_no)
    paid = await RegistryRecord.get(id=record.id)
    assert paid.data == {**FINE, 'status': 'paid', 'paid_on': '2026-11-20'}
    assert paid.version == 2
    (event,) = await history(leyla)
    assert event.kind is HistoryKind.PAYMENT_SUCCEEDED
    assert event.detail == {
        'amount': '45.00',
        'currency': 'AZN',
        'kind': 'fine',
        'ref': 'DYP-2026-000123',
        'receipt_no': payment.receipt_no,
    }
    assert [(e.kind, e.data) for e in events] == [
        ('registry.updated', {'kind': 'fine', 'record_id': str(record.id)}),
        ('payment.updated', {'kind': 'fine', 'payment_id': str(payment.id), 'state': 'succeeded'}),
    ]
    (kept,) = await GatewayEvent.all()
    assert (kept.outcome, kept.payment_ref, kept.gateway) == ('succeeded', payment.gateway_ref, 'sandbox')

    view = await payments.get_payment(actor=actor, payment_id=payment.id)
    assert (view.state, view.receipt_no, view.test_only) == (PaymentState.SUCCEEDED, payment.receipt_no, True)
    assert [p.id for p in await payments.list_payments(actor=actor, person_id=leyla.id)] == [payment.id]
    assert await payments.list_unpaid_debts(actor=actor, person_id=leyla.id) == []
    with pytest.raises(Invalid, match='already_paid'):
        await payments.start_payment(actor=actor, record_id=record.id, now=paid_at)


async def test_declined_card_fails_the_payment_and_leaves_the_debt(store_db: str) -> None:
    leyla, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)

    with collect_events(f'citizen:{leyla.id}') as events:
        ack = await deliver(*callback(session, succeeded=False, reason='card_declined', card_last4='0002'))
    assert (ack.status, ack.outcome) == ('processed', 'failed')

    payment = await Payment.get(id=payment.id)
    assert (payment.state, payment.failure_reason, payment.settles) == (PaymentState.FAILED, 'card_declined', None)
    assert payment.receipt_no is None
    unpaid = await RegistryRecord.get(id=record.id)
    assert (unpaid.data['status'], unpaid.version) == ('unpaid', 1)
    (event,) = await history(leyla)
    assert event.kind is HistoryKind.PAYMENT_FAILED
    assert event.detail['reason'] == 'card_declined'
    assert [e.kind for e in events] == ['payment.updated']
    with pytest.raises(NotFound):
        await payments.get_receipt(actor=actor, payment_id=payment.id)

    retry, _ = await started(actor, record)  # a failed payment is not continued: paying again starts afresh
    assert retry.id != payment.id
    assert [d.id for d in await payments.list_unpaid_debts(actor=actor, person_id=leyla.id)] == [record.id]


async def test_a_redelivered_callback_is_acknowledged_and_recorded_once(store_db: str) -> None:
    leyla, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)
    headers, body = callback(session)

    first = await deliver(headers, body)
    receipt_no = (await Payment.get(id=payment.id)).receipt_no
    with collect_events(f'citizen:{leyla.id}') as events:
        second = await deliver(headers, body, NOW + timedelta(seconds=30))
    assert first.status == 'processed'
    assert (second.status, second.outcome) == ('duplicate', 'succeeded')
    assert events == []
    assert (await Payment.get(id=payment.id)).receipt_no == receipt_no
    assert (await RegistryRecord.get(id=record.id)).version == 2
    assert len(await history(leyla)) == 1
    assert await GatewayEvent.all().count() == 1

    # a new event about the same, already settled payment changes nothing either
    late = await deliver(*callback(session))
    assert (late.status, late.outcome) == ('ignored', 'already_applied')
    assert len(await history(leyla)) == 1


async def test_forged_callbacks_are_rejected_logged_and_kept(store_db: str, caplog: pytest.LogCaptureFixture) -> None:
    leyla, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)
    headers, body = callback(session)
    forger = SandboxGateway(secret='not-the-portal-secret-at-all')
    attempts = [
        (headers, body.replace(b'"45.00"', b'"0.01"')),  # body changed after signing
        (forger.signed_callback(session, succeeded=True, now=NOW)),  # signed with another key
        ({}, body),  # no signature
        ({SIGNATURE_HEADER: 't=abc,v1=zz'}, body),  # garbage signature
    ]
    caplog.set_level(logging.WARNING, logger='portal.store.payments')
    for forged_headers, forged_body in attempts:
        with pytest.raises(Unauthorized) as caught:
            await deliver(forged_headers, forged_body)
        assert caught.value.code == 'invalid_signature'

    assert (await Payment.get(id=payment.id)).state is PaymentState.PENDING
    assert (await RegistryRecord.get(id=record.id)).data['status'] == 'unpaid'
    assert await history(leyla) == []
    kept = await GatewayEvent.all()
    assert [(e.outcome, e.event_id, e.payment_ref) for e in kept] == [('invalid_signature', None, '')] * 4
    rejected = [r for r in caplog.records if 'rejected' in r.getMessage()]
    assert len(rejected) == 4
    assert all(r.levelno == logging.WARNING for r in rejected)
    logged = caplog.text
    assert A_FIN not in logged
    assert get_settings().payment_secret not in logged
    assert body.decode() not in logged


async def test_replayed_callbacks_are_rejected(store_db: str, caplog: pytest.LogCaptureFixture) -> None:
    leyla, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)
    caplog.set_level(logging.WARNING, logger='portal.store.payments')

    # a correctly signed callback captured and sent again later than the 5-minute tolerance
    old_headers, old_body = callback(session, at=NOW - timedelta(minutes=6))
    with pytest.raises(DomainError) as caught:
        await deliver(old_headers, old_body)
    assert (caught.value.code, caught.value.status) == ('callback_replayed', 400)
    assert (await Payment.get(id=payment.id)).state is PaymentState.PENDING

    # the first delivery of an event is applied; its id with another (validly signed) body is a replay
    headers, body = callback(session, succeeded=False, reason='card_declined')
    assert (await deliver(headers, body)).outcome == 'failed'
    event_id = re.search(rb'"id":"([^"]+)"', body)
    assert event_id is not None
    other = body.replace(b'"payment.failed"', b'"payment.succeeded"').replace(b'card_declined', b'')
    with pytest.raises(DomainError) as caught:
        await deliver({SIGNATURE_HEADER: sandbox().signature(other, timestamp=int(NOW.timestamp()))}, other)
    assert caught.value.code == 'callback_replayed'

    assert (await Payment.get(id=payment.id)).state is PaymentState.FAILED
    assert (await RegistryRecord.get(id=record.id)).data['status'] == 'unpaid'
    assert [e.kind for e in await history(leyla)] == [HistoryKind.PAYMENT_FAILED]
    outcomes = [(e.outcome, e.event_id) for e in await GatewayEvent.all().order_by('received_at', 'outcome')]
    assert sorted(outcomes, key=str) == sorted(
        [('stale_timestamp', None), ('failed', event_id[1].decode()), ('event_id_reused', None)], key=str
    )
    assert sum('rejected' in r.getMessage() for r in caplog.records) == 2


async def test_a_success_with_another_amount_does_not_settle(store_db: str) -> None:
    _, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)
    cheaper = SandboxSession(**{**session.__dict__, 'amount': Decimal('1.00')})
    ack = await deliver(*callback(cheaper))
    assert ack.outcome == 'amount_mismatch'
    assert (await Payment.get(id=payment.id)).state is PaymentState.FAILED
    assert (await RegistryRecord.get(id=record.id)).data['status'] == 'unpaid'


async def test_a_callback_for_an_unknown_payment_is_ignored(store_db: str) -> None:
    session = SandboxSession('kp_nobody', Decimal('5.00'), 'AZN', 'X', 'Y', '/payments/x', NOW + timedelta(hours=1))
    ack = await deliver(*callback(session))
    assert (ack.status, ack.outcome) == ('ignored', 'unknown_payment')
    assert (await GatewayEvent.get()).outcome == 'unknown_payment'


async def test_two_payments_of_one_debt_settle_it_once(store_db: str) -> None:
    leyla, actor = await citizen()
    record = await fine_of()
    first, first_session = await started(actor, record)
    later = NOW + payments.SESSION_LIFETIME + timedelta(minutes=1)
    second, second_session = await started(actor, record, later)  # e.g. a second tab after the first expired
    assert first.id != second.id

    acks = await asyncio.gather(
        deliver(*callback(first_session, at=later), now=later),
        deliver(*callback(second_session, at=later), now=later),
    )
    assert sorted(a.outcome for a in acks) == ['already_paid', 'succeeded']
    states = sorted([(await Payment.get(id=p.id)).state for p in (first, second)])
    assert states == [PaymentState.FAILED, PaymentState.SUCCEEDED]
    assert await Payment.filter(settles=record.id).count() == 1
    assert (await RegistryRecord.get(id=record.id)).version == 2
    assert [e.kind for e in await history(leyla)].count(HistoryKind.PAYMENT_SUCCEEDED) == 1

    loser = await Payment.get(settles__isnull=True, record_id=record.id)
    assert loser.failure_reason == 'already_paid'
    with pytest.raises(IntegrityError):  # the database itself refuses a second settlement of the debt
        await Payment.filter(id=loser.id).update(settles=record.id)


# --- who may see what ---------------------------------------------------------------------------------------------


async def test_citizen_b_cannot_pay_see_or_download_citizen_as_payment(store_db: str) -> None:
    leyla, a = await citizen()
    _, b = await citizen(B_FIN, first='Rəşad', last='Əliyev')
    record = await fine_of()
    payment, session = await started(a, record)
    await deliver(*callback(session))

    with pytest.raises(NotFound):
        await payments.start_payment(actor=b, record_id=record.id, now=NOW)
    with pytest.raises(NotFound):
        await payments.get_payment(actor=b, payment_id=payment.id)
    with pytest.raises(NotFound):
        await payments.get_receipt(actor=b, payment_id=payment.id)
    with pytest.raises(NotFound):
        await payments.list_payments(actor=b, person_id=leyla.id)
    with pytest.raises(NotFound):
        await payments.list_unpaid_debts(actor=b, person_id=leyla.id)
    assert await payments.list_payments(actor=b, person_id=b.person_id) == []
    assert await Payment.all().count() == 1


# --- receipts -----------------------------------------------------------------------------------------------------


async def test_receipt_pdf_names_payer_payee_debt_and_amount(store_db: str) -> None:
    _, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)
    await deliver(*callback(session))
    payment = await Payment.get(id=payment.id)

    pdf = await payments.get_receipt(actor=actor, payment_id=payment.id, lang='az')
    assert pdf.startswith(b'%PDF-')
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    (page,) = reader.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    text = page.extract_text()
    for expected in (
        'Kabinet',
        'Ödəniş qəbzi',
        str(payment.receipt_no),
        'Məmmədova Leyla Rauf qızı',
        '*****23',
        'Dövlət Yol Polisi',
        'Cərimə',
        'DYP-2026-000123',
        'İşıqforun qadağanedici işığına keçmə',
        '20.11.2026 13:00',  # 09:00 UTC in Baku
        '45,00',
        '₼',
        str(payment.id),
        'sınaq',  # the sandbox receipt says no money moved
    ):
        assert expected in text, expected
    assert A_FIN not in text
    assert set('əğıöüşçİ') <= set(text)

    english = pypdf.PdfReader(io.BytesIO(await payments.get_receipt(actor=actor, payment_id=payment.id, lang='en')))
    assert 'Payment receipt' in english.pages[0].extract_text()


def test_fin_is_masked_but_for_the_last_two_characters() -> None:
    assert mask_fin('5ABC123') == '*****23'


# --- the sandbox itself ---------------------------------------------------------------------------------------------


def test_sandbox_cards() -> None:
    today = date(2026, 11, 20)
    assert check_card(number='4242 4242 4242 4242', expiry='12/29', cvv='123', today=today) == '4242424242424242'
    assert declined(check_card(number='4000 0000 0000 0002', expiry='11/26', cvv='000', today=today))
    assert not declined('4242424242424242')
    assert luhn_valid('4000000000000002') and not luhn_valid('4000000000000001')
    bad = [
        ('4242 4242 4242 4241', '12/29', '123', 'card_number_invalid'),  # fails the Luhn check
        ('4242 4242 4242', '12/29', '123', 'card_number_invalid'),
        ('4242 4242 4242 4242', '13/29', '123', 'card_expiry_invalid'),
        ('4242 4242 4242 4242', '1229', '123', 'card_expiry_invalid'),
        ('4242 4242 4242 4242', '10/26', '123', 'card_expired'),
        ('4242 4242 4242 4242', '12/29', '12', 'card_cvv_invalid'),
    ]
    for number, expiry, cvv, code in bad:
        with pytest.raises(Invalid) as caught:
            check_card(number=number, expiry=expiry, cvv=cvv, today=today)
        assert caught.value.code == code


async def test_sandbox_sessions_are_sealed_and_expire(store_db: str) -> None:
    _, actor = await citizen()
    start = await payments.start_payment(actor=actor, record_id=(await fine_of()).id, now=NOW)
    token = start.redirect_url.rsplit('/', 1)[1]
    assert b'45.00' not in token.encode() and 'DYP' not in token  # opaque: nothing to read or change in the URL
    with pytest.raises(SessionInvalid):
        sandbox().open_session(token, now=NOW + payments.SESSION_LIFETIME)
    with pytest.raises(SessionInvalid):
        sandbox().open_session(token[:-6] + 'AAAAAA', now=NOW)
    with pytest.raises(SessionInvalid):
        SandboxGateway(secret='another-secret-of-a-length').open_session(token, now=NOW)


def test_payment_secret_is_refused_outside_demo_mode() -> None:
    with pytest.raises(ValidationError, match='PORTAL_PAYMENT_SECRET'):
        Settings(demo=False, secret='x' * 40)
    with pytest.raises(ValidationError, match='PORTAL_PAYMENT_SECRET'):
        Settings(demo=True, payment_secret='short')
    with pytest.raises(ValidationError, match='PORTAL_PAYMENT_GATEWAY'):
        Settings(demo=True, payment_gateway='paypal')
    assert Settings(demo=False, secret='x' * 40, payment_secret='y' * 40).payment_gateway == 'sandbox'


# --- the HTTP callback endpoint ----------------------------------------------------------------------------------


@pytest.fixture
async def client(sqlite_db: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        yield http


@pytest.fixture
async def pending(sqlite_db: str) -> SandboxSession:
    """A pending payment of a fine, with a session as fresh as the endpoint's clock."""
    _, actor = await citizen()
    start = await payments.start_payment(actor=actor, record_id=(await fine_of()).id, now=datetime.now(UTC))
    return session_of(start.redirect_url, datetime.now(UTC))


def fresh(session: SandboxSession, **kw: Any) -> tuple[dict[str, str], bytes]:
    return sandbox().signed_callback(session, now=datetime.now(UTC), **kw)


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {'error'}
    assert body['error']['code'] == code
    assert body['error']['message'] and '{' not in body['error']['message']


async def test_callback_endpoint_applies_once_then_says_duplicate(
    client: httpx.AsyncClient, pending: SandboxSession
) -> None:
    headers, body = fresh(pending, succeeded=True)
    first = await client.post(CALLBACK, content=body, headers={**headers, 'Content-Type': 'application/json'})
    assert first.status_code == 200, first.text
    assert first.json() == {'status': 'processed'}
    again = await client.post(CALLBACK, content=body, headers={**headers, 'Content-Type': 'application/json'})
    assert again.status_code == 200
    assert again.json() == {'status': 'duplicate'}
    assert await Payment.filter(state=PaymentState.SUCCEEDED).count() == 1
    assert await HistoryEvent.filter(kind=HistoryKind.PAYMENT_SUCCEEDED).count() == 1


async def test_callback_endpoint_errors(client: httpx.AsyncClient, pending: SandboxSession) -> None:
    headers, body = fresh(pending, succeeded=True)
    assert_error(await client.post(CALLBACK, content=body), 401, 'invalid_signature')
    tampered = body.replace(b'45.00', b'4.50')
    assert_error(await client.post(CALLBACK, content=tampered, headers=headers), 401, 'invalid_signature')

    stale_at = datetime.now(UTC) - timedelta(minutes=10)
    stale_headers, stale_body = sandbox().signed_callback(pending, succeeded=True, now=stale_at)
    assert_error(await client.post(CALLBACK, content=stale_body, headers=stale_headers), 400, 'callback_replayed')

    garbage = b'{"hello": "world"}'
    signed = {SIGNATURE_HEADER: sandbox().signature(garbage, timestamp=int(datetime.now(UTC).timestamp()))}
    assert_error(await client.post(CALLBACK, content=garbage, headers=signed), 422, 'malformed_callback')

    assert await Payment.filter(state=PaymentState.PENDING).count() == 1
    outcomes = sorted(e.outcome for e in await GatewayEvent.all())
    assert outcomes == ['invalid_signature', 'invalid_signature', 'malformed', 'stale_timestamp']


async def test_callback_endpoint_is_documented_without_an_api_key(client: httpx.AsyncClient) -> None:
    spec = (await client.get('/openapi.json')).json()
    operation = spec['paths'][CALLBACK]['post']
    assert 'security' not in operation
    assert {'200', '400', '401', '422'} <= set(operation['responses'])
    assert [p['name'] for p in operation['parameters']] == [SIGNATURE_HEADER]
    assert operation['requestBody']['content']['application/json']['schema']['properties']['type']['enum'] == [
        'payment.succeeded',
        'payment.failed',
    ]


async def test_housekeeping_expires_abandoned_payments_once_and_a_late_success_still_settles(store_db: str) -> None:
    from jobs import housekeeping

    leyla, actor = await citizen()
    record = await fine_of()
    payment, session = await started(actor, record)

    assert (await housekeeping.run(NOW + timedelta(minutes=30)))['abandoned_payments'] == 0
    later = NOW + payments.ABANDONED_AFTER + timedelta(minutes=1)
    assert (await housekeeping.run(later))['abandoned_payments'] == 1
    assert (await housekeeping.run(later))['abandoned_payments'] == 0
    expired = await Payment.get(id=payment.id)
    assert (expired.state, expired.failure_reason) == (PaymentState.FAILED, 'expired')
    assert [e.kind for e in await history(leyla)] == [HistoryKind.PAYMENT_FAILED]
    assert (await RegistryRecord.get(id=record.id)).data['status'] == 'unpaid'

    # the gateway reports the money taken after all: the debt is settled, not lost
    ack = await deliver(*callback(session, at=later), now=later)
    assert ack.outcome == 'succeeded'
    assert (await Payment.get(id=payment.id)).state is PaymentState.SUCCEEDED
