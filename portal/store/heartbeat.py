"""The scheduler's heartbeat: the process that runs the jobs (inside the app or ``python -m jobs``) records the moment
it was last alive, and the health check reads it.

One row per name, written with an upsert (``INSERT … ON CONFLICT (name) DO UPDATE``), so two schedulers beating at
once never clash: the later write wins, and either proves that jobs run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from tortoise import fields
from tortoise.models import Model

SCHEDULER = 'scheduler'
# the heartbeat job runs every minute: three missed beats make the scheduler late
LATE_AFTER = timedelta(minutes=3)

SchedulerState = Literal['ok', 'late', 'unknown']


class Heartbeat(Model):
    """The last sign of life of a background process, by name"""

    name = fields.CharField(max_length=40, primary_key=True)
    beat_at = fields.DatetimeField()
    # host and process id of the writer, for whoever investigates a late scheduler
    worker = fields.CharField(max_length=64, default='')

    class Meta:
        table = 'heartbeats'


@dataclass(frozen=True)
class SchedulerHealth:
    state: SchedulerState
    seen_at: datetime | None


async def record_heartbeat(*, now: datetime, worker: str, name: str = SCHEDULER) -> None:
    """Record that ``name`` is alive at ``now`` (an upsert: safe when two processes beat at once)."""
    row = Heartbeat(name=name, beat_at=now.astimezone(UTC), worker=worker[:64])
    await Heartbeat.bulk_create([row], on_conflict=['name'], update_fields=['beat_at', 'worker'])


async def last_heartbeat(*, name: str = SCHEDULER) -> datetime | None:
    row = await Heartbeat.get_or_none(name=name)
    return row.beat_at if row is not None else None


async def scheduler_health(*, now: datetime) -> SchedulerHealth:
    """``ok`` when the scheduler beat within ``LATE_AFTER``, ``late`` when it beat before, ``unknown`` when it never
    did (no scheduler has run against this database yet)."""
    seen_at = await last_heartbeat()
    if seen_at is None:
        return SchedulerHealth('unknown', None)
    return SchedulerHealth('late' if now - seen_at > LATE_AFTER else 'ok', seen_at)
