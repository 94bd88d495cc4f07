"""The portal's demo certificate authority and PAdES signatures on PDFs (pyhanko), offline.

A self-signed root issues one signing certificate per organisation; documents are signed with the organisation's
key and carry its certificate and the root in the signature, so anyone holding the root can check them. No time
stamps and no revocation fetching: nothing here touches the network. Everything is synchronous and CPU-bound: the
store calls it through ``asyncio.to_thread``. pyhanko runs its own event loop for each signature and check; called
on a thread whose loop is running, these functions hand that work to a helper thread (and block the loop meanwhile).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

_T = TypeVar('_T')

ROOT_NAME = 'Kabinet Demo Root CA'
ROOT_YEARS = 10
SIGNING_YEARS = 3
# id-kp-documentSigning (RFC 9336)
DOCUMENT_SIGNING = x509.ObjectIdentifier('1.3.6.1.5.5.7.3.36')
# certificates start a little before they are made, so a verifier whose clock lags slightly still accepts them
CLOCK_SKEW = timedelta(hours=1)
# room for the CMS, in hex digits (4 KB of DER; two P-256 certificates and the signature take ~1.6 KB), reserved
# up front so pyhanko need not build a dummy signature to estimate it
SIGNATURE_BYTES = 8_192
# X.509 bounds a common name at 64 characters; cryptography counts them as UTF-8 bytes
COMMON_NAME_BYTES = 64


@dataclass(frozen=True)
class KeyPair:
    certificate_pem: bytes
    key_pem: bytes  # PKCS#8, unencrypted: keep it in memory only (``encrypt_key`` before storing)
    not_after: datetime


@dataclass(frozen=True, eq=False)
class PdfSigner:
    """A ready pyhanko signer for one signing certificate; build it once with ``make_pdf_signer`` and reuse it."""

    signer: signers.SimpleSigner
    name: str  # the organisation the certificate names
    certificate_sha256: str
    # pyhanko's certificate objects (asn1crypto) parse and re-encode themselves lazily and are not safe to share
    # between threads signing at once: one signature at a time per signer
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # the PDF carries a signature
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the signer's certificate chains up to the given root
    valid: bool  # pyhanko's bottom line: intact, cryptographically valid, trusted, no disallowed later changes
    signer: str | None  # the signing organisation
    signed_at: datetime | None  # as the signer reported it
    covers_whole_file: bool  # nothing was appended after the signature


NOT_SIGNED = SignatureCheck(
    signed=False, intact=False, trusted=False, valid=False, signer=None, signed_at=None, covers_whole_file=False
)


def make_root(*, now: datetime) -> KeyPair:
    """A self-signed root: it signs the organisations' certificates (and revocation lists) only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name=ROOT_NAME, organisation='Kabinet')
    not_after = now + timedelta(days=365 * ROOT_YEARS + ROOT_YEARS // 4)
    certificate = (
        _builder(subject=name, issuer=name, public_key=key.public_key(), now=now, not_after=not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _keypair(certificate, key)


def make_signing_certificate(
    *, root: KeyPair, organisation_code: str, organisation_name: str, now: datetime
) -> KeyPair:
    """An organisation's document-signing certificate issued by the root (never outliving it)."""
    root_certificate = x509.load_pem_x509_certificate(root.certificate_pem)
    root_key = serialization.load_pem_private_key(root.key_pem, password=None)
    if not isinstance(root_key, ec.EllipticCurvePrivateKey):
        raise ValueError('the root key must be an EC key')
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name=organisation_name, organisation=organisation_name, unit=organisation_code)
    not_after = min(now + timedelta(days=365 * SIGNING_YEARS + 1), root_certificate.not_valid_after_utc)
    root_ski = root_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    certificate = (
        _builder(
            subject=name, issuer=root_certificate.subject, public_key=key.public_key(), now=now, not_after=not_after
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return _keypair(certificate, key)


def encrypt_key(key_pem: bytes, password: str) -> bytes:
    """The private key as encrypted PKCS#8 PEM ('ENCRYPTED PRIVATE KEY'), fit for the database."""
    key = serialization.load_pem_private_key(key_pem, password=None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )


def decrypt_key(enc_pem: bytes, password: str) -> bytes:
    """The unencrypted PKCS#8 PEM of a key stored with ``encrypt_key``; ValueError with a wrong password."""
    key = serialization.load_pem_private_key(enc_pem, password=password.encode())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_pdf_signer(keypair: KeyPair, root_pem: bytes) -> PdfSigner:
    """A signer that embeds the signing certificate and the root in every signature."""
    certificate = _asn1_certificate(keypair.certificate_pem)
    _, _, key_der = pem.unarmor(keypair.key_pem)
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(root_pem)]),
    )
    return PdfSigner(
        signer=signer,
        name=_signer_name(certificate) or '',
        certificate_sha256=certificate.sha256.hex(),
    )


def sign_pdf(pdf: bytes, *, signer: PdfSigner, reason: str, location: str = 'Bakı') -> bytes:
    """The PDF with a PAdES baseline signature (B-B) appended as an incremental update."""
    metadata = signers.PdfSignatureMetadata(
        field_name='Signature',
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm='sha256',
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    with signer.lock:
        out = _own_loop(
            lambda: signers.sign_pdf(writer, metadata, signer=signer.signer, bytes_reserved=SIGNATURE_BYTES)
        )
    return bytes(out.getbuffer())


def validate_pdf(pdf: bytes, *, root_pem: bytes, moment: datetime | None = None) -> SignatureCheck:
    """Check the PDF's first signature against ``root_pem``, offline; anything unreadable counts as not signed.

    ``moment`` is when the certificates must have been valid (default: now), e.g. the recorded issue time.
    """
    try:
        signatures = PdfFileReader(BytesIO(pdf)).embedded_signatures
    except Exception:  # any malformed input: pyhanko raises many kinds of errors on garbage
        return NOT_SIGNED
    if not signatures:
        return NOT_SIGNED
    signature = signatures[0]
    context = ValidationContext(
        trust_roots=[_asn1_certificate(root_pem)], allow_fetching=False, revocation_mode='soft-fail', moment=moment
    )
    try:
        status = _own_loop(lambda: validate_pdf_signature(signature, context))
    except Exception:  # a damaged signature dictionary or CMS blob: signed, but nothing holds
        return SignatureCheck(
            signed=True, intact=False, trusted=False, valid=False, signer=None, signed_at=None, covers_whole_file=False
        )
    return SignatureCheck(
        signed=True,
        intact=status.intact,
        trusted=status.trusted,
        valid=status.bottom_line,
        signer=_signer_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )


def certificate_fingerprint(pem_bytes: bytes) -> str:
    """SHA-256 of the certificate, upper-case hex in colon-separated pairs (as browsers and OpenSSL show it)."""
    certificate = x509.load_pem_x509_certificate(pem_bytes)
    return certificate.fingerprint(hashes.SHA256()).hex(':').upper()


def _name(*, common_name: str, organisation: str, unit: str | None = None) -> x509.Name:
    """A distinguished name; the organisation keeps its full name, the common name is cut to its 64 bytes."""
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, 'AZ'),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name, COMMON_NAME_BYTES)))
    return x509.Name(attributes)


def _fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-8 bytes, cut at a character with an ellipsis when too long."""
    if len(text.encode()) <= limit:
        return text
    while len(text.encode()) > limit - len('…'.encode()):
        text = text[:-1]
    return text.rstrip() + '…'


def _signer_name(certificate: asn1_x509.Certificate) -> str | None:
    """Who signed: the organisation's full name (the common name may be cut short)."""
    subject = certificate.subject.native
    return subject.get('organization_name') or subject.get('common_name')


def _builder(
    *, subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, now: datetime, not_after: datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now.astimezone(UTC) - CLOCK_SKEW)
        .not_valid_after(not_after.astimezone(UTC))
    )


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _keypair(certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> KeyPair:
    return KeyPair(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        not_after=certificate.not_valid_after_utc,
    )


def _own_loop(work: Callable[[], _T]) -> _T:
    """Run pyhanko work (which calls ``asyncio.run``) here, or on a helper thread when this thread runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(1, thread_name_prefix='pyhanko') as pool:
        return pool.submit(work).result()


def _asn1_certificate(pem_bytes: bytes) -> asn1_x509.Certificate:
    _, _, der = pem.unarmor(pem_bytes)
    return asn1_x509.Certificate.load(der)
