"""Məlumatlandırma: the national news feed, an executive's feed (with its follow button), one item, the Atom and RSS
feeds and the items' images — all public —, and the local executive's news desk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from fastapi.responses import RedirectResponse, Response
from nicegui import app, ui

from portal.components.frame import frame
from portal.components.news import follow_button, followed_list, load_feed, news_feed, news_item
from portal.components.news_desk import load_desk_news, news_desk
from portal.config import Settings
from portal.errors import N_, NotFound
from portal.i18n import _, current_language, translate
from portal.pages.guard import current_actor, require
from portal.pages.route import page
from portal.store.actors import PersonActor, Role
from portal.store.news import feeds, following, publishing

IMAGE_CACHE = 'public, max-age=86400'
FEED_HEADERS = {'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff'}


def register(settings: Settings) -> None:
    # the feeds first: '/news/feed.atom' would otherwise be taken for an executive's page
    app.get('/news/feed.atom')(_feed(settings, None, 'atom'))  # the national Atom feed
    app.get('/news/feed.rss')(_feed(settings, None, 'rss'))  # the national RSS 2.0 feed
    app.get('/news/{code}/feed.atom')(_feed(settings, '', 'atom'))  # an executive's Atom feed
    app.get('/news/{code}/feed.rss')(_feed(settings, '', 'rss'))  # an executive's RSS 2.0 feed
    app.get('/files/news/{name}')(news_image)  # an item's image, with its checked type
    page('/news')(news_page)  # public: every executive's news, search, pages, live; a citizen's followed list
    page('/news/item/{item_id}')(item_page)  # public: one item
    page('/news/{code}')(executive_page)  # public: one executive's news and its feeds; citizens follow it
    page('/desk/news')(desk_page)  # executive officers: publish, edit, withdraw


async def news_page() -> None:
    actor = await current_actor()
    first = await load_feed(None)
    followed = await following.list_followed(actor=actor) if actor and actor.role is Role.CITIZEN else None
    with frame(_('News'), actor):
        _feed_links('/news/feed')
        if actor is not None and followed is not None:
            followed_list(actor=actor, first=followed)
        news_feed(executive=None, first=first)


async def executive_page(code: str) -> None:
    actor = await current_actor()
    try:
        executive = await publishing.executive_of(code)
    except NotFound:
        return _not_found(actor, _('No local executive has this code.'))
    first = await load_feed(executive)
    follows = False
    if actor is not None and actor.role is Role.CITIZEN:
        follows = await following.is_following(actor=actor, executive_code=executive.code)
    with frame(executive.display_name(current_language()), actor):
        with ui.row().classes('w-full items-center gap-4'):
            ui.link(_('All news'), '/news').mark('news-all')
            _feed_links(f'/news/{executive.code}/feed')
            ui.space()
            follow_button(actor=actor, executive=executive, following_now=follows)
        news_feed(executive=executive, first=first)
    return None


async def item_page(item_id: str) -> None:
    actor = await current_actor()
    try:
        item = await publishing.get_item(item_id=UUID(item_id))
    except (ValueError, NotFound):
        return _not_found(actor, _('No such news item.'))
    with frame(item.title, actor):
        ui.link(_('All news of {executive}', executive=item.executive_name), f'/news/{item.executive_code}').mark(
            'news-executive-link'
        )
        news_item(item)
    return None


async def desk_page() -> RedirectResponse | None:
    actor = await require(Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    assert actor.organisation_id is not None
    executive = await publishing.executive_by_id(actor.organisation_id)
    first = await load_desk_news(executive)
    with frame(_('News'), actor):
        ui.label(executive.display_name(current_language())).classes('text-subtitle1').mark('desk-executive')
        ui.link(_('Our public page'), f'/news/{executive.code}').mark('desk-news-public')
        news_desk(actor=actor, executive=executive, first=first)
    return None


async def news_image(name: str) -> Response:
    """Public like the item; the type is the one its bytes were checked to be, never sniffed by the browser."""
    try:
        content_type, data = await publishing.read_image(name=name)
    except NotFound:
        return Response(status_code=404, headers={'Cache-Control': 'no-store'})
    headers = {
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': IMAGE_CACHE,
        'Content-Disposition': 'inline',
        'Content-Security-Policy': "default-src 'none'; sandbox",
    }
    return Response(data, media_type=content_type, headers=headers)


def _feed(settings: Settings, code: str | None, kind: str) -> Callable[..., object]:
    """A feed route: national (``code`` None) or an executive's (the code comes from the path)."""
    media = feeds.ATOM_TYPE if kind == 'atom' else feeds.RSS_TYPE
    build = feeds.atom if kind == 'atom' else feeds.rss

    async def national() -> Response:
        feed = await feeds.feed_of(
            None,
            title=translate(N_('News of the local executives'), 'az'),
            description=translate(N_('News, announcements and works done of every local executive'), 'az'),
        )
        return Response(
            build(feed, base_url=settings.base_url, now=datetime.now(UTC)), media_type=media, headers=FEED_HEADERS
        )

    async def of_executive(code: str) -> Response:
        try:
            executive = await publishing.executive_of(code)
        except NotFound:
            return Response(status_code=404)
        feed = await feeds.feed_of(
            executive,
            title=executive.name_az,
            description=translate(
                N_('News, announcements and works done of {executive}'), 'az', executive=executive.name_az
            ),
        )
        return Response(
            build(feed, base_url=settings.base_url, now=datetime.now(UTC)), media_type=media, headers=FEED_HEADERS
        )

    return national if code is None else of_executive


def _feed_links(path: str) -> None:
    with ui.row().classes('items-center gap-3 text-caption'):
        ui.icon('rss_feed')
        ui.link('Atom', f'{path}.atom').mark('feed-atom')
        ui.link('RSS', f'{path}.rss').mark('feed-rss')


def _not_found(actor: PersonActor | None, text: str) -> None:
    with frame(_('Not found'), actor):
        ui.label(text).mark('news-not-found')
        ui.link(_('All news'), '/news')
