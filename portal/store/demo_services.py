"""Demo e-services: the catalogue, the portal's certificate authority, and applications to the Nəsimi executive in
every state, made through the same use cases a citizen and an officer use (so the demo obeys the same rules).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from fpdf import FPDF

from portal.receipts import FONT, _font_path
from portal.store.letters.files import Upload
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.services import applications as apps
from portal.store.services import certificates, pki
from portal.store.services.catalogue import load_catalogue
from portal.store.services.forms import get_form

SEED = 20261201
# Leyla lives in Nəsimi, where the demo's executive officer works, and is an internally displaced person
HOME_PERSONA = '5ZK2M7R'
HOME_REGION = 'Nəsimi'
HOME_EXECUTIVE = 'IH-NESIMI'
PERSONA_IDP = {
    'status': 'idp',
    'card_series': 'MK',
    'card_number': '0412957',
    'origin': 'Şuşa rayonu',
    'issued_on': '2023-03-14',
    'expires_on': '2028-03-14',
}
Row = tuple[Person, str, str, dict[str, Any]]


def persona_rows(rows: list[Row]) -> list[Row]:
    """Give the home persona a Nəsimi address and an IDP status (the records of everyone else are left as drawn)."""
    out: list[Row] = []
    has_idp = False
    persona: Person | None = None
    for person, kind, source, data in rows:
        if person.fin == HOME_PERSONA:
            persona = person
            has_idp = has_idp or kind == 'idp_status'
            if kind == 'address':
                out.append((person, kind, source, {**data, 'region': HOME_REGION, 'city': 'Bakı'}))
                continue
        out.append((person, kind, source, data))
    if persona is not None and not has_idp:
        out.append((persona, 'idp_status', 'QMIDK', dict(PERSONA_IDP)))
    return out


async def seed_services(*, now: datetime) -> None:
    await load_catalogue()
    await pki.ensure_root(now=now)
    rng = random.Random(SEED)
    executive = await Organisation.get(code=HOME_EXECUTIVE)
    officer = await Person.filter(organisation_id=executive.id).order_by('fin').first()
    leyla = await Person.get(fin=HOME_PERSONA)
    neighbours = await _residents(HOME_REGION, exclude=leyla.id)
    assert officer is not None
    desk = officer.as_actor()

    await certificates.issue_certificate(
        actor=leyla.as_actor(), template='residence', now=now - timedelta(days=3), lang='az'
    )
    approved = await _apply(leyla, 'housing_queue', _HOUSING, now - timedelta(days=20))
    await apps.take_for_review(actor=desk, application_id=approved.id, now=now - timedelta(days=18))
    await apps.approve_application(
        actor=desk,
        application_id=approved.id,
        decision='Ailə mənzil növbəsinə 2026-cı il üzrə 1184 saylı növbə ilə alınsın.',
        now=now - timedelta(days=9),
    )
    asked = await _apply(leyla, 'construction_permit', _CONSTRUCTION, now - timedelta(days=6))
    await apps.take_for_review(actor=desk, application_id=asked.id, now=now - timedelta(days=5))
    await apps.request_information(
        actor=desk,
        application_id=asked.id,
        note='Torpaq sahəsinin kadastr planını əlavə edin.',
        now=now - timedelta(days=4),
    )
    for index, person in enumerate(neighbours[:4]):
        form, answers = rng.choice(_OTHERS)
        made = await _apply(person, form, answers, now - timedelta(days=rng.randint(1, 25), hours=index))
        if index == 1:
            await apps.take_for_review(actor=desk, application_id=made.id, now=now - timedelta(hours=5))
        if index == 2:
            await apps.reject_application(
                actor=desk,
                application_id=made.id,
                reason='Təqdim olunan sənəd torpaq sahəsinin mülkiyyətini təsdiq etmir.',
                now=now - timedelta(hours=2),
            )


async def _residents(region: str, *, exclude: Any) -> list[Person]:
    rows = await RegistryRecord.filter(kind='address').values('person_id', 'data')
    ids = [r['person_id'] for r in rows if r['data'].get('region') == region and r['person_id'] != exclude]
    return await Person.filter(id__in=ids, role='citizen').order_by('fin')


async def _apply(person: Person, form: str, answers: dict[str, Any], at: datetime) -> apps.ApplicationView:
    spec = get_form(form)
    uploads = [(d.name, Upload(f'{d.name}.pdf', _document_pdf(d.name))) for d in spec.documents if d.required]
    return await apps.submit_application(
        actor=person.as_actor(),
        form=form,
        service_code=f'ih-{form.replace("_", "-")}',
        executive_code=HOME_EXECUTIVE,
        answers=answers,
        uploads=uploads,
        now=at,
    )


@cache
def _document_pdf(name: str) -> bytes:
    """A small real PDF standing in for a scanned document the citizen attached."""
    pdf = FPDF(format='A4')
    pdf.add_font(FONT, '', _font_path())
    pdf.add_page()
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(0, 6, f'Nümunə sənəd: {name}\nDemo məqsədi ilə yaradılıb.')
    return bytes(pdf.output())


_HOUSING = {'reason': 'overcrowded', 'household_size': 5, 'living_space': '38', 'details': 'Beş nəfər iki otaqda.'}
_CONSTRUCTION = {
    'plot_address': 'Mərdəkan qəsəbəsi, 14-cü döngə',
    'cadastre_no': '1102-0457-9931',
    'floors': 2,
    'built_area': '160',
}
_OTHERS: list[tuple[str, dict[str, Any]]] = [
    (
        'farm_subsidy',
        {
            'village': 'Pirşağı',
            'plot_no': '311',
            'area_ha': '3.2',
            'crop': 'wheat',
            'sown_on': date(2026, 10, 12).isoformat(),
        },
    ),
    (
        'address_assignment',
        {'location': 'Nəsimi rayonu, Şərifzadə küçəsi', 'cadastre_no': '1101-2231-0042', 'building_use': 'house'},
    ),
    (
        'outdoor_advertising',
        {
            'location': 'Füzuli küçəsi 41',
            'structure': 'sign',
            'width_m': '4',
            'height_m': '1.2',
            'until': date(2027, 12, 31).isoformat(),
        },
    ),
    ('housing_queue', {'reason': 'no_housing', 'household_size': 3, 'living_space': '0'}),
]
