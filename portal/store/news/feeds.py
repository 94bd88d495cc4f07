"""Atom and RSS 2.0 feeds of the newest items, nationally and per executive, built with feedgen (an XML library:
every text goes in as element text or an attribute and is escaped by the serialiser, never pasted into markup).

Entries carry the sanitised HTML as their content, the plain text's first paragraph as their summary, an id that
never changes (``urn:uuid:``), the item's address, its tags as categories, and when it was published and last edited.
Addresses are built from the portal's configured public address, never from a request's Host header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from portal.store.news.publishing import ExecutiveView, NewsView, list_news

FEED_SIZE = 30
ATOM_TYPE = 'application/atom+xml; charset=utf-8'
RSS_TYPE = 'application/rss+xml; charset=utf-8'
PORTAL_NAME = 'Kabinet'
NATIONAL_ID = 'urn:kabinet:news'


@dataclass(frozen=True)
class Feed:
    """A feed to build: its title, description, page and the newest items."""

    id: str
    title: str
    description: str
    page: str  # the page's path
    path: str  # the feed's own path, without the extension
    items: list[NewsView]


async def feed_of(executive: ExecutiveView | None, *, title: str, description: str) -> Feed:
    """The newest items of an executive, or of every executive (None)."""
    page = await list_news(executive_code=executive.code if executive else None, limit=FEED_SIZE)
    if executive is None:
        return Feed(NATIONAL_ID, title, description, '/news', '/news/feed', page.items)
    path = f'/news/{executive.code}'
    return Feed(f'urn:uuid:{executive.id}', title, description, path, f'{path}/feed', page.items)


def atom(feed: Feed, *, base_url: str, now: datetime) -> bytes:
    return _generator(feed, base_url, 'atom', now).atom_str(pretty=True)


def rss(feed: Feed, *, base_url: str, now: datetime) -> bytes:
    return _generator(feed, base_url, 'rss', now).rss_str(pretty=True)


def _generator(feed: Feed, base_url: str, extension: str, now: datetime) -> FeedGenerator:
    base = base_url.rstrip('/')
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(feed.title)
    generator.description(feed.description)
    generator.author({'name': feed.title})
    # the self link first: feedgen takes the last link as the RSS channel's <link>, the page
    generator.link(href=f'{base}{feed.path}.{extension}', rel='self')
    generator.link(href=f'{base}{feed.page}', rel='alternate')
    generator.language('az')
    generator.generator(PORTAL_NAME)
    newest = max((i.updated_at or i.published_at for i in feed.items), default=now)
    generator.updated(newest)
    generator.lastBuildDate(newest)
    for item in feed.items:
        entry = generator.add_entry(order='append')
        entry.id(f'urn:uuid:{item.id}')
        entry.guid(f'urn:uuid:{item.id}', permalink=False)
        entry.title(item.title)
        entry.link(href=f'{base}/news/item/{item.id}', rel='alternate')
        entry.author({'name': item.executive_name})
        entry.published(item.published_at)
        entry.updated(item.updated_at or item.published_at)
        entry.content(item.body_html, type='html')
        entry.summary(item.summary)
        if item.tags:
            entry.category([{'term': tag} for tag in item.tags])
    return generator
