"""What the API tests share: a settable clock, the API mounted as the portal mounts it, and the error check."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from fastapi import FastAPI

from portal.api import deps as api_deps
from portal.api import mount_api
from tests.factories import NOW


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def clock() -> Clock:
    """The API's clock (``Now``): tests move it, e.g. past a deadline."""
    return Clock(NOW)


@pytest.fixture
async def http(sqlite_db: str, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the API on a fresh SQLite, mounted under ``/api/v1`` as in the portal (the vote's short path
    included), with ``clock`` as its time."""
    parent = FastAPI()
    sub = mount_api(parent)

    async def now() -> datetime:
        return clock.now

    sub.dependency_overrides[api_deps.clock] = now
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url='http://test') as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> str:
    """A JSON error with this status, stable code and field, and a message with every placeholder filled in."""
    assert response.status_code == status, response.text
    error = response.json()['error']
    assert (error['code'], error.get('field')) == (code, field), error
    assert error['message']
    assert not re.search(r'\{[a-z_]+\}', error['message'])
    return str(error['message'])
