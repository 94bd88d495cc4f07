"""The demo's news: a handful of items per Baku executive, published through the real use case, within the safe subset
as written; Leyla follows Nəsimi and holds the notices of the items published since."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from portal.store.actors import Role
from portal.store.demo_news import FOLLOWED_SINCE, ITEMS, seed_news
from portal.store.demo_services import HOME_PERSONA
from portal.store.news import content, feeds, following, publishing
from portal.store.notices.models import Notice
from tests.factories import make_citizen, make_org, make_person

pytestmark = pytest.mark.usefixtures('store_db')

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def test_the_demo_publishes_through_the_use_case() -> None:
    codes = sorted({code for code, *_ in ITEMS})
    for n, code in enumerate(codes):
        await make_person(f'6DEM{n:03d}', role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    leyla = await make_citizen(HOME_PERSONA)

    assert await seed_news(now=NOW) == {'items': len(ITEMS)}

    page = await publishing.list_news(limit=50)
    assert page.total == len(ITEMS)
    per_executive = Counter(i.executive_code for i in page.items)
    assert per_executive['IH-NESIMI'] >= 4 and all(per_executive[c] >= 2 for c in codes)
    assert all(NOW - timedelta(days=40) < i.published_at < NOW for i in page.items)
    for _code, _days, _hour, item in ITEMS:
        assert content.sanitise(item['body']) == item['body'], item['title']  # written within the safe subset
    works = [i for i in page.items if i.kind == 'work']
    assert works and all(i.location for i in works)

    assert [f.code for f in await following.list_followed(actor=leyla.as_actor())] == ['IH-NESIMI']
    since = NOW - FOLLOWED_SINCE
    expected = {i.title for i in page.items if i.executive_code == 'IH-NESIMI' and i.published_at >= since}
    told = await Notice.filter(person_id=leyla.id, type='news_published')
    assert expected and {n.params['title'] for n in told} == expected

    feed = await feeds.feed_of(await publishing.executive_of('IH-NESIMI'), title='Nəsimi', description='Xəbərlər')
    parsed = feedparser.parse(feeds.atom(feed, base_url='http://localhost:8080', now=NOW))
    assert parsed.bozo == 0 and len(parsed.entries) == per_executive['IH-NESIMI']
