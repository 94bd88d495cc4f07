"""Official letters in the store: drafts, signing, the legal clock, the state machine, forwarding, answers, access."""

from __future__ import annotations

import asyncio
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jobs.scheduler import run_job
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.store import apikeys, auth, letters
from portal.store.actors import ApiActor, PersonActor, Role
from portal.store.audit import HistoryEvent, HistoryKind
from portal.store.auth import LoginMethod
from portal.store.idempotency import Idempotency
from portal.store.letters import LetterFilter, LetterStatus, SignatureState, Upload, files
from portal.store.letters.models import Attachment, Letter, LetterEvent
from portal.store.people import Person
from tests.builders import collect_events, make_key_with_scopes
from tests.factories import NOW, make_org, make_person
from tests.letters_kit import HTML, JPEG, PNG, docx, pdf, signed_letter

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
LATER = NOW + timedelta(hours=2)


async def officer(code: str = 'MIA', fin: str = '4MD5R1X', role: Role = Role.AGENCY_OFFICER) -> PersonActor:
    org = await make_org(code)
    existing = await Person.get_or_none(fin=fin)
    if existing is not None:
        return existing.as_actor()
    person, _ = await make_person(fin, first='Tural', last='Quliyev', role=role, password=None, org=org)
    return person.as_actor()


async def citizen(fin: str = A_FIN, first: str = 'Leyla') -> tuple[Person, Ed25519PrivateKey]:
    await make_org('MIA')
    return await make_person(fin, first=first, password=None)


async def api_actor(code: str, scopes: list[str]) -> ApiActor:
    return await apikeys.authenticate(key=await make_key_with_scopes(code, scopes), now=NOW)


def stored_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def written() -> tuple[int, int, int]:
    return await Letter.all().count(), await LetterEvent.all().count(), await Attachment.all().count()


# --- writing and sending -------------------------------------------------------------------------------------------


async def test_a_signed_letter_reaches_the_agency_with_its_clock(store_db: str) -> None:
    leyla, key = await citizen()
    mia = await make_org('MIA')
    with collect_events(f'citizen:{leyla.id}') as mine, collect_events(f'agency:{mia.id}') as agency:
        view = await signed_letter(leyla, key, uploads=[Upload('ərizə.pdf', pdf())])

    assert view.status is LetterStatus.SENT
    assert view.summary.organisation is not None and view.summary.organisation.code == 'MIA'
    assert view.summary.delivered_at == NOW
    # received Friday 20 November 2026: 3 working days to forward, 15 to answer
    assert (view.forward_due_on, view.summary.due_on) == (date(2026, 11, 25), date(2026, 12, 11))
    assert view.signer is not None and (view.signer.full_name, view.signer.method) == ('Leyla Məmmədova', 'sima')
    assert [a.filename for a in view.attachments] == ['ərizə.pdf']
    assert [(e.kind.value, e.actor_kind.value) for e in view.timeline] == [('sent', 'citizen')]
    assert [e.kind for e in mine] == [e.kind for e in agency] == ['letter.updated']
    assert agency[0].data == {'letter_id': str(view.id), 'status': 'sent', 'direction': 'inbound'}
    history = await HistoryEvent.filter(person_id=leyla.id)
    assert [(h.kind, h.method, h.organisation_id) for h in history] == [(HistoryKind.LETTER_SENT, 'sima', mia.id)]
    report = await letters.verify_letter(actor=leyla.as_actor(), letter_id=view.id)
    assert report.valid and report.signer is not None and report.signer.full_name == 'Leyla Məmmədova'


async def test_a_draft_is_kept_and_only_its_owner_sees_it(store_db: str) -> None:
    leyla, _ = await citizen()
    me = leyla.as_actor()
    draft = await letters.open_draft(actor=me, now=NOW)
    await letters.save_draft(
        actor=me, letter_id=draft.id, organisation_code='mia', title=' Başlıq ', body='Mətn\r\nikinci', now=NOW
    )
    await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload('şəkil.png', PNG), now=NOW)

    again = await letters.open_draft(actor=me, now=LATER)
    assert again.id == draft.id
    assert (again.summary.title, again.body, again.status) == ('Başlıq', 'Mətn\nikinci', LetterStatus.DRAFT)
    assert [(a.filename, a.content_type) for a in again.attachments] == [('şəkil.png', 'image/png')]
    # a draft is nobody else's business, not even the addressed agency's
    for actor in (await officer(), (await citizen(B_FIN, 'Rəşad'))[0].as_actor()):
        with pytest.raises(NotFound):
            await letters.get_letter(actor=actor, letter_id=draft.id, now=NOW)
    assert (await letters.list_incoming(actor=await officer(), now=NOW)).total == 0
    assert (await letters.list_sent(actor=me, now=NOW)).total == 0


@pytest.mark.parametrize(
    ('changes', 'code'),
    [
        ({'organisation_code': None}, 'organisation_required'),
        ({'title': '   '}, 'title_required'),
        ({'body': ''}, 'body_required'),
    ],
)
async def test_an_incomplete_letter_cannot_be_signed(sqlite_db: str, changes: dict[str, Any], code: str) -> None:
    leyla, _ = await citizen()
    me = leyla.as_actor()
    draft = await letters.open_draft(actor=me, now=NOW)
    fields = {'organisation_code': 'MIA', 'title': 'Başlıq', 'body': 'Mətn', **changes}
    await letters.save_draft(actor=me, letter_id=draft.id, now=NOW, **fields)
    with pytest.raises(Invalid) as error:
        await letters.start_signing(actor=me, letter_id=draft.id, method=LoginMethod.SIMA, now=NOW)
    assert error.value.code == code
    assert await auth.SignatureChallenge.all().count() == 0
    assert (await Letter.get(id=draft.id)).status is LetterStatus.DRAFT


async def test_over_long_texts_and_unknown_agencies_are_refused(sqlite_db: str) -> None:
    leyla, _ = await citizen()
    me = leyla.as_actor()
    draft = await letters.open_draft(actor=me, now=NOW)
    cases = [
        ({'body': 'ə' * 20_001}, 'body_too_long'),
        ({'title': 'x' * 201}, 'title_too_long'),
        ({'organisation_code': 'NOPE'}, 'organisation_not_found'),
    ]
    for changes, code in cases:
        fields: dict[str, Any] = {'organisation_code': 'MIA', 'title': 'Başlıq', 'body': 'Mətn', **changes}
        with pytest.raises(Invalid) as error:
            await letters.save_draft(actor=me, letter_id=draft.id, now=NOW, **fields)
        assert error.value.code == code
    row = await Letter.get(id=draft.id)
    assert (row.title, row.body, row.organisation_id) == ('', '', None)
    # exactly at the limit is fine
    await letters.save_draft(
        actor=me, letter_id=draft.id, organisation_code='MIA', title='x' * 200, body='ə' * 20_000, now=NOW
    )


# --- attachments ---------------------------------------------------------------------------------------------------


async def test_allowed_files_are_recognised_by_content(sqlite_db: str, attachment_folder: Path) -> None:
    leyla, _ = await citizen()
    me = leyla.as_actor()
    draft = await letters.open_draft(actor=me, now=NOW)
    uploads = [('a.pdf', pdf()), ('b.jpg', JPEG), ('c.png', PNG), ('d.docx', docx()), ('scan', pdf())]
    for name, content in uploads:
        await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload(name, content), now=NOW)
    rows = await Attachment.filter(letter_id=draft.id).order_by('position')
    assert [(r.filename, r.content_type) for r in rows] == [
        ('a.pdf', 'application/pdf'),
        ('b.jpg', 'image/jpeg'),
        ('c.png', 'image/png'),
        ('d.docx', files.DOCX),
        ('scan', 'application/pdf'),
    ]
    # stored under random names, unrelated to what the sender called them
    assert stored_files(attachment_folder) == sorted(r.storage_name for r in rows)
    assert all(len(r.storage_name) == 32 and r.storage_name.isalnum() for r in rows)
    assert (attachment_folder / rows[0].storage_name).read_bytes() == pdf()


@pytest.mark.parametrize(
    ('name', 'content', 'code'),
    [
        ('letter.pdf', HTML, 'file_type_not_allowed'),
        ('photo.png', b'GIF89a' + b'\x00' * 20, 'file_type_not_allowed'),
        ('fake.docx', b'PK\x03\x04' + b'\x00' * 40, 'file_type_not_allowed'),
        ('empty.pdf', b'', 'file_empty'),
        ('huge.pdf', pdf(files.MAX_FILE_BYTES + 1), 'file_too_large'),
        ('../../etc/passwd.pdf', pdf(), 'filename_invalid'),
        ('C:\\temp\\x.pdf', pdf(), 'filename_invalid'),
        ('bad\x00name.pdf', pdf(), 'filename_invalid'),
        ('new\nline.pdf', pdf(), 'filename_invalid'),
        ('rtl\u202efdp.exe', pdf(), 'filename_invalid'),
        ('.htaccess', pdf(), 'filename_invalid'),
    ],
)
async def test_abusive_files_are_refused_and_leave_nothing(
    sqlite_db: str, attachment_folder: Path, name: str, content: bytes, code: str
) -> None:
    leyla, _ = await citizen()
    draft = await letters.open_draft(actor=leyla.as_actor(), now=NOW)
    with pytest.raises(Invalid) as error:
        await letters.add_attachment(actor=leyla.as_actor(), letter_id=draft.id, upload=Upload(name, content), now=NOW)
    assert error.value.code == code
    assert await Attachment.all().count() == 0
    assert stored_files(attachment_folder) == []


async def test_the_count_and_total_size_limits_hold(sqlite_db: str, attachment_folder: Path) -> None:
    leyla, _ = await citizen()
    me = leyla.as_actor()
    draft = await letters.open_draft(actor=me, now=NOW)
    nine_mb = pdf(9 * 1024 * 1024)
    for n in range(2):
        await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload(f'{n}.pdf', nine_mb), now=NOW)
    with pytest.raises(Invalid) as error:  # 27 MB together
        await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload('2.pdf', nine_mb), now=NOW)
    assert error.value.code == 'files_too_large'
    for n in range(3):
        await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload(f's{n}.png', PNG), now=NOW)
    with pytest.raises(Invalid) as error:
        await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload('sixth.png', PNG), now=NOW)
    assert error.value.code == 'too_many_files'
    assert await Attachment.filter(letter_id=draft.id).count() == 5
    assert len(stored_files(attachment_folder)) == 5


async def test_removing_a_file_deletes_it(sqlite_db: str, attachment_folder: Path) -> None:
    leyla, _ = await citizen()
    me = leyla.as_actor()
    draft = await letters.open_draft(actor=me, now=NOW)
    kept = await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload('a.pdf', pdf()), now=NOW)
    await letters.remove_attachment(actor=me, letter_id=draft.id, attachment_id=kept.id, now=NOW)
    assert stored_files(attachment_folder) == []
    rashad, _ = await citizen(B_FIN, 'Rəşad')
    other = await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload('b.pdf', pdf()), now=NOW)
    with pytest.raises(Invalid):  # somebody else's draft is not a draft of theirs
        await letters.remove_attachment(actor=rashad.as_actor(), letter_id=draft.id, attachment_id=other.id, now=NOW)
    assert len(stored_files(attachment_folder)) == 1


# --- the signature -------------------------------------------------------------------------------------------------


async def draft_ready(person: Person, **extra: Any) -> letters.LetterView:
    me = person.as_actor()
    draft = await letters.open_draft(actor=me, now=NOW)
    await letters.save_draft(actor=me, letter_id=draft.id, organisation_code='MIA', title='T', body='B', now=NOW)
    for upload in extra.get('uploads', []):
        await letters.add_attachment(actor=me, letter_id=draft.id, upload=upload, now=NOW)
    return draft


async def test_a_wrong_signature_sends_nothing(sqlite_db: str) -> None:
    leyla, _ = await citizen()
    draft = await draft_ready(leyla)
    challenge = await letters.start_signing(
        actor=leyla.as_actor(), letter_id=draft.id, method=LoginMethod.ASAN, now=NOW
    )
    assert challenge.digest and challenge.message.endswith(challenge.digest.encode())
    forged = Ed25519PrivateKey.generate().sign(challenge.message)
    with pytest.raises(Invalid) as error:
        await auth.submit_signature(challenge_id=challenge.id, signature=forged, now=NOW)
    assert error.value.code == 'signature_invalid'
    with pytest.raises(Invalid) as error:  # unsigned: the device has not confirmed
        await letters.send_signed(actor=leyla.as_actor(), letter_id=draft.id, challenge_id=challenge.id, now=NOW)
    assert error.value.code == 'challenge_pending'
    assert (await Letter.get(id=draft.id)).status is LetterStatus.DRAFT
    assert await HistoryEvent.all().count() == 0


async def test_a_letter_changed_after_signing_started_is_not_sent(sqlite_db: str) -> None:
    leyla, key = await citizen()
    me = leyla.as_actor()
    draft = await draft_ready(leyla)
    challenge = await letters.start_signing(actor=me, letter_id=draft.id, method=LoginMethod.SIMA, now=NOW)
    await letters.save_draft(actor=me, letter_id=draft.id, organisation_code='MIA', title='T', body='B2', now=NOW)
    await auth.submit_signature(challenge_id=challenge.id, signature=key.sign(challenge.message), now=NOW)
    with pytest.raises(Invalid) as error:
        await letters.send_signed(actor=me, letter_id=draft.id, challenge_id=challenge.id, now=NOW)
    assert error.value.code == 'letter_changed'
    assert (await Letter.get(id=draft.id)).status is LetterStatus.DRAFT


async def test_signing_and_login_challenges_do_not_mix(sqlite_db: str) -> None:
    leyla, key = await citizen()
    me = leyla.as_actor()
    draft = await draft_ready(leyla)
    document = await letters.start_signing(actor=me, letter_id=draft.id, method=LoginMethod.SIMA, now=NOW)
    await auth.submit_signature(challenge_id=document.id, signature=key.sign(document.message), now=NOW)
    with pytest.raises(Invalid):  # a signed letter is no login
        await auth.complete_signature_login(challenge_id=document.id, now=NOW)
    login = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.SIMA, now=NOW)
    await auth.submit_signature(challenge_id=login.id, signature=key.sign(login.message), now=NOW)
    with pytest.raises(Invalid):  # and a login is no signed letter
        await letters.send_signed(actor=me, letter_id=draft.id, challenge_id=login.id, now=NOW)
    rashad, _ = await citizen(B_FIN, 'Rəşad')
    with pytest.raises(Invalid):  # nor somebody else's signature
        await letters.send_signed(actor=rashad.as_actor(), letter_id=draft.id, challenge_id=document.id, now=NOW)
    sent = await letters.send_signed(actor=me, letter_id=draft.id, challenge_id=document.id, now=NOW)
    assert sent.status is LetterStatus.SENT
    with pytest.raises(Invalid):  # once
        await letters.send_signed(actor=me, letter_id=draft.id, challenge_id=document.id, now=NOW)


async def test_tampering_with_the_body_or_a_file_breaks_the_signature(store_db: str, attachment_folder: Path) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key, uploads=[Upload('a.pdf', pdf())])
    me = leyla.as_actor()
    assert (await letters.verify_letter(actor=me, letter_id=view.id)).state is SignatureState.VALID

    row = await Attachment.get(letter_id=view.id)
    original = (attachment_folder / row.storage_name).read_bytes()
    (attachment_folder / row.storage_name).write_bytes(original + b'%changed')
    assert (await letters.verify_letter(actor=me, letter_id=view.id)).state is SignatureState.ATTACHMENT_CHANGED
    (attachment_folder / row.storage_name).write_bytes(original)

    await Letter.filter(id=view.id).update(body='Başqa mətn')
    report = await letters.verify_letter(actor=await officer(), letter_id=view.id)
    assert report.state is SignatureState.CONTENT_CHANGED and not report.valid

    await Letter.filter(id=view.id).update(body=view.body, signature=b'\x00' * 64)
    assert (await letters.verify_letter(actor=me, letter_id=view.id)).state is SignatureState.SIGNATURE_INVALID


# --- the agency's side ---------------------------------------------------------------------------------------------


async def test_received_review_investigation_and_answer(store_db: str) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key)
    desk = await officer()
    mia = await make_org('MIA')

    with collect_events(f'citizen:{leyla.id}') as mine, collect_events(f'agency:{mia.id}') as agency:
        await letters.set_status(actor=desk, letter_id=view.id, status=LetterStatus.RECEIVED, now=NOW)
        reviewed = await letters.set_status(
            actor=desk,
            letter_id=view.id,
            status=LetterStatus.UNDER_REVIEW,
            investigation_reason='Arxiv sənədləri yoxlanılır',
            now=LATER,
        )
        assert reviewed.summary.due_on == date(2027, 1, 6)  # 30 working days from 20 November
        assert reviewed.investigation_reason == 'Arxiv sənədləri yoxlanılır'
        answered = await letters.answer_letter(
            actor=desk, letter_id=view.id, text='Ünvanınız yeniləndi.', uploads=[Upload('cavab.pdf', pdf())], now=LATER
        )
    assert answered.status is LetterStatus.ANSWERED
    assert answered.answer is not None
    assert (answered.answer.body, [a.filename for a in answered.answer.attachments]) == (
        'Ünvanınız yeniləndi.',
        ['cavab.pdf'],
    )
    # the answer is announced as a new letter in the citizen's inbox, after the letter it answers
    letter_events = [e for e in mine if e.kind == 'letter.updated']  # each step also raises a notice
    assert [(e.data['status'], e.data['direction']) for e in letter_events] == [
        ('received', 'inbound'),
        ('under_review', 'inbound'),
        ('answered', 'inbound'),
        ('sent', 'outbound'),
    ]
    assert letter_events[-1].data['letter_id'] == str(answered.answer.id)
    assert len(agency) == 4
    steps = [(e.kind.value, e.actor_kind.value, e.actor_name) for e in answered.timeline]
    assert steps == [
        ('sent', 'citizen', ''),
        ('received', 'officer', 'Tural Quliyev'),
        ('under_review', 'officer', 'Tural Quliyev'),
        ('investigation', 'officer', 'Tural Quliyev'),
        ('answered', 'officer', 'Tural Quliyev'),
    ]
    # the citizen sees the steps and roles, not the officer's name; the answer waits in the inbox
    mine_view = await letters.get_letter(actor=leyla.as_actor(), letter_id=view.id, now=LATER)
    assert {e.actor_name for e in mine_view.timeline} == {''}
    inbox = await letters.list_inbox(actor=leyla.as_actor(), now=LATER)
    assert [(i.title, i.unread, i.reply_to_id) for i in inbox.items] == [('Cavab: Ünvan arayışı', True, view.id)]
    assert await letters.count_unread(actor=leyla.as_actor()) == 1
    assert answered.answer is not None
    await letters.mark_read(actor=leyla.as_actor(), letter_id=answered.answer.id, now=LATER)
    await letters.mark_read(actor=leyla.as_actor(), letter_id=answered.answer.id, now=LATER)
    assert await letters.count_unread(actor=leyla.as_actor()) == 0
    kinds = [h.kind for h in await HistoryEvent.filter(person_id=leyla.id).order_by('created_at')]
    assert kinds == [HistoryKind.LETTER_SENT, HistoryKind.LETTER_RECEIVED]


@pytest.mark.parametrize(
    ('path', 'wanted'),
    [
        ([LetterStatus.ANSWERED], LetterStatus.RECEIVED),
        ([LetterStatus.UNDER_REVIEW], LetterStatus.RECEIVED),
        ([LetterStatus.REJECTED], LetterStatus.UNDER_REVIEW),
        ([LetterStatus.RECEIVED], LetterStatus.RECEIVED),
        ([LetterStatus.ANSWERED], LetterStatus.ANSWERED),
    ],
)
async def test_illegal_moves_are_refused(sqlite_db: str, path: list[LetterStatus], wanted: LetterStatus) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key)
    desk = await officer()
    for status in path:
        if status is LetterStatus.ANSWERED:
            await letters.answer_letter(actor=desk, letter_id=view.id, text='Cavab', uploads=[], now=NOW)
        else:
            await letters.set_status(actor=desk, letter_id=view.id, status=status, reason='Səbəb', now=NOW)
    before = await written()
    with pytest.raises(Invalid) as error:
        if wanted is LetterStatus.ANSWERED:
            await letters.answer_letter(actor=desk, letter_id=view.id, text='Yenə', uploads=[], now=NOW)
        else:
            await letters.set_status(actor=desk, letter_id=view.id, status=wanted, now=NOW)
    assert error.value.code == 'illegal_transition'
    assert await written() == before


async def test_rejection_needs_a_reason_and_the_deadline_extends_once(sqlite_db: str) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key)
    desk = await officer()
    with pytest.raises(Invalid) as error:
        await letters.set_status(actor=desk, letter_id=view.id, status=LetterStatus.REJECTED, reason=' ', now=NOW)
    assert error.value.code == 'reason_required'
    with pytest.raises(Invalid) as error:
        await letters.set_status(actor=desk, letter_id=view.id, status=LetterStatus.ANSWERED, now=NOW)
    assert error.value.code == 'status_not_allowed'
    # under review first, the investigation recorded later
    await letters.set_status(actor=desk, letter_id=view.id, status=LetterStatus.UNDER_REVIEW, now=NOW)
    later = await letters.set_status(
        actor=desk, letter_id=view.id, status=LetterStatus.UNDER_REVIEW, investigation_reason='Ekspertiza', now=NOW
    )
    assert later.summary.due_on == date(2027, 1, 6)
    with pytest.raises(Invalid) as error:
        await letters.set_status(
            actor=desk, letter_id=view.id, status=LetterStatus.UNDER_REVIEW, investigation_reason='Yenə', now=NOW
        )
    assert error.value.code == 'already_extended'
    rejected = await letters.set_status(
        actor=desk, letter_id=view.id, status=LetterStatus.REJECTED, reason='Səlahiyyətimizdə deyil', now=NOW
    )
    assert (rejected.status, rejected.closing_note) == (LetterStatus.REJECTED, 'Səlahiyyətimizdə deyil')


async def test_forwarding_starts_a_new_clock_and_must_be_quick(store_db: str) -> None:
    leyla, key = await citizen()
    moj = await make_org('MOJ')
    view = await signed_letter(leyla, key, uploads=[Upload('a.pdf', pdf())])
    desk = await officer()
    moved_on = NOW + timedelta(days=3)  # Monday 23 November
    with collect_events(f'agency:{moj.id}') as theirs:
        forwarded = await letters.forward_letter(
            actor=desk, letter_id=view.id, to_code='moj', note='Notariat məsələsidir', now=moved_on
        )
    assert forwarded.status is LetterStatus.FORWARDED
    assert forwarded.forwarded_to is not None and forwarded.forwarded_to.code == 'MOJ'
    assert [e.kind for e in theirs] == ['letter.updated']

    sent = await letters.list_sent(actor=leyla.as_actor(), now=moved_on)
    assert sent.total == 1  # the citizen follows the letter to its new address
    copy = sent.items[0]
    assert copy.forwarded_from is not None and copy.forwarded_from.code == 'MIA'
    assert (copy.status, copy.due_on) == (LetterStatus.SENT, date(2026, 12, 14))  # 15 working days from 23 Nov

    justice = await officer('MOJ', '4MD5R1Y')
    their_view = await letters.get_letter(actor=justice, letter_id=copy.id, now=moved_on)
    assert [a.filename for a in their_view.attachments] == ['a.pdf']  # the original's files
    assert [e.kind.value for e in their_view.timeline] == ['sent', 'forwarded', 'sent']
    _, content = await letters.read_attachment(
        actor=justice, letter_id=copy.id, attachment_id=their_view.attachments[0].id
    )
    assert content == pdf()
    assert (await letters.verify_letter(actor=justice, letter_id=copy.id)).valid
    with pytest.raises(NotFound):  # MIA no longer works the copy
        await letters.set_status(actor=desk, letter_id=copy.id, status=LetterStatus.RECEIVED, now=moved_on)


async def test_forwarding_after_three_working_days_or_to_oneself_is_refused(sqlite_db: str) -> None:
    leyla, key = await citizen()
    await make_org('MOJ')
    view = await signed_letter(leyla, key)  # Friday 20 November: forward by Wednesday 25 November
    desk = await officer()
    too_late = NOW + timedelta(days=6)  # Thursday 26 November
    with pytest.raises(Invalid) as error:
        await letters.forward_letter(actor=desk, letter_id=view.id, to_code='MOJ', note='', now=too_late)
    assert error.value.code == 'forward_too_late'
    for code, expected in (('MIA', 'forward_to_self'), ('NOPE', 'organisation_not_found')):
        with pytest.raises(Invalid) as error:
            await letters.forward_letter(actor=desk, letter_id=view.id, to_code=code, note='', now=NOW)
        assert error.value.code == expected
    assert (await Letter.get(id=view.id)).status is LetterStatus.SENT
    assert await Letter.all().count() == 1


async def test_a_failed_answer_leaves_no_files(sqlite_db: str, attachment_folder: Path) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key)
    desk = await officer()
    await letters.set_status(actor=desk, letter_id=view.id, status=LetterStatus.REJECTED, reason='Yox', now=NOW)
    before = await written()
    with pytest.raises(Invalid):
        await letters.answer_letter(
            actor=desk, letter_id=view.id, text='Cavab', uploads=[Upload('a.pdf', pdf())], now=NOW
        )
    assert await written() == before
    assert stored_files(attachment_folder) == []
    with pytest.raises(Invalid) as error:  # one bad file among good ones: nothing at all
        await letters.send_to_citizen(
            actor=desk,
            fin=A_FIN,
            title='Bildiriş',
            body='Mətn',
            uploads=[Upload('a.pdf', pdf()), Upload('b.pdf', HTML)],
            now=NOW,
        )
    assert error.value.code == 'file_type_not_allowed'
    assert await written() == before
    assert stored_files(attachment_folder) == []


async def test_an_agency_writes_to_a_citizen(sqlite_db: str) -> None:
    leyla, _ = await citizen()
    desk = await officer()
    with collect_events(f'citizen:{leyla.id}') as mine:
        sent = await letters.send_to_citizen(
            actor=desk,
            fin=' 5abc123 ',
            title='Bildiriş',
            body='Şəxsiyyət vəsiqənizin müddəti bitir.',
            uploads=[],
            now=NOW,
        )
    assert [e.data['direction'] for e in mine if e.kind == 'letter.updated'] == ['outbound']
    assert [e.kind for e in mine if e.kind != 'letter.updated'] == ['notices.changed']  # "a letter from an agency"
    inbox = await letters.list_inbox(actor=leyla.as_actor(), now=NOW)
    assert [(i.id, i.unread, i.organisation.code if i.organisation else '') for i in inbox.items] == [
        (sent.id, True, 'MIA')
    ]
    for fin, code in (('12', 'fin_malformed'), ('9ZZZ999', 'citizen_not_found')):
        with pytest.raises((Invalid, NotFound)) as error:
            await letters.send_to_citizen(actor=desk, fin=fin, title='T', body='B', uploads=[], now=NOW)
        assert isinstance(error.value, Invalid | NotFound) and error.value.code == code
    assert (await letters.list_outgoing(actor=desk, now=NOW)).total == 1


# --- access --------------------------------------------------------------------------------------------------------


async def test_nobody_else_reads_or_works_a_letter(store_db: str) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key, uploads=[Upload('a.pdf', pdf())])
    attachment = view.attachments[0].id
    rashad, rashad_key = await citizen(B_FIN, 'Rəşad')
    stranger_agency = await officer('MOJ', '4MD5R1Y')
    executive = await officer('IH-NESIMI', '6NS2K8V', Role.EXECUTIVE_OFFICER)
    for actor in (rashad.as_actor(), stranger_agency, executive):
        with pytest.raises(NotFound):
            await letters.get_letter(actor=actor, letter_id=view.id, now=NOW)
        with pytest.raises(NotFound):
            await letters.read_attachment(actor=actor, letter_id=view.id, attachment_id=attachment)
        with pytest.raises(NotFound):
            await letters.verify_letter(actor=actor, letter_id=view.id)
    for actor in (stranger_agency, executive):
        with pytest.raises(NotFound):
            await letters.set_status(actor=actor, letter_id=view.id, status=LetterStatus.RECEIVED, now=NOW)
        with pytest.raises(NotFound):
            await letters.answer_letter(actor=actor, letter_id=view.id, text='Cavab', uploads=[], now=NOW)
        assert (await letters.list_incoming(actor=actor, now=NOW)).total == 0
    with pytest.raises(Forbidden):  # citizens do not work desks
        await letters.set_status(actor=rashad.as_actor(), letter_id=view.id, status=LetterStatus.RECEIVED, now=NOW)
    with pytest.raises(Forbidden):  # nor do officers write letters as citizens
        await letters.open_draft(actor=await officer(), now=NOW)
    # an attachment id of another letter does not open through this one
    other = await signed_letter(rashad, rashad_key, uploads=[])
    with pytest.raises(NotFound):
        await letters.read_attachment(actor=rashad.as_actor(), letter_id=other.id, attachment_id=attachment)
    assert (await Letter.get(id=view.id)).status is LetterStatus.SENT


async def test_integrations_need_their_scopes(sqlite_db: str) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key)
    reader = await api_actor('MIA', ['letters:read'])
    assert (await letters.list_incoming(actor=reader, now=NOW)).total == 1
    with pytest.raises(Forbidden) as error:
        await letters.set_status(actor=reader, letter_id=view.id, status=LetterStatus.RECEIVED, now=NOW)
    assert error.value.code == 'insufficient_scope'
    nothing = await api_actor('MIA', ['registry:write'])
    with pytest.raises(Forbidden):
        await letters.list_incoming(actor=nothing, now=NOW)
    writer = await api_actor('MIA', ['letters:read', 'letters:write'])
    done = await letters.set_status(actor=writer, letter_id=view.id, status=LetterStatus.RECEIVED, now=NOW)
    assert [(e.kind.value, e.actor_kind.value) for e in done.timeline][-1] == ('received', 'integration')


async def test_housekeeping_deletes_files_no_letter_holds(sqlite_db: str, attachment_folder: Path) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key, uploads=[Upload('a.pdf', pdf())])
    held = (await Attachment.get(letter_id=view.id)).storage_name
    orphan = files.store_bytes(pdf())  # written, but its transaction never committed
    unfinished = attachment_folder / f'{"f" * 32}.part'  # a write cut short
    unfinished.write_bytes(b'%PDF-')
    fresh = files.store_bytes(pdf())  # on its way in right now
    hour_ago = (NOW - timedelta(hours=2)).timestamp()
    for name in (held, orphan, unfinished.name):
        os.utime(attachment_folder / name, (hour_ago, hour_ago))
    os.utime(attachment_folder / fresh, (NOW.timestamp(), NOW.timestamp()))

    assert await run_job('attachment-sweep', NOW) == {'orphan_files': 2}
    assert stored_files(attachment_folder) == sorted([held, fresh])
    assert not unfinished.exists()
    assert (await letters.verify_letter(actor=leyla.as_actor(), letter_id=view.id)).valid
    assert await letters.purge_orphan_files(now=NOW) == 0


# --- idempotency ---------------------------------------------------------------------------------------------------


async def test_a_retried_answer_is_answered_once(store_db: str) -> None:
    leyla, key = await citizen()
    view = await signed_letter(leyla, key)
    writer = await api_actor('MIA', ['letters:write', 'letters:read'])

    def idem(text: str, key: str = 'answer-1') -> Idempotency:
        return Idempotency.of(
            client_id=writer.client_id, key=key, operation=f'POST /letters/{view.id}/answer', payload={'text': text}
        )

    first = await letters.answer_letter(
        actor=writer, letter_id=view.id, text='Cavab', uploads=[], now=NOW, idem=idem('Cavab')
    )
    again = await letters.answer_letter(
        actor=writer, letter_id=view.id, text='Cavab', uploads=[], now=LATER, idem=idem('Cavab')
    )
    assert again.answer is not None and first.answer is not None and again.answer.id == first.answer.id
    assert await Letter.filter(reply_to_id=view.id).count() == 1
    with pytest.raises(Conflict) as error:
        await letters.answer_letter(
            actor=writer, letter_id=view.id, text='Başqa', uploads=[], now=LATER, idem=idem('Başqa')
        )
    assert error.value.code == 'idempotency_key_reused'
    with pytest.raises(Invalid) as invalid:
        idem('x', key=' ')
    assert invalid.value.code == 'idempotency_key_invalid'


async def test_twin_requests_at_once_send_one_letter(store_db: str) -> None:
    await citizen()
    writer = await api_actor('MIA', ['letters:write'])
    idem = Idempotency.of(client_id=writer.client_id, key='k-1', operation='POST /letters', payload={'t': 1})

    async def send() -> letters.LetterView:
        return await letters.send_to_citizen(
            actor=writer, fin=A_FIN, title='Bildiriş', body='Mətn', uploads=[], now=NOW, idem=idem
        )

    results = await asyncio.gather(*(send() for _ in range(5)))
    assert len({r.id for r in results}) == 1
    assert await Letter.all().count() == 1


# --- folders -------------------------------------------------------------------------------------------------------


async def test_folders_search_and_filter(sqlite_db: str) -> None:
    leyla, key = await citizen()
    await make_org('MOJ')
    pension = await signed_letter(leyla, key, title='Pensiya haqqında', body='Pensiyamın hesablanması', now=NOW)
    notary = await signed_letter(
        leyla, key, to='MOJ', title='Notariat', body='Etibarnamə sualı', now=NOW + timedelta(days=10)
    )
    me = leyla.as_actor()
    later = NOW + timedelta(days=40)

    async def ids(where: LetterFilter) -> list[Any]:
        return [i.id for i in (await letters.list_sent(actor=me, now=later, where=where)).items]

    assert await ids(LetterFilter()) == [notary.id, pension.id]
    assert await ids(LetterFilter(query='pensiya')) == [pension.id]
    assert await ids(LetterFilter(query='etibarnamə')) == [notary.id]
    assert await ids(LetterFilter(query='ETİBARNAMƏ')) == [notary.id]  # Azerbaijani casing, on SQLite too
    assert await ids(LetterFilter(query='PENSİYAMIN')) == [pension.id]  # dotless I lowers to ı
    assert await ids(LetterFilter(organisation_code='moj')) == [notary.id]
    assert await ids(LetterFilter(organisation_code='XYZ')) == []
    assert await ids(LetterFilter(status=LetterStatus.SENT)) == [notary.id, pension.id]
    assert await ids(LetterFilter(since=date(2026, 11, 25))) == [notary.id]
    assert await ids(LetterFilter(until=date(2026, 11, 20))) == [pension.id]
    overdue = await letters.list_sent(actor=me, now=later, where=LetterFilter(overdue=True))
    assert [(i.id, i.overdue) for i in overdue.items] == [(notary.id, True), (pension.id, True)]
    with pytest.raises(Invalid):
        LetterFilter(since=date(2026, 12, 1), until=date(2026, 11, 1))
    page = await letters.list_sent(actor=me, now=later, limit=1, offset=1)
    assert (page.total, [i.id for i in page.items]) == (2, [pension.id])

    desk = await officer()
    queue = await letters.list_incoming(actor=desk, now=later)
    assert [(i.id, i.overdue, i.citizen_fin) for i in queue.items] == [(pension.id, True, A_FIN)]
    await letters.set_status(actor=desk, letter_id=pension.id, status=LetterStatus.REJECTED, reason='Yox', now=later)
    assert (await letters.list_incoming(actor=desk, now=later, where=LetterFilter(open_only=True))).total == 0
    assert (await letters.list_incoming(actor=desk, now=later)).total == 1
