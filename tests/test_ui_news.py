"""Məlumatlandırma in the browser: the executive's officer publishes on the news desk (a bad field named under it, an
image judged by its bytes whatever its name), a citizen's open feed shows the item live, the citizen follows the
executive and gets the next item as a notice; the item page shows the sanitised body; feeds and images are served
with their types."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import feedparser
import pytest
from nicegui import ui
from nicegui.testing import User
from PIL import Image

from portal.store.actors import Role
from portal.store.news import following, publishing
from portal.store.notices.models import Notice
from portal.store.people import Person
from tests.builders import use_fast_hashing
from tests.factories import make_citizen, make_org, make_person
from tests.test_ui_login import WAIT, login
from tests.ui_kit import az, count, says, texts

LEYLA, OFFICER = '5ABC123', '6OFF001'
TITLE = 'Bakıxanov küçəsində səkilər yeniləndi'


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


def png() -> bytes:
    out = io.BytesIO()
    Image.new('RGB', (6, 4), (10, 120, 60)).save(out, format='PNG')
    return out.getvalue()


async def officer() -> Person:
    person, _ = await make_person(OFFICER, first='Səbinə', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-NESIMI'))
    return person


async def upload(user: User, name: str, data: bytes) -> None:
    """What the browser's uploader posts: the declared name and type say nothing the server believes."""
    element = user.find(kind=ui.upload, marker='news-form-upload').elements.pop()
    await element.handle_uploads([ui.upload.SmallFileUpload(name, 'application/pdf', data)])


async def test_an_officer_publishes_and_an_open_feed_shows_it_live(user: User, create_user: Callable[[], User]) -> None:
    await officer()
    await make_citizen(LEYLA)
    await login(user, LEYLA)
    nav = [e for e in user.find(kind=ui.link).elements if e.props.get('href') == '/news']
    assert [e.text for e in nav] == [az('News')]
    await user.open('/news')
    await user.should_see(marker='news-empty')
    await user.should_see(marker='followed-empty')

    desk = create_user()
    await login(desk, OFFICER)
    await desk.open('/desk/news')
    await desk.should_see(marker='desk-news-empty')
    desk.find(kind=ui.toggle, marker='news-form-kind').elements.pop().set_value('work')
    desk.find(marker='news-form-title').type(TITLE)
    desk.find(kind=ui.editor, marker='news-form-body').elements.pop().set_value(
        '<p>Səkilərə <b>yeni</b> plitə döşəndi.</p><img src=x onerror="alert(1)"><script>alert(2)</script>'
    )
    desk.find(marker='news-form-send').click()  # a work done without its place
    await says(desk, 'news-error-location', az('A work done needs the place where it was done.'))
    assert (await publishing.list_news()).total == 0

    await upload(desk, 'hesabat.png', b'%PDF-1.7 not a picture')  # named like a picture, it is not one
    await says(desk, 'news-error-image', az('The image must be a PNG, JPEG or WebP picture.'))
    await upload(desk, 'sened.pdf', png())  # named like a PDF, it is a picture
    await says(desk, 'news-form-image', 'sened.pdf')
    desk.find(marker='news-form-location').type('Bakıxanov küçəsi')
    desk.find(marker='news-form-tags').type('səki, abadlıq')
    desk.find(marker='news-form-send').click()
    await count(desk, 'desk-news-item', 1)
    assert not texts(desk, 'news-error-location')

    # Leyla's open feed shows it without reloading
    await count(user, 'news-item', 1)
    assert texts(user, 'news-location') == ['Bakıxanov küçəsi']
    [item] = (await publishing.list_news()).items
    assert item.body_html == '<p>Səkilərə <b>yeni</b> plitə döşəndi.</p>'
    assert item.tags == ('səki', 'abadlıq') and item.image_type == 'image/png'

    # the image is served with the type its bytes were checked to be
    assert item.image_url is not None
    response = await user.http_client.get(item.image_url)
    assert response.status_code == 200 and response.content == png()
    assert response.headers['content-type'] == 'image/png'
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert (await user.http_client.get('/files/news/' + '0' * 32)).status_code == 404

    # the item's page renders the sanitised body
    await user.open(f'/news/item/{item.id}')
    body = user.find(kind=ui.html, marker='news-body').elements.pop()
    assert body.content == item.body_html


async def test_a_citizen_follows_an_executive_and_gets_its_next_item(
    user: User, create_user: Callable[[], User]
) -> None:
    desk = (await officer()).as_actor()
    leyla = await make_citizen(LEYLA)
    await login(user, LEYLA)
    await user.open('/news/IH-NESIMI')
    user.find(marker='follow-start').click()
    await user.should_see(marker='follow-stop', retries=WAIT)
    assert await following.is_following(actor=leyla.as_actor(), executive_code='IH-NESIMI')

    # the cabinet's list of followed executives, live from another page
    other = create_user()
    await login(other, LEYLA)
    await other.open('/news')
    await count(other, 'followed-row', 1)
    await publishing.publish(
        actor=desk,
        kind='announcement',
        title='Şənbə günü vətəndaş qəbulu',
        body='<p>Rəhbər şənbə günü saat 10:00-da sakinləri qəbul edəcək.</p>',
        now=datetime.now(UTC),
    )
    [notice] = await Notice.filter(person_id=leyla.id, type='news_published')
    assert notice.params['title'] == 'Şənbə günü vətəndaş qəbulu'
    await count(user, 'news-item', 1)  # the executive's open page shows it too

    other.find(marker='followed-stop').click()
    await count(other, 'followed-row', 0)
    await user.should_see(marker='follow-start', retries=WAIT)  # the other page's button follows
    assert not await following.is_following(actor=leyla.as_actor(), executive_code='IH-NESIMI')


async def test_visitors_read_feeds_and_search_without_logging_in(user: User) -> None:
    desk = (await officer()).as_actor()
    for title, tag in (('Parkda yeni skamyalar quraşdırıldı', 'Abadlıq'), ('İçərişəhərdə konsert', 'Mədəniyyət')):
        await publishing.publish(
            actor=desk, kind='news', title=title, body=f'<p>{title}.</p>', now=datetime.now(UTC), tags=[tag]
        )
    await user.open('/news/ih-nesimi')
    await count(user, 'news-item', 2)
    await user.should_see(marker='follow-login')
    user.find(kind=ui.chip, marker='news-tag', content='Abadlıq').click()  # a tag's chip filters the feed by it
    await count(user, 'news-item', 1)
    assert [e.text for e in user.find(kind=ui.link, marker='news-title').elements] == [
        'Parkda yeni skamyalar quraşdırıldı'
    ]
    user.find(kind=ui.chip, marker='news-tag-filter').elements.pop().set_value(False)  # the filter's chip removed
    await count(user, 'news-item', 2)
    user.find(marker='news-search').type('İÇƏRİŞƏHƏRDƏ')
    user.find(marker='news-search-go').click()
    await count(user, 'news-item', 1)
    assert [e.text for e in user.find(kind=ui.link, marker='news-title').elements] == ['İçərişəhərdə konsert']

    for path, mime in (
        ('/news/IH-NESIMI/feed.atom', 'application/atom+xml'),
        ('/news/feed.rss', 'application/rss+xml'),
    ):
        response = await user.http_client.get(path)
        assert response.status_code == 200 and response.headers['content-type'].startswith(mime)
        parsed = feedparser.parse(response.content)
        assert parsed.bozo == 0 and len(parsed.entries) == 2
    assert (await user.http_client.get('/news/IH-NOWHERE/feed.rss')).status_code == 404
    await user.open('/news/IH-NOWHERE')
    await user.should_see(marker='news-not-found')


async def test_a_citizen_cannot_open_the_news_desk(user: User) -> None:
    await make_citizen(LEYLA)
    await login(user, LEYLA)
    await user.open('/desk/news')
    await user.should_not_see(marker='news-form')
