"""The canonical letter and its signature: what the citizen's device signs, and how anyone checks it later.

The canonical letter is UTF-8 JSON with sorted keys and no spaces, holding the letter's id, the addressed
organisation's code, the title, the body and, in order, each attachment's name, size and SHA-256. Its SHA-256 is the
digest the device signs (inside the challenge message, with the challenge's nonce and code). Checking recomputes the
digest from the letter as stored now, including each attachment file's hash as it is on disk, so a changed body or a
replaced file shows as an invalid signature.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

import orjson

from portal.store import auth
from portal.store.letters.files import sha256_of

CANONICAL_VERSION = 1


class SignatureState(StrEnum):
    VALID = 'valid'
    UNSIGNED = 'unsigned'
    # the letter's title, body or addressee differ from what was signed
    CONTENT_CHANGED = 'content_changed'
    # an attachment file differs from (or is missing against) what was signed
    ATTACHMENT_CHANGED = 'attachment_changed'
    # the signature does not match the signed bytes and the signer's key
    SIGNATURE_INVALID = 'signature_invalid'


@dataclass(frozen=True)
class AttachmentFacts:
    filename: str
    size: int
    sha256: str


def canonical(
    *, letter_id: UUID, organisation_code: str, title: str, body: str, attachments: list[AttachmentFacts]
) -> bytes:
    document: dict[str, Any] = {
        'v': CANONICAL_VERSION,
        'letter': str(letter_id),
        'to': organisation_code,
        'title': title,
        'body': body,
        'attachments': [{'name': a.filename, 'size': a.size, 'sha256': a.sha256} for a in attachments],
    }
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def digest(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def check(
    *,
    document: bytes,
    stored: list[tuple[AttachmentFacts, str]],
    signed_digest: str | None,
    signed_message: bytes | None,
    signature: bytes | None,
    signer_key: bytes | None,
) -> SignatureState:
    """Check a stored letter against its signature; ``stored`` pairs each attachment's facts with its file name."""
    if not (signed_digest and signed_message and signature and signer_key):
        return SignatureState.UNSIGNED
    for facts, storage_name in stored:
        if sha256_of(storage_name) != facts.sha256:
            return SignatureState.ATTACHMENT_CHANGED
    if digest(document) != signed_digest:
        return SignatureState.CONTENT_CHANGED
    # the device signed a challenge message that ends with the digest
    if not signed_message.endswith(b'\n' + signed_digest.encode()):
        return SignatureState.SIGNATURE_INVALID
    if not auth.verify_signature(public_key=signer_key, message=signed_message, signature=signature):
        return SignatureState.SIGNATURE_INVALID
    return SignatureState.VALID
