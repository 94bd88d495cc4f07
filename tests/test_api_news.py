"""Məlumatlandırma through the integrator API: items are public, searched and paged; an executive's key with
`news:write` publishes (an image in base64, judged by content), edits and withdraws its own executive's items only."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import httpx
from PIL import Image

from portal.api import PREFIX
from portal.store.news import following
from portal.store.notices.models import Notice
from tests.api_kit import assert_error
from tests.builders import make_key_with_scopes
from tests.factories import NOW, make_citizen, make_org

NEWS = f'{PREFIX}/news'
WRITE = ['news:write']
ITEM = {
    'kind': 'work',
    'title': 'Səməd Vurğun küçəsində işıqlandırma bərpa olundu',
    'body': '<p>Küçədə <b>42</b> yeni LED dirək quraşdırıldı.</p><script>alert(1)</script>',
    'location': 'Səməd Vurğun küçəsi',
    'tags': ['işıqlandırma'],
}


def png() -> bytes:
    out = io.BytesIO()
    Image.new('RGB', (4, 4), (0, 90, 200)).save(out, format='PNG')
    return out.getvalue()


async def key_of(code: str = 'IH-NESIMI', scopes: list[str] = WRITE) -> dict[str, str]:
    return {'Authorization': f'Bearer {await make_key_with_scopes(code, scopes)}'}


async def publish(http: httpx.AsyncClient, headers: dict[str, str], **change: Any) -> dict[str, Any]:
    response = await http.post(NEWS, json={**ITEM, **change}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_key_publishes_and_anyone_reads_it(http: httpx.AsyncClient) -> None:
    made = await publish(http, await key_of(), image_base64=base64.b64encode(png()).decode())
    assert made == {
        'id': made['id'],
        'executive': {'code': 'IH-NESIMI', 'name': 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti'},
        'kind': 'work',
        'title': ITEM['title'],
        'body_html': '<p>Küçədə <b>42</b> yeni LED dirək quraşdırıldı.</p>',
        'body_text': 'Küçədə 42 yeni LED dirək quraşdırıldı.',
        'tags': ['işıqlandırma'],
        'location': 'Səməd Vurğun küçəsi',
        'image_url': made['image_url'],
        'published_at': '2026-11-20T09:00:00Z',
        'updated_at': None,
    }
    assert re.fullmatch(r'/files/news/[0-9a-f]{32}', made['image_url'])
    assert (await http.get(f'{NEWS}/{made["id"]}')).json() == made
    listed = (await http.get(NEWS, params={'executive': 'ih-nesimi', 'q': 'İŞIQLANDIRMA'})).json()
    assert (listed['total'], [i['id'] for i in listed['items']]) == (1, [made['id']])
    assert (await http.get(NEWS, params={'tag': 'İşıqlandırma'})).json()['total'] == 1
    assert (await http.get(NEWS, params={'q': 'asfalt'})).json() == {'items': [], 'total': 0, 'offset': 0, 'limit': 10}
    assert_error(await http.get(f'{NEWS}/00000000-0000-0000-0000-000000000007'), 404, 'news_not_found')
    assert_error(await http.get(NEWS, params={'executive': 'IH-NOWHERE'}), 404, 'executive_not_found')


async def test_paging_gives_the_total(http: httpx.AsyncClient) -> None:
    headers = await key_of()
    for n in range(7):
        await publish(http, headers, kind='news', location='', title=f'Xəbər {n}')
    page = (await http.get(NEWS, params={'limit': 3, 'offset': 6})).json()
    assert (page['total'], len(page['items']), page['offset'], page['limit']) == (7, 1, 6, 3)
    assert_error(await http.get(NEWS, params={'limit': 500}), 422, 'validation_error', 'query.limit')


async def test_publishing_needs_the_scope_and_the_keys_own_executive(http: httpx.AsyncClient) -> None:
    assert_error(await http.post(NEWS, json=ITEM), 401, 'missing_api_key')
    assert_error(
        await http.post(NEWS, json=ITEM, headers=await key_of(scopes=['participation:write'])),
        403,
        'insufficient_scope',
    )
    await make_org('IH-XETAI')
    nesimi = await key_of()
    assert_error(await http.post(NEWS, json={**ITEM, 'executive': 'IH-XETAI'}, headers=nesimi), 403, 'other_executive')
    assert_error(await http.post(NEWS, json=ITEM, headers=await key_of('MIA')), 403, 'not_an_executive')
    assert (await http.get(NEWS)).json()['total'] == 0
    assert (await http.post(NEWS, json={**ITEM, 'executive': 'IH-NESIMI'}, headers=nesimi)).status_code == 201


async def test_bad_input_and_images_are_refused_with_stable_codes(http: httpx.AsyncClient) -> None:
    headers = await key_of()
    assert_error(await http.post(NEWS, json={**ITEM, 'location': ''}, headers=headers), 422, 'required', 'location')
    assert_error(
        await http.post(NEWS, json={**ITEM, 'kind': 'gossip'}, headers=headers), 422, 'validation_error', 'kind'
    )
    assert_error(await http.post(NEWS, json={**ITEM, 'extra': 1}, headers=headers), 422, 'validation_error', 'extra')
    pdf = base64.b64encode(b'%PDF-1.7 not an image').decode()
    assert_error(
        await http.post(NEWS, json={**ITEM, 'image_base64': pdf}, headers=headers),
        422,
        'image_type_not_allowed',
        'image',
    )
    big = base64.b64encode(png() + b'\0' * (5 * 1024 * 1024)).decode()
    assert_error(
        await http.post(NEWS, json={**ITEM, 'image_base64': big}, headers=headers), 422, 'image_too_large', 'image'
    )
    assert_error(
        await http.post(NEWS, json={**ITEM, 'image_base64': 'not base64!'}, headers=headers),
        422,
        'invalid_base64',
        'image_base64',
    )
    response = await http.post(NEWS, content=b'{"kind":', headers={**headers, 'Content-Type': 'application/json'})
    assert_error(response, 400, 'malformed_json')
    assert (await http.get(NEWS)).json()['total'] == 0


async def test_an_executive_edits_and_withdraws_only_its_own(http: httpx.AsyncClient) -> None:
    nesimi, xetai = await key_of(), await key_of('IH-XETAI')
    made = await publish(http, nesimi)
    changed = {**ITEM, 'title': 'Yeni başlıq', 'kind': 'announcement', 'location': ''}
    assert_error(await http.put(f'{NEWS}/{made["id"]}', json=changed, headers=xetai), 404, 'news_not_found')
    assert_error(await http.delete(f'{NEWS}/{made["id"]}', headers=xetai), 404, 'news_not_found')
    edited = (await http.put(f'{NEWS}/{made["id"]}', json=changed, headers=nesimi)).json()
    assert (edited['title'], edited['kind'], edited['updated_at']) == (
        'Yeni başlıq',
        'announcement',
        '2026-11-20T09:00:00Z',
    )
    assert (await http.delete(f'{NEWS}/{made["id"]}', headers=nesimi)).status_code == 204
    assert_error(await http.get(f'{NEWS}/{made["id"]}'), 404, 'news_not_found')


async def test_followers_are_told_of_an_item_published_through_the_api(http: httpx.AsyncClient) -> None:
    await make_org('IH-NESIMI')
    leyla = await make_citizen('5ABC123')
    await following.follow(actor=leyla.as_actor(), executive_code='IH-NESIMI', now=NOW)
    made = await publish(http, await key_of())
    [notice] = await Notice.filter(person_id=leyla.id)
    assert (notice.type, notice.link) == ('news_published', f'/news/item/{made["id"]}')


async def test_the_routes_are_documented(http: httpx.AsyncClient) -> None:
    schema = (await http.get(f'{PREFIX}/openapi.json')).json()
    post = schema['paths']['/news']['post']
    assert {'201', '401', '403', '422'} <= set(post['responses'])
    assert set(schema['paths']['/news/{item_id}']) == {'get', 'put', 'delete'}
