"""The one schedule table, and the APScheduler that runs it inside the app or as ``python -m jobs``."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import consent, housekeeping, notices, participation, reception
from portal import observability
from portal.store import heartbeat

log = logging.getLogger(__name__)

JobFunc = Callable[[datetime], Awaitable[Any]]
BAKU = ZoneInfo('Asia/Baku')


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    func: JobFunc
    trigger: BaseTrigger
    description: str
    # also run once as soon as the scheduler starts
    at_start: bool = False


async def beat(now: datetime) -> dict[str, str]:
    """Record that the scheduler is alive (read by GET /api/v1/health and the metrics)."""
    worker = f'{socket.gethostname()}:{os.getpid()}'
    await heartbeat.record_heartbeat(now=now, worker=worker)
    return {'worker': worker}


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        'heartbeat',
        beat,
        IntervalTrigger(minutes=1),
        'record that the scheduler is alive (the health check calls it late after 3 minutes without)',
        at_start=True,
    ),
    ScheduledJob(
        'housekeeping',
        housekeeping.run,
        IntervalTrigger(minutes=5),
        'purge expired login challenges, ended sessions and stale throttles; expire abandoned payments',
    ),
    ScheduledJob(
        'attachment-sweep',
        housekeeping.sweep_files,
        CronTrigger(hour=3, minute=30, timezone=BAKU),
        'delete attachment files that no letter holds (a write that never committed)',
    ),
    ScheduledJob(
        'document-expiry',
        notices.document_expiry,
        CronTrigger(hour=8, minute=0, timezone=BAKU),
        'remind citizens of identity cards, passports and driving licences expiring in 90, 30 and 7 days and on '
        'the day (a missed day is caught up within a week)',
    ),
    ScheduledJob(
        'vaccination-reminders',
        notices.vaccination_reminders,
        CronTrigger(hour=8, minute=10, timezone=BAKU),
        "remind parents of a child's vaccination of the national calendar due within a week, unless it is recorded",
    ),
    ScheduledJob(
        'payment-reminders',
        notices.payment_reminders,
        CronTrigger(hour=8, minute=20, timezone=BAKU),
        'remind citizens who asked for it of unpaid fines, state fees and utility debts due within 3 days',
    ),
    ScheduledJob(
        'notice-delivery',
        notices.deliver,
        IntervalTrigger(seconds=5),
        'send the due SMS and e-mails of the outbox (leased rows, retries with back-off, quiet hours kept)',
    ),
    ScheduledJob(
        'notice-digest',
        notices.build_digests,
        CronTrigger(hour=19, minute=0, timezone=BAKU),
        "gather each citizen's waiting e-mails into the day's digest",
    ),
    ScheduledJob(
        'webhook-delivery',
        consent.deliver_webhooks,
        IntervalTrigger(seconds=10),
        "post the queued webhook calls of data requests' decisions (signed, leased, retried with back-off)",
    ),
    ScheduledJob(
        'consent-expiry',
        consent.expire_consent,
        CronTrigger(hour=0, minute=5, timezone=BAKU),
        'expire the permissions and the unanswered data requests whose period has ended',
    ),
    ScheduledJob(
        'poll-opening',
        participation.notify_opened,
        IntervalTrigger(minutes=1),
        "tell the citizens of a poll's district that it opened (once, by the channels each chose)",
    ),
    ScheduledJob(
        'poll-tally',
        participation.tally,
        IntervalTrigger(seconds=30),
        'count the sealed ballots of each poll with ten or more waiting, in a shuffled batch',
    ),
    ScheduledJob(
        'poll-closing',
        participation.close_polls,
        IntervalTrigger(minutes=1),
        'close the polls whose closing time has come, count every waiting ballot and freeze the results',
    ),
    ScheduledJob(
        'reception-reminders',
        reception.remind,
        CronTrigger(minute=15, timezone=BAKU),
        "remind citizens of tomorrow's reception meetings (once per meeting time; a moved meeting again)",
    ),
)


def job_by_name(name: str) -> ScheduledJob:
    for job in SCHEDULE:
        if job.id == name:
            return job
    raise KeyError(name)


async def run_job(name: str, now: datetime | None = None) -> Any:
    """Run one job once, as the scheduler would (used by the CLI and by tests)."""
    moment = now or datetime.now(UTC)
    # stored times are compared as text on SQLite: jobs always work in UTC, whatever offset they were given
    return await job_by_name(name).func(moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC))


def create_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={'coalesce': True, 'max_instances': 1})
    for job in SCHEDULE:
        first = {'next_run_time': datetime.now(UTC)} if job.at_start else {}
        scheduler.add_job(_runner(job), job.trigger, id=job.id, name=job.description, replace_existing=True, **first)
    return scheduler


def _runner(job: ScheduledJob) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job.func(datetime.now(UTC))
        except Exception:
            observability.JOB_RUNS.labels(job.id, 'failed').inc()
            log.exception('job %s failed', job.id)
        else:
            observability.JOB_RUNS.labels(job.id, 'ok').inc()

    return run
