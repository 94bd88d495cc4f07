"""The parent FastAPI app: owns the lifespan (database, demo data, scheduler) and the API; NiceGUI is mounted."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fastapi import FastAPI
from nicegui import ui

from portal import db, heap, live, observability, pages, quiet_outbox, security
from portal.api import mount_api
from portal.config import Settings, get_settings

if TYPE_CHECKING:
    from portal.live_redis import RedisBridge

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, settle: bool = False) -> FastAPI:
    """The portal's app. ``settle``: once started, keep the long-lived objects out of the cycle collector's full scans
    (``heap.settle``); for a serving process (``main.py``), not for the tests' many apps."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        from jobs.scheduler import create_scheduler
        from portal.store.demo import seed_demo
        from portal.store.letters import files
        from portal.store.services import pki

        files.use_folder(settings.files_dir)
        await db.open_db(settings.db_url)
        if settings.demo and await seed_demo(now=datetime.now(UTC)):
            log.info('demo data created')
        if not settings.demo:
            await _reference_data()
        await pki.ensure_root(now=datetime.now(UTC))  # the certificate authority is created at first start
        bridge = await _live_bridge(settings)
        scheduler = create_scheduler() if settings.scheduler else None
        if scheduler is not None:
            scheduler.start()
        if settle:
            log.info('%d objects kept out of full collections', heap.settle())
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
                from jobs.consent import close_client

                await close_client()  # the webhook job's shared HTTP client
            if bridge is not None:
                await bridge.stop()
            live.hub.reset()
            await db.close_db()

    app = FastAPI(
        lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None, telemetry=observability.FASTAPI_TELEMETRY
    )
    mount_api(app)  # before NiceGUI's catch-all mount, so API calls never reach its middleware
    observability.install(app, token=settings.metrics_token)  # GET /metrics, and the requests' counters
    quiet_outbox.install()  # an idle tab's outbox sleeps until it has something to send
    pages.register(settings)
    ui.run_with(
        app,
        title='Kabinet',
        favicon='🏛',
        language='az-Latn',
        storage_secret=settings.secret,
        reconnect_timeout=settings.reconnect_seconds,
        session_middleware_kwargs={'https_only': settings.cookies_secure, 'same_site': 'lax'},
        show_welcome_message=False,
    )
    security.harden(app, settings)  # security headers on every response; the websocket for the portal's own origins
    return app


async def _live_bridge(settings: Settings) -> RedisBridge | None:
    """With several processes (``PORTAL_REDIS_URL``), live events travel between them through Redis."""
    if not settings.redis_url:
        return None
    from nicegui.storage import Storage

    from portal.live_redis import RedisBridge

    if Storage.redis_url != settings.redis_url:
        # a user logged in through one process would be unknown to the others
        raise RuntimeError('NiceGUI was imported before PORTAL_REDIS_URL was exported (see main.py)')
    bridge = RedisBridge(settings.redis_url, live.hub, channel=f'{settings.redis_prefix}:live')
    await bridge.start()
    return bridge


async def _reference_data() -> None:
    """A new portal gets the shipped agencies and local executives, and the catalogue while it has none."""
    from portal.store.orgs import ensure_reference_organisations
    from portal.store.services.catalogue import count_all, load_catalogue

    created = await ensure_reference_organisations()
    if created:
        log.info('%d agencies and local executives created', created)
    if not await count_all():
        log.info('%d services loaded into the catalogue', await load_catalogue())
