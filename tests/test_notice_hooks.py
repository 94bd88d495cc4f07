"""Notices raised by the portal's own flows, in the transaction of the change that causes them: an agency writing a
citizen's record, a letter moving on or answered, an agency's letter, an application's step on the desk, a
certificate revoked. Each happens once (retries and replays tell nobody twice), reaches only its citizen, and is
announced to the citizen's open pages after the commit. The parent–child links follow the family record.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from portal.errors import Invalid
from portal.store import apikeys, idempotency, letters, registry
from portal.store.actors import ApiActor, PersonActor, Role
from portal.store.demo_notices import seed_notice_settings, seed_notices
from portal.store.idempotency import Idempotency
from portal.store.letters import LetterStatus, Upload
from portal.store.notices import cabinet
from portal.store.notices.models import Delivery, Guardianship, Notice, NoticeSettings
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.services import applications as apps
from portal.store.services import certificates as certs
from tests.builders import collect_events, make_key_with_scopes
from tests.factories import ADDRESS, ID_CARD, NOW, make_citizen, make_key, make_org, make_person, make_record
from tests.letters_kit import PDF, PNG, signed_letter

pytestmark = pytest.mark.usefixtures('store_db')

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
MIA_NAME, MOJ_NAME = 'Daxili İşlər Nazirliyi', 'Ədliyyə Nazirliyi'
POA = {
    'register_no': 'EV-2026/0142',
    'direction': 'given',
    'counterpart': 'Əliyev Rəşad',
    'scope': 'Avtomobilin idarəsi',
    'notary': 'Bakı şəhəri 5 saylı notariat',
    'issued_on': '2025-02-01',
    'expires_on': '2028-02-01',
    'status': 'active',
}
COURT = {
    'case_no': '2(006)-1234/2026',
    'court': 'Bakı şəhəri Nəsimi Rayon Məhkəməsi',
    'kind': 'civil',
    'role': 'defendant',
    'started_on': '2026-11-02',
    'status': 'open',
}
TRAVEL = {'order_no': 'ICR-2026-0456', 'reason': 'Aliment borcu', 'imposed_on': '2026-10-01', 'status': 'active'}
HOUSING = {'reason': 'overcrowded', 'household_size': '4', 'living_space': '31,5', 'details': 'İki otaqlı mənzil'}
HOUSING_FILES = [('housing_statement', Upload('arayış.pdf', PDF)), ('identity_document', Upload('ş.v.png', PNG))]


def at(hours: int) -> Any:
    return NOW + timedelta(hours=hours)


async def notices(person: Person) -> list[tuple[str, str, dict[str, str], str]]:
    """A person's notices, oldest first: (type, key, variables, link)."""
    rows = await Notice.filter(person_id=person.id).order_by('created_at', 'key')
    return [(n.type, n.key, n.params, n.link) for n in rows]


async def text_of(person: Person, lang: str = 'en') -> list[str]:
    """What the citizen reads, newest first."""
    page = await cabinet.list_notices(actor=person.as_actor(), limit=50)
    return [n.text(lang) for n in page.items]


async def agency(code: str, scopes: tuple[str, ...] = ('registry:write',)) -> ApiActor:
    return await apikeys.authenticate(key=await make_key(code, scopes), now=NOW)


async def officer(code: str = 'MIA', fin: str = '4MD5R1X', role: Role = Role.AGENCY_OFFICER) -> PersonActor:
    person, _ = await make_person(
        fin, first='Tural', last='Quliyev', role=role, password=None, org=await make_org(code)
    )
    return person.as_actor()


def notice_events(events: list[Any]) -> int:
    return sum(1 for e in events if e.kind == 'notices.changed')


# --- registry -------------------------------------------------------------------------------------------------------


async def test_a_record_written_by_an_agency_tells_its_citizen_once_per_change() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    mia = await agency('MIA')
    with collect_events(f'citizen:{leyla.id}') as mine, collect_events(f'citizen:{rashad.id}') as theirs:
        first = await registry.upsert_record(actor=mia, fin=A_FIN, kind='address', data=ADDRESS, now=NOW)
    record_id = first.record.id
    expected = ('data_updated', f'data:{record_id}:v1', {'agency': MIA_NAME, 'what': 'Registered address'}, '/cabinet')
    assert await notices(leyla) == [expected]
    assert (await Notice.get(person_id=leyla.id)).organisation_id == (await make_org('MIA')).id
    # announced after the commit, to the citizen only
    assert [e.kind for e in mine] == ['registry.updated', 'notices.changed']
    assert theirs == []

    # the same data again (an agency's retry): the record's version moves on, the citizen is not told again
    again = await registry.upsert_record(actor=mia, fin=A_FIN, kind='address', data=ADDRESS, now=at(1))
    assert again.record.version == 2
    assert len(await notices(leyla)) == 1

    moved = {**ADDRESS, 'street': 'Azadlıq prospekti'}
    await registry.upsert_record(actor=mia, fin=A_FIN, kind='address', data=moved, now=at(2))
    assert [key for _, key, _, _ in await notices(leyla)] == [f'data:{record_id}:v1', f'data:{record_id}:v3']
    assert (await text_of(leyla))[0] == f'{MIA_NAME} updated your data: Registered address.'
    assert await notices(rashad) == []


async def test_a_power_of_attorney_tells_when_its_status_changes() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    moj = await agency('MOJ')
    created = await registry.upsert_record(actor=moj, fin=A_FIN, kind='power_of_attorney', data=POA, now=NOW)
    assert [t for t, *_ in await notices(leyla)] == ['data_updated']  # a new one: only "your data was updated"

    await registry.upsert_record(
        actor=moj, fin=A_FIN, kind='power_of_attorney', data={**POA, 'status': 'revoked'}, now=at(1)
    )
    rows = await notices(leyla)
    assert rows[-1] == (
        'power_of_attorney',
        f'poa:{created.record.id}:v2',
        {'number': 'EV-2026/0142', 'status': 'revoked'},
        '/cabinet',
    )
    assert [t for t, *_ in rows] == ['data_updated', 'data_updated', 'power_of_attorney']
    texts = await text_of(leyla)
    assert 'The legal status of power of attorney No. EV-2026/0142 changed: it is now revoked.' in texts

    # another field changes, the status does not: only the data notice
    await registry.upsert_record(
        actor=moj, fin=A_FIN, kind='power_of_attorney', data={**POA, 'status': 'revoked', 'scope': 'Əmlak'}, now=at(2)
    )
    assert [t for t, *_ in await notices(leyla)].count('power_of_attorney') == 1


async def test_a_new_court_case_is_told_once() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    moj = await agency('MOJ')
    created = await registry.upsert_record(actor=moj, fin=A_FIN, kind='court_case', data=COURT, now=NOW)
    court = (
        'court_case',
        f'court:{created.record.id}',
        {'case': COURT['case_no'], 'court': COURT['court']},
        '/cabinet',
    )
    assert court in await notices(leyla)
    assert sorted(t for t, *_ in await notices(leyla)) == ['court_case', 'data_updated']

    await registry.upsert_record(actor=moj, fin=A_FIN, kind='court_case', data={**COURT, 'status': 'closed'}, now=at(1))
    assert [t for t, *_ in await notices(leyla)].count('court_case') == 1
    assert len(await notices(leyla)) == 3
    assert (
        f'Court proceedings No. {COURT["case_no"]} were started in {COURT["court"]} in which you are a party.'
        in await text_of(leyla)
    )


async def test_a_travel_restriction_is_told_when_imposed_and_when_lifted() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    moj = await agency('MOJ')
    created = await registry.upsert_record(actor=moj, fin=A_FIN, kind='travel_restriction', data=TRAVEL, now=NOW)
    record_id = created.record.id
    await registry.upsert_record(
        actor=moj, fin=A_FIN, kind='travel_restriction', data={**TRAVEL, 'reason': 'Vergi borcu'}, now=at(1)
    )
    lifted = {**TRAVEL, 'reason': 'Vergi borcu', 'status': 'lifted', 'lifted_on': '2026-11-19'}
    await registry.upsert_record(actor=moj, fin=A_FIN, kind='travel_restriction', data=lifted, now=at(2))

    travel = [row for row in await notices(leyla) if row[0] == 'travel_restriction']
    assert travel == [
        ('travel_restriction', f'travel:{record_id}:v1', {'order': 'ICR-2026-0456', 'status': 'active'}, '/cabinet'),
        ('travel_restriction', f'travel:{record_id}:v3', {'order': 'ICR-2026-0456', 'status': 'lifted'}, '/cabinet'),
    ]
    expected = 'The temporary restriction on leaving the country under order No. ICR-2026-0456 is now lifted.'
    assert expected in await text_of(leyla)


async def test_a_failed_write_raises_no_notice() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    moj = await agency('MOJ')
    with pytest.raises(Invalid):
        await registry.upsert_record(
            actor=moj, fin=A_FIN, kind='court_case', data={**COURT, 'status': 'pending'}, now=NOW
        )
    assert await notices(leyla) == []


async def test_guardianship_links_follow_the_family_record() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    aysu = await make_citizen('7KID001', first='Aysu', password=None)
    murad = await make_citizen('7KID002', first='Murad', password=None)
    moj = await agency('MOJ')

    def member(fin: str, relation: str, first: str = 'Ad') -> dict[str, str]:
        return {
            'fin': fin,
            'first_name': first,
            'last_name': 'Əliyev',
            'relation': relation,
            'birth_date': '2019-04-02',
        }

    async def family(fin: str, *members: dict[str, str]) -> None:
        await registry.upsert_record(actor=moj, fin=fin, kind='family', data={'members': list(members)}, now=NOW)

    async def links() -> set[tuple[UUID, UUID]]:
        rows = await Guardianship.all().values_list('parent_id', 'child_id')
        return {(UUID(str(p)), UUID(str(c))) for p, c in rows}

    # a spouse is not a child; a child unknown to the portal cannot be linked
    await family(A_FIN, member(B_FIN, 'spouse'), member('7KID001', 'child'), member('9ZZZ999', 'child'))
    assert await links() == {(leyla.id, aysu.id)}
    await family(A_FIN, member(B_FIN, 'spouse'), member('7KID001', 'child'), member('7KID002', 'child'))
    assert await links() == {(leyla.id, aysu.id), (leyla.id, murad.id)}
    await family(B_FIN, member(A_FIN, 'spouse'), member('7KID002', 'child'))
    assert await links() == {(leyla.id, aysu.id), (leyla.id, murad.id), (rashad.id, murad.id)}
    # no longer listed: unlinked (the other parent's link stays)
    await family(A_FIN, member(B_FIN, 'spouse'), member('7KID001', 'child'))
    assert await links() == {(leyla.id, aysu.id), (rashad.id, murad.id)}
    await family(A_FIN, member(B_FIN, 'spouse'))
    assert await links() == {(rashad.id, murad.id)}


# --- letters --------------------------------------------------------------------------------------------------------


async def test_a_letters_steps_and_its_answer_are_told_once_each() -> None:
    await make_org('MIA')
    leyla, key = await make_person(A_FIN, password=None)
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    sent = await signed_letter(leyla, key, title='Ünvan arayışı')
    assert await notices(leyla) == []  # the citizen's own sending raises nothing
    desk = await officer()
    link = f'/letters/{sent.id}'
    with collect_events(f'citizen:{leyla.id}') as mine:
        await letters.set_status(actor=desk, letter_id=sent.id, status=LetterStatus.RECEIVED, now=at(1))
        await letters.set_status(actor=desk, letter_id=sent.id, status=LetterStatus.UNDER_REVIEW, now=at(2))
        # only the deadline is extended: no new status, nothing to tell
        await letters.set_status(
            actor=desk, letter_id=sent.id, status=LetterStatus.UNDER_REVIEW, investigation_reason='Arxiv', now=at(3)
        )
        await letters.answer_letter(actor=desk, letter_id=sent.id, text='Ünvanınız yeniləndi.', uploads=[], now=at(4))

    assert await notices(leyla) == [
        ('letter_status', f'letter:{sent.id}:received', {'title': 'Ünvan arayışı', 'status': 'accepted'}, link),
        ('letter_status', f'letter:{sent.id}:under_review', {'title': 'Ünvan arayışı', 'status': 'under review'}, link),
        ('letter_answered', f'letter:{sent.id}:answered', {'agency': MIA_NAME, 'title': 'Ünvan arayışı'}, link),
    ]
    assert notice_events(mine) == 3
    assert (await text_of(leyla))[0] == f'{MIA_NAME} answered your letter “Ünvan arayışı”.'
    assert (await text_of(leyla))[-1] == 'Your letter “Ünvan arayışı” is now accepted.'
    assert await notices(rashad) == []


async def test_rejection_and_forwarding_are_told_and_a_replayed_request_tells_nothing_again() -> None:
    await make_org('MIA')
    await make_org('MOJ')
    leyla, key = await make_person(A_FIN, password=None)
    first = await signed_letter(leyla, key, title='Birinci')
    second = await signed_letter(leyla, key, title='İkinci')
    api = await agency('MIA', ('letters:read', 'letters:write'))
    idem = Idempotency.of(client_id=api.client_id, key='r-1', operation='reject', payload={'id': str(first.id)})
    for _ in range(2):
        await letters.set_status(
            actor=api, letter_id=first.id, status=LetterStatus.REJECTED, reason='Aidiyyatı yoxdur', now=NOW, idem=idem
        )
    await letters.forward_letter(actor=await officer(), letter_id=second.id, to_code='MOJ', note='', now=at(1))

    assert await notices(leyla) == [
        (
            'letter_status',
            f'letter:{first.id}:rejected',
            {'title': 'Birinci', 'status': 'rejected'},
            f'/letters/{first.id}',
        ),
        (
            'letter_status',
            f'letter:{second.id}:forwarded',
            {'title': 'İkinci', 'status': 'forwarded'},
            f'/letters/{second.id}',
        ),
    ]


async def test_a_step_that_fails_after_the_notice_leaves_no_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    await make_org('MIA')
    leyla, key = await make_person(A_FIN, password=None)
    sent = await signed_letter(leyla, key)

    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError('disk full')

    monkeypatch.setattr(idempotency, 'remember', broken)
    with collect_events(f'citizen:{leyla.id}') as mine, pytest.raises(RuntimeError):
        await letters.set_status(actor=await officer(), letter_id=sent.id, status=LetterStatus.RECEIVED, now=NOW)
    assert await notices(leyla) == []
    assert mine == []


async def test_a_letter_an_agency_writes_is_told_once() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    api = await agency('MIA', ('letters:read', 'letters:write'))
    idem = Idempotency.of(client_id=api.client_id, key='w-1', operation='POST /letters', payload={'t': 1})
    for _ in range(2):
        view = await letters.send_to_citizen(
            actor=api, fin=A_FIN, title='Bildiriş', body='Vəsiqənizin müddəti bitir.', uploads=[], now=NOW, idem=idem
        )
    assert await notices(leyla) == [
        ('letter_received', f'letter:{view.id}:sent', {'agency': MIA_NAME, 'title': 'Bildiriş'}, f'/letters/{view.id}')
    ]
    assert await text_of(leyla) == [f'{MIA_NAME} wrote to you: “Bildiriş”.']
    assert await notices(rashad) == []


# --- applications ---------------------------------------------------------------------------------------------------


async def _applicant(fin: str = A_FIN) -> Person:
    person = await make_citizen(fin, password=None)
    await make_record(person, 'address', ADDRESS)
    await make_org('IH-NESIMI')
    return person


async def _submit(person: Person) -> apps.ApplicationView:
    return await apps.submit_application(
        actor=person.as_actor(),
        form='housing_queue',
        service_code='ih-housing-queue',
        executive_code='IH-NESIMI',
        answers=dict(HOUSING),
        uploads=list(HOUSING_FILES),
        now=NOW,
    )


async def test_every_step_on_the_desk_is_told_even_the_same_step_twice() -> None:
    leyla = await _applicant()
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    view = await _submit(leyla)
    assert await notices(leyla) == []  # the citizen's own submission raises nothing
    desk = await officer('IH-NESIMI', '6NS2K8V', Role.EXECUTIVE_OFFICER)
    me = leyla.as_actor()
    with collect_events(f'citizen:{leyla.id}') as mine:
        await apps.take_for_review(actor=desk, application_id=view.id, now=at(1))
        await apps.request_information(actor=desk, application_id=view.id, note='Əmlak arayışı', now=at(2))
        await apps.provide_information(actor=me, application_id=view.id, note='Əlavə etdim.', uploads=[], now=at(3))
        await apps.request_information(actor=desk, application_id=view.id, note='Yenə', now=at(4))
        await apps.provide_information(actor=me, application_id=view.id, note='Budur.', uploads=[], now=at(5))
        await apps.approve_application(actor=desk, application_id=view.id, decision='Növbəyə alınsın.', now=at(6))

    service, link = 'Registration in the housing queue', f'/applications/{view.id}'

    def told(status: str, word: str, step: int) -> tuple[str, str, dict[str, str], str]:
        params = {'number': view.number, 'service': service, 'status': word}
        return ('application_status', f'application:{view.id}:{status}:{step}', params, link)

    assert await notices(leyla) == [
        told('under_review', 'under review', 2),
        told('needs_info', 'more information needed', 3),
        told('needs_info', 'more information needed', 5),
        told('approved', 'approved', 7),
    ]
    assert notice_events(mine) == 4
    assert (await text_of(leyla))[0] == f'Your application No. {view.number} ({service}) is now approved.'
    assert await notices(rashad) == []


async def test_a_rejection_is_told_and_a_refused_step_tells_nothing() -> None:
    leyla = await _applicant()
    view = await _submit(leyla)
    desk = await officer('IH-NESIMI', '6NS2K8V', Role.EXECUTIVE_OFFICER)
    await apps.reject_application(actor=desk, application_id=view.id, reason='Sənədlər natamamdır', now=at(1))
    with pytest.raises(Invalid):
        await apps.take_for_review(actor=desk, application_id=view.id, now=at(2))
    rows = await notices(leyla)
    assert [(t, p['status']) for t, _, p, _ in rows] == [('application_status', 'rejected')]


# --- certificates ---------------------------------------------------------------------------------------------------


async def test_a_revoked_certificate_is_told_once_with_its_reason() -> None:
    leyla = await make_citizen(A_FIN, password=None)
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    await make_record(leyla, 'id_card', ID_CARD)
    view = await certs.issue_certificate(actor=leyla.as_actor(), template='id_card', now=NOW, lang='az')
    other = await certs.issue_certificate(actor=leyla.as_actor(), template='id_card', now=NOW, lang='az')
    assert await notices(leyla) == []
    desk = await officer()
    with collect_events(f'citizen:{leyla.id}') as mine:
        await certs.revoke_certificate(actor=desk, code=view.code, reason='Sənəd  dəyişdi', now=at(1))
    with pytest.raises(Invalid):
        await certs.revoke_certificate(actor=desk, code=view.code, reason='Yenə', now=at(2))

    params = {'agency': MIA_NAME, 'title': view.title, 'code': view.code, 'reason': 'Sənəd dəyişdi'}
    link = f'/documents/certificates/{view.id}'
    assert await notices(leyla) == [('certificate_revoked', f'certificate:{view.id}:revoked', params, link)]
    assert notice_events(mine) == 1
    assert (await text_of(leyla)) == [
        f'{MIA_NAME} revoked your certificate “{view.title}” (code {view.code}): Sənəd dəyişdi'
    ]

    # a reason longer than a notice's variable: the certificate keeps it whole, the notice a shortened one
    api = await apikeys.authenticate(key=await make_key_with_scopes('MIA', ['certificates:write']), now=NOW)
    long = 'Səhv məlumat. ' * 30
    revoked = await certs.revoke_certificate(actor=api, code=other.code, reason=long, now=at(3))
    assert revoked.revoked_reason == long.strip()
    newest = await Notice.get(key=f'certificate:{other.id}:revoked')
    assert long.strip().startswith(newest.params['reason']) and len(newest.params['reason']) <= 300
    assert await notices(rashad) == []


# --- demo -----------------------------------------------------------------------------------------------------------


async def test_the_demo_links_families_sets_the_personas_choices_and_runs_the_real_reminders() -> None:
    leyla = await make_citizen('5ZK2M7R', password=None)
    rashad = await make_citizen('2HT8P4N', first='Rəşad', password=None)
    gunel = await make_citizen('7QW3E9D', first='Günel', password=None)
    # a child whose first birthday (MMR 1, PCV 3) is three days after NOW
    kid = await make_citizen('7KID001', first='Aysu', password=None)
    await Person.filter(id=kid.id).update(birth_date=date(2025, 11, 23))
    child = {
        'fin': '7KID001',
        'first_name': 'Aysu',
        'last_name': 'Əliyeva',
        'relation': 'child',
        'birth_date': '2025-11-23',
    }
    for parent, spouse in ((leyla, '2HT8P4N'), (rashad, '5ZK2M7R')):
        spouse_row = {**child, 'fin': spouse, 'relation': 'spouse', 'birth_date': '1990-05-17'}
        await make_record(parent, 'family', {'members': [spouse_row, child]}, source='MOJ')
    card = await make_record(leyla, 'id_card', {**ID_CARD, 'expires_on': '2026-12-20'})
    await RegistryRecord.filter(id=card.id).update(valid_until=date(2026, 12, 20))  # 30 days after NOW

    await seed_notice_settings(now=NOW)
    made = await seed_notices(now=NOW)

    assert made == {'guardianships': 2, 'document_expiry': 1, 'vaccination_due': 4}
    links = {(UUID(str(p)), UUID(str(c))) for p, c in await Guardianship.all().values_list('parent_id', 'child_id')}
    assert links == {(leyla.id, kid.id), (rashad.id, kid.id)}
    settings = {s.person_id: s for s in await NoticeSettings.all()}
    assert (settings[leyla.id].email, settings[leyla.id].phone, settings[leyla.id].digest) == (
        'leyla.memmedova@example.az',
        '+994501112233',
        False,
    )
    assert settings[rashad.id].digest is True and settings[rashad.id].email
    assert gunel.id not in settings  # the defaults

    assert sorted(t for t, *_ in await notices(leyla)) == ['document_expiry', 'vaccination_due', 'vaccination_due']
    assert sorted(t for t, *_ in await notices(rashad)) == ['vaccination_due', 'vaccination_due']
    assert await notices(gunel) == []
    # nothing is pretended: Leyla's SMS and e-mails wait for the outbox, Rəşad's e-mails for his digest
    deliveries = Counter(
        (UUID(str(p)), str(c), str(s)) for p, c, s in await Delivery.all().values_list('person_id', 'channel', 'state')
    )
    assert deliveries == {
        (leyla.id, 'sms', 'queued'): 3,
        (leyla.id, 'email', 'queued'): 3,
        (rashad.id, 'email', 'digest'): 2,
    }
    # the jobs' keys make a second run (the scheduler's own, the same day) create nothing
    assert await seed_notices(now=NOW) == {'guardianships': 2, 'document_expiry': 0, 'vaccination_due': 0}
    assert await Notice.all().count() == 5
