"""Run the scheduler as its own process (``python -m jobs``), e.g. when several app processes serve the portal."""

from __future__ import annotations

import asyncio
import signal

from jobs.consent import close_client
from jobs.scheduler import create_scheduler
from portal import db, heap, observability
from portal.config import get_settings


async def main() -> None:
    settings = get_settings()
    await db.open_db(settings.db_url)
    if settings.jobs_metrics_port:
        observability.serve_job_metrics(settings.jobs_metrics_port)
    scheduler = create_scheduler()
    scheduler.start()
    observability.watch_collector()
    heap.settle()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    scheduler.shutdown(wait=False)
    await close_client()
    await db.close_db()


if __name__ == '__main__':
    observability.configure_logging(json=get_settings().log_format == 'json', level=get_settings().log_level)
    asyncio.run(main())
