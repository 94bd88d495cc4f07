"""Poll jobs: telling each district of its new polls as they open, counting the sealed ballots in shuffled batches,
and closing the polls whose time has come."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from portal.store.participation import opening, voting

log = logging.getLogger(__name__)


async def notify_opened(now: datetime) -> dict[str, int]:
    result = await opening.notify_opened(now=now.astimezone(UTC))
    if result['polls']:  # it runs every minute: quiet when no poll opened
        log.info('polls opened %s', result)
    return result


async def tally(now: datetime) -> dict[str, int]:
    result = await voting.tally(now=now.astimezone(UTC))
    if result['ballots']:  # it runs every half minute: quiet when nothing waited long enough
        log.info('poll tally %s', {'batches': result['batches']})  # counts only: nothing about any choice
    return result


async def close_polls(now: datetime) -> dict[str, int]:
    closed = await voting.close_due(now=now.astimezone(UTC))
    if closed:
        log.info('polls closed %s', {'polls': closed})
    return {'polls': closed}
