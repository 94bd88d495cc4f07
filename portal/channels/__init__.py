"""Outside channels of notices: e-mail over SMTP and SMS through an HTTP gateway, behind one small interface.

A sender takes a ``Message`` and returns the provider's message id, or raises ``SendError`` (``permanent`` when a
retry cannot help, e.g. an address the server refuses). The delivery job (``portal/store/notices/delivery.py``)
decides about retries; senders only send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Message:
    delivery_id: UUID
    channel: str  # 'sms' | 'email'
    to: str
    subject: str
    body: str
    lang: str = 'az'


class SendError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, message: Message) -> str: ...


@dataclass(frozen=True)
class Senders:
    email: Sender
    sms: Sender

    def for_channel(self, channel: str) -> Sender:
        return self.email if channel == 'email' else self.sms
