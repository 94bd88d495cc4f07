"""Downloads for browsers (letters' and applications' attachments, issued certificates), checked against the session
on every request.

Whoever may not read the file gets the same 404 as for a file that does not exist; without a session the browser is
sent to the login page. The file is always served as an attachment with its checked content type and ``nosniff``,
never shown inline, and never cached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID

from fastapi.responses import RedirectResponse, Response
from nicegui import app

from portal.downloads import attachment_response
from portal.errors import DomainError, Unauthorized
from portal.store import auth, letters
from portal.store.actors import PersonActor

# what a reader returns: the file's name, its content type and its bytes
Read = Callable[[PersonActor], Awaitable[tuple[str, str, bytes]]]


async def guarded_download(read: Read) -> Response:
    """Serve what ``read`` gives the person behind this browser's session; malformed ids (ValueError), missing files
    and other people's files all answer 404."""
    actor = await session_actor()
    if actor is None:
        return RedirectResponse('/login', status_code=303)
    try:
        filename, content_type, content = await read(actor)
    except (ValueError, DomainError):  # malformed, missing, or not theirs: the same answer
        return Response(status_code=404, headers={'Cache-Control': 'no-store'})
    return attachment_response(content, filename=filename, content_type=content_type)


async def session_actor() -> PersonActor | None:
    """The person behind this browser's session (the pages' guard needs a page client; a plain route has none)."""
    try:
        return await auth.resolve_session(token=app.storage.user.get('session'), now=datetime.now(UTC))
    except Unauthorized:
        return None


async def download_attachment(letter_id: str, attachment_id: str) -> Response:
    async def read(actor: PersonActor) -> tuple[str, str, bytes]:
        view, content = await letters.read_attachment(
            actor=actor, letter_id=UUID(letter_id), attachment_id=UUID(attachment_id)
        )
        return view.filename, view.content_type, content

    return await guarded_download(read)
