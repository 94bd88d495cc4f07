"""Sealing ballots to the tally key: X25519 with an ephemeral key, HKDF-SHA256 and AES-256-GCM with a fresh nonce.

A sealed ballot is 76 bytes (ephemeral public key, nonce, ciphertext with tag) whatever the option, and different every
time, so neither its size nor its content tells the choice; only the holder of the tally key's private half opens it.
The private half lives in a file (``PORTAL_TALLY_KEY_FILE``, readable by its owner only), never in the database.
"""

from __future__ import annotations

import os
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b'kabinet-ballot-v1'
SEALED_LENGTH = 32 + 12 + 16 + 16


def _key(shared: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(shared)


def seal(option_id: UUID, public_key: bytes) -> bytes:
    return seal_many([option_id], public_key)[0]


def seal_many(option_ids: list[UUID], public_key: bytes) -> list[bytes]:
    """Ballots written together, sealed with one ephemeral key (the costly part of sealing) and a nonce each: they
    share what their storage order tells anyway (that they were written in one transaction), and nothing more."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    aead = AESGCM(_key(shared))
    head = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    sealed = []
    for option_id in option_ids:
        nonce = os.urandom(12)
        sealed.append(head + nonce + aead.encrypt(nonce, option_id.bytes, INFO))
    return sealed


def open_sealed(sealed: bytes, private_key: X25519PrivateKey) -> UUID:
    """The option a sealed ballot holds; ValueError if it was not sealed to this key or was changed."""
    if len(sealed) != SEALED_LENGTH:
        raise ValueError('not a sealed ballot')
    shared = private_key.exchange(X25519PublicKey.from_public_bytes(sealed[:32]))
    try:
        plain = AESGCM(_key(shared)).decrypt(sealed[32:44], sealed[44:], INFO)
    except Exception as exc:  # InvalidTag
        raise ValueError('the ballot does not open with this key') from exc
    return UUID(bytes=plain)


def load_or_create_private_key(path: Path) -> X25519PrivateKey:
    """The tally key from its file, created (owner-only) the first time."""
    if path.exists():
        return X25519PrivateKey.from_private_bytes(path.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = X25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(raw)
    return key


def public_bytes(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
