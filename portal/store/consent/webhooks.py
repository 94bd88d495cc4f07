"""Webhooks: an organisation hears of its data requests' decisions at an http(s) URL, each call signed with the
webhook's secret (HMAC-SHA256) and retried with back-off until it is answered with 2xx.

Calls are an outbox drained like the notices' deliveries (``portal.store.notices.delivery``): a worker claims a due
call by bumping its ``version`` from the value it read, so two workers never post the same call; the lease lets
another worker take a call over when its holder died, and only the holder of the current lease records the outcome.
A call is signed like the SMS gateway's receipts: ``X-Kabinet-Signature: t=<unix time>,v1=<hex HMAC-SHA256 over
"<t>." + raw body>``; ``X-Kabinet-Event-Id`` is the call's id, the same for every try, so a receiver can drop a
retried duplicate.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from portal.channels.sms import sign_receipt
from portal.errors import N_, Conflict, Invalid
from portal.store.actors import Actor, Role, SystemActor, require_role
from portal.store.consent.models import URL_MAX, Webhook, WebhookCall
from portal.store.notices.delivery import backoff
from portal.store.orgs import Organisation, OrgCategory, get_organisation

log = logging.getLogger(__name__)

SIGNATURE_HEADER = 'X-Kabinet-Signature'
EVENT_HEADER = 'X-Kabinet-Event-Id'
LEASE = timedelta(seconds=120)
# one call may take this long at most (httpx's timeout is per read, a slow receiver could drip for ever); well
# inside the lease, so a call is never taken over while it is still being posted
CALL_DEADLINE_SECONDS = 30
CONCURRENCY = 10
MAX_ATTEMPTS = 8
CLAIM_BATCH = 50
ERROR_MAX = 500
SECRET_MAX = 128
OPERATOR = SystemActor('operator')
COMPANY_KIND = 'company'
# upper-case Latin letters, digits and dashes; 'IH-' is the prefix of the local executives' codes
_CODE = re.compile(r'^(?!IH-)[A-Z][A-Z0-9-]{1,39}$')
_NAME_MAX = 255


@dataclass(frozen=True)
class WebhookView:
    id: UUID
    organisation_code: str
    organisation_name: str
    url: str
    active: bool
    created_at: datetime
    pending: int  # calls queued or being sent
    failed: int  # calls given up on


# -- the decision's transaction ---------------------------------------------------------------------------------------


async def enqueue(*, organisation_id: UUID, key: str, payload: dict[str, Any], now: datetime) -> int:
    """One call per active webhook of the organisation, in the caller's transaction (unique per event and webhook)."""
    hooks = await Webhook.filter(organisation_id=organisation_id, active=True)
    calls = [
        WebhookCall(
            id=uuid.uuid4(),
            webhook_id=hook.id,
            key=f'{key}:{hook.id}'[:160],
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for hook in hooks
    ]
    await WebhookCall.bulk_create(calls, ignore_conflicts=True)
    return len(calls)


# -- administrators and operators -------------------------------------------------------------------------------------


async def register_webhook(
    *, organisation_code: str, url: str, now: datetime, secret: str | None = None, actor: Actor = OPERATOR
) -> tuple[Webhook, str]:
    """Register an organisation's webhook. The secret (random unless given) is returned here, and never again."""
    _require_operator(actor)
    address = check_url(url)
    key = secret if secret is not None else secrets.token_urlsafe(32)
    if not key.strip() or len(key) > SECRET_MAX:
        raise Invalid('invalid_secret', N_('A secret has 1 to {limit} characters.'), field='secret', limit=SECRET_MAX)
    organisation = await get_organisation(code=organisation_code)
    hook = await Webhook.create(
        id=uuid.uuid4(), organisation_id=organisation.id, url=address, secret=key, active=True, created_at=now
    )
    return hook, key


async def list_webhooks(*, actor: Actor = OPERATOR) -> list[WebhookView]:
    """Every webhook, newest first, with how many of its calls wait and how many failed."""
    _require_operator(actor)
    hooks = await Webhook.all().order_by('-created_at').prefetch_related('organisation')
    counts = (
        await WebhookCall.filter(state__in=['queued', 'sending', 'failed'])
        .annotate(n=Count('id'))
        .group_by('webhook_id', 'state')
        .values('webhook_id', 'state', 'n')
    )
    tally: dict[tuple[str, str], int] = {}
    for row in counts:
        state = 'failed' if row['state'] == 'failed' else 'pending'
        tally[(str(row['webhook_id']), state)] = tally.get((str(row['webhook_id']), state), 0) + row['n']
    return [
        WebhookView(
            id=h.id,
            organisation_code=h.organisation.code,
            organisation_name=h.organisation.name_az,
            url=h.url,
            active=h.active,
            created_at=h.created_at,
            pending=tally.get((str(h.id), 'pending'), 0),
            failed=tally.get((str(h.id), 'failed'), 0),
        )
        for h in hooks
    ]


async def remove_webhook(webhook_id: UUID | str, *, actor: Actor = OPERATOR) -> bool:
    """Stop a webhook: it gets no new calls and its waiting ones are dropped (kept, failed, for the record).
    False when no active webhook has this id."""
    _require_operator(actor)
    try:
        hook_id = webhook_id if isinstance(webhook_id, UUID) else UUID(str(webhook_id).strip())
    except ValueError:
        return False
    async with in_transaction():
        done = await Webhook.filter(id=hook_id, active=True).update(active=False)
        if done:
            await WebhookCall.filter(webhook_id=hook_id, state='queued').update(
                state='failed', last_error='the webhook was removed', version=F('version') + 1
            )
    return bool(done)


async def register_company(
    *, code: str, name_az: str, name_en: str | None = None, actor: Actor = OPERATOR
) -> Organisation:
    """Register a company that asks citizens for data (a bank, a utility): an organisation of kind 'company'.

    Agencies and local executives come from the shipped reference lists; companies are added one by one."""
    _require_operator(actor)
    clean = str(code or '').strip().upper()
    if not _CODE.fullmatch(clean):
        raise Invalid(
            'invalid_code',
            N_('A code has 2 to 40 upper-case Latin letters, digits or dashes, starts with a letter, not with IH-.'),
            field='code',
        )
    name = _name(name_az, field='name')
    english = _name(name_en, field='name_en') if name_en and name_en.strip() else None
    if await Organisation.exists(code=clean):
        raise Conflict(
            'code_taken', N_('An organisation with the code {taken} exists already.'), field='code', taken=clean
        )
    try:
        return await Organisation.create(
            code=clean, category=OrgCategory.AGENCY, kind=COMPANY_KIND, name_az=name, name_en=english
        )
    except IntegrityError:  # registered by someone else in the meantime
        raise Conflict(
            'code_taken', N_('An organisation with the code {taken} exists already.'), field='code', taken=clean
        ) from None


def check_url(raw: Any) -> str:
    """An absolute http(s) URL with a host, or ``Invalid('invalid_url')``."""
    url = str(raw or '').strip()
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in ('http', 'https') and bool(parts.hostname)
        parts.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError:
        valid = False
    if not valid or len(url) > URL_MAX or re.search(r'\s', url):
        raise Invalid(
            'invalid_url',
            N_('Give an http:// or https:// address of at most {limit} characters.'),
            field='url',
            limit=URL_MAX,
        )
    return url


# -- signing ----------------------------------------------------------------------------------------------------------


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``X-Kabinet-Signature`` value: ``t=<timestamp>,v1=<hex HMAC-SHA256 over "<timestamp>." + body>``."""
    return sign_receipt(body, secret, timestamp)


def encode(payload: dict[str, Any]) -> bytes:
    """The body posted (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, separators=(',', ':'), sort_keys=True).encode()


# -- the delivery job -------------------------------------------------------------------------------------------------


async def claim_calls(*, now: datetime, limit: int = CLAIM_BATCH, lease: timedelta = LEASE) -> list[WebhookCall]:
    """Take up to ``limit`` due calls (queued and due, or sending with an expired lease) with a compare-and-set."""
    now = now.astimezone(UTC)  # stored times are compared as text on SQLite: always UTC
    due = Q(state='queued', next_attempt_at__lte=now) | Q(state='sending', lease_until__lt=now)
    candidates = await WebhookCall.filter(due).order_by('next_attempt_at').limit(limit * 2)
    claimed = []
    for row in candidates:
        won = (
            await WebhookCall.filter(id=row.id, version=row.version)
            .filter(due)
            .update(state='sending', lease_until=now + lease, version=row.version + 1)
        )
        if won:
            row.state, row.lease_until, row.version = 'sending', now + lease, row.version + 1
            claimed.append(row)
            if len(claimed) >= limit:
                break
    return claimed


async def deliver_calls(
    *,
    now: datetime,
    client: httpx.AsyncClient,
    worker: str,
    limit: int = CLAIM_BATCH,
    rng: random.Random | None = None,
) -> dict[str, int]:
    """One pass of the webhook job: claim the due calls, post them (a few at a time), record each outcome."""
    now = now.astimezone(UTC)
    report = {'sent': 0, 'retried': 0, 'failed': 0}
    calls = await claim_calls(now=now, limit=limit)
    if not calls:
        return report
    log.debug('webhook worker %s claimed %d calls', worker, len(calls))
    hooks = {h.id: h for h in await Webhook.filter(id__in=list({c.webhook_id for c in calls}))}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(call: WebhookCall) -> str | None:
        hook = hooks.get(call.webhook_id)
        if hook is None or not hook.active:
            return await _failed(call, 'the webhook was removed', now, rng, final=True)
        async with gate:
            error = await _post(client, hook, call, now)
        return await _sent(call, now) if error is None else await _failed(call, error, now, rng)

    for outcome in await asyncio.gather(*(one(call) for call in calls)):
        if outcome is not None:
            report[outcome] += 1
    return report


async def _post(client: httpx.AsyncClient, hook: Webhook, call: WebhookCall, now: datetime) -> str | None:
    """Post one call; None when the receiver took it (2xx), else why not."""
    body = encode(call.payload)
    headers = {
        'Content-Type': 'application/json',
        SIGNATURE_HEADER: sign(body, hook.secret, int(now.timestamp())),
        EVENT_HEADER: str(call.id),
    }
    try:
        async with asyncio.timeout(CALL_DEADLINE_SECONDS):
            response = await client.post(hook.url, content=body, headers=headers)
    except (TimeoutError, httpx.TimeoutException) as exc:
        return f'timed out: {type(exc).__name__}'
    except httpx.HTTPError as exc:
        return f'unreachable: {type(exc).__name__}: {exc}'
    except Exception as exc:  # a bug or an unexpected fault (e.g. a URL httpx cannot use): retried, then failed
        return f'{type(exc).__name__}: {exc}'
    if 200 <= response.status_code < 300:
        return None
    answer = ' '.join(response.text.split())[:200]
    return f'answered {response.status_code}' + (f': {answer}' if answer else '')


async def _sent(call: WebhookCall, now: datetime) -> str | None:
    won = await WebhookCall.filter(id=call.id, version=call.version, state='sending').update(
        state='sent', attempts=call.attempts + 1, sent_at=now, lease_until=None, last_error=''
    )
    return 'sent' if won else None


async def _failed(
    call: WebhookCall, error: str, now: datetime, rng: random.Random | None, *, final: bool = False
) -> str | None:
    attempts = call.attempts + 1
    final = final or attempts >= MAX_ATTEMPTS
    update: dict[str, Any] = {
        'attempts': attempts,
        'last_error': error[:ERROR_MAX],
        'lease_until': None,
        'state': 'failed' if final else 'queued',
    }
    if not final:
        update['next_attempt_at'] = now + backoff(attempts, rng)
    won = await WebhookCall.filter(id=call.id, version=call.version, state='sending').update(**update)
    if not won:  # the lease ran out and another worker holds the call now: its outcome counts, not ours
        return None
    return 'failed' if final else 'retried'


# -- helpers ----------------------------------------------------------------------------------------------------------


def _require_operator(actor: Actor) -> None:
    """An operator's command (a system actor) or an administrator."""
    if not isinstance(actor, SystemActor):
        require_role(actor, Role.ADMIN)


def _name(raw: Any, *, field: str) -> str:
    text = ' '.join(str(raw or '').split())
    if not text:
        raise Invalid('name_required', N_('Give the name.'), field=field)
    if len(text) > _NAME_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field=field, limit=_NAME_MAX)
    return text
