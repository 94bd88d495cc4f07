"""Payments of debts (fines, state fees, utility debts) through a payment gateway, recorded exactly once.

'Pay' opens a PENDING payment and a session at the gateway; only the gateway's signed callback settles it. Every
callback is kept as a ``GatewayEvent``: its unique (gateway, event id) recognises a redelivery, and a rejected one
stays on file. A successful payment claims ``settles = record id`` (a unique column), so one debt can never be
recorded as paid twice, whatever the gateway sends and however many processes receive it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from portal import live, receipts
from portal.errors import N_, DomainError, Invalid, NotFound, Unauthorized
from portal.i18n import translate
from portal.payments import CallbackRejected, CallbackResult, PaymentGateway, PaymentRequest, get_gateway
from portal.payments.sandbox import NAME as SANDBOX
from portal.store.actors import Actor, Role, require_role
from portal.store.audit import HistoryKind, record_event
from portal.store.people import Person
from portal.store.registry import RecordView, RegistryRecord, list_records
from portal.store.registry_kinds import KINDS, KindSpec

log = logging.getLogger(__name__)

# how long the gateway's page accepts a card for one payment; a PENDING payment is reused within it
SESSION_LIFETIME = timedelta(minutes=15)
# a PENDING payment this old was abandoned: its gateway page expired long ago
ABANDONED_AFTER = timedelta(hours=1)
# the portal's days (a debt's 'paid_on') are days in Baku
TIMEZONE = ZoneInfo('Asia/Baku')
# the fields every payable kind has; the others describe what is paid
DEBT_FIELDS = frozenset({'amount', 'due_on', 'status'})
PAYABLE_KINDS = frozenset(k.name for k in KINDS.values() if k.payable)
# attempts to apply a callback when a parallel transaction won a unique key first
APPLY_TRIES = 3


class PaymentState(StrEnum):
    PENDING = 'pending'
    SUCCEEDED = 'succeeded'
    FAILED = 'failed'


class Payment(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='payments', on_delete=fields.RESTRICT
    )
    person_id: UUID
    record: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.RegistryRecord', related_name='payments', on_delete=fields.RESTRICT
    )
    record_id: UUID
    record_version = fields.IntField()
    amount = fields.DecimalField(max_digits=12, decimal_places=2)
    currency = fields.CharField(max_length=3, default='AZN')
    # what was paid, frozen at payment time for the receipt (kind, reference, purpose, payee agency)
    summary: dict[str, Any] = fields.JSONField(default=dict)
    gateway = fields.CharField(max_length=32)
    # the gateway's own transaction id
    gateway_ref = fields.CharField(max_length=80, unique=True)
    state = fields.CharEnumField(PaymentState, max_length=16, default=PaymentState.PENDING)
    failure_reason = fields.CharField(max_length=200, default='')
    # set to the record's id when the payment succeeds: at most one successful payment settles a debt
    settles = fields.UUIDField(null=True, unique=True)
    receipt_no = fields.CharField(max_length=20, null=True, unique=True)
    created_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'payments'
        indexes = (('person_id', 'created_at'),)


class GatewayEvent(Model):
    """Every callback the gateway sent, accepted or not: duplicates are recognised, rejections are kept."""

    id = fields.UUIDField(primary_key=True)
    gateway = fields.CharField(max_length=32)
    # the gateway's event id, unique per gateway; null for a callback rejected before it could be trusted
    event_id = fields.CharField(max_length=80, null=True)
    payment_ref = fields.CharField(max_length=80, default='')
    outcome = fields.CharField(max_length=24)
    detail = fields.CharField(max_length=300, default='')
    received_at = fields.DatetimeField()

    class Meta:
        table = 'gateway_events'
        unique_together = (('gateway', 'event_id'),)


@dataclass(frozen=True)
class PaymentStart:
    payment_id: UUID
    # the gateway's hosted payment page, where the browser goes next
    redirect_url: str


@dataclass(frozen=True)
class PaymentView:
    id: UUID
    record_id: UUID
    state: PaymentState
    amount: Decimal
    currency: str
    kind: str
    ref: str
    # the fields that say what was paid (e.g. article, purpose, period), as they were when the payment started
    details: dict[str, Any]
    payee_name_az: str
    payee_name_en: str | None
    gateway: str
    receipt_no: str | None
    failure_reason: str
    created_at: datetime
    completed_at: datetime | None

    @property
    def test_only(self) -> bool:
        """Taken by the sandbox gateway: no money moved."""
        return self.gateway == SANDBOX


@dataclass(frozen=True)
class CallbackAck:
    """What the callback endpoint answers: 'processed', 'duplicate' (seen before) or 'ignored' (nothing to do)."""

    status: Literal['processed', 'duplicate', 'ignored']
    outcome: str
    payment_id: UUID | None = None


async def start_payment(
    *, actor: Actor, record_id: UUID, now: datetime, gateway: PaymentGateway | None = None
) -> PaymentStart:
    """Open a payment of one of the citizen's own unpaid debts; the gateway page to send the browser to."""
    me = require_role(actor, *Role)
    gateway = gateway or get_gateway()
    record = await RegistryRecord.get_or_none(id=record_id, person_id=me.person_id).prefetch_related('source')
    if record is None:
        raise NotFound('not_found', N_('Not found.'))
    spec = KINDS.get(record.kind)
    if spec is None or not spec.payable:
        raise Invalid('not_payable', N_('This record is not a debt that can be paid.'))
    if record.data.get('status') == 'paid' or await Payment.exists(settles=record.id):
        raise Invalid('already_paid', N_('This debt has already been paid. Nothing was charged.'))
    amount = _amount(record.data)
    # a second 'Pay' while the gateway page is still open continues the same payment
    payment = (
        await Payment.filter(
            person_id=me.person_id,
            record_id=record.id,
            record_version=record.version,
            amount=amount,
            gateway=gateway.name,
            state=PaymentState.PENDING,
            created_at__gt=now - SESSION_LIFETIME,
        )
        .order_by('-created_at')
        .first()
    )
    if payment is None:
        payment = await Payment.create(
            person_id=me.person_id,
            record_id=record.id,
            record_version=record.version,
            amount=amount,
            summary=_summary(record, spec),
            gateway=gateway.name,
            gateway_ref=f'kp_{secrets.token_urlsafe(18)}',
            created_at=now,
        )
    url = await gateway.create_session(
        PaymentRequest(
            ref=payment.gateway_ref,
            amount=payment.amount,
            currency=payment.currency,
            merchant=str(payment.summary['payee_name_az']),
            description=f'{translate(spec.title, "az")} № {record.ref}'.strip(),
            return_url=f'/payments/{payment.id}',
            expires_at=payment.created_at + SESSION_LIFETIME,
        )
    )
    return PaymentStart(payment_id=payment.id, redirect_url=url)


async def handle_callback(
    *, headers: Mapping[str, str], body: bytes, now: datetime, gateway: PaymentGateway | None = None
) -> CallbackAck:
    """Apply a gateway's signed verdict on a payment exactly once; a redelivery changes nothing."""
    gateway = gateway or get_gateway()
    try:
        result = gateway.verify_callback(headers=headers, body=body, now=now)
    except CallbackRejected as exc:
        await _reject(gateway.name, exc.reason, exc.detail, now=now, event_id=exc.event_id)
        if exc.reason == 'invalid_signature':
            raise Unauthorized('invalid_signature', N_('The callback signature is not valid.')) from exc
        if exc.reason == 'stale_timestamp':
            raise DomainError('callback_replayed', N_('The callback is too old to be accepted.')) from exc
        raise Invalid('malformed_callback', N_('The callback could not be read.')) from exc
    digest = hashlib.sha256(body).hexdigest()
    attempts = 0
    while True:
        seen = await GatewayEvent.get_or_none(gateway=gateway.name, event_id=result.event_id)
        if seen is not None:
            return await _redelivered(gateway.name, seen, result, digest, now)
        try:
            applied = await _apply(gateway.name, result, digest, now)
        except IntegrityError:
            # a parallel delivery of this event, or another payment settled the debt first: look again
            attempts += 1
            if attempts >= APPLY_TRIES:
                raise
            continue
        applied.publish()
        return applied.ack


async def expire_abandoned(*, now: datetime) -> int:
    """Housekeeping: a PENDING payment whose gateway page has long expired failed ('expired').

    A success the gateway still reports later settles the debt all the same (see ``_decide``).
    """
    stale = await Payment.filter(state=PaymentState.PENDING, created_at__lt=now - ABANDONED_AFTER).values_list(
        'id', flat=True
    )
    expired = 0
    for payment_id in stale:
        async with in_transaction():
            payment = await Payment.select_for_update().get(id=payment_id)
            if payment.state is PaymentState.PENDING:
                await _fail(payment, 'expired', now)
                expired += 1
    return expired


async def list_unpaid_debts(*, actor: Actor, person_id: UUID) -> list[RecordView]:
    """A person's own debts that can be paid now (fines, state fees, utility debts), soonest due first."""
    records = await list_records(actor=actor, person_id=person_id)
    debts = [r for r in records if r.kind in PAYABLE_KINDS and r.data.get('status') == 'unpaid']
    return sorted(debts, key=lambda r: (str(r.data.get('due_on', '')), r.kind, r.ref))


async def list_payments(*, actor: Actor, person_id: UUID, limit: int = 100) -> list[PaymentView]:
    """A person's own payments, newest first."""
    me = require_role(actor, *Role)
    if me.person_id != person_id:
        raise NotFound('not_found', N_('Not found.'))
    rows = await Payment.filter(person_id=person_id).order_by('-created_at', '-id').limit(min(max(limit, 1), 500))
    return [_view(p) for p in rows]


async def get_payment(*, actor: Actor, payment_id: UUID) -> PaymentView:
    """One of the person's own payments; anybody else's is not found."""
    return _view(await _own_payment(actor, payment_id))


async def get_receipt(*, actor: Actor, payment_id: UUID, lang: str = 'az') -> bytes:
    """The PDF receipt of one of the person's own successful payments, in the given language."""
    payment = await _own_payment(actor, payment_id)
    if payment.state is not PaymentState.SUCCEEDED or payment.receipt_no is None or payment.completed_at is None:
        raise NotFound('no_receipt', N_('There is no receipt for this payment.'))
    person = await Person.get(id=payment.person_id)
    view = _view(payment)
    data = receipts.ReceiptData(
        receipt_no=payment.receipt_no,
        payment_id=payment.id,
        paid_at=payment.completed_at,
        payer_name=' '.join(p for p in (person.last_name, person.first_name, person.patronymic) if p),
        payer_fin=person.fin,
        payee_name=view.payee_name_en if lang == 'en' and view.payee_name_en else view.payee_name_az,
        kind=view.kind,
        ref=view.ref,
        details=view.details,
        amount=view.amount,
        currency=view.currency,
        test_only=view.test_only,
    )
    return await asyncio.to_thread(receipts.render_receipt, data, lang)


@dataclass(frozen=True)
class _Applied:
    ack: CallbackAck
    person_id: UUID | None = None
    kind: str = ''
    record_id: UUID | None = None
    state: PaymentState | None = None
    settled: bool = False

    def publish(self) -> None:
        """After commit: the cabinet section of the debt and the payment's own page refresh."""
        if self.person_id is None or self.state is None:
            return
        topic = f'citizen:{self.person_id}'
        if self.settled:
            live.publish(live.Event(topic, 'registry.updated', {'kind': self.kind, 'record_id': str(self.record_id)}))
        data = {'kind': self.kind, 'payment_id': str(self.ack.payment_id), 'state': self.state.value}
        live.publish(live.Event(topic, 'payment.updated', data))


async def _apply(gateway: str, result: CallbackResult, digest: str, now: datetime) -> _Applied:
    async with in_transaction():
        payment = await Payment.select_for_update().get_or_none(gateway=gateway, gateway_ref=result.payment_ref)
        if payment is None:
            log.warning('payment callback for an unknown payment (gateway %s)', gateway)
            await _event(gateway, result, digest, 'unknown_payment', now)
            return _Applied(ack=CallbackAck(status='ignored', outcome='unknown_payment'))
        record = await RegistryRecord.select_for_update().get(id=payment.record_id)
        before = (payment.state, payment.failure_reason)
        outcome = await _decide(payment, record, result, now)
        await _event(gateway, result, digest, outcome, now)
    changed = (payment.state, payment.failure_reason) != before
    return _Applied(
        ack=CallbackAck(status='processed' if changed else 'ignored', outcome=outcome, payment_id=payment.id),
        person_id=payment.person_id,
        kind=record.kind,
        record_id=record.id,
        state=payment.state if changed else None,
        settled=outcome == 'succeeded',
    )


async def _decide(payment: Payment, record: RegistryRecord, result: CallbackResult, now: datetime) -> str:
    """Apply the verdict to the locked payment and debt; the outcome, as kept with the gateway's event."""
    if payment.state is PaymentState.SUCCEEDED:
        return 'already_applied'
    if not result.succeeded:
        if payment.state is not PaymentState.PENDING:
            return 'ignored'
        await _fail(payment, result.reason or 'failed', now)
        return 'failed'
    # the gateway took the money (possibly after an earlier failure on the same page): settle the debt, once
    refusal = await _refusal(payment, record, result)
    if refusal is not None:
        log.warning('payment %s was taken by the gateway but not counted (%s): to be refunded', payment.id, refusal)
        await _fail(payment, refusal, now)
        return refusal
    await _settle(payment, record, now)
    return 'succeeded'


async def _refusal(payment: Payment, record: RegistryRecord, result: CallbackResult) -> str | None:
    """Why a payment the gateway took must not settle the debt, if it must not."""
    if (result.amount, result.currency) != (payment.amount, payment.currency):
        return 'amount_mismatch'
    if record.data.get('status') == 'paid' or await Payment.exists(settles=record.id):
        return 'already_paid'
    if _amount(record.data) != payment.amount:
        return 'debt_changed'
    return None


async def _settle(payment: Payment, record: RegistryRecord, now: datetime) -> None:
    """The payment succeeds and claims the debt (``settles`` is unique); the debt is paid; the history hears."""
    payment.state, payment.settles, payment.receipt_no = PaymentState.SUCCEEDED, record.id, _receipt_no()
    payment.failure_reason, payment.completed_at = '', now
    await payment.save(update_fields=['state', 'settles', 'receipt_no', 'failure_reason', 'completed_at'])
    record.data = {**record.data, 'status': 'paid', 'paid_on': now.astimezone(TIMEZONE).date().isoformat()}
    record.version += 1
    record.updated_at = now
    await record.save(update_fields=['data', 'version', 'updated_at'])
    await record_event(
        person_id=payment.person_id,
        kind=HistoryKind.PAYMENT_SUCCEEDED,
        now=now,
        organisation_id=record.source_id,
        detail={
            'amount': str(payment.amount),
            'currency': payment.currency,
            'kind': record.kind,
            'ref': record.ref,
            'receipt_no': payment.receipt_no,
        },
    )


async def _fail(payment: Payment, reason: str, now: datetime) -> None:
    """Mark the payment failed; the history hears of it when a pending payment ends so."""
    pending = payment.state is PaymentState.PENDING
    payment.state, payment.failure_reason = PaymentState.FAILED, reason[:200]
    payment.completed_at = payment.completed_at or now
    await payment.save(update_fields=['state', 'failure_reason', 'completed_at'])
    if pending:
        await record_event(
            person_id=payment.person_id,
            kind=HistoryKind.PAYMENT_FAILED,
            now=now,
            detail={
                'amount': str(payment.amount),
                'currency': payment.currency,
                'kind': payment.summary.get('kind', ''),
                'ref': payment.summary.get('ref', ''),
                'reason': payment.failure_reason,
            },
        )


async def _redelivered(
    gateway: str, seen: GatewayEvent, result: CallbackResult, digest: str, now: datetime
) -> CallbackAck:
    """The event id was seen before: the same body is a harmless redelivery, another body a replay."""
    if seen.detail.startswith(f'sha256:{digest}'):
        log.info('payment callback redelivered (gateway %s, outcome %s)', gateway, seen.outcome)
        return CallbackAck(status='duplicate', outcome=seen.outcome)
    await _reject(
        gateway,
        'event_id_reused',
        'an event id already received came with another body',
        now=now,
        event_id=result.event_id,
    )
    raise DomainError('callback_replayed', N_('This callback event was already received with other content.'))


async def _reject(gateway: str, reason: str, detail: str, *, now: datetime, event_id: str | None) -> None:
    """Keep a callback that was not applied; it is logged without its body."""
    log.warning('payment callback rejected (gateway %s): %s: %s', gateway, reason, detail)
    note = f'{detail}; event {event_id}' if event_id else detail
    await GatewayEvent.create(gateway=gateway, event_id=None, outcome=reason, detail=note[:300], received_at=now)


async def _event(gateway: str, result: CallbackResult, digest: str, outcome: str, now: datetime) -> None:
    await GatewayEvent.create(
        gateway=gateway,
        event_id=result.event_id,
        payment_ref=result.payment_ref,
        outcome=outcome,
        detail=f'sha256:{digest}',
        received_at=now,
    )


async def _own_payment(actor: Actor, payment_id: UUID) -> Payment:
    me = require_role(actor, *Role)
    payment = await Payment.get_or_none(id=payment_id, person_id=me.person_id)
    if payment is None:
        raise NotFound('not_found', N_('Not found.'))
    return payment


def _view(payment: Payment) -> PaymentView:
    summary = payment.summary
    return PaymentView(
        id=payment.id,
        record_id=payment.record_id,
        state=payment.state,
        amount=payment.amount,
        currency=payment.currency,
        kind=str(summary.get('kind', '')),
        ref=str(summary.get('ref', '')),
        details=dict(summary.get('details', {})),
        payee_name_az=str(summary.get('payee_name_az', '')),
        payee_name_en=summary.get('payee_name_en'),
        gateway=payment.gateway,
        receipt_no=payment.receipt_no,
        failure_reason=payment.failure_reason,
        created_at=payment.created_at,
        completed_at=payment.completed_at,
    )


def _summary(record: RegistryRecord, spec: KindSpec) -> dict[str, Any]:
    """What is paid, frozen when the payment starts: the receipt shows it even if the record changes later."""
    return {
        'kind': record.kind,
        'ref': record.ref,
        'details': {
            f.name: record.data[f.name]
            for f in spec.fields
            if f.name not in DEBT_FIELDS and f.name != spec.ref_field and record.data.get(f.name) not in (None, '')
        },
        'payee_code': record.source.code,
        'payee_name_az': record.source.name_az,
        'payee_name_en': record.source.name_en,
    }


def _amount(data: dict[str, Any]) -> Decimal:
    return Decimal(str(data['amount'])).quantize(Decimal('0.01'))


def _receipt_no() -> str:
    """'R' and 10 random base32 characters: not guessable, not sequential."""
    return 'R' + base64.b32encode(secrets.token_bytes(10)).decode()[:10]
