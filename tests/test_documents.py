"""E-certificate PDFs and their signatures: pure functions, no database."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import segno
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from portal.documents import signing
from portal.documents.pdf import CertificateDocument, Section, qr_matrix, qr_payload, render_certificate

HOLDER = 'Şəkərbəyli Gülçöhrə İlqar qızı'
ISSUER = 'Qaçqınların və Məcburi Köçkünlərin İşləri üzrə Dövlət Komitəsi'
CODE = 'K7QD-2M9X-P4TR-8ZHW'
URL = f'http://127.0.0.1:8080/verify/{CODE}'
ROWS = (
    ('FİN', '5ABC123'),
    ('Doğum tarixi', '17.05.1990'),
    ('Doğulduğu yer', 'Şuşa şəhəri'),
    ('Məcburi köçkün statusu', 'Var'),
    ('Statusun verilmə tarixi', '12.03.1994'),
    ('Əvvəlki yaşayış yeri', 'Ağdam rayonu, Quzanlı qəsəbəsi'),
    ('Hazırkı yaşayış yeri', 'Bakı şəhəri, Binəqədi rayonu, Füzuli küçəsi 12'),
    ('Ailə üzvlərinin sayı', '4'),
    ('Müavinət', 'Aylıq müavinət alır'),
    ('Vəsiqənin nömrəsi', 'MK-0042817'),
)


def make_document(**changes: object) -> CertificateDocument:
    doc = CertificateDocument(
        title='Məcburi köçkün statusu haqqında arayış',
        issuer_name=ISSUER,
        holder_name=HOLDER,
        sections=(Section(None, ROWS[:3]), Section('Status məlumatları', ROWS[3:])),
        code=CODE,
        verify_url=URL,
        issued_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        valid_until=date(2027, 11, 20),
        lang='az',
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, whitespace folded (a wrapped value reads as one line)."""
    return [' '.join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


# --- rendering -----------------------------------------------------------------------------------------------------


def test_certificate_text_extracts_with_azerbaijani_letters() -> None:
    text = ' '.join(page_texts(render_certificate(make_document())))

    for expected in (
        'Kabinet',
        'Məcburi köçkün statusu haqqında arayış',
        ISSUER,
        HOLDER,
        'Status məlumatları',
        CODE,
        URL,
        '20.11.2026 13:00',  # 09:00 UTC in Baku
        '20.11.2027',
    ):
        assert expected in text
    for label, value in ROWS:
        assert label in text
        assert value in text
    for letter in 'ə ğ ı İ ö ü ş ç Ə Ş'.split():
        assert letter in text


def test_fixed_labels_follow_the_document_language() -> None:
    text = ' '.join(page_texts(render_certificate(make_document(lang='en'))))

    for label in ('Issued by', 'Holder', 'Verification code', 'Issued on', 'Valid until'):
        assert label in text
    assert f'Check this document at {URL}' in text
    assert f'This document is signed with the electronic signature of {ISSUER}.' in text


def test_metadata_names_title_issuer_and_issue_time() -> None:
    reader = PdfReader(io.BytesIO(render_certificate(make_document())))

    assert reader.metadata is not None
    assert reader.metadata.title == 'Məcburi köçkün statusu haqqında arayış'
    assert reader.metadata.author == ISSUER
    assert reader.metadata.creation_date == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_no_validity_date_when_open_ended() -> None:
    text = ' '.join(page_texts(render_certificate(make_document(lang='en', valid_until=None))))

    assert 'Valid until' not in text
    assert 'Issued on' in text


def test_long_document_runs_over_pages_and_keeps_every_row_and_the_footer_whole() -> None:
    rows = tuple((f'Sətir {i} — ərazi', f'Dəyər {i}: Şəkərbəyli küçəsi, ev {i}') for i in range(60))
    paragraph = 'Qərar: ' + 'müraciət nəzərdən keçirildi və təmin edildi. ' * 40
    doc = make_document(sections=(Section('Ünvanlar', rows),), paragraphs=(paragraph, 'Son söz.'))

    pdf = render_certificate(doc)
    pages = page_texts(pdf)

    assert len(pages) >= 3
    text = ' '.join(pages)
    for label, value in rows:
        assert label in text
        assert value in text
    assert 'Son söz.' in text
    for number, page in enumerate(pages, start=1):
        assert f'{CODE} · {number}/{len(pages)}' in page
    # the QR code, the code beside it and the verification sentence share the last page
    assert _drawn_matrix(pdf, page=-1) == qr_matrix(URL)
    assert URL in pages[-1]
    assert 'Yoxlama kodu' in pages[-1] or 'Verification code' in pages[-1]


def test_cyrillic_documents_render() -> None:
    doc = make_document(
        lang='ru',
        title='Справка о статусе вынужденного переселенца',
        holder_name='Шекербейли Гюльчохра Ильгар гызы',
        sections=(Section('Сведения', (('Адрес', 'г. Баку, ул. Физули, 12'), ('Примечание', 'Әлиев Һүсејн Ҹәфәр'))),),
    )

    text = ' '.join(page_texts(render_certificate(doc)))

    for expected in (
        'Справка о статусе вынужденного переселенца',
        'Шекербейли Гюльчохра Ильгар гызы',
        'Әлиев Һүсејн Ҹәфәр',
    ):
        assert expected in text


def test_a_value_taller_than_a_page_runs_on() -> None:
    huge = ' '.join(f'söz{i}' for i in range(900))
    doc = make_document(sections=(Section(None, (('Qısa', 'bir'), ('Uzun', huge), ('Sonra', 'son sətir'))),))

    pages = page_texts(render_certificate(doc))

    assert len(pages) >= 2
    text = ' '.join(pages)
    assert 'söz0 ' in text
    assert 'söz899' in text
    assert 'son sətir' in text


@pytest.mark.parametrize('count', range(12, 32, 2))
def test_the_footer_is_never_split_across_pages(count: int) -> None:
    rows = tuple((f'Sahə {i}', f'Dəyər {i}') for i in range(count))
    pdf = render_certificate(make_document(lang='en', sections=(Section(None, rows),)))

    last = page_texts(pdf)[-1]

    assert _drawn_matrix(pdf, page=-1) == qr_matrix(URL)
    for part in ('Verification code', 'Issued on', 'Valid until', 'This document is signed', URL):
        assert part in last


# --- the QR code ---------------------------------------------------------------------------------------------------


def test_qr_holds_the_verification_url() -> None:
    assert qr_payload(make_document()) == URL


def test_qr_matrix_is_segno_level_m() -> None:
    symbol = segno.make(URL, error='m')

    matrix = qr_matrix(URL)

    assert symbol.error == 'M'
    assert len(matrix) == symbol.symbol_size(border=0)[0]
    assert matrix == tuple(tuple(bool(m) for m in row) for row in symbol.matrix)


def test_pdf_draws_exactly_the_qr_modules() -> None:
    pdf = render_certificate(make_document())

    drawn = _drawn_matrix(pdf, page=0)

    assert drawn == qr_matrix(URL)
    assert sum(map(sum, drawn)) == sum(sum(bool(m) for m in row) for row in segno.make(URL, error='m').matrix)


def test_another_url_draws_another_code() -> None:
    other = 'http://127.0.0.1:8080/verify/AAAA-BBBB-CCCC-DDDD'

    drawn = _drawn_matrix(render_certificate(make_document(verify_url=other)), page=0)

    assert drawn == qr_matrix(other)
    assert drawn != qr_matrix(URL)


def _drawn_matrix(pdf: bytes, *, page: int) -> tuple[tuple[bool, ...], ...]:
    """Read the filled rectangles of a page back into a module grid (the only rectangles the page fills)."""
    content = PdfReader(io.BytesIO(pdf)).pages[page].get_contents()
    assert content is not None
    ops = re.findall(r'(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f', content.get_data().decode('latin-1'))
    rects = [tuple(float(v) for v in op) for op in ops]
    assert rects, 'no QR code drawn on this page'
    # every module within the page's margins (20 mm = 56.69 pt on an A4 page of 841.89 pt)
    assert all(56.6 <= y + h and y <= 841.89 - 56.6 for _, y, _, h in rects)
    module = abs(rects[0][3])
    left, top = min(r[0] for r in rects), max(r[1] for r in rects)
    cells: set[tuple[int, int]] = set()
    for x, y, w, h in rects:
        assert abs(abs(h) - module) < 0.02  # one row of modules per rectangle
        row, col = round((top - y) / module), round((x - left) / module)
        cells.update((row, col + i) for i in range(round(w / module)))
    size = max(r for r, _ in cells) + 1
    return tuple(tuple((r, c) in cells for c in range(size)) for r in range(size))


# --- the certificate authority -------------------------------------------------------------------------------------

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope='module')
def root() -> signing.KeyPair:
    return signing.make_root(now=NOW)


@pytest.fixture(scope='module')
def keypair(root: signing.KeyPair) -> signing.KeyPair:
    return signing.make_signing_certificate(root=root, organisation_code='QMKDK', organisation_name=ISSUER, now=NOW)


@pytest.fixture(scope='module')
def signer(keypair: signing.KeyPair, root: signing.KeyPair) -> signing.PdfSigner:
    return signing.make_pdf_signer(keypair, root.certificate_pem)


@pytest.fixture(scope='module')
def signed(signer: signing.PdfSigner) -> bytes:
    return signing.sign_pdf(render_certificate(make_document()), signer=signer, reason='Arayış verildi')


def test_root_is_a_ten_year_ca(root: signing.KeyPair) -> None:
    cert = x509.load_pem_x509_certificate(root.certificate_pem)

    assert cert.subject.rfc4514_string() == 'CN=Kabinet Demo Root CA,O=Kabinet,C=AZ'
    assert cert.issuer == cert.subject
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca is True
    assert constraints.path_length == 0
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign
    assert usage.crl_sign
    assert not usage.digital_signature
    assert root.not_after == cert.not_valid_after_utc
    assert 3650 <= (root.not_after - NOW).days <= 3655


def test_signing_certificate_names_the_organisation(root: signing.KeyPair, keypair: signing.KeyPair) -> None:
    cert = x509.load_pem_x509_certificate(keypair.certificate_pem)
    root_cert = x509.load_pem_x509_certificate(root.certificate_pem)

    assert cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)[0].value == ISSUER
    # 79 bytes in UTF-8: the common name is cut to its 64 bytes, the organisation keeps the whole name
    common_name = str(cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)
    assert common_name == 'Qaçqınların və Məcburi Köçkünlərin İşləri üzrə…'
    assert len(common_name.encode()) <= 64
    assert cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == 'QMKDK'
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value == 'AZ'
    assert cert.issuer == root_cert.subject
    cert.verify_directly_issued_by(root_cert)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    authority = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    subject_key = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert authority.key_identifier == subject_key.digest
    assert 1094 <= (keypair.not_after - NOW).days <= 1097


def test_short_names_are_whole_in_the_common_name(root: signing.KeyPair) -> None:
    pair = signing.make_signing_certificate(
        root=root, organisation_code='MIA', organisation_name='Daxili İşlər Nazirliyi', now=NOW
    )

    cert = x509.load_pem_x509_certificate(pair.certificate_pem)

    assert cert.subject.rfc4514_string() == 'CN=Daxili İşlər Nazirliyi,OU=MIA,O=Daxili İşlər Nazirliyi,C=AZ'
    assert signing.make_pdf_signer(pair, root.certificate_pem).name == 'Daxili İşlər Nazirliyi'


def test_key_encryption_round_trip(keypair: signing.KeyPair) -> None:
    encrypted = signing.encrypt_key(keypair.key_pem, 'a long portal secret value')

    assert encrypted.startswith(b'-----BEGIN ENCRYPTED PRIVATE KEY-----')
    assert keypair.key_pem.startswith(b'-----BEGIN PRIVATE KEY-----')
    assert signing.decrypt_key(encrypted, 'a long portal secret value') == keypair.key_pem
    with pytest.raises(ValueError):
        signing.decrypt_key(encrypted, 'another secret entirely')


def test_fingerprint_is_colon_grouped_sha256(root: signing.KeyPair) -> None:
    fingerprint = signing.certificate_fingerprint(root.certificate_pem)

    assert re.fullmatch(r'([0-9A-F]{2}:){31}[0-9A-F]{2}', fingerprint)
    digest = x509.load_pem_x509_certificate(root.certificate_pem).fingerprint(hashes.SHA256())
    assert fingerprint.replace(':', '') == digest.hex().upper()


# --- signatures ----------------------------------------------------------------------------------------------------


def test_signed_certificate_validates(signed: bytes, root: signing.KeyPair) -> None:
    check = signing.validate_pdf(signed, root_pem=root.certificate_pem)

    assert check.signed
    assert check.intact
    assert check.trusted
    assert check.valid
    assert check.covers_whole_file
    assert check.signer == ISSUER
    assert check.signed_at is not None
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_signature_is_pades_with_the_chain_embedded(signed: bytes, keypair: signing.KeyPair) -> None:
    reader = PdfFileReader(io.BytesIO(signed))
    (signature,) = reader.embedded_signatures

    assert signature.field_name == 'Signature'
    assert signature.sig_object['/SubFilter'] == '/ETSI.CAdES.detached'
    assert signature.sig_object['/Reason'] == 'Arayış verildi'
    assert signature.sig_object['/Location'] == 'Bakı'
    embedded = {c.chosen.subject.native['organization_name'] for c in signature.signed_data['certificates']}
    assert embedded == {ISSUER, 'Kabinet'}
    assert signed.startswith(render_certificate(make_document()))  # an incremental update: the original is intact


def test_signed_text_still_extracts(signed: bytes) -> None:
    assert HOLDER in ' '.join(page_texts(signed))


def test_one_changed_byte_breaks_the_signature(signed: bytes, root: signing.KeyPair) -> None:
    tampered = bytearray(signed)
    tampered[signed.index(b'stream') + 40] ^= 0x01  # inside the first content stream, well within the signed range

    check = signing.validate_pdf(bytes(tampered), root_pem=root.certificate_pem)

    assert check.signed
    assert not check.intact
    assert not check.valid


def test_another_root_does_not_trust_it(signed: bytes) -> None:
    stranger = signing.make_root(now=NOW)

    check = signing.validate_pdf(signed, root_pem=stranger.certificate_pem)

    assert check.signed
    assert check.intact
    assert not check.trusted
    assert not check.valid


def test_a_lookalike_authority_is_not_trusted(root: signing.KeyPair) -> None:
    impostor_root = signing.make_root(now=NOW)  # same names, another key
    impostor = signing.make_signing_certificate(
        root=impostor_root, organisation_code='QMKDK', organisation_name=ISSUER, now=NOW
    )
    pdf = signing.sign_pdf(
        render_certificate(make_document()),
        signer=signing.make_pdf_signer(impostor, impostor_root.certificate_pem),
        reason='Saxta',
    )

    check = signing.validate_pdf(pdf, root_pem=root.certificate_pem)

    assert check.intact
    assert check.signer == ISSUER
    assert not check.trusted
    assert not check.valid


def test_expired_certificate_is_not_trusted_at_a_later_moment(signed: bytes, root: signing.KeyPair) -> None:
    later = signing.validate_pdf(signed, root_pem=root.certificate_pem, moment=NOW + timedelta(days=4 * 365))

    assert later.intact
    assert not later.trusted
    assert not later.valid


def test_appended_update_no_longer_covers_the_whole_file(signed: bytes, root: signing.KeyPair) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.set_info(writer.trailer['/Info'])  # touch the document information: a harmless later revision
    out = io.BytesIO()
    writer.write(out)

    check = signing.validate_pdf(out.getvalue(), root_pem=root.certificate_pem)

    assert check.signed
    assert check.intact
    assert not check.covers_whole_file


def test_unsigned_pdf_is_not_signed(root: signing.KeyPair) -> None:
    check = signing.validate_pdf(render_certificate(make_document()), root_pem=root.certificate_pem)

    assert check == signing.NOT_SIGNED
    assert not check.signed
    assert not check.valid


@pytest.mark.parametrize('garbage', [b'', b'garbage', b'%PDF-1.7\n' + bytes(range(256)) * 4, b'%PDF-1.4\n%%EOF\n'])
def test_garbage_is_not_signed(garbage: bytes, root: signing.KeyPair) -> None:
    check = signing.validate_pdf(garbage, root_pem=root.certificate_pem)

    assert check == signing.NOT_SIGNED


def test_truncated_signed_pdf_is_not_valid(signed: bytes, root: signing.KeyPair) -> None:
    check = signing.validate_pdf(signed[: len(signed) - 300], root_pem=root.certificate_pem)

    assert not check.valid


async def test_works_on_a_thread_that_runs_an_event_loop(signer: signing.PdfSigner, root: signing.KeyPair) -> None:
    # pyhanko runs its own loop: called straight from async code, the work moves to a helper thread
    pdf = signing.sign_pdf(render_certificate(make_document()), signer=signer, reason='Arayış verildi')

    check = signing.validate_pdf(pdf, root_pem=root.certificate_pem)

    assert check.valid


def test_one_signer_serves_several_threads(keypair: signing.KeyPair, root: signing.KeyPair) -> None:
    fresh = signing.make_pdf_signer(keypair, root.certificate_pem)  # nothing parsed yet: the threads race for it
    unsigned = render_certificate(make_document())

    with ThreadPoolExecutor(4) as pool:
        pdfs = list(pool.map(lambda _: signing.sign_pdf(unsigned, signer=fresh, reason='Paralel'), range(8)))
        checks = list(pool.map(lambda pdf: signing.validate_pdf(pdf, root_pem=root.certificate_pem), pdfs))

    assert all(check.valid for check in checks)
