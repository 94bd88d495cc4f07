"""Webhooks: an organisation hears of its data requests' decisions at an http(s) URL, each call signed with the
webhook's secret (HMAC-SHA256) and retried with back-off until it is answered with 2xx."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from portal.store.consent.models import Webhook, WebhookCall


async def enqueue(*, organisation_id: UUID, key: str, payload: dict[str, Any], now: datetime) -> int:
    """One call per active webhook of the organisation, in the caller's transaction (unique per event and webhook)."""
    hooks = await Webhook.filter(organisation_id=organisation_id, active=True)
    calls = [
        WebhookCall(
            id=uuid.uuid4(),
            webhook_id=hook.id,
            key=f'{key}:{hook.id}'[:160],
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for hook in hooks
    ]
    await WebhookCall.bulk_create(calls, ignore_conflicts=True)
    return len(calls)
