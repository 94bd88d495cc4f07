"""Raising notices: the in-cabinet notice and its delivery rows, written in the caller's transaction.

``notify`` is for one notice raised by a change (a letter answered, an application moved): call it inside the
transaction of that change, then ``announce`` after the commit. ``notify_many`` is for the reminder jobs: it writes
thousands at once, skips the keys that exist already, and is safe when two schedulers run it at the same time
(``INSERT … ON CONFLICT DO NOTHING`` on the unique keys).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from portal import live
from portal.store.notices.models import Channel, Delivery, DeliveryState, Notice, NoticeSettings
from portal.store.notices.types import TYPES, NoticeType, check_params, get_type

TIMEZONE = ZoneInfo('Asia/Baku')
BATCH = 500


@dataclass(frozen=True)
class NewNotice:
    person_id: UUID
    type: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ''
    organisation_id: UUID | None = None


@dataclass(frozen=True)
class Preferences:
    """What a citizen chose (or the defaults, for one who never did)."""

    email: str = ''
    phone: str = ''
    channels: dict[str, dict[str, bool]] = field(default_factory=dict)
    quiet_from: int = 22
    quiet_until: int = 8
    digest: bool = False
    lang: str = 'az'

    def wants(self, spec: NoticeType, channel: Channel) -> bool:
        chosen = self.channels.get(spec.code, {})
        default = spec.sms if channel is Channel.SMS else spec.email
        return bool(chosen.get(channel.value, False if spec.opt_in else default))

    def opted_in(self, spec: NoticeType) -> bool:
        chosen = self.channels.get(spec.code, {})
        return any(chosen.get(c.value) for c in Channel)

    def sms_at(self, now: datetime) -> datetime:
        """When an SMS raised now may go: at once, or at the end of the quiet hours (Baku time)."""
        local = now.astimezone(TIMEZONE)
        start, end = self.quiet_from % 24, self.quiet_until % 24
        hour = local.hour
        quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
        if not quiet or start == end:
            return now
        morning = datetime.combine(local.date(), time(end), tzinfo=TIMEZONE)
        if morning <= local:
            morning += timedelta(days=1)
        return morning


def preferences_of(row: NoticeSettings | None) -> Preferences:
    if row is None:
        return Preferences()
    return Preferences(
        email=row.email,
        phone=row.phone,
        channels=dict(row.channels or {}),
        quiet_from=row.quiet_from,
        quiet_until=row.quiet_until,
        digest=row.digest,
        lang=row.lang,
    )


async def preferences_for(person_ids: Iterable[UUID]) -> dict[UUID, Preferences]:
    ids = list(set(person_ids))
    rows: dict[UUID, NoticeSettings] = {}
    for start in range(0, len(ids), BATCH):
        for row in await NoticeSettings.filter(person_id__in=ids[start : start + BATCH]):
            rows[row.person_id] = row
    return {i: preferences_of(rows.get(i)) for i in ids}


async def notify(new: NewNotice, *, now: datetime) -> bool:
    """Raise one notice inside the caller's transaction; False when its key was raised before (nothing written)."""
    return bool(await notify_many([new], now=now))


async def notify_many(notices: list[NewNotice], *, now: datetime) -> list[UUID]:
    """Raise notices (skipping keys that exist); returns the people who got a new notice (to ``announce`` to)."""
    if not notices:
        return []
    now = now.astimezone(UTC)  # SQLite compares stored times as text: keep every stored time in UTC
    specs = {n.type: get_type(n.type) for n in notices}
    unique = {n.key: n for n in notices}  # one per key within the batch, too
    fresh: list[NewNotice] = []
    keys = list(unique)
    for start in range(0, len(keys), BATCH):
        part = keys[start : start + BATCH]
        known = set(await Notice.filter(key__in=part).values_list('key', flat=True))
        fresh += [unique[k] for k in part if k not in known]
    if not fresh:
        return []
    prefs = await preferences_for(n.person_id for n in fresh)
    fresh = [n for n in fresh if not specs[n.type].opt_in or prefs[n.person_id].opted_in(specs[n.type])]
    rows = [
        Notice(
            id=uuid.uuid4(),
            person_id=n.person_id,
            type=n.type,
            key=n.key,
            params=check_params(specs[n.type], n.params, strict=False),
            link=n.link,
            organisation_id=n.organisation_id,
            created_at=now,
        )
        for n in fresh
    ]
    await Notice.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    # a twin run may have won some keys between the check and the insert: keep only the rows that are ours
    ours: set[UUID] = set()
    for start in range(0, len(rows), BATCH):
        ids = [r.id for r in rows[start : start + BATCH]]
        ours.update(UUID(str(i)) for i in await Notice.filter(id__in=ids).values_list('id', flat=True))
    written = [r for r in rows if r.id in ours]
    deliveries = [d for r in written for d in _deliveries(r, specs[r.type], prefs[r.person_id], now)]
    await Delivery.bulk_create(deliveries, batch_size=BATCH, ignore_conflicts=True)
    return sorted({r.person_id for r in written})


def _deliveries(notice: Notice, spec: NoticeType, prefs: Preferences, now: datetime) -> list[Delivery]:
    out = []
    if prefs.phone and prefs.wants(spec, Channel.SMS):
        out.append(_row(notice, Channel.SMS, prefs.phone, DeliveryState.QUEUED, at=prefs.sms_at(now), now=now))
    if prefs.email and prefs.wants(spec, Channel.EMAIL):
        state = DeliveryState.DIGEST if prefs.digest else DeliveryState.QUEUED
        out.append(_row(notice, Channel.EMAIL, prefs.email, state, at=now, now=now))
    return out


def _row(
    notice: Notice, channel: Channel, address: str, state: DeliveryState, *, at: datetime, now: datetime
) -> Delivery:
    return Delivery(
        id=uuid.uuid4(),
        person_id=notice.person_id,
        notice_id=notice.id,
        channel=channel,
        key=f'{notice.key}:{channel.value}',
        state=state,
        address=address,
        next_attempt_at=at,
        created_at=now,
    )


EVENT = 'notices.changed'


def announce(person_ids: Iterable[UUID]) -> None:
    """After the commit: tell the citizens' open pages (the bell, the notices page) that their notices changed (new
    ones, read ones, or a delivery that moved on)."""
    for person_id in set(person_ids):
        live.publish(live.Event(f'citizen:{person_id}', EVENT, {}))


def known_types() -> list[NoticeType]:
    return sorted(TYPES.values(), key=lambda t: t.number)
