"""Run the scheduler as its own process (``python -m jobs``), e.g. when several app processes serve the portal."""

from __future__ import annotations

import asyncio
import logging
import signal

from jobs.consent import close_client
from jobs.scheduler import create_scheduler
from portal import db
from portal.config import get_settings


async def main() -> None:
    settings = get_settings()
    await db.open_db(settings.db_url)
    scheduler = create_scheduler()
    scheduler.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    scheduler.shutdown(wait=False)
    await close_client()
    await db.close_db()


if __name__ == '__main__':
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
