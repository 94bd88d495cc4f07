"""Consent jobs: post the queued webhook calls every few seconds, and end the permissions and unanswered requests
whose period is over once a day. Both are idempotent (leased calls with a compare-and-set, conditional updates)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

import httpx

from portal.store.consent import permissions, webhooks

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0
# the one client of this process's event loop, made at the first delivery (its connections are kept between runs)
_shared: dict[str, Any] = {}


async def deliver_webhooks(now: datetime) -> dict[str, int]:
    """One pass over the due webhook calls, under this process's worker id."""
    result = await webhooks.deliver_calls(now=_utc(now), client=shared_client(), worker=_worker())
    if any(result.values()):  # it runs every few seconds: quiet when there was nothing to post
        log.info('webhook delivery %s', result)
    return result


async def expire_consent(now: datetime) -> dict[str, int]:
    expired = await permissions.expire(now=_utc(now))
    log.info('consent expiry %s', expired)
    return expired


def shared_client() -> httpx.AsyncClient:
    """The process's client for webhook calls; a new one when the event loop changed (a client is bound to one)."""
    loop = asyncio.get_running_loop()
    client = _shared.get('client')
    if client is None or client.is_closed or _shared.get('loop') is not loop:
        client = make_client()
        _shared.update(client=client, loop=loop)
    return client


def make_client() -> httpx.AsyncClient:
    # redirects are not followed: a webhook answers at the address it was registered with
    return httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False, headers={'User-Agent': 'Kabinet'})


async def close_client() -> None:
    """Close the shared client (at shutdown)."""
    client = _shared.pop('client', None)
    _shared.pop('loop', None)
    if client is not None:
        await client.aclose()


def _utc(now: datetime) -> datetime:
    """SQLite keeps moments as text: they are compared in UTC only (the CLI's ``--now`` may carry another offset)."""
    return now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)


def _worker() -> str:
    return f'{socket.gethostname()}:{os.getpid()}'
