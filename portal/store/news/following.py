"""Following: a citizen follows a local executive, and each new item of that executive reaches them as the notice
"News from {executive}" (type 19), in the cabinet and by the channels they chose for that type.

The followers are read a page at a time along the (executive, person) unique index and each page's notices are written
in one transaction (``notify_many``, whose unique keys — one per item and citizen — make a notice never written twice):
a few queries per page of followers, never one per follower.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, NotFound
from portal.store.actors import Actor, Role, require_role
from portal.store.news.models import Follow, NewsItem
from portal.store.notices.outbox import NewNotice, announce, notify_many
from portal.store.orgs import Organisation, OrgCategory

NOTICE_TYPE = 'news_published'
PAGE = 2000
EVENT = 'news.following'


class Executive(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def name_az(self) -> str: ...


@dataclass(frozen=True)
class Followed:
    code: str
    name_az: str
    name_en: str | None
    since: datetime

    def display_name(self, lang: str) -> str:
        return self.name_en if lang == 'en' and self.name_en else self.name_az


async def follow(*, actor: Actor, executive_code: str, now: datetime) -> bool:
    """Follow an executive; False when the citizen followed it already."""
    me = require_role(actor, Role.CITIZEN)
    executive = await _executive(executive_code)
    try:
        async with in_transaction():
            await Follow.create(person_id=me.person_id, executive_id=executive.id, created_at=now.astimezone(UTC))
    except IntegrityError:
        return False
    live.publish(live.Event(f'citizen:{me.person_id}', EVENT, {'executive_id': str(executive.id)}))
    return True


async def unfollow(*, actor: Actor, executive_code: str) -> bool:
    """Stop following; False when the citizen did not follow it."""
    me = require_role(actor, Role.CITIZEN)
    executive = await _executive(executive_code)
    done = await Follow.filter(person_id=me.person_id, executive_id=executive.id).delete()
    if done:
        live.publish(live.Event(f'citizen:{me.person_id}', EVENT, {'executive_id': str(executive.id)}))
    return bool(done)


async def is_following(*, actor: Actor, executive_code: str) -> bool:
    me = require_role(actor, Role.CITIZEN)
    executive = await _executive(executive_code)
    return await Follow.exists(person_id=me.person_id, executive_id=executive.id)


async def list_followed(*, actor: Actor) -> list[Followed]:
    """The executives the citizen follows, by name."""
    me = require_role(actor, Role.CITIZEN)
    rows = await Follow.filter(person_id=me.person_id).prefetch_related('executive')
    out = [Followed(r.executive.code, r.executive.name_az, r.executive.name_en, r.created_at) for r in rows]
    return sorted(out, key=lambda f: f.name_az)


async def followers(*, executive_id: UUID, after: UUID | None = None, limit: int = PAGE) -> list[UUID]:
    """A page of an executive's followers in id order, after the id ``after`` (keyset paging)."""
    query = Follow.filter(executive_id=executive_id)
    if after is not None:
        query = query.filter(person_id__gt=after)
    ids = await query.order_by('person_id').limit(limit).values_list('person_id', flat=True)
    return [i if isinstance(i, UUID) else UUID(str(i)) for i in ids]


async def notify_followers(*, item: NewsItem, executive: Executive, now: datetime) -> int:
    """Tell the executive's followers of a new item (once per item and citizen); returns the notices written."""
    params = {'executive': executive.name_az, 'title': item.title}
    link = f'/news/item/{item.id}'
    written = 0
    after: UUID | None = None
    while True:
        page = await followers(executive_id=executive.id, after=after, limit=PAGE)
        if not page:
            return written
        async with in_transaction():
            told = await notify_many(
                [NewNotice(p, NOTICE_TYPE, f'news:{item.id}:{p}', params, link, executive.id) for p in page], now=now
            )
        announce(told)
        written += len(told)
        if len(page) < PAGE:
            return written
        after = page[-1]


async def _executive(code: str) -> Organisation:
    org = await Organisation.get_or_none(code=str(code or '').strip().upper(), category=OrgCategory.EXECUTIVE)
    if org is None:
        raise NotFound('executive_not_found', N_('No local executive has this code.'))
    return org
