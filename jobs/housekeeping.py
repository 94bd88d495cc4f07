"""Housekeeping: purge expired login challenges, ended or timed-out sessions and stale login throttles;
mark abandoned payments as failed."""

from __future__ import annotations

import logging
from datetime import datetime

from portal.store import auth, payments

log = logging.getLogger(__name__)


async def run(now: datetime) -> dict[str, int]:
    purged = await auth.purge_expired(now=now)
    purged['abandoned_payments'] = await payments.expire_abandoned(now=now)
    log.info('housekeeping purged %s', purged)
    return purged
