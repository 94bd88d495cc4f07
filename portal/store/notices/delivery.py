"""Draining the outbox: claim due deliveries with a compare-and-set lease, send them, record the outcome.

A worker claims a row by bumping its ``version`` from the value it read, so two workers never hold the same row; the
lease lets another worker take the row over when the holder died (a claim also takes rows whose lease ran out).
Failures are retried with exponential back-off and jitter, up to ``MAX_ATTEMPTS``; then the row is failed with its
reason. Only the holder of the current lease may record the outcome.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from portal.channels import Message, SendError, Senders
from portal.errors import N_
from portal.i18n import fmt_date, translate
from portal.store.notices.models import ERROR_MAX, FINAL_STATES, Channel, Delivery, DeliveryState, Notice
from portal.store.notices.outbox import TIMEZONE, announce, preferences_for
from portal.store.notices.types import TYPES, render

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
CLAIM_BATCH = 50
PORTAL_NAME = 'Kabinet'


@dataclass(frozen=True)
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: Report) -> Report:
        return Report(self.sent + other.sent, self.retried + other.retried, self.failed + other.failed)


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Wait before try ``attempts + 1``: doubling from 30 s, capped at an hour, with up to 20% jitter."""
    base = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return base * (1 + (rng or random).random() * 0.2)


async def claim(*, worker: str, now: datetime, limit: int = CLAIM_BATCH, lease: timedelta = LEASE) -> list[Delivery]:
    """Take up to ``limit`` due rows (queued and due, or sending with an expired lease) for this worker."""
    now = now.astimezone(UTC)  # stored times are compared as text on SQLite: always UTC
    due = _due(now)
    candidates = await Delivery.filter(due).order_by('next_attempt_at').limit(limit * 2)
    claimed = []
    for row in candidates:
        won = (
            await Delivery.filter(id=row.id, version=row.version)
            .filter(due)
            .update(
                state=DeliveryState.SENDING, lease_until=now + lease, leased_by=worker[:64], version=row.version + 1
            )
        )
        if won:
            row.state, row.lease_until, row.leased_by, row.version = (
                DeliveryState.SENDING,
                now + lease,
                worker[:64],
                row.version + 1,
            )
            claimed.append(row)
            if len(claimed) >= limit:
                break
    return claimed


async def count_due(*, now: datetime) -> int:
    """The outbox's backlog: deliveries due and not sent (what the next passes of the delivery job would claim)."""
    return await Delivery.filter(_due(now.astimezone(UTC))).count()


def _due(now: datetime) -> Q:
    return Q(state=DeliveryState.QUEUED, next_attempt_at__lte=now) | Q(state=DeliveryState.SENDING, lease_until__lt=now)


async def deliver_due(
    *, senders: Senders, now: datetime, worker: str, limit: int = CLAIM_BATCH, rng: random.Random | None = None
) -> Report:
    """One pass of the delivery job: claim, send, record."""
    now = now.astimezone(UTC)  # stored times are compared as text on SQLite: always UTC
    report = Report()
    rows = await claim(worker=worker, now=now, limit=limit)
    for row in rows:
        message = await compose(row)
        try:
            provider_id = await senders.for_channel(row.channel.value).send(message)
        except SendError as exc:
            report += await _failed(row, exc, now, rng)
            continue
        except Exception as exc:  # a bug or an unexpected fault in a sender: retried like a transient failure
            report += await _failed(row, SendError(f'{type(exc).__name__}: {exc}'), now, rng)
            continue
        report += await _sent(row, provider_id, now)
    announce(row.person_id for row in rows)  # the delivery states on the citizens' open pages
    return report


async def _sent(row: Delivery, provider_id: str, now: datetime) -> Report:
    async with in_transaction():
        won = await Delivery.filter(id=row.id, version=row.version, state=DeliveryState.SENDING).update(
            state=DeliveryState.SENT,
            provider_id=provider_id[:128],
            attempts=row.attempts + 1,
            sent_at=now,
            lease_until=None,
            last_error='',
        )
        if won and row.notice_id is None:  # a digest: its notices went out with it
            await Delivery.filter(digest_id=row.id, state=DeliveryState.DIGEST).update(
                state=DeliveryState.DIGESTED, finished_at=now
            )
    return Report(sent=1) if won else Report()


async def _failed(row: Delivery, exc: SendError, now: datetime, rng: random.Random | None) -> Report:
    attempts = row.attempts + 1
    final = exc.permanent or attempts >= MAX_ATTEMPTS
    update = {
        'attempts': attempts,
        'last_error': exc.reason[:ERROR_MAX],
        'lease_until': None,
        'state': DeliveryState.FAILED if final else DeliveryState.QUEUED,
    }
    if final:
        update['finished_at'] = now
    else:
        update['next_attempt_at'] = now + backoff(attempts, rng)
    won = await Delivery.filter(id=row.id, version=row.version, state=DeliveryState.SENDING).update(**update)
    if not won:
        return Report()
    return Report(failed=1) if final else Report(retried=1)


async def record_receipt(*, provider_id: str, delivered: bool, reason: str, now: datetime) -> bool:
    """The SMS gateway's receipt: delivered or not. A receipt for an unknown or already final delivery is ignored
    (False)."""
    now = now.astimezone(UTC)  # stored times are compared as text on SQLite: always UTC
    if not provider_id:
        return False
    state = DeliveryState.DELIVERED if delivered else DeliveryState.FAILED
    done = await Delivery.filter(
        provider_id=provider_id[:128], channel=Channel.SMS, state__in=[DeliveryState.SENT, DeliveryState.SENDING]
    ).update(state=state, finished_at=now, last_error='' if delivered else reason[:ERROR_MAX])
    if done:
        person_ids = await Delivery.filter(provider_id=provider_id[:128]).values_list('person_id', flat=True)
        announce(UUID(str(p)) for p in person_ids)
    return bool(done)


async def build_digests(*, now: datetime) -> int:
    """Gather each citizen's waiting e-mails into one digest for today (once a day per citizen)."""
    now = now.astimezone(UTC)  # stored times are compared as text on SQLite: always UTC
    waiting = await Delivery.filter(state=DeliveryState.DIGEST, digest_id=None).values('person_id', 'address')
    people: dict[UUID, str] = {r['person_id']: r['address'] for r in waiting}
    today = now.astimezone(TIMEZONE).date()
    made = 0
    for person_id, address in people.items():
        key = f'digest:{person_id}:{today.isoformat()}'
        async with in_transaction():
            fresh = Delivery(
                id=uuid4(),
                person_id=person_id,
                channel=Channel.EMAIL,
                key=key,
                state=DeliveryState.QUEUED,
                address=address,
                next_attempt_at=now,
                created_at=now,
            )
            # ON CONFLICT DO NOTHING: a twin run (two schedulers) waits for the other's digest and then joins it
            await Delivery.bulk_create([fresh], ignore_conflicts=True)
            digest = await Delivery.get(key=key)
            if digest.id == fresh.id:
                made += 1
            if digest.state is not DeliveryState.QUEUED:
                continue  # today's digest went out already: these wait for tomorrow's
            await Delivery.filter(person_id=person_id, state=DeliveryState.DIGEST, digest_id=None).update(
                digest_id=digest.id
            )
    return made


async def compose(row: Delivery) -> Message:
    """The message of a delivery, in the citizen's language."""
    lang = (await preferences_for([row.person_id]))[row.person_id].lang
    if row.notice_id is None:
        return await _digest_message(row, lang)
    notice = await Notice.get(id=row.notice_id)
    spec = TYPES[notice.type]
    text = render(spec, notice.params, lang)
    if row.channel is Channel.SMS:
        return Message(row.id, 'sms', row.address, spec.subject(lang), f'{PORTAL_NAME}: {text}', lang)
    link = f'{_base_url()}{notice.link}' if notice.link else ''
    body = '\n\n'.join(p for p in (text, link, _footer(lang)) if p)
    return Message(row.id, 'email', row.address, f'{PORTAL_NAME}: {spec.subject(lang)}', body, lang)


async def _digest_message(row: Delivery, lang: str) -> Message:
    members = await Delivery.filter(digest_id=row.id).order_by('created_at').values_list('notice_id', flat=True)
    notices = await Notice.filter(id__in=[m for m in members if m]).order_by('created_at')
    day = row.created_at.astimezone(TIMEZONE).date()
    lines = [f'• {render(TYPES[n.type], n.params, lang)}' for n in notices]
    body = '\n'.join([*lines, '', _footer(lang)])
    return Message(row.id, 'email', row.address, _digest_subject(day, len(lines), lang), body, lang)


def _digest_subject(day: date, count: int, lang: str) -> str:
    return f'{PORTAL_NAME}: ' + translate(
        N_('Your notices of {day} ({count})'), lang, day=fmt_date(day, lang), count=count
    )


def _footer(lang: str) -> str:
    return translate(
        N_('Read all your notices and choose how you receive them in your personal cabinet.'),
        lang,
    )


def _base_url() -> str:
    from portal.config import get_settings

    return get_settings().base_url


def is_final(state: DeliveryState) -> bool:
    return state in FINAL_STATES
