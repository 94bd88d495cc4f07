"""Applications to local executives: form schema, prefilled applicant, attachments, region rule, desk, decision."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from portal import live
from portal.documents import signing
from portal.errors import Forbidden, Invalid, NotFound
from portal.store import audit
from portal.store.actors import Role
from portal.store.apikeys import authenticate
from portal.store.letters.files import Upload
from portal.store.people import Person
from portal.store.services import applications as apps
from portal.store.services import certificates as certs
from portal.store.services import pki
from portal.store.services.forms import FORMS, clean_answers
from portal.store.services.models import Application, ApplicationFile, ApplicationStatus
from portal.store.workdays import add_working_days
from tests.builders import make_key_with_scopes
from tests.factories import ADDRESS, NOW, make_citizen, make_org, make_person, make_record
from tests.letters_kit import HTML, PDF, PNG

pytestmark = pytest.mark.usefixtures('store_db')

HOUSING = {'reason': 'overcrowded', 'household_size': '4', 'living_space': '31,5', 'details': 'İki otaqlı mənzil'}
HOUSING_FILES = [('housing_statement', Upload('arayış.pdf', PDF)), ('identity_document', Upload('ş.v.png', PNG))]


async def _citizen(fin: str = '5ABC123', region: str = 'Nəsimi') -> Person:
    person = await make_citizen(fin)
    await make_record(person, 'address', {**ADDRESS, 'region': region})
    return person


async def _submit(person: Person, **overrides: Any) -> apps.ApplicationView:
    await make_org('IH-NESIMI')
    args: dict[str, Any] = {
        'form': 'housing_queue',
        'service_code': 'ih-housing-queue',
        'executive_code': 'IH-NESIMI',
        'answers': dict(HOUSING),
        'uploads': list(HOUSING_FILES),
        'now': NOW,
    }
    args.update(overrides)
    return await apps.submit_application(actor=person.as_actor(), **args)


async def _officer(code: str = 'IH-NESIMI', fin: str = '6OFF001') -> Person:
    officer, _ = await make_person(fin, role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    return officer


async def test_submission_prefills_the_applicant_checks_the_form_and_sets_a_deadline() -> None:
    person = await _citizen()
    seen: list[live.Event] = []
    executive = await make_org('IH-NESIMI')
    live.hub.subscribe(executive.topic, seen.append)
    view = await _submit(person)
    assert view.status is ApplicationStatus.SUBMITTED
    assert view.applicant['fin'] == '5ABC123' and view.applicant['full_name'] == 'Məmmədova Leyla Rauf qızı'
    assert view.applicant['address'] == 'Bakı, Füzuli küçəsi, 12, 4'
    assert view.answers == {
        'reason': 'overcrowded',
        'household_size': 4,
        'living_space': '31.5',
        'details': 'İki otaqlı mənzil',
    }
    # 30 working days from Friday 20 November 2026, across the New Year holidays
    assert view.due_on == add_working_days(date(2026, 11, 20), 30) and view.due_on > date(2027, 1, 4)
    assert [f.document for f in view.files] == ['housing_statement', 'identity_document']
    assert view.number.startswith('R-2026-')
    assert [e.kind for e in seen] == ['application.updated']
    history = await audit.list_history(actor=person.as_actor(), person_id=person.id)
    assert history[0].detail == {'service': 'application', 'form': 'housing_queue', 'number': view.number}


@pytest.mark.parametrize(
    ('answers', 'field', 'code'),
    [
        ({**HOUSING, 'reason': ''}, 'reason', 'required'),
        ({**HOUSING, 'reason': 'rich'}, 'reason', 'invalid_value'),
        ({**HOUSING, 'household_size': '2.5'}, 'household_size', 'invalid_value'),
        ({**HOUSING, 'household_size': '0'}, 'household_size', 'out_of_range'),
        ({**HOUSING, 'living_space': 'many'}, 'living_space', 'invalid_value'),
        ({**HOUSING, 'details': 'x' * 2001}, 'details', 'too_long'),
        ({**HOUSING, 'colour': 'blue'}, 'colour', 'unknown_field'),
    ],
)
async def test_a_bad_field_is_named_and_nothing_is_written(answers: dict[str, Any], field: str, code: str) -> None:
    person = await _citizen()
    with pytest.raises(Invalid) as caught:
        await _submit(person, answers=answers)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert await Application.all().count() == 0


async def test_documents_are_required_and_checked_like_letters(attachment_folder: Any) -> None:
    person = await _citizen()
    with pytest.raises(Invalid) as missing:
        await _submit(person, uploads=[HOUSING_FILES[0]])
    assert (missing.value.code, missing.value.field) == ('document_required', 'identity_document')
    with pytest.raises(Invalid) as wrong_type:
        await _submit(person, uploads=[HOUSING_FILES[0], ('identity_document', Upload('x.pdf', HTML))])
    assert wrong_type.value.field == 'identity_document'
    with pytest.raises(Invalid) as unknown:
        await _submit(person, uploads=[*HOUSING_FILES, ('selfie', Upload('me.png', PNG))])
    assert unknown.value.code == 'unknown_document'
    assert await Application.all().count() == 0
    assert not list(attachment_folder.glob('*')) if attachment_folder.exists() else True


async def test_a_residence_service_goes_only_to_the_home_executive() -> None:
    person = await _citizen(region='Nəsimi')
    await make_org('IH-XETAI')
    with pytest.raises(Forbidden) as caught:
        await _submit(person, executive_code='IH-XETAI')
    assert (caught.value.code, caught.value.field) == ('wrong_region', 'executive')
    # a service tied to the property's place may go to any executive
    farm = {'village': 'Buzovna', 'plot_no': '77', 'area_ha': '2.5', 'crop': 'wheat', 'sown_on': '2026-10-01'}
    view = await _submit(
        person,
        form='farm_subsidy',
        executive_code='IH-XETAI',
        answers=farm,
        uploads=[('land_document', Upload('torpaq.pdf', PDF))],
    )
    assert view.executive_code == 'IH-XETAI'
    with pytest.raises(Invalid) as no_exec:
        await _submit(person, executive_code='MIA')
    assert no_exec.value.field == 'executive'


async def test_the_desk_flow_with_a_request_for_information_and_a_signed_decision() -> None:
    person = await _citizen()
    view = await _submit(person)
    officer = (await _officer()).as_actor()
    seen: list[live.Event] = []
    live.hub.subscribe(person.topic, seen.append)
    page = await apps.list_desk(actor=officer, open_only=True)
    assert [a.id for a in page.items] == [view.id] and page.total == 1

    await apps.take_for_review(actor=officer, application_id=view.id, now=NOW)
    with pytest.raises(Invalid):
        await apps.request_information(actor=officer, application_id=view.id, note=' ', now=NOW)
    asked = await apps.request_information(
        actor=officer, application_id=view.id, note='Əmlak arayışını əlavə edin.', now=NOW
    )
    assert asked.status is ApplicationStatus.NEEDS_INFO
    answered = await apps.provide_information(
        actor=person.as_actor(),
        application_id=view.id,
        note='Əlavə etdim.',
        uploads=[('', Upload('əmlak.pdf', PDF))],
        now=NOW + timedelta(hours=1),
    )
    assert answered.status is ApplicationStatus.UNDER_REVIEW and len(answered.files) == 3
    with pytest.raises(Invalid) as twice:
        await apps.provide_information(actor=person.as_actor(), application_id=view.id, note='x', uploads=[], now=NOW)
    assert twice.value.code == 'wrong_status'

    approved = await apps.approve_application(
        actor=officer, application_id=view.id, decision='Növbəyə alınsın.', now=NOW + timedelta(days=1)
    )
    assert approved.status is ApplicationStatus.APPROVED and approved.decision_id is not None
    assert [e.kind.value for e in approved.events] == [
        'submitted',
        'under_review',
        'needs_info',
        'info_provided',
        'approved',
    ]
    assert approved.events[1].actor_name  # the desk sees who acted
    own = await apps.get_application(actor=person.as_actor(), application_id=view.id)
    assert all(e.actor_name == '' for e in own.events if e.actor_kind == 'officer')  # the citizen sees a role
    decision = await certs.get_certificate(actor=person.as_actor(), certificate_id=approved.decision_id)
    assert decision.template == 'decision' and decision.issuer_code == 'IH-NESIMI'
    _, content = await certs.read_certificate_pdf(actor=person.as_actor(), certificate_id=decision.id)
    check = signing.validate_pdf(content, root_pem=await pki.ensure_root(now=NOW))
    assert check.valid and 'Nəsimi' in (check.signer or '')
    assert {e.data['status'] for e in seen if e.kind == 'application.updated'} >= {'needs_info', 'approved'}
    with pytest.raises(Invalid):
        await apps.reject_application(actor=officer, application_id=view.id, reason='Gec', now=NOW)


async def test_rejection_needs_a_reason_and_closes_the_application() -> None:
    person = await _citizen()
    view = await _submit(person)
    officer = (await _officer()).as_actor()
    with pytest.raises(Invalid):
        await apps.reject_application(actor=officer, application_id=view.id, reason='', now=NOW)
    rejected = await apps.reject_application(actor=officer, application_id=view.id, reason='Sənəd çatışmır', now=NOW)
    assert rejected.status is ApplicationStatus.REJECTED and rejected.decided_at == NOW
    assert not rejected.overdue(date(2030, 1, 1))


async def test_someone_else_cannot_read_or_act_on_an_application() -> None:
    owner = await _citizen('5ABC123')
    view = await _submit(owner)
    file_id = view.files[0].id
    other = await _citizen('6DEF456')
    for actor in (other.as_actor(), (await _officer('IH-XETAI', '6OFF002')).as_actor()):
        with pytest.raises(NotFound):
            await apps.get_application(actor=actor, application_id=view.id)
        with pytest.raises(NotFound):
            await apps.read_file(actor=actor, application_id=view.id, file_id=file_id)
    with pytest.raises(NotFound):
        await apps.list_my_applications(actor=other.as_actor(), person_id=owner.id)
    with pytest.raises(NotFound):
        await apps.take_for_review(
            actor=(await _officer('IH-XETAI', '6OFF003')).as_actor(), application_id=view.id, now=NOW
        )
    with pytest.raises(Forbidden):
        await apps.take_for_review(actor=owner.as_actor(), application_id=view.id, now=NOW)
    with pytest.raises(NotFound):
        await apps.provide_information(actor=other.as_actor(), application_id=view.id, note='x', uploads=[], now=NOW)
    meta, content = await apps.read_file(actor=owner.as_actor(), application_id=view.id, file_id=file_id)
    assert (meta.filename, content) == ('arayış.pdf', PDF)


async def test_an_integration_reads_with_read_scope_and_acts_with_write_scope() -> None:
    person = await _citizen()
    view = await _submit(person)
    reader = await authenticate(key=await make_key_with_scopes('IH-NESIMI', ['applications:read']), now=NOW)
    assert (await apps.get_application(actor=reader, application_id=view.id)).number == view.number
    with pytest.raises(Forbidden):
        await apps.take_for_review(actor=reader, application_id=view.id, now=NOW)
    writer = await authenticate(
        key=await make_key_with_scopes('IH-NESIMI', ['applications:read', 'applications:write']), now=NOW
    )
    moved = await apps.take_for_review(actor=writer, application_id=view.id, now=NOW)
    assert moved.events[-1].actor_kind == 'integration'


def test_every_form_declares_fields_and_documents_consistently() -> None:
    assert len(FORMS) == 9
    for form in FORMS.values():
        assert form.fields and form.documents and 0 < form.due_days <= 30
        names = [f.name for f in form.fields] + [d.name for d in form.documents]
        assert len(names) == len(set(names)), form.code
    clean = clean_answers(
        FORMS['child_name_change'],
        {
            'child_fin': '5abc123',
            'current_name': ' Ali  Məmmədov ',
            'new_name': 'Əli Məmmədli',
            'reason': 'Səhv yazılıb',
        },
        today=date(2026, 11, 20),
    )
    assert clean['child_fin'] == '5ABC123' and clean['current_name'] == 'Ali Məmmədov'
    assert clean['other_parent_agrees'] is False
    with pytest.raises(Invalid) as fin:
        clean_answers(FORMS['child_name_change'], {'child_fin': '12'}, today=date(2026, 11, 20))
    assert fin.value.field == 'child_fin'


async def test_a_citizen_without_an_address_is_told_so() -> None:
    person = await make_citizen()
    with pytest.raises(Invalid) as caught:
        await _submit(person)
    assert caught.value.code == 'no_registered_address'
    assert await ApplicationFile.all().count() == 0


async def test_approval_and_its_signed_decision_are_kept_together(monkeypatch: pytest.MonkeyPatch) -> None:
    person = await _citizen()
    view = await _submit(person)
    officer = (await _officer()).as_actor()
    await apps.take_for_review(actor=officer, application_id=view.id, now=NOW)

    def broken(*_: Any) -> bytes:
        raise RuntimeError('signing device unavailable')

    monkeypatch.setattr(certs, '_render_and_sign', broken)
    with pytest.raises(RuntimeError):
        await apps.approve_application(actor=officer, application_id=view.id, decision='Təsdiq', now=NOW)
    still = await apps.get_application(actor=person.as_actor(), application_id=view.id)
    assert still.status is ApplicationStatus.UNDER_REVIEW and still.decision_id is None
    monkeypatch.undo()
    # a move that is not allowed is refused before anything is signed
    await apps.reject_application(actor=officer, application_id=view.id, reason='Sənəd yoxdur', now=NOW)
    with pytest.raises(Invalid) as late:
        await apps.approve_application(actor=officer, application_id=view.id, decision='Təsdiq', now=NOW)
    assert late.value.code == 'wrong_status'
    assert await certs.Certificate.filter(application_id=view.id).count() == 0
