"""The payment gateway edge: the portal sends a citizen to a gateway's hosted page and trusts only signed callbacks.

``PaymentGateway`` is the whole interface; ``get_gateway`` picks the implementation from the settings. The built-in
``sandbox`` gateway (``portal.payments.sandbox``) behaves like a hosted payment page but moves no money.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

from portal.config import Settings, get_settings

# how far a callback's signed timestamp may be from the portal's clock before it counts as a replay
CALLBACK_TOLERANCE_SECONDS = 300

RejectReason = Literal['invalid_signature', 'stale_timestamp', 'malformed']


@dataclass(frozen=True)
class PaymentRequest:
    """What the gateway needs to take one payment; ``ref`` comes back in every callback about it."""

    ref: str
    amount: Decimal
    currency: str
    merchant: str
    description: str
    return_url: str
    expires_at: datetime


@dataclass(frozen=True)
class CallbackResult:
    """A verified callback: the gateway's verdict on the payment ``payment_ref``."""

    event_id: str
    payment_ref: str
    succeeded: bool
    amount: Decimal
    currency: str
    # why a payment failed, in the gateway's words ('card_declined', 'cancelled')
    reason: str = ''


class CallbackRejected(Exception):
    """A callback that cannot be trusted (bad signature, stale timestamp) or not understood."""

    def __init__(self, reason: RejectReason, detail: str, *, event_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.event_id = event_id


class PaymentGateway(Protocol):
    name: str

    async def create_session(self, request: PaymentRequest) -> str:
        """Open a payment session at the gateway; the URL of its hosted page to send the browser to."""
        ...

    def verify_callback(self, *, headers: Mapping[str, str], body: bytes, now: datetime) -> CallbackResult:
        """Check a callback's signature and freshness and read it; raises ``CallbackRejected``."""
        ...


def get_gateway(settings: Settings | None = None) -> PaymentGateway:
    """The gateway the settings name (``PORTAL_PAYMENT_GATEWAY``)."""
    settings = settings or get_settings()
    if settings.payment_gateway == 'sandbox':
        from portal.payments.sandbox import SandboxGateway

        return SandboxGateway(secret=settings.payment_secret)
    raise ValueError(f'unknown payment gateway: {settings.payment_gateway}')
