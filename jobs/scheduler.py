"""The one schedule table, and the APScheduler that runs it inside the app or as ``python -m jobs``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import housekeeping

log = logging.getLogger(__name__)

JobFunc = Callable[[datetime], Awaitable[Any]]


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    func: JobFunc
    trigger: BaseTrigger
    description: str


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        'housekeeping',
        housekeeping.run,
        IntervalTrigger(minutes=5),
        'purge expired login challenges, ended sessions and stale throttles; expire abandoned payments',
    ),
    ScheduledJob(
        'attachment-sweep',
        housekeeping.sweep_files,
        CronTrigger(hour=3, minute=30, timezone=ZoneInfo('Asia/Baku')),
        'delete attachment files that no letter holds (a write that never committed)',
    ),
)


def job_by_name(name: str) -> ScheduledJob:
    for job in SCHEDULE:
        if job.id == name:
            return job
    raise KeyError(name)


async def run_job(name: str, now: datetime | None = None) -> Any:
    """Run one job once, as the scheduler would (used by the CLI and by tests)."""
    return await job_by_name(name).func(now or datetime.now(UTC))


def create_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={'coalesce': True, 'max_instances': 1})
    for job in SCHEDULE:
        scheduler.add_job(_runner(job), job.trigger, id=job.id, name=job.description, replace_existing=True)
    return scheduler


def _runner(job: ScheduledJob) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job.func(datetime.now(UTC))
        except Exception:
            log.exception('job %s failed', job.id)

    return run
