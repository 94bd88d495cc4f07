"""Notice jobs: the morning reminders (documents about to expire, children's vaccinations, debts due), the outbox's
delivery every few seconds and the evening e-mail digest. Each is idempotent (unique keys, leased deliveries)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

from portal.store.notices import delivery, reminders

log = logging.getLogger(__name__)
# the channels built from the settings in use
_senders: dict[str, Any] = {}


async def document_expiry(now: datetime) -> dict[str, int]:
    return _report('document expiry reminders', {'notices': await reminders.document_expiry(now=now)})


async def vaccination_reminders(now: datetime) -> dict[str, int]:
    return _report('vaccination reminders', {'notices': await reminders.vaccination_reminders(now=now)})


async def payment_reminders(now: datetime) -> dict[str, int]:
    return _report('payment reminders', {'notices': await reminders.payment_reminders(now=now)})


async def deliver(now: datetime) -> dict[str, int]:
    """One pass over the outbox's due rows, under this process's worker id (its leases name it)."""
    # imported here: the channels are built from the settings only where something is sent
    from portal.channels.setup import senders_from_settings
    from portal.config import get_settings

    settings = get_settings()
    # built once per settings (and factory), not every few seconds
    if _senders.get('settings') is not settings or _senders.get('factory') is not senders_from_settings:
        _senders.update(settings=settings, factory=senders_from_settings, senders=senders_from_settings(settings))
    senders = _senders['senders']
    report = await delivery.deliver_due(senders=senders, now=_utc(now), worker=_worker())
    result = {'sent': report.sent, 'retried': report.retried, 'failed': report.failed}
    if any(result.values()):  # it runs every few seconds: quiet when there was nothing to send
        log.info('notice delivery %s', result)
    return result


async def build_digests(now: datetime) -> dict[str, int]:
    return _report('notice digests', {'digests': await delivery.build_digests(now=_utc(now))})


def _utc(now: datetime) -> datetime:
    """The outbox compares moments in the database; SQLite keeps them as text, so they must all be in UTC (the CLI's
    ``--now`` may carry another offset)."""
    return now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)


def _worker() -> str:
    return f'{socket.gethostname()}:{os.getpid()}'


def _report(what: str, result: dict[str, int]) -> dict[str, int]:
    log.info('%s %s', what, result)
    return result
