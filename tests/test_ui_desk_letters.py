"""The officer's desk in the browser: incoming letters live, overdue ones marked, only one's own organisation's;
writing to a citizen by FIN, with clear refusals that write nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nicegui import ElementFilter, ui
from nicegui.testing import User

from portal.i18n import translate
from portal.store import letters
from portal.store.actors import Role
from portal.store.letters import Direction, LetterStatus
from portal.store.letters.models import Attachment, Letter
from portal.store.people import Person
from tests.builders import use_fast_hashing
from tests.factories import make_org, make_person
from tests.letters_kit import HTML, PDF, signed_letter
from tests.test_ui_login import WAIT, login

LEYLA, TURAL, ORXAN, SEBINE = '5ABC123', '4MD5R1X', '8KL4M2N', '6NS2K8V'


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


def az(message: str, **params: object) -> str:
    """A message as the officer sees it (the default language), whether or not it is translated yet."""
    return translate(message, 'az', **params)


async def officer(code: str, fin: str, role: Role = Role.AGENCY_OFFICER) -> Person:
    person, _ = await make_person(fin, first='Tural', last='Quliyev', role=role, org=await make_org(code))
    return person


async def leyla() -> tuple[Person, Ed25519PrivateKey]:
    return await make_person(LEYLA)


def row_markers(user: User, letter_id: object) -> set[str]:
    (row,) = user.find(marker=f'letter-queue-{letter_id}').elements
    return set(row._markers)


def queue_order(user: User) -> list[str]:
    """The letters' ids as the queue shows them, top to bottom."""
    (queue,) = user.find(marker='letter-queue').elements
    rows = [e for e in queue.descendants() if 'letter-queue-row' in e._markers]
    prefix = 'letter-queue-'
    return [m.removeprefix(prefix) for row in rows for m in row._markers if len(m) == len(prefix) + 36]


def text_of(user: User, marker: str) -> str:
    """What the visible labels with this marker say ('' while there are none)."""
    try:
        elements = user.find(marker=marker).elements
    except AssertionError:
        return ''
    return ' '.join(e.text for e in elements if isinstance(e, ui.label | ui.badge))


async def shows(user: User, marker: str, text: str) -> None:
    """Wait until the labels with this marker show exactly this text."""
    for _ in range(WAIT):
        if text_of(user, marker) == text:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'{marker} shows {text_of(user, marker)!r}, not {text!r}')


async def upload(user: User, *files: tuple[str, bytes]) -> None:
    element = user.find(kind=ui.upload, marker='to-files').elements.pop()
    with user:
        await element.handle_uploads([ui.upload.SmallFileUpload(name, 'application/pdf', data) for name, data in files])


# --- the queue ---------------------------------------------------------------------------------------------------


async def test_a_signed_letter_arrives_on_the_open_desk_and_leaves_when_closed(
    user: User, create_user: Callable[[], User]
) -> None:
    citizen, key = await leyla()
    tural = await officer('MIA', TURAL)
    await login(user, TURAL)
    await user.should_see(marker='letter-queue-empty')
    await shows(user, 'letter-queue-count', '0')

    sent = await signed_letter(citizen, key, to='MIA', title='Qeydiyyat haqqında', now=datetime.now(UTC))
    await user.should_see('Qeydiyyat haqqında', retries=WAIT)  # live, without a reload
    await shows(user, 'letter-queue-count', '1')
    await user.should_see(marker=f'letter-queue-{sent.id}')
    await user.should_not_see(marker='letter-queue-empty')
    (link,) = user.find(marker='letter-queue-link').elements
    assert isinstance(link, ui.link) and link.props['href'] == f'/letters/{sent.id}'
    assert 'Leyla Məmmədova · 5ABC123' in text_of(user, 'letter-queue-citizen')
    assert 'letter-queue-overdue' not in row_markers(user, sent.id)
    await user.should_see(marker='letter-status-sent')

    # the officer's own moves (from the letter page or the API) reach the open queue too
    actor = tural.as_actor()
    await letters.set_status(
        actor=actor,
        letter_id=sent.id,
        status=LetterStatus.UNDER_REVIEW,
        investigation_reason='Ünvan yoxlanılır.',
        now=datetime.now(UTC),
    )
    await user.should_see(marker='letter-status-under_review', retries=WAIT)
    await user.should_see(marker='letter-queue-investigation')
    await letters.set_status(
        actor=actor, letter_id=sent.id, status=LetterStatus.REJECTED, reason='Təkrar.', now=datetime.now(UTC)
    )
    await user.should_see(marker='letter-queue-empty', retries=WAIT)  # closed: off the open queue

    # closed letters are a choice away
    user.find(kind=ui.select, marker='letter-queue-view').elements.pop().set_value(LetterStatus.REJECTED.value)
    await user.should_see(marker=f'letter-queue-{sent.id}', retries=WAIT)
    await user.should_see(marker='letter-status-rejected')


async def test_overdue_letters_come_first_and_are_marked(user: User) -> None:
    citizen, key = await leyla()
    await officer('MIA', TURAL)
    now = datetime.now(UTC)
    fresh = await signed_letter(citizen, key, title='Təzə məktub', now=now - timedelta(hours=1))
    old = await signed_letter(citizen, key, title='Köhnə məktub', now=now - timedelta(days=40))
    await login(user, TURAL)
    await user.should_see(marker=f'letter-queue-{old.id}')

    assert 'letter-queue-overdue' in row_markers(user, old.id)
    assert 'letter-queue-overdue' not in row_markers(user, fresh.id)
    assert len(user.find(marker='letter-overdue').elements) == 1
    assert queue_order(user) == [str(old.id), str(fresh.id)]  # nearest deadline first

    user.find(kind=ui.checkbox, marker='letter-queue-overdue-only').elements.pop().set_value(True)
    await user.should_not_see(marker=f'letter-queue-{fresh.id}', retries=WAIT)
    await user.should_see(marker=f'letter-queue-{old.id}')
    await shows(user, 'letter-queue-count', '1')


async def test_an_officer_sees_only_letters_to_their_own_organisation(
    user: User, create_user: Callable[[], User]
) -> None:
    citizen, key = await leyla()
    await officer('MIA', TURAL)
    await officer('DYP', ORXAN)
    await officer('IH-NESIMI', SEBINE, Role.EXECUTIVE_OFFICER)
    to_mia = await signed_letter(citizen, key, to='MIA', title='Nazirliyə məktub', now=datetime.now(UTC))
    to_nesimi = await signed_letter(citizen, key, to='IH-NESIMI', title='İcra hakimiyyətinə', now=datetime.now(UTC))

    await login(user, ORXAN)  # an officer of another agency
    await user.should_see(marker='letter-queue-empty')
    await user.should_not_see('Nazirliyə məktub')
    await user.should_not_see('İcra hakimiyyətinə')

    executive = create_user()  # local executives get letters too
    await login(executive, SEBINE)
    await executive.should_see(marker=f'letter-queue-{to_nesimi.id}')
    await executive.should_not_see(marker=f'letter-queue-{to_mia.id}')

    # a letter arriving at MIA does not reach the other desks
    late = await signed_letter(citizen, key, to='MIA', title='Yenə nazirliyə', now=datetime.now(UTC))
    mia = create_user()
    await login(mia, TURAL)
    await mia.should_see(marker=f'letter-queue-{late.id}')
    await asyncio.sleep(0.3)
    await user.should_not_see('Yenə nazirliyə')
    await executive.should_not_see('Yenə nazirliyə')


async def test_the_desk_links_to_writing_and_to_the_public_statistics(user: User) -> None:
    await officer('MIA', TURAL)
    await login(user, TURAL)
    (stats,) = user.find(marker='desk-letter-stats').elements
    assert isinstance(stats, ui.link) and stats.props['href'] == '/statistics/letters/MIA'
    user.find(marker='write-to-citizen').click()
    await user.should_see(marker='to-fin', retries=WAIT)


# --- writing to a citizen ----------------------------------------------------------------------------------------


async def outbound_count() -> int:
    return await Letter.filter(direction=Direction.OUTBOUND).count()


async def write(user: User, *, fin: str, title: str = 'Bildiriş', body: str = 'Hörmətli vətəndaş, ...') -> None:
    """Fill the form, send it, and wait for the outcome: the error line shown again, or the confirmation."""
    for marker, value in (('to-fin', fin), ('to-title', title), ('to-body', body)):
        user.find(marker=marker).clear().type(value)
    with user:
        (error,) = ElementFilter(kind=ui.label, marker='to-error')
    error.set_visibility(False)  # sending hides it too; it shows again only when the store refuses
    user.find(marker='to-send').click()
    for _ in range(WAIT):
        await asyncio.sleep(0.05)
        if error.visible or text_of(user, 'to-sent'):
            return
    raise AssertionError('no outcome of sending')


async def test_writing_to_a_citizen_refuses_bad_input_and_writes_nothing(user: User) -> None:
    await leyla()
    await officer('MIA', TURAL)
    await officer('DYP', ORXAN)
    await login(user, TURAL)
    await user.open('/desk/letters/new')

    cases = [
        ('5ab', 'Bildiriş', az('A FIN is exactly 7 Latin letters or digits.')),
        ('9ZZZ999', 'Bildiriş', az('No citizen has this FIN.')),
        (ORXAN, 'Bildiriş', az('No citizen has this FIN.')),  # an officer is not a citizen with an inbox
        (LEYLA, '   ', az('Please enter a title.')),
    ]
    for fin, title, message in cases:
        await write(user, fin=fin, title=title)
        await shows(user, 'to-error', message)
        assert await outbound_count() == 0, fin

    await upload(user, ('hesabat.pdf', HTML))  # named PDF, but HTML inside
    await shows(user, 'to-error', az('The file {name} is not a PDF, JPEG, PNG or DOCX document.', name='hesabat.pdf'))
    await user.should_not_see(marker='to-file')
    await upload(user, ('../../etc/passwd.pdf', PDF))
    await shows(
        user,
        'to-error',
        az('The file name is not allowed: use a plain name without folders or control characters.'),
    )
    assert await outbound_count() == 0
    assert await Attachment.all().count() == 0
    await user.should_not_see(marker='to-sent')


async def test_a_letter_to_a_citizen_lands_in_their_inbox(user: User) -> None:
    citizen, _ = await leyla()
    await officer('MIA', TURAL)
    await login(user, TURAL)
    user.find(marker='write-to-citizen').click()
    await user.should_see(marker='to-fin', retries=WAIT)
    await upload(user, ('arayis.pdf', PDF))
    await user.should_see(marker='to-file')

    await write(user, fin=' 5abc123 ', title='Ünvan qeydiyyatı', body='Qeydiyyatınız yenilənib.')
    await user.should_see(marker='to-sent', retries=WAIT)
    await user.should_not_see(marker='to-send')
    inbox = await letters.list_inbox(actor=citizen.as_actor(), now=datetime.now(UTC))
    (item,) = inbox.items
    assert (item.title, item.organisation and item.organisation.code, item.unread) == ('Ünvan qeydiyyatı', 'MIA', True)
    (link,) = user.find(marker='to-sent-link').elements
    assert isinstance(link, ui.link) and link.props['href'] == f'/letters/{item.id}'
    view = await letters.get_letter(actor=citizen.as_actor(), letter_id=item.id, now=datetime.now(UTC))
    assert [a.filename for a in view.attachments] == ['arayis.pdf']
    assert view.body == 'Qeydiyyatınız yenilənib.'


async def test_only_officers_write_to_citizens(user: User) -> None:
    await leyla()
    await login(user, LEYLA)
    await user.open('/desk/letters/new')
    await user.should_not_see(marker='to-fin')
    await user.should_see(marker='welcome')  # sent back to the cabinet
