"""Reception jobs: the reminder of the day before a meeting (idempotent through ``reminded_at``)."""

from __future__ import annotations

import logging
from datetime import datetime

from portal.store.reception import reminders

log = logging.getLogger(__name__)


async def remind(now: datetime) -> dict[str, int]:
    result = {'reminded': await reminders.remind_tomorrow(now=now)}
    if result['reminded']:  # it runs every hour: quiet when there was nobody to remind
        log.info('reception reminders %s', result)
    return result
