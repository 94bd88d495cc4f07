"""Official letters in the browser: the citizen writes, signs and follows a letter live; the officer works it on the
same page; drafts survive reloads; bad input writes nothing; nobody reads another's letter or file."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nicegui import ui
from nicegui.testing import User

from portal.i18n import translate
from portal.store import auth, letters
from portal.store.actors import Role
from portal.store.letters import LetterStatus, Upload
from portal.store.letters.files import MAX_FILE_BYTES
from portal.store.letters.models import STATUS_WORDS, Attachment, Letter
from portal.store.people import Person
from portal.store.workdays import add_working_days, local_date
from tests.builders import DEMO_PIN, make_device, use_fast_hashing
from tests.factories import make_org, make_person
from tests.letters_kit import HTML, PDF, PNG, pdf, signed_letter
from tests.test_ui_login import WAIT, login

LEYLA, RASHAD, TURAL, ORXAN = '5ABC123', '2HT8P4N', '4MD5R1X', '8KL4M2N'


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)  # many logins: real argon2, tiny cost


def az(message: str, **params: object) -> str:
    """A message as the citizen sees it (the default language), whether or not it is translated yet."""
    return translate(message, 'az', **params)


def _now() -> datetime:
    return datetime.now(UTC)


def due(working_days: int) -> str:
    return add_working_days(local_date(datetime.now(UTC)), working_days).strftime('%d.%m.%Y')


async def officer(code: str, fin: str, first: str = 'Tural') -> Person:
    person, _ = await make_person(fin, first=first, last='Quliyev', role=Role.AGENCY_OFFICER, org=await make_org(code))
    return person


def text_of(user: User, marker: str) -> str:
    return ' '.join(e.text for e in user.find(marker=marker).elements if isinstance(e, ui.label | ui.badge))


async def says(user: User, marker: str, message: str) -> None:
    """Wait until the element with this marker is shown with exactly this message."""
    shown = ''
    for _attempt in range(WAIT):
        try:
            shown = text_of(user, marker)
        except AssertionError:  # not shown (yet)
            shown = ''
        if shown == message:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'{marker} shows {shown!r}, not {message!r}')


async def upload(user: User, marker: str, *files: tuple[str, bytes]) -> None:
    """What the browser's uploader posts (the declared type says 'PDF' every time: the server goes by content)."""
    element = user.find(kind=ui.upload, marker=marker).elements.pop()
    with user:
        await element.handle_uploads([ui.upload.SmallFileUpload(name, 'application/pdf', data) for name, data in files])


async def compose(user: User, *, title: str = '', body: str = '', agency: str | None = 'MIA') -> None:
    await user.open('/letters/new')
    await user.should_see(marker='letter-compose')
    if agency:
        user.find(kind=ui.select, marker='letter-agency').elements.pop().set_value(agency)
    if title:
        user.find(marker='letter-title').type(title)
    if body:
        user.find(marker='letter-body').type(body)


async def pending_challenge(person: Person) -> auth.ChallengeView:
    """The signing request the citizen's phone sees."""
    for _attempt in range(WAIT):
        pending = await auth.pending_challenges(person_id=person.id, now=datetime.now(UTC))
        if pending:
            return pending[0]
        await asyncio.sleep(0.1)
    raise AssertionError('no signing request reached the phone')


async def sign_on_phone(person: Person, key: Ed25519PrivateKey, code: str) -> None:
    challenge = await pending_challenge(person)
    assert challenge.code == code  # the code the page shows is the phone's
    assert challenge.purpose is auth.ChallengePurpose.DOCUMENT
    await auth.submit_signature(challenge_id=challenge.id, signature=key.sign(challenge.message), now=datetime.now(UTC))


async def test_the_whole_flow_two_users_live(user: User, create_user: Callable[[], User]) -> None:
    leyla, key = await make_person(LEYLA)
    await officer('MIA', TURAL)
    colleague = await officer('MIA', ORXAN, 'Orxan')
    await login(user, LEYLA)

    # compose: the agency from the searchable list, title, body and a PDF
    await user.open('/letters/new')
    agency = user.find(kind=ui.select, marker='letter-agency').elements.pop()
    assert agency.props.get('use-input') is not None  # searchable
    user.find(marker='letter-agency').click()
    user.find('Daxili İşlər Nazirliyi').click()
    assert agency.value == 'MIA'
    user.find(marker='letter-title').type('Ünvan arayışı')
    user.find(marker='letter-body').type('Hörmətli nazirlik,\n<b>ünvanımla</b> bağlı arayış istəyirəm.')
    await upload(user, 'letter-upload', ('ərizə.pdf', PDF))
    await user.should_see('ərizə.pdf', retries=WAIT)

    # review shows the letter as it will be signed; then SİMA with the code and the countdown
    user.find(marker='letter-review').click()
    await user.should_see(marker='letter-preview', retries=WAIT)
    assert text_of(user, 'preview-title') == 'Ünvan arayışı'
    assert 'Daxili İşlər Nazirliyi' in text_of(user, 'preview-to')
    user.find(marker='sign-sima').click()
    await user.should_see(marker='sign-code', retries=WAIT)
    await user.should_see(marker='sign-remaining')
    await sign_on_phone(leyla, key, text_of(user, 'sign-code'))

    # sent: the browser lands on the letter, signed and valid, with its deadline
    await user.should_see(marker='letter-view', retries=WAIT)
    sent = (await letters.list_sent(actor=leyla.as_actor(), now=datetime.now(UTC))).items
    assert [(s.title, s.status) for s in sent] == [('Ünvan arayışı', LetterStatus.SENT)]
    letter_id = sent[0].id
    await user.should_see(marker='signature-valid')
    assert 'Leyla' in text_of(user, 'signature-valid') and 'SİMA' in text_of(user, 'signature-valid')
    assert due(15) in text_of(user, 'letter-due')
    assert text_of(user, 'letter-body') == 'Hörmətli nazirlik,\n<b>ünvanımla</b> bağlı arayış istəyirəm.'
    await user.should_not_see(kind=ui.html)  # text, never markup
    await user.should_see('ərizə.pdf')
    await user.should_see(marker='letter-status-sent')

    # the officer's open letter page and the citizen's both follow a move made elsewhere (another officer)
    desk = create_user()
    await login(desk, TURAL)
    await desk.open(f'/letters/{letter_id}')
    await desk.should_see(marker='letter-actions')
    await desk.should_see('Leyla Məmmədova')
    await desk.should_not_see(marker='action-investigation')
    await letters.set_status(
        actor=colleague.as_actor(), letter_id=letter_id, status=LetterStatus.RECEIVED, now=datetime.now(UTC)
    )
    await desk.should_see(marker='letter-status-received', retries=WAIT)
    await user.should_see(marker='letter-status-received', retries=WAIT)
    await desk.should_not_see(marker='action-received')  # no longer an allowed move

    # under review with an investigation: the citizen sees the reason and the 30-day deadline live
    desk.find(marker='action-review').click()
    await desk.should_see(marker='review-dialog')
    desk.find(marker='review-needed').click()
    desk.find(marker='review-reason').type('Arxiv sorğusu lazımdır')
    desk.find(marker='review-send').click()
    await user.should_see(marker='letter-status-under_review', retries=WAIT)
    await user.should_see('Arxiv sorğusu lazımdır', retries=WAIT)
    assert due(30) in text_of(user, 'letter-due')
    await desk.should_see(marker='letter-status-under_review', retries=WAIT)
    await desk.should_not_see(marker='action-investigation')  # extended once
    await desk.should_not_see(marker='action-review')

    # the answer, with a file: the citizen's page shows it live, the header counts one unread letter
    desk.find(marker='action-answer').click()
    desk.find(marker='answer-text').type('Arayış əlavə olunur.')
    await upload(desk, 'answer-upload', ('arayis.png', PNG))
    await desk.should_see('arayis.png', retries=WAIT)
    desk.find(marker='answer-send').click()
    await desk.should_see(marker='letter-status-answered', retries=WAIT)
    await user.should_see(marker='letter-answer', retries=WAIT)
    await user.should_see('Arayış əlavə olunur.')
    await user.should_see('arayis.png')
    await user.should_see(marker='letter-status-answered')
    await user.should_see(marker='unread-count', retries=WAIT)
    assert text_of(user, 'unread-count') == '1'
    timeline = (await letters.get_letter(actor=leyla.as_actor(), letter_id=letter_id, now=_now())).timeline
    assert [e.kind.value for e in timeline] == ['sent', 'received', 'under_review', 'investigation', 'answered']
    await user.should_see(marker='step-investigation')
    await user.should_not_see('Tural')  # the citizen sees the officer's role, not the name
    await desk.should_see('Tural')

    # the inbox lists the answer as unread; opening it marks it read and the count goes
    await user.open('/letters?folder=inbox')
    await user.should_see(marker='row-unread')
    answer = (await letters.list_inbox(actor=leyla.as_actor(), now=_now())).items[0]
    assert answer.reply_to_id == letter_id
    user.find(marker=f'link-{answer.id}').click()
    await user.should_see(marker='letter-reply-to', retries=WAIT)
    assert await letters.count_unread(actor=leyla.as_actor()) == 0
    await user.open('/letters?folder=inbox')
    await user.should_not_see(marker='row-unread')
    await user.should_not_see(marker='unread-count')


async def test_a_draft_survives_a_reload(user: User) -> None:
    await make_person(LEYLA)
    await make_org('MIA')
    await login(user, LEYLA)
    await compose(user, title='Yarımçıq məktub', body='Birinci abzas')
    user.find(marker='letter-body').trigger('blur')  # leaving the field saves at once
    await upload(user, 'letter-upload', ('sened.pdf', PDF))
    await user.should_see('sened.pdf', retries=WAIT)

    await user.should_see(marker='draft-saved')
    await user.open('/letters/new')  # a reload
    await user.should_see(marker='letter-compose')
    await user.should_not_see(marker='draft-saved')
    assert user.find(kind=ui.input, marker='letter-title').elements.pop().value == 'Yarımçıq məktub'
    assert user.find(kind=ui.textarea, marker='letter-body').elements.pop().value == 'Birinci abzas'
    assert user.find(kind=ui.select, marker='letter-agency').elements.pop().value == 'MIA'
    await user.should_see('sened.pdf')
    await upload(user, 'letter-upload', ('artiq.png', PNG))
    await user.should_see('artiq.png', retries=WAIT)
    user.find(marker='remove-file').click()  # the first file goes
    await user.should_not_see('sened.pdf', retries=WAIT)

    # typing without leaving the field is saved a moment later
    user.find(marker='letter-title').type(' (davamı)')
    await user.should_see(marker='draft-saved', retries=WAIT)
    await user.open('/letters/new')
    assert user.find(kind=ui.input, marker='letter-title').elements.pop().value == 'Yarımçıq məktub (davamı)'
    await user.should_see('artiq.png')
    await user.should_not_see('sened.pdf')
    assert await Letter.filter(status=LetterStatus.DRAFT).count() == 1  # one draft, not one per visit


async def test_bad_input_shows_a_message_and_sends_nothing(user: User) -> None:
    leyla, key = await make_person(LEYLA)
    await make_org('MIA')
    await login(user, LEYLA)

    # an empty title: refused at signing, back in the form with the store's message
    await compose(user, body='Mətn var, başlıq yoxdur.')
    user.find(marker='letter-review').click()
    await user.should_see(marker='letter-preview', retries=WAIT)
    user.find(marker='sign-sima').click()
    await says(user, 'compose-error', az('Please enter a title.'))
    await user.should_see(marker='letter-title')
    assert await auth.pending_challenges(person_id=leyla.id, now=_now()) == []

    # an empty body
    user.find(marker='letter-title').type('Başlıq')
    user.find(marker='letter-body').clear()
    user.find(marker='letter-review').click()
    await user.should_see(marker='letter-preview', retries=WAIT)
    user.find(marker='sign-asan').click()
    await says(user, 'compose-error', az('Please write the letter.'))

    # an HTML file named .pdf, and then one file too many
    await upload(user, 'letter-upload', ('hesabat.pdf', HTML))
    await says(
        user, 'compose-error', az('The file {name} is not a PDF, JPEG, PNG or DOCX document.', name='hesabat.pdf')
    )
    await upload(user, 'letter-upload', ('boyuk.pdf', pdf(MAX_FILE_BYTES + 1)))
    await says(user, 'compose-error', az('The file {name} is larger than {limit} MB.', name='boyuk.pdf', limit=10))
    assert await Attachment.all().count() == 0
    await upload(user, 'letter-upload', *[(f'sened-{i}.pdf', PDF) for i in range(6)])
    await says(user, 'compose-error', az('At most {limit} files can be attached.', limit=5))
    assert sorted(text_of(user, 'letter-file-name').split()) == [f'sened-{i}.pdf' for i in range(5)]
    assert await Attachment.all().count() == 5

    # a refusal on the phone leaves the draft a draft, and signing can start again
    user.find(marker='letter-body').type('Tam mətn.')
    user.find(marker='letter-review').click()
    await user.should_see(marker='letter-preview', retries=WAIT)
    user.find(marker='sign-sima').click()
    await user.should_see(marker='sign-code', retries=WAIT)
    challenge = await pending_challenge(leyla)
    await auth.refuse_challenge(challenge_id=challenge.id, now=_now())
    await says(user, 'compose-error', az('The confirmation was refused on the phone. The letter was not sent.'))
    await user.should_see(marker='sign-sima')
    assert await Letter.filter(status=LetterStatus.DRAFT).count() == 1
    assert await Letter.exclude(status=LetterStatus.DRAFT).count() == 0

    # a second attempt, signed, sends it
    user.find(marker='sign-sima').click()
    await user.should_see(marker='sign-code', retries=WAIT)
    await sign_on_phone(leyla, key, text_of(user, 'sign-code'))
    await user.should_see(marker='letter-view', retries=WAIT)
    assert await Letter.filter(status=LetterStatus.SENT).count() == 1


async def test_nobody_reads_another_citizens_letter_or_file(user: User, create_user: Callable[[], User]) -> None:
    leyla, key = await make_person(LEYLA)
    await make_person(RASHAD, first='Rəşad', last='Əliyev')
    await officer('MIA', TURAL)
    await officer('MOJ', ORXAN, 'Orxan')
    name = 'ərizə "1".pdf'
    sent = await signed_letter(leyla, key, uploads=[Upload(name, PDF)], now=_now())
    attachment = sent.attachments[0]
    url = f'/files/letters/{sent.id}/{attachment.id}'

    await login(user, LEYLA)
    response = await user.http_client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers['content-type'] == 'application/pdf'
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert response.headers['cache-control'] == 'no-store'
    disposition = response.headers['content-disposition']
    assert disposition.startswith('attachment;')
    assert "filename*=UTF-8''" + quote(name, safe='') in disposition
    await user.open(f'/letters/{sent.id}')
    await user.should_see(marker='attachment-link')

    rashad = create_user()
    await login(rashad, RASHAD)
    await rashad.open(f'/letters/{sent.id}')
    await rashad.should_see(marker='letter-not-found')
    await rashad.should_not_see('Ünvan arayışı')
    assert (await rashad.http_client.get(url)).status_code == 404
    await rashad.open(f'/letters/{UUID(int=1)}')  # a missing letter looks the same
    await rashad.should_see(marker='letter-not-found')

    other_agency = create_user()
    await login(other_agency, ORXAN)
    assert (await other_agency.http_client.get(url)).status_code == 404
    await other_agency.open(f'/letters/{sent.id}')
    await other_agency.should_see(marker='letter-not-found')

    own_agency = create_user()
    await login(own_agency, TURAL)
    assert (await own_agency.http_client.get(url)).status_code == 200

    stranger = create_user()  # not logged in
    response = await stranger.http_client.get(url)
    assert response.status_code == 303 and response.headers['location'] == '/login'
    assert (await stranger.http_client.get(f'/files/letters/not-a-uuid/{attachment.id}')).status_code in (303, 404)


async def test_the_demo_phone_shows_a_letter_to_sign(user: User, create_user: Callable[[], User]) -> None:
    leyla, _ = await make_person(LEYLA)
    await make_device(leyla)
    await make_org('MIA')
    await login(user, LEYLA)
    await compose(user, title='Telefonla imza', body='Mətn.')
    user.find(marker='letter-review').click()
    await user.should_see(marker='letter-preview', retries=WAIT)
    user.find(marker='sign-asan').click()
    await user.should_see(marker='sign-code', retries=WAIT)

    phone = create_user()
    await phone.open('/device')
    phone.find(marker='device-fin').type(LEYLA)
    phone.find(marker='device-open').click()
    await phone.should_see(marker='device-sign-letter', retries=WAIT)  # a letter to sign, not a login
    await phone.should_not_see(marker='device-login')
    await phone.should_see(text_of(user, 'sign-code'))
    digest = (await pending_challenge(leyla)).digest
    assert digest and digest[:16] in text_of(phone, 'device-digest')
    assert digest[:16] in text_of(user, 'sign-digest')  # the same start on the page and on the phone
    phone.find(marker='device-pin').type(DEMO_PIN)
    phone.find(marker='device-confirm').click()

    # (with two simulated users, ui.navigate belongs to whichever was touched last: check the letter, then open it)
    for _attempt in range(WAIT):
        sent = (await letters.list_sent(actor=leyla.as_actor(), now=_now())).items
        if sent:
            break
        await asyncio.sleep(0.1)
    assert [s.title for s in sent] == ['Telefonla imza']
    await user.open(f'/letters/{sent[0].id}')
    await user.should_see(marker='signature-valid')
    assert 'ASAN İmza' in text_of(user, 'signature-valid')


async def test_folders_search_filter_page_and_follow_live(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    leyla, key = await make_person(LEYLA)
    tural = await officer('MIA', TURAL)
    await make_org('MOJ')
    first = await signed_letter(leyla, key, title='Ünvan arayışı', body='Köçmüşəm.', now=_now())
    await signed_letter(leyla, key, title='Nikah şəhadətnaməsi', body='Dublikat lazımdır.', to='MOJ', now=_now())
    await signed_letter(leyla, key, title='Sürücülük vəsiqəsi', body='Itirmişəm.', now=_now())
    # the app's own module (the user fixture re-imports the portal package for every test)
    monkeypatch.setattr(importlib.import_module('portal.components.letter_folder'), 'PAGE', 2)
    await login(user, LEYLA)

    await user.open('/letters')
    await user.should_see(marker='folder-sent')
    assert len(user.find(marker='letter-row').elements) == 2  # the first of two pages
    await user.should_see(marker='inbox-empty')
    await user.should_not_see('Ünvan arayışı')
    user.find(kind=ui.pagination, marker='sent-pages').elements.pop().set_value(2)
    await user.should_see('Ünvan arayışı', retries=WAIT)  # the oldest, alone on the second page
    assert len(user.find(marker='letter-row').elements) == 1

    user.find(marker='sent-query').type('dublikat')  # the text is searched too, case aside
    user.find(marker='sent-apply').click()
    await user.should_see('Nikah şəhadətnaməsi', retries=WAIT)
    await user.should_not_see('Ünvan arayışı')
    user.find(marker='sent-query').clear()
    user.find(kind=ui.select, marker='sent-agency').elements.pop().set_value('MIA')
    user.find(kind=ui.select, marker='sent-status').elements.pop().set_value('received')
    user.find(marker='sent-apply').click()
    await user.should_see(marker='sent-empty', retries=WAIT)

    # an officer's move brings the letter into the filtered list, live
    await letters.set_status(actor=tural.as_actor(), letter_id=first.id, status=LetterStatus.RECEIVED, now=_now())
    await user.should_see('Ünvan arayışı', retries=WAIT)
    await user.should_not_see('Sürücülük vəsiqəsi')

    # a letter from the agency arrives in the inbox, unread, and the header counts it
    await letters.send_to_citizen(
        actor=tural.as_actor(), fin=LEYLA, title='Məlumat', body='Sənədiniz hazırdır.', uploads=[], now=_now()
    )
    await user.should_see(marker='row-unread', retries=WAIT)
    await user.should_see(marker='unread-count', retries=WAIT)
    assert text_of(user, 'unread-count') == '1'
    user.find(marker='inbox-since').type('2999-01-01')
    user.find(marker='inbox-until').type('2000-01-01')
    user.find(marker='inbox-apply').click()
    await says(user, 'inbox-error', az('The start date must not be after the end date.'))

    # the operation history names both letters
    await user.open('/history')
    await user.should_see(marker='history-letter_sent')
    await user.should_see(marker='history-letter_received')
    await user.should_see('Nikah şəhadətnaməsi')
    await user.should_see('Məlumat')


async def test_officer_forwards_and_rejects(user: User, create_user: Callable[[], User]) -> None:
    leyla, key = await make_person(LEYLA)
    await officer('MIA', TURAL)
    await officer('MOJ', ORXAN, 'Orxan')
    forwarded = await signed_letter(leyla, key, title='Səhv ünvan', now=_now())
    rejected = await signed_letter(leyla, key, title='Anlaşılmaz məktub', now=_now())
    late = await signed_letter(leyla, key, title='Köhnə məktub', now=_now() - timedelta(days=14))
    await login(user, LEYLA)
    await user.open(f'/letters/{forwarded.id}')

    desk = create_user()
    await login(desk, TURAL)
    await desk.open(f'/letters/{forwarded.id}')
    await desk.should_see(marker='letter-forward-due')
    desk.find(marker='action-forward').click()
    target = desk.find(kind=ui.select, marker='forward-to').elements.pop()
    assert 'MIA' not in target.options  # not to itself
    target.set_value('MOJ')
    desk.find(marker='forward-note').type('Ədliyyə Nazirliyinin səlahiyyətindədir.')
    desk.find(marker='forward-send').click()
    await desk.should_see(marker='letter-status-forwarded', retries=WAIT)
    await user.should_see(marker='letter-forwarded-to', retries=WAIT)  # the citizen's open page follows
    await user.should_see('Ədliyyə Nazirliyinin səlahiyyətindədir.')
    user.find(marker='letter-follow').click()
    await user.should_see(marker='letter-forwarded-from', retries=WAIT)
    await user.should_see(marker='signature-valid')  # the copy carries the original's signature

    other = create_user()
    await login(other, ORXAN)
    copy_id = (await letters.list_sent(actor=leyla.as_actor(), now=_now())).items
    copy = next(c for c in copy_id if c.title == 'Səhv ünvan')
    await other.open(f'/letters/{copy.id}')
    await other.should_see(marker='letter-forwarded-from')
    await other.should_see(marker='action-received')

    # a rejection needs a reason, which the citizen then reads
    await desk.open(f'/letters/{rejected.id}')
    desk.find(marker='action-reject').click()
    desk.find(marker='reject-send').click()
    await says(desk, 'reject-error', az('Please give the reason.'))
    desk.find(marker='reject-reason').type('Məktubda sual yoxdur.')
    desk.find(marker='reject-send').click()
    await desk.should_see(marker='letter-status-rejected', retries=WAIT)
    await desk.should_see(marker='actions-closed')  # nothing left to do
    await desk.should_not_see(marker='action-reject')
    await user.open(f'/letters/{rejected.id}')
    await user.should_see(marker='letter-rejected')
    await user.should_see('Məktubda sual yoxdur.')

    # forwarding after 3 working days: the store refuses, the page says why
    await desk.open(f'/letters/{late.id}')
    desk.find(marker='action-forward').click()
    desk.find(kind=ui.select, marker='forward-to').elements.pop().set_value('MOJ')
    desk.find(marker='forward-send').click()
    await says(desk, 'forward-error', az('A letter can only be forwarded within 3 working days of its receipt.'))
    assert (await letters.get_letter(actor=leyla.as_actor(), letter_id=late.id, now=_now())).status is LetterStatus.SENT


async def test_the_open_letter_shows_a_new_status_before_it_reads_the_letter_again(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    leyla, key = await make_person(LEYLA)
    tural = await officer('MIA', TURAL)
    sent = await signed_letter(leyla, key, now=_now())
    await login(user, LEYLA)
    await user.open(f'/letters/{sent.id}')
    await user.should_see(marker='letter-status-sent')

    # the page's read of the letter after the event is held until released
    release, reading = asyncio.Event(), asyncio.Event()
    get_letter = letters.get_letter

    async def held(**kwargs: object) -> object:
        reading.set()
        await release.wait()
        return await get_letter(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(letters, 'get_letter', held)
    await letters.set_status(actor=tural.as_actor(), letter_id=sent.id, status=LetterStatus.RECEIVED, now=_now())
    await asyncio.wait_for(reading.wait(), 5)
    await user.should_see(marker='letter-status-received')  # from the event, while the read waits
    assert text_of(user, 'letter-status') == az(STATUS_WORDS[LetterStatus.RECEIVED])
    await user.should_not_see(marker='letter-status-sent')
    await user.should_not_see(marker='step-received')  # the timeline comes with the read

    release.set()
    await user.should_see(marker='step-received', retries=WAIT)
    await user.should_see(marker='letter-status-received')
