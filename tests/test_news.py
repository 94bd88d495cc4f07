"""Məlumatlandırma in the store: an executive's officer publishes for their own executive only; bodies are sanitised
(an XSS corpus leaves no markup that runs, its text kept as text); images are judged by their bytes; search folds
Azerbaijani case and pages; feeds are valid Atom and RSS; followers are told once per item, in pages."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from PIL import Image

from portal.errors import Forbidden, Invalid, NotFound
from portal.store.actors import ApiActor, Role
from portal.store.news import content, feeds, following, publishing
from portal.store.news.models import Follow, NewsItem, NewsKind
from portal.store.notices.models import Notice
from portal.store.notices.types import TYPES, render
from portal.store.people import Person
from tests.builders import collect_events
from tests.factories import make_citizen, make_org, make_person

pytestmark = pytest.mark.usefixtures('store_db')

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BASE = 'https://kabinet.example.az'
ROAD: dict[str, Any] = {
    'kind': 'work',
    'title': 'Füzuli küçəsində asfalt örtüyü yeniləndi',
    'body': '<p>Füzuli küçəsinin <b>1,2 km</b> hissəsində yeni asfalt örtüyü salındı.</p><ul><li>səkilər</li></ul>',
    'location': 'Füzuli küçəsi',
    'tags': ['Yol təmiri', 'asfalt'],
}


def image(kind: str = 'PNG', size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new('RGB', size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


async def officer(fin: str = '6OFF001', code: str = 'IH-NESIMI') -> Any:
    person = await Person.get_or_none(fin=fin)
    if person is None:
        person, _ = await make_person(fin, first='Səbinə', role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    return person.as_actor()


async def publish(actor: Any = None, *, now: datetime = NOW, **change: Any) -> publishing.NewsView:
    return await publishing.publish(actor=actor or await officer(), now=now, **{**ROAD, **change})


async def test_an_officer_publishes_a_work_done_for_their_executive() -> None:
    with collect_events('news') as national:
        item = await publish(image=image())
    assert (item.executive_code, item.kind, item.title, item.location) == (
        'IH-NESIMI',
        NewsKind.WORK,
        ROAD['title'],
        'Füzuli küçəsi',
    )
    assert item.tags == ('Yol təmiri', 'asfalt')
    assert item.body_html == ROAD['body']
    assert item.body_text == 'Füzuli küçəsinin 1,2 km hissəsində yeni asfalt örtüyü salındı.\n\nsəkilər'
    assert item.image_url is not None and item.image_type == 'image/png'
    assert [e.kind for e in national] == ['news.published']
    assert await publishing.get_item(item_id=item.id) == item
    kind, data = await publishing.read_image(name=item.image_url.rsplit('/', 1)[1])
    assert (kind, data) == ('image/png', image())


async def test_publishing_is_refused_for_another_executive_and_for_others() -> None:
    await make_org('IH-XETAI')
    with pytest.raises(Forbidden) as refused:
        await publish(executive_code='IH-XETAI')
    assert refused.value.code == 'other_executive'
    assert await publish(executive_code='ih-nesimi')  # naming one's own is fine
    citizen = await make_citizen('5ABC123')
    with pytest.raises(Forbidden):
        await publish(citizen.as_actor())
    agency = await make_org('MIA')
    key = ApiActor(client_id=agency.id, organisation_id=agency.id, organisation_code='MIA', scopes=frozenset())
    with pytest.raises(Forbidden) as scope:
        await publish(key)
    assert scope.value.code == 'insufficient_scope'
    with pytest.raises(Forbidden) as not_executive:
        await publish(ApiActor(agency.id, agency.id, 'MIA', frozenset({'news:write'})))
    assert not_executive.value.code == 'not_an_executive'
    assert await NewsItem.all().count() == 1


@pytest.mark.parametrize(
    ('change', 'code', 'field'),
    [
        ({'title': '  '}, 'required', 'title'),
        ({'title': 'x' * 201}, 'too_long', 'title'),
        ({'body': '<script>alert(1)</script>'}, 'required', 'body'),
        ({'location': ''}, 'required', 'location'),
        ({'kind': 'gossip'}, 'unknown_kind', 'kind'),
        ({'tags': ['a', 'b', 'c', 'd', 'e', 'f']}, 'too_many_tags', 'tags'),
        ({'tags': ['x' * 41]}, 'invalid_tag', 'tags'),
        ({'tags': ['yol|asfalt']}, 'invalid_tag', 'tags'),
    ],
)
async def test_bad_input_is_refused_naming_the_field(change: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        await publish(**change)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not await NewsItem.exists()


async def test_an_announcement_needs_no_location_and_repeated_tags_fold() -> None:
    item = await publish(kind='announcement', location='', tags=['#Su', 'su', ' SU ', ''])
    assert (item.location, item.tags) == ('', ('Su',))


XSS = [
    ('<script>alert(1)</script><p>Salam</p>', '<p>Salam</p>'),
    ('<p>Foto <img src=x onerror=alert(1)>bax</p>', '<p>Foto bax</p>'),
    ('<a href="javascript:alert(1)">keçid</a>', '<a rel="noopener nofollow">keçid</a>'),
    ('<a href="jav&#x61;script:alert(1)">keçid</a>', '<a rel="noopener nofollow">keçid</a>'),
    ('<a href="JaVaScRiPt:alert(1)">keçid</a>', '<a rel="noopener nofollow">keçid</a>'),
    ('<a href="data:text/html,<script>alert(1)</script>">keçid</a>', '<a rel="noopener nofollow">keçid</a>'),
    ('<svg onload=alert(1)><text>x</text></svg><p>ok</p>', '<p>ok</p>'),
    ('<style>body{display:none}</style><p style="color:red">qırmızı</p>', '<p>qırmızı</p>'),
    ('<iframe src="https://evil.example"></iframe><p>çərçivə</p>', '<p>çərçivə</p>'),
    ('<p onclick="alert(1)" onmouseover=alert(2)>kliklə</p>', '<p>kliklə</p>'),
    ('&lt;script&gt;alert(1)&lt;/script&gt;', '&lt;script&gt;alert(1)&lt;/script&gt;'),
    ('<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'),
    (
        '<p><a href="https://gov.az/x?a=1&b=2" target="_blank" rel="opener">gov</a></p>',
        '<p><a href="https://gov.az/x?a=1&amp;b=2" rel="noopener nofollow">gov</a></p>',
    ),
    ('<math><mtext><script>alert(1)</script></mtext></math><p>m</p>', '<p>m</p>'),
    ('<form action="https://x"><input value=x><button>b</button></form>', 'b'),
    ('<h1>Başlıq</h1><h3>Alt</h3><blockquote>sitat</blockquote>', 'Başlıq<h3>Alt</h3><blockquote>sitat</blockquote>'),
    ('<!-- <script>alert(1)</script> --><i>x</i>', '<i>x</i>'),
    ('<object data="x.swf"></object><embed src="x.swf"><em>e</em>', '<em>e</em>'),
]


@pytest.mark.parametrize(('dirty', 'clean'), XSS)
async def test_the_body_is_sanitised_on_the_way_in(dirty: str, clean: str) -> None:
    item = await publish(kind='news', body=dirty, location='')
    assert item.body_html == clean
    stored = await NewsItem.get(id=item.id)
    lowered = stored.body_html.lower()
    for bad in ('<script', 'onerror', 'onload', 'onclick', 'javascript:', 'style', '<iframe', '<svg', '<img', 'data:'):
        assert bad not in lowered, bad


async def test_text_that_looks_like_markup_survives_as_text() -> None:
    item = await publish(kind='news', body='<p>&lt;script&gt;alert("x")&lt;/script&gt; &amp; 5 &lt; 6</p>', location='')
    assert item.body_text == '<script>alert("x")</script> & 5 < 6'
    assert '<script>' not in item.body_html


async def test_images_are_judged_by_their_content() -> None:
    for kind, mime in (('PNG', 'image/png'), ('JPEG', 'image/jpeg'), ('WEBP', 'image/webp')):
        assert await content.check_image(image(kind)) == mime
    for bad, code in (
        (b'', 'image_empty'),
        (b'%PDF-1.7 not a picture', 'image_type_not_allowed'),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'image_type_not_allowed'),
        (image('GIF'), 'image_type_not_allowed'),
        (image('PNG')[:40], 'image_type_not_allowed'),  # cut short: does not verify
        (image('PNG') + b'\0' * content.MAX_IMAGE_BYTES, 'image_too_large'),
    ):
        with pytest.raises(Invalid) as refused:
            await publish(image=bad)
        assert (refused.value.code, refused.value.field) == (code, 'image')
    assert not await NewsItem.exists()
    assert not list(content.image_folder().iterdir())  # nothing left on disk


async def test_an_image_over_the_pixel_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content, 'MAX_IMAGE_PIXELS', 40)
    with pytest.raises(Invalid) as refused:
        await content.check_image(image(size=(8, 6)))
    assert refused.value.code == 'image_too_large'


async def test_search_folds_azerbaijani_case_and_pages() -> None:
    nesimi, xetai = await officer(), await officer('6OFF002', 'IH-XETAI')
    for day in range(12):
        await publish(nesimi, now=NOW - timedelta(days=day), title=f'Həyət abadlaşdırıldı {day}', tags=['Həyət'])
    await publish(xetai, kind='announcement', title='İŞIQLANDIRMA işləri', location='', tags=['işıq'])
    await publish(xetai, kind='news', title='Şəhər bayramı', body='<p>Qədim İçərişəhər</p>', location='', tags=[])

    first = await publishing.list_news(limit=5)
    assert first.total == 14 and len(first.items) == 5
    assert [i.published_at for i in first.items] == sorted((i.published_at for i in first.items), reverse=True)
    rest = await publishing.list_news(limit=5, offset=10)
    assert len(rest.items) == 4
    seen = {i.id for o in (0, 5, 10) for i in (await publishing.list_news(limit=5, offset=o)).items}
    assert len(seen) == 14

    assert [i.title for i in (await publishing.list_news(query='işıqlandırma')).items] == ['İŞIQLANDIRMA işləri']
    assert [i.title for i in (await publishing.list_news(query='içərişəhər')).items] == ['Şəhər bayramı']
    assert (await publishing.list_news(query='HƏYƏT abadlaşdırıldı', executive_code='ih-nesimi')).total == 12
    assert (await publishing.list_news(query='həyət', executive_code='IH-XETAI')).total == 0
    assert (await publishing.list_news(tag='HƏYƏT')).total == 12
    assert (await publishing.list_news(tag='işıq')).total == 1
    assert (await publishing.list_news(tag='iş')).total == 0  # a whole tag, not a part of one
    with pytest.raises(NotFound):
        await publishing.list_news(executive_code='IH-NOWHERE')
    with pytest.raises(Invalid):
        await publishing.list_news(query='x' * 201)


async def test_an_officer_edits_and_withdraws_only_their_executives_items() -> None:
    item = await publish(image=image())
    name = item.image_url.rsplit('/', 1)[1] if item.image_url else ''
    other = await officer('6OFF002', 'IH-XETAI')
    with pytest.raises(NotFound):
        await publishing.edit(actor=other, item_id=item.id, now=NOW, **{**ROAD, 'title': 'Oğurlanmış'})
    with pytest.raises(NotFound):
        await publishing.withdraw(actor=other, item_id=item.id, now=NOW)

    later = NOW + timedelta(hours=2)
    edited = await publishing.edit(
        actor=await officer(), item_id=item.id, now=later, **{**ROAD, 'title': 'Asfalt işləri başa çatdı'}
    )
    assert (edited.title, edited.updated_at, edited.image_url) == ('Asfalt işləri başa çatdı', later, item.image_url)
    assert (await publishing.list_news(query='başa çatdı')).total == 1

    await publishing.withdraw(actor=await officer(), item_id=item.id, now=later)
    with pytest.raises(NotFound):
        await publishing.get_item(item_id=item.id)
    with pytest.raises(NotFound):
        await publishing.read_image(name=name)
    assert not (content.image_folder() / name).exists()


async def test_feeds_are_valid_atom_and_rss() -> None:
    first = await publish(now=NOW - timedelta(days=1), title='Yol <təmiri> & işıq', image=image())
    second = await publish(kind='announcement', location='', title='Qəbul günü', tags=[], body='<p>Sabah</p>')
    nesimi = await publishing.executive_of('IH-NESIMI')
    feed = await feeds.feed_of(nesimi, title='Nəsimi xəbərləri', description='Nəsimi rayonunun xəbərləri')
    for built, version in (
        (feeds.atom(feed, base_url=BASE, now=NOW), 'atom10'),
        (feeds.rss(feed, base_url=BASE, now=NOW), 'rss20'),
    ):
        parsed = feedparser.parse(built)
        assert parsed.bozo == 0, parsed.get('bozo_exception')
        assert parsed.version == version
        assert parsed.feed.title == 'Nəsimi xəbərləri'
        assert parsed.feed.link == f'{BASE}/news/IH-NESIMI'
        assert [e.title for e in parsed.entries] == ['Qəbul günü', 'Yol <təmiri> & işıq']
        assert [e.link for e in parsed.entries] == [f'{BASE}/news/item/{second.id}', f'{BASE}/news/item/{first.id}']
        assert [e.id for e in parsed.entries] == [f'urn:uuid:{second.id}', f'urn:uuid:{first.id}']
        assert parsed.entries[1].published_parsed[:5] == (NOW - timedelta(days=1)).timetuple()[:5]
        assert [t.term for t in parsed.entries[1].tags] == ['Yol təmiri', 'asfalt']
        assert 'Füzuli küçəsinin' in parsed.entries[1].content[0].value
    national = await feeds.feed_of(None, title='Xəbərlər', description='Bütün icra hakimiyyətləri')
    parsed = feedparser.parse(feeds.atom(national, base_url=BASE, now=NOW))
    assert parsed.bozo == 0 and len(parsed.entries) == 2 and parsed.feed.link == f'{BASE}/news'
    empty = await feeds.feed_of(await publishing.executive_of('IH-NESIMI'), title='Boş', description='-')
    assert feedparser.parse(feeds.rss(empty, base_url=BASE, now=NOW)).bozo == 0


async def test_followers_are_told_once_per_item_in_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(following, 'PAGE', 2)  # three pages of followers
    leyla = await make_citizen('5ABC123')
    others = [await make_citizen(f'5FOL{n:03d}') for n in range(4)]
    stranger = await make_citizen('5STR001')
    await officer()
    await make_org('IH-XETAI')
    for person in (leyla, *others):
        assert await following.follow(actor=person.as_actor(), executive_code='ih-nesimi', now=NOW)
    assert not await following.follow(actor=leyla.as_actor(), executive_code='IH-NESIMI', now=NOW)
    await following.follow(actor=stranger.as_actor(), executive_code='IH-XETAI', now=NOW)
    assert await following.is_following(actor=leyla.as_actor(), executive_code='IH-NESIMI')
    assert [f.code for f in await following.list_followed(actor=leyla.as_actor())] == ['IH-NESIMI']

    with collect_events(f'citizen:{leyla.id}') as bell:
        item = await publish()
    assert [e.kind for e in bell] == ['notices.changed']
    notices = await Notice.filter(type='news_published').prefetch_related('person')
    assert sorted(n.person.fin for n in notices) == sorted(p.fin for p in (leyla, *others))
    notice = next(n for n in notices if n.person_id == leyla.id)
    assert notice.link == f'/news/item/{item.id}'
    text = render(TYPES['news_published'], notice.params, 'en')
    assert text == f'News from Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti: “{ROAD["title"]}”'

    # told once per item: running the telling again writes nothing; an edit tells no one again
    row = await NewsItem.get(id=item.id)
    nesimi = await publishing.executive_of('IH-NESIMI')
    assert await following.notify_followers(item=row, executive=nesimi, now=NOW) == 0
    await publishing.edit(actor=await officer(), item_id=item.id, now=NOW, **{**ROAD, 'title': 'Yeni başlıq'})
    assert await Notice.filter(type='news_published').count() == 5

    # after unfollowing, the next item is not told
    assert await following.unfollow(actor=leyla.as_actor(), executive_code='IH-NESIMI')
    assert not await following.unfollow(actor=leyla.as_actor(), executive_code='IH-NESIMI')
    await publish(title='İkinci xəbər')
    assert await Notice.filter(type='news_published', person_id=leyla.id).count() == 1
    assert await Notice.filter(type='news_published').count() == 9
    assert not await Notice.filter(person_id=stranger.id).exists()


async def test_only_citizens_follow_and_only_real_executives() -> None:
    with pytest.raises(Forbidden):
        await following.follow(actor=await officer(), executive_code='IH-NESIMI', now=NOW)
    leyla = await make_citizen('5ABC123')
    await make_org('MIA')
    for code in ('MIA', 'IH-NOWHERE'):
        with pytest.raises(NotFound):
            await following.follow(actor=leyla.as_actor(), executive_code=code, now=NOW)
    assert not await Follow.exists()
