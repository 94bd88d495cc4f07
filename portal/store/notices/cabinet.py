"""What citizens, agencies and administrators do with notices: read them (with where each went and how far it got),
mark them read, choose channels, contacts, quiet hours and the digest; agencies send notices through the API;
administrators watch the outbox.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from portal.errors import N_, Forbidden, Invalid, NotFound
from portal.store.actors import Actor, ApiActor, PersonActor, Role, require_role
from portal.store.idempotency import Idempotency, once, remember
from portal.store.notices.models import Channel, Delivery, DeliveryState, Notice, NoticeSettings
from portal.store.notices.outbox import NewNotice, Preferences, announce, notify, preferences_of
from portal.store.notices.types import TYPES, NoticeType, check_params, get_type, render
from portal.store.people import get_citizen_by_fin

SCOPE_WRITE = 'notifications:write'
PAGE_MAX = 100
EMAIL_RE = re.compile(r'^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$')
PHONE_RE = re.compile(r'^\+994\d{9}$')
LANGS = ('az', 'en', 'ru')


@dataclass(frozen=True)
class DeliveryView:
    channel: Channel
    state: DeliveryState
    attempts: int
    sent_at: datetime | None
    finished_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class NoticeView:
    id: UUID
    type: str
    params: dict[str, Any]
    link: str
    organisation_name_az: str | None
    organisation_name_en: str | None
    created_at: datetime
    read_at: datetime | None
    deliveries: tuple[DeliveryView, ...]

    @property
    def spec(self) -> NoticeType:
        return TYPES[self.type]

    def text(self, lang: str) -> str:
        return render(self.spec, self.params, lang)


@dataclass(frozen=True)
class NoticePage:
    items: list[NoticeView]
    total: int
    unread: int


@dataclass(frozen=True)
class OutboxStats:
    counts: dict[tuple[str, str], int]  # (channel, state) → rows
    failures: list[tuple[datetime, str, str, str]]  # (when, channel, address, reason), newest first
    due: int  # queued rows whose time has come


# -- the citizen ----------------------------------------------------------------------------------------------------


def _citizen(actor: Actor, person_id: UUID | None = None) -> PersonActor:
    me = require_role(actor, Role.CITIZEN)
    if person_id is not None and person_id != me.person_id:
        raise NotFound('not_found', N_('Not found.'))
    return me


async def list_notices(
    *, actor: Actor, type: str | None = None, unread_only: bool = False, offset: int = 0, limit: int = 20
) -> NoticePage:
    """The citizen's own notices, newest first, with each one's deliveries."""
    me = _citizen(actor)
    if not 0 < limit <= PAGE_MAX or offset < 0:
        raise Invalid('bad_page', N_('The page is out of range.'))
    query = Notice.filter(person_id=me.person_id)
    if type:
        query = query.filter(type=get_type(type).code)
    if unread_only:
        query = query.filter(read_at=None)
    total = await query.count()
    rows = await query.order_by('-created_at', '-id').offset(offset).limit(limit).prefetch_related('organisation')
    deliveries = await Delivery.filter(notice_id__in=[r.id for r in rows]).order_by('channel')
    by_notice: dict[UUID, list[DeliveryView]] = {}
    for d in deliveries:
        if d.notice_id is not None:
            by_notice.setdefault(d.notice_id, []).append(_delivery_view(d))
    unread = await count_unread(actor=actor)
    return NoticePage([_view(r, tuple(by_notice.get(r.id, ()))) for r in rows], total, unread)


async def count_unread(*, actor: Actor) -> int:
    me = _citizen(actor)
    return await Notice.filter(person_id=me.person_id, read_at=None).count()


async def mark_read(*, actor: Actor, notice_id: UUID, now: datetime) -> None:
    me = _citizen(actor)
    notice = await Notice.get_or_none(id=notice_id, person_id=me.person_id)
    if notice is None:
        raise NotFound('notice_not_found', N_('No such notice.'))
    if notice.read_at is None:
        await Notice.filter(id=notice.id, read_at=None).update(read_at=now)
    announce([me.person_id])


async def mark_all_read(*, actor: Actor, now: datetime) -> int:
    me = _citizen(actor)
    done = await Notice.filter(person_id=me.person_id, read_at=None).update(read_at=now)
    announce([me.person_id])
    return done


async def get_preferences(*, actor: Actor) -> Preferences:
    me = _citizen(actor)
    return preferences_of(await NoticeSettings.get_or_none(person_id=me.person_id))


async def save_preferences(
    *,
    actor: Actor,
    email: str,
    phone: str,
    channels: dict[str, dict[str, bool]],
    quiet_from: int,
    quiet_until: int,
    digest: bool,
    lang: str,
    now: datetime,
) -> Preferences:
    """Contacts, channels per type, quiet hours for SMS and the daily digest; each value checked, the field named."""
    me = _citizen(actor)
    email, phone = email.strip(), re.sub(r'[\s()-]', '', phone)
    if email and not EMAIL_RE.fullmatch(email):
        raise Invalid('invalid_email', N_('This e-mail address is not valid.'), field='email')
    if phone and not PHONE_RE.fullmatch(phone):
        raise Invalid('invalid_phone', N_('A mobile number looks like +994501234567.'), field='phone')
    for hour, name in ((quiet_from, 'quiet_from'), (quiet_until, 'quiet_until')):
        if not isinstance(hour, int) or not 0 <= hour <= 23:
            raise Invalid('invalid_hour', N_('An hour from 0 to 23.'), field=name)
    if lang not in LANGS:
        raise Invalid('invalid_language', N_('This language is not offered.'), field='lang')
    clean: dict[str, dict[str, bool]] = {}
    for code, chosen in channels.items():
        get_type(code)
        if not isinstance(chosen, dict) or set(chosen) - {Channel.SMS.value, Channel.EMAIL.value}:
            raise Invalid('invalid_channels', N_('Choose SMS and e-mail for each type.'), field='channels')
        clean[code] = {k: bool(v) for k, v in chosen.items()}
    values: dict[str, Any] = {
        'email': email,
        'phone': phone,
        'channels': clean,
        'quiet_from': quiet_from,
        'quiet_until': quiet_until,
        'digest': digest,
        'lang': lang,
        'updated_at': now,
    }
    async with in_transaction():
        row = await NoticeSettings.select_for_update().get_or_none(person_id=me.person_id)
        if row is None:
            row = await NoticeSettings.create(person_id=me.person_id, **values)
        else:
            await NoticeSettings.filter(person_id=me.person_id).update(**values)
            await row.refresh_from_db()
    return preferences_of(row)


# -- agencies -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentNotice:
    id: UUID
    type: str
    created_at: datetime
    deliveries: tuple[DeliveryView, ...]


async def send_notice(
    *,
    actor: Actor,
    fin: str,
    type: str,
    params: Any,
    now: datetime,
    link: str = '',
    idempotency: Idempotency | None = None,
) -> SentNotice:
    """An agency's system tells a citizen something (one of the types agencies may send)."""
    if not isinstance(actor, ApiActor):
        raise Forbidden('forbidden', N_('You are not allowed to do this.'))
    actor.require(SCOPE_WRITE)
    spec = get_type(type)
    if not spec.agency:
        raise Invalid('type_not_sendable', N_('Agencies cannot send notices of this type.'), field='type')
    if link and (not link.startswith('/') or link.startswith('//') or len(link) > 200):
        raise Invalid('invalid_link', N_('A link is a path in the portal, like /cabinet.'), field='link')
    person = await get_citizen_by_fin(fin=fin)
    if person.role is not Role.CITIZEN:
        raise NotFound('citizen_not_found', N_('No citizen has this FIN.'), field='fin')
    clean = check_params(spec, params)
    if spec.opt_in and not preferences_of(await NoticeSettings.get_or_none(person_id=person.id)).opted_in(spec):
        raise Invalid('not_subscribed', N_('The citizen has not asked for notices of this type.'), field='type')

    async def run() -> SentNotice:
        async with in_transaction():
            key = f'api:{actor.client_id}:{secrets.token_hex(12)}'
            await notify(NewNotice(person.id, spec.code, key, clean, link, actor.organisation_id), now=now)
            notice = await Notice.get(key=key)
            await remember(idempotency, resource_id=notice.id, now=now)
        announce([person.id])
        return await _sent_view(notice.id)

    return await once(idempotency, run, _sent_view)


async def _sent_view(notice_id: UUID) -> SentNotice:
    notice = await Notice.get(id=notice_id)
    rows = await Delivery.filter(notice_id=notice_id).order_by('channel')
    return SentNotice(notice.id, notice.type, notice.created_at, tuple(_delivery_view(d) for d in rows))


# -- administrators -------------------------------------------------------------------------------------------------


async def outbox_stats(*, actor: Actor, now: datetime, failures: int = 50) -> OutboxStats:
    require_role(actor, Role.ADMIN)
    counts: Counter[tuple[str, str]] = Counter()
    for channel, state, n in await _grouped():
        counts[(channel, state)] += n
    failed = (
        await Delivery.filter(state=DeliveryState.FAILED)
        .order_by('-finished_at')
        .limit(failures)
        .values_list('finished_at', 'channel', 'address', 'last_error')
    )
    due = await Delivery.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=now).count()
    return OutboxStats(dict(counts), [(a, str(b), str(c), str(d)) for a, b, c, d in failed], due)


async def _grouped() -> list[tuple[str, str, int]]:
    from tortoise.functions import Count

    rows = await Delivery.all().annotate(n=Count('id')).group_by('channel', 'state').values('channel', 'state', 'n')
    return [(str(r['channel']), str(r['state']), int(r['n'])) for r in rows]


def _delivery_view(d: Delivery) -> DeliveryView:
    return DeliveryView(d.channel, d.state, d.attempts, d.sent_at, d.finished_at, d.last_error)


def _view(row: Notice, deliveries: tuple[DeliveryView, ...]) -> NoticeView:
    org = row.organisation
    return NoticeView(
        id=row.id,
        type=row.type,
        params=dict(row.params or {}),
        link=row.link,
        organisation_name_az=org.name_az if org else None,
        organisation_name_en=org.name_en if org else None,
        created_at=row.created_at,
        read_at=row.read_at,
        deliveries=deliveries,
    )
