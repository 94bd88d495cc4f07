"""Letter attachments for browsers: a download, checked against the session on every request.

Whoever may not read the letter gets the same 404 as for a file that does not exist. The file is always served as
an attachment with its checked content type and ``nosniff``, never shown inline, and never cached.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi.responses import RedirectResponse, Response
from nicegui import app

from portal.downloads import attachment_response
from portal.errors import DomainError, Unauthorized
from portal.store import auth, letters
from portal.store.actors import PersonActor


async def download_attachment(letter_id: str, attachment_id: str) -> Response:
    actor = await _session_actor()
    if actor is None:
        return RedirectResponse('/login', status_code=303)
    try:
        view, content = await letters.read_attachment(
            actor=actor, letter_id=UUID(letter_id), attachment_id=UUID(attachment_id)
        )
    except (ValueError, DomainError):  # malformed, missing, or not theirs: the same answer
        return Response(status_code=404, headers={'Cache-Control': 'no-store'})
    return attachment_response(content, filename=view.filename, content_type=view.content_type)


async def _session_actor() -> PersonActor | None:
    """The person behind this browser's session (the pages' guard needs a page client; a plain route has none)."""
    token = app.storage.user.get('session')
    try:
        return await auth.resolve_session(token=token, now=datetime.now(UTC))
    except Unauthorized:
        return None
