"""Slowing down repeated attempts (login guesses, later any rate-limited action), safe under concurrency.

Each attempt is claimed *before* the work it guards, with a compare-and-set on the counter, so a burst of
parallel requests is counted exactly and cannot all slip through one free window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.models import Model

from portal.errors import N_, Throttled

CLAIM_TRIES = 5


@dataclass(frozen=True)
class Policy:
    # attempts allowed before waiting starts; then the wait doubles from 1 s up to the cap
    free: int
    cap_seconds: int
    # attempts older than this are forgotten
    window: timedelta = timedelta(minutes=15)

    def delay(self, attempts: int) -> int:
        return 0 if attempts < self.free else min(2 ** (attempts - self.free), self.cap_seconds)


class Throttle(Model):
    key = fields.CharField(max_length=80, primary_key=True)
    attempts = fields.IntField(default=0)
    last_at = fields.DatetimeField()
    next_allowed_at = fields.DatetimeField()

    class Meta:
        table = 'throttles'


async def claim(key: str, policy: Policy, now: datetime) -> None:
    """Count one attempt now, or refuse it with the seconds to wait."""
    if not await Throttle.exists(key=key):
        try:
            await Throttle.create(key=key, attempts=0, last_at=now, next_allowed_at=now)
        except IntegrityError:
            pass  # created by a parallel attempt
    for _ in range(CLAIM_TRIES):
        row = await Throttle.get(key=key)
        attempts = 0 if now - row.last_at > policy.window else row.attempts
        if row.next_allowed_at > now and attempts:
            _refuse(row.next_allowed_at, now)
        if attempts and attempts + 1 < policy.free:
            # still among the free attempts, which need no wait: an atomic increment, so parallel attempts (colleagues
            # behind one office address logging in at once) never collide, and at most ``free`` pass without waiting
            if await Throttle.filter(key=key, attempts__lt=policy.free - 1).update(
                attempts=F('attempts') + 1, last_at=now
            ):
                return
            continue
        counted = attempts + 1
        won = await Throttle.filter(key=key, attempts=row.attempts, last_at=row.last_at).update(
            attempts=counted, last_at=now, next_allowed_at=now + timedelta(seconds=policy.delay(counted))
        )
        if won:
            return
    _refuse(now + timedelta(seconds=1), now)  # heavy contention on one key is itself a burst


async def forgive(key: str) -> None:
    """The guarded work succeeded: forget the attempts (e.g. a correct password for this FIN)."""
    await Throttle.filter(key=key).delete()


async def refund(key: str) -> None:
    """The guarded work succeeded: take back this one attempt (e.g. for a shared network address)."""
    await Throttle.filter(key=key, attempts__gt=0).update(attempts=F('attempts') - 1)


async def purge(now: datetime, older_than: timedelta) -> int:
    return await Throttle.filter(last_at__lt=now - older_than).delete()


def _refuse(until: datetime, now: datetime) -> None:
    seconds = max(int((until - now).total_seconds() + 0.999), 1)
    raise Throttled('too_many_attempts', N_('Too many attempts. Try again in {seconds} seconds.'), retry_after=seconds)
