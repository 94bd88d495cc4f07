"""The API's request cap and its validation errors, as an integrator meets them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from portal.api import create_api
from portal.api.limits import MAX_BODY_BYTES, BodyLimit
from tests.factories import make_key


def echo_app(max_bytes: int) -> FastAPI:
    """An app with the cap added the way ``create_api`` adds it (inside FastAPI's error handling)."""
    app = FastAPI()
    app.add_middleware(BodyLimit, max_bytes=max_bytes)

    @app.post('/echo')
    async def echo(request: Request) -> dict[str, int]:
        return {'received': len(await request.body())}

    return app


@pytest.fixture
async def small() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=echo_app(100)), base_url='http://test') as http:
        yield http


async def test_a_body_within_the_cap_passes(small: httpx.AsyncClient) -> None:
    response = await small.post('/echo', content=b'x' * 100)
    assert (response.status_code, response.json()) == (200, {'received': 100})


async def test_an_announced_oversized_body_is_refused_before_it_is_read(small: httpx.AsyncClient) -> None:
    response = await small.post('/echo', content=b'x' * 101)
    assert response.status_code == 413
    assert response.json()['error']['code'] == 'request_too_large'


async def test_a_streamed_oversized_body_is_refused(small: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b'x' * 40

    response = await small.post('/echo', content=chunks())  # no Content-Length: chunked
    assert response.status_code == 413
    assert response.json()['error']['code'] == 'request_too_large'


def test_the_cap_leaves_room_for_a_letter_with_25_mb_of_files() -> None:
    base64_files = (25 * 1024 * 1024 + 2) // 3 * 4
    assert base64_files < MAX_BODY_BYTES < 40 * 1024 * 1024


async def test_a_missing_field_named_body_is_named(sqlite_db: str) -> None:
    key = await make_key('MIA', scopes=('letters:write',))
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        response = await http.post(
            '/letters', json={'fin': '5ABC123', 'title': 'T'}, headers={'Authorization': f'Bearer {key}'}
        )
    assert response.status_code == 422
    assert response.json()['error']['field'] == 'body'
