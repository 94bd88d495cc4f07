"""SMS: ``HttpSmsGateway`` posts each message to an SMS gateway's HTTP API; ``FileSmsSender`` (the demo default)
appends it to a local log file. The gateway later reports whether the SMS reached the phone with a signed receipt
(``portal/api/notices_gateway.py``), signed like the payment gateway's callbacks:
``X-Gateway-Signature: t=<unix time>,v1=<hex HMAC-SHA256 over "<t>." + raw body>``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from portal.channels import Message, SendError
from portal.errors import N_, Unauthorized

SIGNATURE_HEADER = 'X-Gateway-Signature'
RECEIPT_TOLERANCE_SECONDS = 300
E164 = re.compile(r'^\+[1-9]\d{6,14}$')
_SIGNATURE = re.compile(r'^t=(\d{1,12}),v1=([0-9a-f]{64})$')
# 4xx answers that are about the moment or the portal's own setup, not about the message: tried again later
_RETRYABLE_4XX = frozenset({401, 403, 408, 409, 425, 429})
_REASON_MAX = 200


class HttpSmsGateway:
    """``POST <url>`` with ``{"to", "text", "sender", "reference"}`` and a bearer key; the answer is ``{"id": …}``.

    ``reference`` is the delivery's id, the same for every try, so a gateway can drop a retried duplicate.
    """

    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        sender_name: str = 'Kabinet',
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._headers = {'Authorization': f'Bearer {api_key}'}
        self._sender = sender_name
        self._timeout = timeout
        self._client = client

    async def send(self, message: Message) -> str:
        to = check_number(message.to)
        payload = {'to': to, 'text': message.body, 'sender': self._sender, 'reference': str(message.delivery_id)}
        try:
            if self._client is not None:
                response = await self._client.post(
                    self._url, json=payload, headers=self._headers, timeout=self._timeout
                )
            else:  # no shared client: one for this message, closed with it
                async with httpx.AsyncClient(timeout=self._timeout) as client:
                    response = await client.post(self._url, json=payload, headers=self._headers)
        except httpx.TimeoutException as exc:
            raise SendError(f'SMS gateway timed out: {type(exc).__name__}') from exc
        except httpx.HTTPError as exc:
            raise SendError(f'SMS gateway unavailable: {type(exc).__name__}: {exc}') from exc
        return _message_id(response)


class FileSmsSender:
    """Appends one line per SMS to ``path``: ``<UTC time>\\t<number>\\t<text>`` (line breaks in the text escaped)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    async def send(self, message: Message) -> str:
        to = check_number(message.to)
        provider_id = f'file-{uuid.uuid4().hex}'
        line = f'{datetime.now(UTC).isoformat(timespec="seconds")}\t{to}\t{_one_line(message.body)}\n'
        try:
            await asyncio.to_thread(_append, self.path, line)
        except OSError as exc:
            raise SendError(f'cannot write to the SMS log {self.path}: {exc}') from exc
        return provider_id


def check_number(number: str) -> str:
    """The number in E.164 form (``+994501234567``); a permanent ``SendError`` otherwise (no retry makes it valid)."""
    clean = re.sub(r'[\s()-]', '', number or '')
    if not E164.fullmatch(clean):
        raise SendError(f'not an international (E.164) phone number: {number!r}', permanent=True)
    return clean


def sign_receipt(body: bytes, secret: str, timestamp: int) -> str:
    """The signature header value a gateway sends with a receipt: ``t=<timestamp>,v1=<hex HMAC-SHA256>``."""
    return f't={timestamp},v1={_digest(body, secret, timestamp)}'


def verify_receipt(
    body: bytes, header: str, secret: str, now: datetime, tolerance: int = RECEIPT_TOLERANCE_SECONDS
) -> None:
    """Check a receipt's signature and age; raises ``Unauthorized('bad_signature')`` when it cannot be trusted."""
    match = _SIGNATURE.match((header or '').strip())
    if not secret or match is None:  # without a secret nothing can be verified, so nothing is trusted
        raise Unauthorized('bad_signature', N_('The signature is missing or malformed.'))
    timestamp, given = int(match[1]), match[2]
    if not hmac.compare_digest(_digest(body, secret, timestamp), given):
        raise Unauthorized('bad_signature', N_('The signature does not match the body.'))
    if abs(now.timestamp() - timestamp) > tolerance:  # a replay of an old receipt, or a clock far off
        raise Unauthorized('bad_signature', N_('The signature is too old.'))


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f'{timestamp}.'.encode() + body, hashlib.sha256).hexdigest()


def _message_id(response: httpx.Response) -> str:
    status = response.status_code
    if status >= 500:
        raise SendError(f'SMS gateway error {status}: {_gateway_message(response)}')
    if status >= 400:
        reason = f'SMS gateway refused the message ({status}): {_gateway_message(response)}'
        raise SendError(reason, permanent=status not in _RETRYABLE_4XX)
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    message_id = data.get('id') if isinstance(data, dict) else None
    if not isinstance(message_id, str | int) or isinstance(message_id, bool) or not str(message_id):
        # taken or not, we cannot tell: retried, and the gateway can drop the duplicate by its reference
        raise SendError(f'SMS gateway answered {status} without a message id')
    return str(message_id)


def _gateway_message(response: httpx.Response) -> str:
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ('message', 'error', 'detail', 'reason'):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get('message')
            if isinstance(value, str) and value:
                return _one_line(value)[:_REASON_MAX]
    return _one_line(response.text)[:_REASON_MAX] or response.reason_phrase


def _one_line(text: str) -> str:
    return text.replace('\\', '\\\\').replace('\r', '\\r').replace('\n', '\\n').replace('\t', '\\t')


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # one write of a short line in append mode: lines of two workers never interleave; the numbers are personal data
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, 'a', encoding='utf-8') as file:
        file.write(line)
