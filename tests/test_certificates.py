"""E-certificates: issued from registry data as signed PDFs, verified by code or by file, revoked by the issuer."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from portal import live
from portal.documents import signing
from portal.errors import Forbidden, Invalid, NotFound, Throttled
from portal.store import audit
from portal.store.actors import Role
from portal.store.letters import files
from portal.store.letters.common import purge_orphan_files
from portal.store.people import Person
from portal.store.services import certificates as certs
from portal.store.services import pki
from portal.store.services.models import Certificate
from portal.store.services.templates import TEMPLATES
from tests.builders import make_key_with_scopes
from tests.factories import ADDRESS, ID_CARD, NOW, make_citizen, make_org, make_person, make_record

pytestmark = pytest.mark.usefixtures('store_db')

IDP = {
    'status': 'idp',
    'card_series': 'MK',
    'card_number': '0456789',
    'origin': 'Şuşa rayonu',
    'issued_on': '2019-04-02',
    'expires_on': '2029-04-02',
}
# one record of each kind a template reads, so that every template has something to certify
RECORDS: dict[str, tuple[str, dict[str, Any]]] = {
    'idp_status': ('QMIDK', IDP),
    'address': ('MIA', ADDRESS),
    'family': (
        'MOJ',
        {
            'members': [
                {
                    'fin': '7QW3E9D',
                    'first_name': 'Günel',
                    'last_name': 'Hüseynova',
                    'relation': 'spouse',
                    'birth_date': '1991-02-03',
                }
            ]
        },
    ),
    'employment': (
        'MLSPP',
        {'contract_no': 'EM-1', 'employer': 'Azərişıq ASC', 'position': 'Mühəndis', 'started_on': '2020-01-15'},
    ),
    'military_registration': (
        'SHXCDX',
        {'status': 'reserve', 'office': 'Nəsimi rayon hərbi komissarlığı', 'registered_on': '2008-05-01'},
    ),
    'military_service': (
        'SHXCDX',
        {
            'service_no': 'HX-77',
            'unit': 'N saylı hərbi hissə',
            'rank': 'çavuş',
            'started_on': '2008-07-01',
            'ended_on': '2009-12-30',
        },
    ),
    'driving_licence': (
        'DYP',
        {'number': 'AB123456', 'categories': 'B', 'issued_on': '2016-06-01', 'expires_on': '2031-06-01'},
    ),
    'vehicle': (
        'DYP',
        {
            'plate': '10-AB-123',
            'make': 'Toyota',
            'model': 'Corolla',
            'year': '2018',
            'registered_on': '2019-03-01',
            'certificate_no': 'NV-556677',
        },
    ),
    'fine': (
        'DYP',
        {
            'protocol_no': 'YP-2026-1',
            'issued_on': '2026-10-01',
            'article': '328.1',
            'description': 'Sürət həddinin aşılması',
            'plate': '10-AB-123',
            'amount': '40.00',
            'due_on': '2026-11-30',
            'status': 'unpaid',
        },
    ),
    'id_card': ('MIA', ID_CARD),
    'passport': (
        'MIA',
        {'number': 'C01234567', 'issued_on': '2020-02-02', 'expires_on': '2030-02-02', 'issued_by': 'DİN'},
    ),
    'diploma': (
        'MSE',
        {
            'diploma_no': 'BD-445566',
            'institution': 'Bakı Dövlət Universiteti',
            'speciality': 'Hüquqşünaslıq',
            'degree': 'bachelor',
            'issued_on': '2012-06-30',
        },
    ),
    'power_of_attorney': (
        'MOJ',
        {
            'register_no': 'E-99',
            'direction': 'given',
            'counterpart': 'Əliyev Rəşad',
            'scope': 'Avtomobilin idarəsi',
            'notary': '5 saylı notariat kontoru',
            'issued_on': '2025-01-10',
            'expires_on': '2027-01-10',
            'status': 'active',
        },
    ),
}
# a value each template must print (the PDF's text is checked for it)
EXPECTED = {
    'idp_status': '0456789',
    'residence': 'Füzuli küçəsi',
    'family': 'Günel Hüseynova',
    'employment': 'Azərişıq ASC',
    'military_registration': 'Nəsimi rayon hərbi komissarlığı',
    'military_service': 'N saylı hərbi hissə',
    'driving_licence': 'AB123456',
    'vehicles': '10-AB-123',
    'fines': 'YP-2026-1',
    'id_card': '12345678',
    'passport': 'C01234567',
    'diploma': 'Bakı Dövlət Universiteti',
    'power_of_attorney': 'Avtomobilin idarəsi',
}


async def _with_all_records(fin: str = '5ABC123') -> Person:
    person = await make_citizen(fin, first='Gülçöhrə', last='Şəkərbəyli')
    for kind, (source, data) in RECORDS.items():
        await make_record(person, kind, data, source=source)
    return person


def _text(content: bytes) -> str:
    return '\n'.join(page.extract_text() or '' for page in PdfReader(io.BytesIO(content)).pages)


async def test_every_template_is_issued_signed_and_carries_its_values() -> None:
    person = await _with_all_records()
    actor = person.as_actor()
    root = await pki.ensure_root(now=NOW)
    assert set(EXPECTED) == set(TEMPLATES)
    for template, value in EXPECTED.items():
        view = await certs.issue_certificate(actor=actor, template=template, now=NOW, lang='az')
        name, content = await certs.read_certificate_pdf(actor=actor, certificate_id=view.id)
        assert name == f'arayis-{view.code}.pdf'
        text = _text(content)
        assert value in text, template
        assert 'Şəkərbəyli' in text and 'Gülçöhrə' in text  # ə, ş, ü, ç, ö survive the PDF
        assert view.code in text
        check = signing.validate_pdf(content, root_pem=root)
        assert check.valid and check.intact and check.trusted, template
        assert view.status(NOW.date()) == 'valid'


async def test_idp_certificate_has_the_seeds_fields_and_a_qr_link() -> None:
    person = await make_citizen()
    await make_record(person, 'idp_status', IDP, source='QMIDK')
    view = await certs.issue_certificate(actor=person.as_actor(), template='idp_status', now=NOW, lang='en')
    rows = dict(r for s in view.sections for r in s.rows)
    assert (rows['Surname'], rows['First name'], rows['Date of birth']) == ('Məmmədova', 'Leyla', '17.05.1990')
    assert (rows['Status'], rows['Card series'], rows['IDP card number']) == (
        'internally displaced person',
        'MK',
        '0456789',
    )
    assert rows['Issued on'] == '02.04.2019' and rows['Valid until'] == '02.04.2029'
    # the certificate never outlives the IDP card, and holds 30 days at most
    assert view.valid_until == NOW.date() + timedelta(days=30)
    _, content = await certs.read_certificate_pdf(actor=person.as_actor(), certificate_id=view.id)
    assert f'/verify/{view.code}' in _text(content)
    assert certs.verify_url(view.code).endswith(f'/verify/{view.code}')


async def test_no_record_is_a_clear_answer_not_an_empty_certificate() -> None:
    person = await make_citizen()
    await make_record(person, 'idp_status', {**IDP, 'status': 'none'}, source='QMIDK')
    with pytest.raises(Invalid) as caught:
        await certs.issue_certificate(actor=person.as_actor(), template='idp_status', now=NOW, lang='az')
    assert caught.value.code == 'no_record'
    with pytest.raises(Invalid):
        await certs.preview_certificate(actor=person.as_actor(), template='vehicles', lang='az')
    assert await Certificate.all().count() == 0
    # no fines is itself certified
    await make_org('DYP')
    view = await certs.issue_certificate(actor=person.as_actor(), template='fines', now=NOW, lang='en')
    assert view.sections[-1].rows == (('Records', 'No fines are recorded.'),)


async def test_issuing_writes_history_and_publishes() -> None:
    person = await make_citizen()
    await make_record(person, 'address', ADDRESS)
    seen: list[live.Event] = []
    live.hub.subscribe(person.topic, seen.append)
    view = await certs.issue_certificate(actor=person.as_actor(), template='residence', now=NOW, lang='az')
    assert [e.kind for e in seen] == ['certificate.issued']
    history = await audit.list_history(actor=person.as_actor(), person_id=person.id)
    assert history[0].kind is audit.HistoryKind.SERVICE_USED
    assert history[0].detail['code'] == view.code
    mine = await certs.list_certificates(actor=person.as_actor(), person_id=person.id)
    assert [c.id for c in mine] == [view.id]


async def test_someone_else_cannot_see_or_download_a_certificate() -> None:
    owner = await make_citizen('5ABC123')
    await make_record(owner, 'address', ADDRESS)
    view = await certs.issue_certificate(actor=owner.as_actor(), template='residence', now=NOW, lang='az')
    other = await make_citizen('6DEF456', first='Rəşad', last='Əliyev')
    for call in (certs.get_certificate, certs.read_certificate_pdf):
        with pytest.raises(NotFound):
            await call(actor=other.as_actor(), certificate_id=view.id)
    with pytest.raises(NotFound):
        await certs.list_certificates(actor=other.as_actor(), person_id=owner.id)
    # an officer of another agency neither; the issuer's officer may
    moj = await make_org('MOJ')
    stranger, _ = await make_person('7MOJ001', role=Role.AGENCY_OFFICER, org=moj)
    with pytest.raises(NotFound):
        await certs.get_certificate(actor=stranger.as_actor(), certificate_id=view.id)
    mia_officer, _ = await make_person('7MIA001', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    assert (await certs.get_certificate(actor=mia_officer.as_actor(), certificate_id=view.id)).code == view.code


@pytest.mark.parametrize('raw', ['', 'ABC', 'K7QD-2M9X-P4TR-8ZH', 'K7QD-2M9X-P4TR-8ZHW-1', 'K7QD-2M9X-P4TR-8ZH!'])
async def test_a_malformed_code_is_named(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        await certs.verify_code(code=raw, address='10.0.0.1', now=NOW)
    assert caught.value.code == 'malformed_code'


def test_codes_are_read_forgivingly() -> None:
    assert certs.normalise_code('k7qd 2m9x p4tr 8zhw') == 'K7QD-2M9X-P4TR-8ZHW'
    assert certs.normalise_code('O1IL-0000-0000-0000') == '0111-0000-0000-0000'
    code = certs.new_code()
    assert certs.normalise_code(code) == code and len(code) == 19


async def test_verification_valid_expired_revoked_unknown_and_tampered() -> None:
    person = await make_citizen()
    await make_record(person, 'id_card', ID_CARD)
    view = await certs.issue_certificate(actor=person.as_actor(), template='id_card', now=NOW, lang='az')
    found = await certs.verify_code(code=view.code.lower(), address='10.0.0.1', now=NOW)
    assert (found.status, found.holder_initials, found.issuer_name_az) == ('valid', 'L. M.', 'Daxili İşlər Nazirliyi')
    later = NOW + timedelta(days=31)
    assert (await certs.verify_code(code=view.code, address='10.0.0.9', now=later)).status == 'expired'
    with pytest.raises(NotFound) as unknown:
        await certs.verify_code(code='0000-0000-0000-0000', address='10.0.0.1', now=NOW)
    assert unknown.value.code == 'unknown_code'

    _, content = await certs.read_certificate_pdf(actor=person.as_actor(), certificate_id=view.id)
    assert (await certs.verify_file(content=content, address='10.0.0.2', now=NOW)).file_matches is True
    tampered = bytearray(content)
    tampered[len(tampered) // 2] ^= 0x01
    with pytest.raises(Invalid) as changed:
        await certs.verify_file(content=bytes(tampered), address='10.0.0.2', now=NOW)
    assert changed.value.code == 'not_issued'
    with_code = await certs.verify_file(content=bytes(tampered), code=view.code, address='10.0.0.2', now=NOW)
    assert with_code.file_matches is False
    with pytest.raises(Invalid) as not_pdf:
        await certs.verify_file(content=b'hello', address='10.0.0.2', now=NOW)
    assert not_pdf.value.code == 'not_pdf'

    officer, _ = await make_person('7MIA001', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    revoked = await certs.revoke_certificate(actor=officer.as_actor(), code=view.code, reason='Səhv məlumat', now=NOW)
    assert revoked.revoked_at == NOW
    after = await certs.verify_code(code=view.code, address='10.0.0.3', now=NOW)
    assert (after.status, after.revoked_on) == ('revoked', NOW.date())


async def test_only_the_issuer_revokes_with_a_reason_once() -> None:
    person = await make_citizen()
    await make_record(person, 'id_card', ID_CARD)
    view = await certs.issue_certificate(actor=person.as_actor(), template='id_card', now=NOW, lang='az')
    moj_officer, _ = await make_person('7MOJ001', role=Role.AGENCY_OFFICER, org=await make_org('MOJ'))
    with pytest.raises(NotFound):
        await certs.revoke_certificate(actor=moj_officer.as_actor(), code=view.code, reason='x', now=NOW)
    with pytest.raises(Forbidden):
        await certs.revoke_certificate(actor=person.as_actor(), code=view.code, reason='x', now=NOW)
    officer, _ = await make_person('7MIA001', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    with pytest.raises(Invalid) as empty:
        await certs.revoke_certificate(actor=officer.as_actor(), code=view.code, reason='  ', now=NOW)
    assert empty.value.field == 'reason'
    seen: list[live.Event] = []
    live.hub.subscribe(person.topic, seen.append)
    await certs.revoke_certificate(actor=officer.as_actor(), code=view.code, reason='Sənəd dəyişdi', now=NOW)
    assert [e.kind for e in seen] == ['certificate.revoked', 'notices.changed']  # and the citizen is told
    with pytest.raises(Invalid) as twice:
        await certs.revoke_certificate(actor=officer.as_actor(), code=view.code, reason='again', now=NOW)
    assert twice.value.code == 'already_revoked'
    # an integration of the issuer with the scope may revoke too; without it, not
    from portal.store.apikeys import authenticate

    other = await certs.issue_certificate(actor=person.as_actor(), template='id_card', now=NOW, lang='az')
    no_scope = await authenticate(key=await make_key_with_scopes('MIA', ['letters:read']), now=NOW)
    with pytest.raises(Forbidden):
        await certs.revoke_certificate(actor=no_scope, code=other.code, reason='x', now=NOW)
    api = await authenticate(key=await make_key_with_scopes('MIA', ['certificates:write']), now=NOW)
    assert (await certs.revoke_certificate(actor=api, code=other.code, reason='Köhnə', now=NOW)).revoked_reason


async def test_verification_is_rate_limited_per_address() -> None:
    for _ in range(certs.VERIFY_POLICY.free):
        with pytest.raises(NotFound):
            await certs.verify_code(code='0000-0000-0000-0000', address='10.9.9.9', now=NOW)
    with pytest.raises(Throttled) as slow:
        await certs.verify_code(code='0000-0000-0000-0000', address='10.9.9.9', now=NOW)
    assert slow.value.retry_after >= 1
    # another address is not slowed down
    with pytest.raises(NotFound):
        await certs.verify_code(code='0000-0000-0000-0000', address='10.9.9.10', now=NOW)


async def test_a_failed_record_leaves_no_file_and_the_sweep_keeps_issued_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    person = await make_citizen()
    await make_record(person, 'address', ADDRESS)
    view = await certs.issue_certificate(actor=person.as_actor(), template='residence', now=NOW, lang='az')
    row = await Certificate.get(id=view.id)
    assert files.sha256_of(row.storage_name) == row.sha256
    # the nightly sweep must not take an issued certificate's file
    import os
    import time

    path = files.folder() / row.storage_name
    os.utime(path, (time.time() - 86_400 * 3, time.time() - 86_400 * 3))
    await purge_orphan_files(now=NOW.replace(year=2030))
    assert path.exists()

    before = set(files.folder().iterdir())

    async def broken(**_: Any) -> None:
        raise RuntimeError('database gone')

    monkeypatch.setattr(certs, 'record_event', broken)
    with pytest.raises(RuntimeError):
        await certs.issue_certificate(actor=person.as_actor(), template='residence', now=NOW, lang='az')
    assert set(files.folder().iterdir()) == before
    assert await Certificate.all().count() == 1
