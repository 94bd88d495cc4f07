"""The portal's demo certificate authority: a root and one signing certificate per organisation, kept in the database.

Keys are made on first use and stored encrypted with the portal's secret. Two processes may race to make the same
identity: the unique ``subject`` lets one win, and the other reads the winner's row. All cryptography runs off the
event loop. Ready signers are cached per process, so an organisation's key is decrypted once.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal.config import get_settings
from portal.documents import signing
from portal.store.orgs import Organisation
from portal.store.services.models import SigningIdentity

ROOT = 'root'

# (subject, sha256 of the certificate PEM) → a ready signer; a renewed certificate gets a new entry
_signers: dict[tuple[str, str], signing.PdfSigner] = {}


async def ensure_root(*, now: datetime) -> bytes:
    """The root certificate (PEM), made on first use and renewed once it has expired."""
    return (await _root(now=now)).certificate_pem.encode()


async def root_certificate_pem() -> bytes | None:
    """The root certificate (PEM), or None before the first signature."""
    row = await SigningIdentity.get_or_none(subject=ROOT)
    return row.certificate_pem.encode() if row else None


async def signer_for(organisation: Organisation, *, now: datetime) -> signing.PdfSigner:
    """The organisation's signer: its certificate is issued on first use and again once expired."""
    subject = organisation.code
    row = await SigningIdentity.get_or_none(subject=subject)
    if row is not None and row.not_after > now:
        cached = _signers.get((subject, _sha256(row.certificate_pem)))
        if cached is not None:
            return cached
    root = await _root(now=now)
    if row is None:
        row = await _create(subject, await _issuer(root, organisation, now), now)
    elif row.not_after <= now or not await asyncio.to_thread(
        _issued_by, row.certificate_pem, root.certificate_pem.encode()
    ):
        row = await _renew(row, await _issuer(root, organisation, now), now)
    key = (subject, _sha256(row.certificate_pem))
    if key not in _signers:
        signer = await asyncio.to_thread(_make_signer, row, root.certificate_pem.encode())
        for old in [k for k in _signers if k[0] == subject]:
            del _signers[old]
        _signers[key] = signer
    return _signers[key]


def reset_cache() -> None:
    """Forget the ready signers (tests: each starts with a fresh database)."""
    _signers.clear()


async def _root(*, now: datetime) -> SigningIdentity:
    row = await SigningIdentity.get_or_none(subject=ROOT)
    if row is None:
        return await _create(ROOT, lambda: signing.make_root(now=now), now)
    if row.not_after <= now:
        return await _renew(row, lambda: signing.make_root(now=now), now)
    return row


async def _issuer(root: SigningIdentity, organisation: Organisation, now: datetime) -> Callable[[], signing.KeyPair]:
    """What issues the organisation's certificate: the root with its key decrypted (in memory only)."""
    root_pair = await asyncio.to_thread(_keypair, root)
    return lambda: signing.make_signing_certificate(
        root=root_pair, organisation_code=organisation.code, organisation_name=organisation.name_az, now=now
    )


async def _create(subject: str, make: Callable[[], signing.KeyPair], now: datetime) -> SigningIdentity:
    """Insert a new identity; when another process inserted it first, theirs stands."""
    pair = await asyncio.to_thread(make)
    key_pem = await asyncio.to_thread(signing.encrypt_key, pair.key_pem, get_settings().secret)
    try:
        # a savepoint when the caller is inside a transaction: a lost race must not abort the caller's work
        async with in_transaction():
            return await SigningIdentity.create(
                subject=subject,
                certificate_pem=pair.certificate_pem.decode(),
                key_pem=key_pem.decode(),
                not_after=pair.not_after,
                created_at=now,
            )
    except IntegrityError:
        return await SigningIdentity.get(subject=subject)


async def _renew(row: SigningIdentity, make: Callable[[], signing.KeyPair], now: datetime) -> SigningIdentity:
    """Replace an identity's certificate and key, unless another process has just replaced them."""
    pair = await asyncio.to_thread(make)
    key_pem = await asyncio.to_thread(signing.encrypt_key, pair.key_pem, get_settings().secret)
    await SigningIdentity.filter(id=row.id, certificate_pem=row.certificate_pem).update(
        certificate_pem=pair.certificate_pem.decode(),
        key_pem=key_pem.decode(),
        not_after=pair.not_after,
        created_at=now,
    )
    return await SigningIdentity.get(id=row.id)


def _keypair(row: SigningIdentity) -> signing.KeyPair:
    return signing.KeyPair(
        certificate_pem=row.certificate_pem.encode(),
        key_pem=signing.decrypt_key(row.key_pem.encode(), get_settings().secret),
        not_after=row.not_after,
    )


def _make_signer(row: SigningIdentity, root_pem: bytes) -> signing.PdfSigner:
    return signing.make_pdf_signer(_keypair(row), root_pem)


def _issued_by(certificate_pem: str, root_pem: bytes) -> bool:
    """Whether the current root issued this certificate (it may predate a renewed root)."""
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    try:
        certificate.verify_directly_issued_by(x509.load_pem_x509_certificate(root_pem))
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _sha256(pem: str) -> str:
    return hashlib.sha256(pem.encode()).hexdigest()
