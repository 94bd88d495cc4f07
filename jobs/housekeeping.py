"""Housekeeping: purge expired login and signing challenges, ended or timed-out sessions and stale login throttles;
mark abandoned payments as failed; forget idempotency keys older than a week. Once a night: delete attachment files
no letter holds (left by a write that never committed)."""

from __future__ import annotations

import logging
from datetime import datetime

from portal.store import auth, idempotency, letters, payments

log = logging.getLogger(__name__)


async def run(now: datetime) -> dict[str, int]:
    purged = await auth.purge_expired(now=now)
    purged['abandoned_payments'] = await payments.expire_abandoned(now=now)
    purged['idempotency_keys'] = await idempotency.purge(now=now)
    log.info('housekeeping purged %s', purged)
    return purged


async def sweep_files(now: datetime) -> dict[str, int]:
    """Walks the whole attachment folder, so it runs once a night rather than every few minutes."""
    swept = {'orphan_files': await letters.purge_orphan_files(now=now)}
    log.info('attachment sweep %s', swept)
    return swept
