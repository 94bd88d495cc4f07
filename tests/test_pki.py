"""The portal's certificate authority in the database: the root, the organisations' signers, keys kept encrypted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.config import get_settings
from portal.documents import signing
from portal.documents.pdf import CertificateDocument, Section, render_certificate
from portal.store.services import pki
from portal.store.services.models import SigningIdentity
from tests.factories import make_org

# signatures are checked against the real clock: the certificates must be valid now
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    pki.reset_cache()
    yield
    pki.reset_cache()


async def test_root_is_made_once(store_db: str) -> None:
    assert await pki.root_certificate_pem() is None

    first = await pki.ensure_root(now=NOW)
    second = await pki.ensure_root(now=NOW + timedelta(days=1))

    assert first == second
    assert first.startswith(b'-----BEGIN CERTIFICATE-----')
    assert await pki.root_certificate_pem() == first
    assert await SigningIdentity.filter(subject='root').count() == 1


async def test_racing_processes_keep_one_root(store_db: str) -> None:
    pems = await asyncio.gather(*(pki.ensure_root(now=NOW) for _ in range(4)))

    assert len(set(pems)) == 1
    assert await SigningIdentity.filter(subject='root').count() == 1


async def test_signer_is_made_once_per_organisation_and_cached(store_db: str) -> None:
    mia, moj = await make_org('MIA'), await make_org('MOJ')

    first = await pki.signer_for(mia, now=NOW)
    again = await pki.signer_for(mia, now=NOW)
    other = await pki.signer_for(moj, now=NOW)

    assert again is first
    assert first.name == 'Daxili İşlər Nazirliyi'
    assert other.name == 'Ədliyyə Nazirliyi'
    assert other.certificate_sha256 != first.certificate_sha256
    assert await SigningIdentity.filter(subject='MIA').count() == 1
    assert await SigningIdentity.filter(subject='MOJ').count() == 1
    assert await SigningIdentity.all().count() == 3  # with the root


async def test_racing_first_uses_keep_one_certificate(store_db: str) -> None:
    org = await make_org('MIA')

    signers = await asyncio.gather(*(pki.signer_for(org, now=NOW) for _ in range(4)))

    assert len({s.certificate_sha256 for s in signers}) == 1
    assert await SigningIdentity.filter(subject='MIA').count() == 1
    assert await SigningIdentity.filter(subject='root').count() == 1


async def test_a_new_process_reads_the_same_certificate_from_the_database(store_db: str) -> None:
    org = await make_org('MIA')
    first = await pki.signer_for(org, now=NOW)

    pki.reset_cache()  # as another process would start
    second = await pki.signer_for(org, now=NOW)

    assert second is not first
    assert second.certificate_sha256 == first.certificate_sha256
    assert await SigningIdentity.filter(subject='MIA').count() == 1


async def test_the_key_is_decrypted_once_per_process(store_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    org = await make_org('MIA')
    decrypted: list[bytes] = []
    real = signing.decrypt_key

    def counting(enc_pem: bytes, password: str) -> bytes:
        decrypted.append(enc_pem)
        return real(enc_pem, password)

    monkeypatch.setattr(signing, 'decrypt_key', counting)
    await pki.signer_for(org, now=NOW)  # the root's key to issue the certificate, then the new key
    made = len(decrypted)
    for _ in range(3):
        await pki.signer_for(org, now=NOW)

    assert made == 2
    assert len(decrypted) == made
    pki.reset_cache()  # another process: only the organisation's key
    await pki.signer_for(org, now=NOW)
    assert len(decrypted) == made + 1
    assert decrypted[-1].decode() == (await SigningIdentity.get(subject='MIA')).key_pem


async def test_keys_are_stored_encrypted_with_the_portal_secret(store_db: str) -> None:
    await pki.signer_for(await make_org('MIA'), now=NOW)

    for row in await SigningIdentity.all():
        assert row.key_pem.startswith('-----BEGIN ENCRYPTED PRIVATE KEY-----')
        assert 'BEGIN PRIVATE KEY' not in row.key_pem
        clear = signing.decrypt_key(row.key_pem.encode(), get_settings().secret)
        assert clear.startswith(b'-----BEGIN PRIVATE KEY-----')
        with pytest.raises(ValueError):
            signing.decrypt_key(row.key_pem.encode(), 'not-the-portal-secret-at-all')


async def test_signed_document_validates_against_the_stored_root(store_db: str) -> None:
    org = await make_org('IH-NESIMI')
    signer = await pki.signer_for(org, now=NOW)
    root = await pki.root_certificate_pem()
    assert root is not None

    pdf = await asyncio.to_thread(signing.sign_pdf, render_certificate(_document()), signer=signer, reason='Test')
    check = await asyncio.to_thread(signing.validate_pdf, pdf, root_pem=root)

    assert check.valid
    assert check.trusted
    assert check.covers_whole_file
    assert check.signer == 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti'


async def test_expired_signing_certificate_is_renewed(store_db: str) -> None:
    org = await make_org('MIA')
    first = await pki.signer_for(org, now=NOW)
    row = await SigningIdentity.get(subject='MIA')
    later = row.not_after + timedelta(days=1)

    renewed = await pki.signer_for(org, now=later)
    again = await pki.signer_for(org, now=later)

    assert renewed.certificate_sha256 != first.certificate_sha256
    assert again is renewed
    fresh = await SigningIdentity.get(subject='MIA')
    assert fresh.id == row.id
    assert fresh.not_after > later
    assert fresh.key_pem != row.key_pem
    assert await SigningIdentity.filter(subject='MIA').count() == 1
    # the root outlives it and is kept
    assert await SigningIdentity.filter(subject='root').count() == 1


async def test_a_replaced_root_reissues_the_organisations_certificates(store_db: str) -> None:
    org = await make_org('MIA')
    old = await pki.signer_for(org, now=NOW)
    await SigningIdentity.filter(subject='root').delete()
    pki.reset_cache()

    new = await pki.signer_for(org, now=NOW)
    root = await pki.root_certificate_pem()
    assert root is not None
    pdf = await asyncio.to_thread(signing.sign_pdf, render_certificate(_document()), signer=new, reason='Test')
    check = await asyncio.to_thread(signing.validate_pdf, pdf, root_pem=root)

    assert new.certificate_sha256 != old.certificate_sha256
    assert check.valid


async def test_an_expired_root_is_renewed(store_db: str) -> None:
    first = await pki.ensure_root(now=NOW)
    row = await SigningIdentity.get(subject='root')

    renewed = await pki.ensure_root(now=row.not_after + timedelta(days=1))

    assert renewed != first
    assert await SigningIdentity.filter(subject='root').count() == 1


def _document() -> CertificateDocument:
    return CertificateDocument(
        title='Yaşayış yeri haqqında arayış',
        issuer_name='Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti',
        holder_name='Şəkərbəyli Gülçöhrə İlqar qızı',
        sections=(Section(None, (('Ünvan', 'Füzuli küçəsi 12, mənzil 4'),)),),
        code='K7QD-2M9X-P4TR-8ZHW',
        verify_url='http://127.0.0.1:8080/verify/K7QD-2M9X-P4TR-8ZHW',
        issued_at=NOW,
        valid_until=date(2027, 11, 20),
        lang='az',
    )
