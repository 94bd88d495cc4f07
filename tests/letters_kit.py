"""Builders for letter tests: real small files of each allowed type, and a citizen's letter signed and sent."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal.store import auth, letters
from portal.store.auth import LoginMethod
from portal.store.letters import Upload
from portal.store.letters.views import LetterView
from portal.store.people import Person
from tests.factories import NOW

PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
PNG = b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + b'\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00' + b'\x00' * 16
JPEG = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00' + b'\x00' * 32 + b'\xff\xd9'
HTML = b'<!doctype html><html><script>alert(1)</script></html>'


def docx() -> bytes:
    """A minimal Word document package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as package:
        package.writestr(
            '[Content_Types].xml',
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr('word/document.xml', '<w:document/>')
    return buffer.getvalue()


def pdf(size: int = 0) -> bytes:
    """A PDF file, padded to ``size`` bytes when asked."""
    return PDF + b'%' * max(0, size - len(PDF))


async def signed_letter(
    person: Person,
    key: Ed25519PrivateKey,
    *,
    to: str = 'MIA',
    title: str = 'Ünvan arayışı',
    body: str = 'Hörmətli nazirlik, ünvanımla bağlı arayış istəyirəm.',
    uploads: list[Upload] | None = None,
    now: datetime = NOW,
    method: LoginMethod = LoginMethod.SIMA,
) -> LetterView:
    """Write, sign (with the citizen's key, as their device would) and send a letter."""
    actor = person.as_actor()
    draft = await letters.open_draft(actor=actor, now=now)
    await letters.save_draft(actor=actor, letter_id=draft.id, organisation_code=to, title=title, body=body, now=now)
    for upload in uploads or []:
        await letters.add_attachment(actor=actor, letter_id=draft.id, upload=upload, now=now)
    challenge = await letters.start_signing(actor=actor, letter_id=draft.id, method=method, now=now)
    await auth.submit_signature(challenge_id=challenge.id, signature=key.sign(challenge.message), now=now)
    return await letters.send_signed(actor=actor, letter_id=draft.id, challenge_id=challenge.id, now=now)
