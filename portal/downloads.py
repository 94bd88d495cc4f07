"""Files served as downloads (letters' attachments, for browsers and for the API): always as an attachment, with the
type their content was checked to be, never sniffed, never cached, and never able to run in a browser tab."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from starlette.responses import Response


def attachment_response(content: bytes, *, filename: str, content_type: str) -> Response:
    return Response(
        content,
        media_type=content_type,
        headers={
            'Content-Disposition': content_disposition(filename),
            'X-Content-Type-Options': 'nosniff',
            'Cache-Control': 'no-store',
            # a file opened by mistake in the browser still runs nothing
            'Content-Security-Policy': "default-src 'none'; sandbox",
        },
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with the name in UTF-8 (RFC 6266 / 5987) and a plain-ASCII fallback for old clients."""
    decomposed = unicodedata.normalize('NFKD', filename)
    plain = ''.join(c for c in decomposed if not unicodedata.combining(c))
    fallback = ''.join(c if c.isascii() and (c.isalnum() or c in ' ._-()') else '_' for c in plain).strip() or 'file'
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(filename, safe="")}'
