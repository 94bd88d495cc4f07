"""The sandbox gateway: a hosted card page and signed callbacks like a real gateway's, moving no money.

Sessions are opaque tokens (Fernet, keyed from the payment secret) that carry what the page shows, so the sandbox
needs no tables and works across processes. Callbacks are signed like Stripe's webhooks:
``X-Sandbox-Signature: t=<unix time>,v1=<hex HMAC-SHA256 over "<t>." + raw body>``.

Test cards: any 16-digit number passing the Luhn check is accepted, except 4000 0000 0000 0002, which is declined.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portal.errors import N_, Invalid
from portal.payments import CALLBACK_TOLERANCE_SECONDS, CallbackRejected, CallbackResult, PaymentRequest

NAME = 'sandbox'
PAGE_PATH = '/sandbox-gateway'
SIGNATURE_HEADER = 'X-Sandbox-Signature'
DECLINED_CARD = '4000000000000002'
BODY_MAX = 16 * 1024
_SIGNATURE = re.compile(r'^t=(\d{1,12}),v1=([0-9a-f]{64})$')
_EXPIRY = re.compile(r'^(\d{2})\s*/\s*(\d{2}|\d{4})$')


class SandboxEventData(BaseModel):
    model_config = ConfigDict(extra='forbid')

    ref: str = Field(min_length=1, max_length=80, description="The portal's payment reference")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r'^[A-Z]{3}$')
    reason: str = Field(default='', max_length=40, description="Why it failed: 'card_declined' or 'cancelled'")
    card_last4: str = Field(default='', pattern=r'^(\d{4})?$')


class SandboxEvent(BaseModel):
    """The body of a sandbox callback."""

    model_config = ConfigDict(extra='forbid')

    id: str = Field(min_length=1, max_length=80, description='Unique per event; a retried delivery repeats it')
    type: Literal['payment.succeeded', 'payment.failed']
    created: int = Field(description='Unix time the event happened')
    data: SandboxEventData


@dataclass(frozen=True)
class SandboxSession:
    ref: str
    amount: Decimal
    currency: str
    merchant: str
    description: str
    return_url: str
    expires_at: datetime


class SessionInvalid(Exception):
    """The session token is forged, garbled or expired."""


class SandboxGateway:
    name = NAME

    def __init__(self, *, secret: str) -> None:
        self._secret = secret.encode()
        session_key = hmac.new(self._secret, b'sandbox-session', hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(session_key))

    async def create_session(self, request: PaymentRequest) -> str:
        payload = {
            'ref': request.ref,
            'amount': str(request.amount),
            'currency': request.currency,
            'merchant': request.merchant,
            'description': request.description,
            'return_url': request.return_url,
            'exp': int(request.expires_at.timestamp()),
        }
        token = self._fernet.encrypt(json.dumps(payload, ensure_ascii=False).encode()).decode()
        return f'{PAGE_PATH}/{token}'

    def open_session(self, token: str, *, now: datetime) -> SandboxSession:
        """The session behind a token of this gateway's hosted page."""
        try:
            payload = json.loads(self._fernet.decrypt(token.encode()))
            session = SandboxSession(
                ref=str(payload['ref']),
                amount=Decimal(payload['amount']),
                currency=str(payload['currency']),
                merchant=str(payload['merchant']),
                description=str(payload['description']),
                return_url=str(payload['return_url']),
                expires_at=datetime.fromtimestamp(int(payload['exp']), UTC),
            )
        except (InvalidToken, ValueError, KeyError, TypeError, ArithmeticError) as exc:
            raise SessionInvalid from exc
        if session.expires_at <= now:
            raise SessionInvalid
        return session

    def signed_callback(
        self, session: SandboxSession, *, succeeded: bool, now: datetime, reason: str = '', card_last4: str = ''
    ) -> tuple[dict[str, str], bytes]:
        """The headers and raw body the sandbox's server sends to the portal's callback endpoint."""
        event = SandboxEvent(
            id=f'evt_{secrets.token_urlsafe(18)}',
            type='payment.succeeded' if succeeded else 'payment.failed',
            created=int(now.timestamp()),
            data=SandboxEventData(
                ref=session.ref,
                amount=session.amount,
                currency=session.currency,
                reason=reason,
                card_last4=card_last4,
            ),
        )
        body = event.model_dump_json().encode()
        return {SIGNATURE_HEADER: self.signature(body, timestamp=int(now.timestamp()))}, body

    def signature(self, body: bytes, *, timestamp: int) -> str:
        digest = hmac.new(self._secret, f'{timestamp}.'.encode() + body, hashlib.sha256).hexdigest()
        return f't={timestamp},v1={digest}'

    def verify_callback(self, *, headers: Mapping[str, str], body: bytes, now: datetime) -> CallbackResult:
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), '')
        match = _SIGNATURE.match(header.strip())
        if match is None:
            raise CallbackRejected('invalid_signature', 'missing or malformed signature header')
        timestamp, given = int(match[1]), match[2]
        if len(body) > BODY_MAX:
            raise CallbackRejected('malformed', f'body of {len(body)} bytes is too large')
        expected = hmac.new(self._secret, f'{timestamp}.'.encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            raise CallbackRejected('invalid_signature', 'signature does not match the body')
        try:
            event = SandboxEvent.model_validate_json(body)
        except ValidationError as exc:
            raise CallbackRejected('malformed', f'body is not a sandbox event ({exc.error_count()} errors)') from exc
        skew = int(now.timestamp()) - timestamp
        if abs(skew) > CALLBACK_TOLERANCE_SECONDS:
            raise CallbackRejected('stale_timestamp', f'signed {skew} s before receipt', event_id=event.id)
        return CallbackResult(
            event_id=event.id,
            payment_ref=event.data.ref,
            succeeded=event.type == 'payment.succeeded',
            amount=event.data.amount,
            currency=event.data.currency,
            reason=event.data.reason,
        )


def check_card(*, number: str, expiry: str, cvv: str, today: date) -> str:
    """The card number, digits only, if the card form is filled in correctly; raises ``Invalid`` otherwise."""
    digits = re.sub(r'[\s-]', '', number or '')
    if not re.fullmatch(r'\d{16}', digits) or not luhn_valid(digits):
        raise Invalid('card_number_invalid', N_('Enter a valid 16-digit card number.'), field='card_number')
    match = _EXPIRY.match((expiry or '').strip())
    if match is None or not 1 <= int(match[1]) <= 12:
        raise Invalid('card_expiry_invalid', N_('Enter the expiry date as MM/YY.'), field='expiry')
    month, year = int(match[1]), int(match[2]) + (2000 if len(match[2]) == 2 else 0)
    if (year, month) < (today.year, today.month):
        raise Invalid('card_expired', N_('The card has expired.'), field='expiry')
    if not re.fullmatch(r'\d{3}', (cvv or '').strip()):
        raise Invalid('card_cvv_invalid', N_('Enter the 3-digit security code (CVV).'), field='cvv')
    return digits


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def declined(card_number: str) -> bool:
    return card_number == DECLINED_CARD
