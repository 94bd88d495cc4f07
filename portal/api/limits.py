"""A cap on request bodies, as pure ASGI middleware (no ``BaseHTTPMiddleware``): a body over the cap is refused with
413 before it is parsed, whether it announces its length or streams in chunks."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# the largest letter request: 25 MB of files in base64 (≈ 33.4 MB) plus its texts
MAX_BODY_BYTES = 36 * 1024 * 1024


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        length = dict(scope.get('headers', [])).get(b'content-length')
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message['type'] == 'http.request':
                received += len(message.get('body', b''))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message['type'] == 'http.response.start'
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        limit = self.max_bytes // (1024 * 1024)
        body: dict[str, Any] = {
            'error': {'code': 'request_too_large', 'message': f'The request body is larger than {limit} MB.'}
        }
        payload = orjson.dumps(body)
        await send(
            {
                'type': 'http.response.start',
                'status': 413,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(payload)).encode())],
            }
        )
        await send({'type': 'http.response.body', 'body': payload})
