"""Publishing ("Məlumatlandırma"): a local executive's officers (or its integration, with ``news:write``) publish
news, announcements and works done for their own executive, edit and withdraw them; anyone reads them, nationally or
per executive, searched and a page at a time.

After each commit the item's executive topic (``news:<executive id>``) and the national one (``news``) hear of it,
so open feed pages redraw; a new item is told to the executive's followers (see ``following``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Forbidden, Invalid, NotFound
from portal.store.actors import Actor, Role, organisation_of
from portal.store.letters.models import search_key
from portal.store.news import content, following
from portal.store.news.models import LOCATION_MAX, TITLE_MAX, NewsItem, NewsKind
from portal.store.orgs import Organisation, OrgCategory

SCOPE_WRITE = 'news:write'
NATIONAL_TOPIC = 'news'
PAGE_DEFAULT, PAGE_MAX = 10, 50
OFFSET_MAX = 10_000
QUERY_MAX = 200
SUMMARY_MAX = 300


@dataclass(frozen=True)
class NewsView:
    id: UUID
    executive_code: str
    executive_name: str
    kind: NewsKind
    title: str
    body_html: str  # sanitised: safe to render as HTML
    body_text: str
    tags: tuple[str, ...]
    location: str
    image_url: str | None
    image_type: str
    published_at: datetime
    updated_at: datetime | None

    @property
    def summary(self) -> str:
        first = self.body_text.split('\n\n', 1)[0]
        return first if len(first) <= SUMMARY_MAX else first[: SUMMARY_MAX - 1].rstrip() + '…'


@dataclass(frozen=True)
class NewsPage:
    items: list[NewsView]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class ExecutiveView:
    id: UUID
    code: str
    name_az: str
    name_en: str | None

    @property
    def topic(self) -> str:
        return topic_of(self.id)

    def display_name(self, lang: str) -> str:
        return self.name_en if lang == 'en' and self.name_en else self.name_az


def topic_of(executive_id: UUID) -> str:
    return f'news:{executive_id}'


def image_url(name: str) -> str:
    return f'/files/news/{name}'


async def publish(
    *,
    actor: Actor,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    tags: list[str] | None = None,
    location: str = '',
    image: bytes | None = None,
    executive_code: str | None = None,
) -> NewsView:
    """Publish for the actor's own executive (naming another is refused); followers are told."""
    executive = await _own_executive(actor, executive_code)
    fields = _fields(kind=kind, title=title, body=body, tags=tags, location=location)
    image_type = await content.check_image(image) if image is not None else ''
    image_name = content.store_image(image) if image is not None else None
    try:
        row = await NewsItem.create(
            executive_id=executive.id,
            image_name=image_name,
            image_type=image_type,
            published_at=now.astimezone(UTC),
            **fields,
        )
    except BaseException:
        content.delete_image(image_name)
        raise
    _announce(row, 'news.published')
    await following.notify_followers(item=row, executive=executive, now=now)
    return _view(row, executive)


async def edit(
    *,
    actor: Actor,
    item_id: UUID,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    tags: list[str] | None = None,
    location: str = '',
    image: bytes | None = None,
    drop_image: bool = False,
) -> NewsView:
    """Change one of the executive's items (a new image replaces the old one); followers are not told again."""
    executive = await _own_executive(actor, None)
    fields = _fields(kind=kind, title=title, body=body, tags=tags, location=location)
    image_type = await content.check_image(image) if image is not None else ''
    new_name = content.store_image(image) if image is not None else None
    try:
        async with in_transaction():
            row = await NewsItem.select_for_update().get_or_none(id=item_id, executive_id=executive.id)
            if row is None:
                raise NotFound('news_not_found', N_('No such news item.'))
            old_name = row.image_name
            if new_name is not None or drop_image:
                row.image_name, row.image_type = new_name, image_type
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_at = now.astimezone(UTC)
            await row.save()
    except BaseException:
        content.delete_image(new_name)
        raise
    if old_name != row.image_name:
        with contextlib.suppress(OSError):
            content.delete_image(old_name)
    _announce(row, 'news.changed')
    return _view(row, executive)


async def withdraw(*, actor: Actor, item_id: UUID, now: datetime) -> None:
    """Take one of the executive's items down, with its image."""
    executive = await _own_executive(actor, None)
    row = await NewsItem.get_or_none(id=item_id, executive_id=executive.id)
    if row is None or not await NewsItem.filter(id=row.id, executive_id=executive.id).delete():
        raise NotFound('news_not_found', N_('No such news item.'))
    with contextlib.suppress(OSError):
        content.delete_image(row.image_name)
    _announce(row, 'news.withdrawn')


async def get_item(*, item_id: UUID) -> NewsView:
    """Items are public."""
    row = await NewsItem.get_or_none(id=item_id).prefetch_related('executive')
    if row is None:
        raise NotFound('news_not_found', N_('No such news item.'))
    return _view(row, _executive(row.executive))


async def list_news(
    *,
    executive_code: str | None = None,
    query: str = '',
    tag: str = '',
    limit: int = PAGE_DEFAULT,
    offset: int = 0,
) -> NewsPage:
    """The newest first, nationally or of one executive; every word of ``query`` must occur in the title, text,
    location or tags (Azerbaijani case rules), and ``tag`` must be one of the item's tags. Public."""
    text = str(query or '')
    if len(text) > QUERY_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='q', limit=QUERY_MAX)
    limit, offset = max(1, min(int(limit), PAGE_MAX)), max(0, min(int(offset), OFFSET_MAX))
    found = NewsItem.all()
    if executive_code:
        found = found.filter(executive_id=(await executive_of(executive_code)).id)
    for word in search_key(text).split()[:8]:
        found = found.filter(search_text__contains=word)
    wanted = search_key(' '.join(str(tag or '').split()))
    if wanted:
        found = found.filter(tag_key__contains=f'|{wanted}|')
    total = await found.count()
    rows = await found.order_by('-published_at', '-id').offset(offset).limit(limit).prefetch_related('executive')
    return NewsPage([_view(r, _executive(r.executive)) for r in rows], total, offset, limit)


async def executive_of(code: str) -> ExecutiveView:
    """A local executive by its code (the news pages' and feeds' address)."""
    org = await Organisation.get_or_none(code=str(code or '').strip().upper(), category=OrgCategory.EXECUTIVE)
    if org is None:
        raise NotFound('executive_not_found', N_('No local executive has this code.'))
    return _executive(org)


async def executive_by_id(executive_id: UUID) -> ExecutiveView:
    org = await Organisation.get_or_none(id=executive_id, category=OrgCategory.EXECUTIVE)
    if org is None:
        raise NotFound('executive_not_found', N_('No local executive has this code.'))
    return _executive(org)


async def read_image(*, name: str) -> tuple[str, bytes]:
    """A published item's image: its checked content type and bytes (public, like the item)."""
    row = await NewsItem.get_or_none(image_name=name)
    if row is None or row.image_name is None:
        raise NotFound('image_not_found', N_('No such image.'))
    try:
        return row.image_type, content.read_image(row.image_name)
    except (OSError, ValueError):
        raise NotFound('image_not_found', N_('No such image.')) from None


# -- helpers --------------------------------------------------------------------------------------------------------


async def _own_executive(actor: Actor, executive_code: str | None) -> ExecutiveView:
    organisation_id = organisation_of(actor, scope=SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    org = await Organisation.get_or_none(id=organisation_id)
    if org is None or org.category is not OrgCategory.EXECUTIVE:
        raise Forbidden('not_an_executive', N_('Only local executives publish news.'))
    if executive_code and str(executive_code).strip().upper() != org.code:
        raise Forbidden('other_executive', N_("You can publish only your own executive's news."))
    return _executive(org)


def _fields(*, kind: str, title: str, body: str, tags: list[str] | None, location: str) -> dict[str, Any]:
    try:
        chosen = NewsKind(str(kind))
    except ValueError:
        raise Invalid(
            'unknown_kind', N_('Choose what is published: news, an announcement or a work done.'), field='kind'
        ) from None
    head = _line(title, 'title', TITLE_MAX, required=True)
    place = _line(location, 'location', LOCATION_MAX, required=chosen is NewsKind.WORK)
    body_html, body_text = content.check_body(body)
    clean_tags = content.check_tags(tags or [])
    return {
        'kind': chosen,
        'title': head,
        'body_html': body_html,
        'body_text': body_text,
        'search_text': search_key(head, body_text, place, ' '.join(clean_tags)),
        'tags': clean_tags,
        'tag_key': content.tag_key(clean_tags),
        'location': place,
    }


def _line(value: object, field: str, limit: int, *, required: bool) -> str:
    text = ' '.join(str(value or '').split())
    if required and not text:
        if field == 'location':
            raise Invalid('required', N_('A work done needs the place where it was done.'), field=field)
        raise Invalid('required', N_('This field is required.'), field=field)
    if len(text) > limit:
        raise Invalid('too_long', N_('At most {limit} characters.'), field=field, limit=limit)
    return text


def _announce(row: NewsItem, kind: str) -> None:
    data = {'item_id': str(row.id), 'executive_id': str(row.executive_id)}
    live.publish(live.Event(topic_of(row.executive_id), kind, data))
    live.publish(live.Event(NATIONAL_TOPIC, kind, data))


def _executive(org: Organisation) -> ExecutiveView:
    return ExecutiveView(org.id, org.code, org.name_az, org.name_en)


def _view(row: NewsItem, executive: ExecutiveView) -> NewsView:
    return NewsView(
        id=row.id,
        executive_code=executive.code,
        executive_name=executive.name_az,
        kind=row.kind,
        title=row.title,
        body_html=row.body_html,
        body_text=row.body_text,
        tags=tuple(row.tags or ()),
        location=row.location,
        image_url=image_url(row.image_name) if row.image_name else None,
        image_type=row.image_type,
        published_at=row.published_at,
        updated_at=row.updated_at,
    )
