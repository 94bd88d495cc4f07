"""Notices in the browser: the bell counts unread notices live, the list filters, pages and marks them read, each
notice shows how far its SMS and e-mail got, the settings save what the citizen chose, the administrator watches the
outbox; nobody sees another citizen's notices."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.channels import Message, SendError, Senders
from portal.i18n import translate
from portal.store import apikeys
from portal.store.actors import Role
from portal.store.notices import cabinet, delivery
from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.notices.types import TYPES, render
from portal.store.people import Person
from tests.builders import use_fast_hashing
from tests.factories import make_citizen, make_key, make_person
from tests.test_ui_login import WAIT, login

LEYLA, RASHAD, ADMIN = '5ABC123', '2HT8P4N', '9ADM1N7'
LETTER = {'agency': 'Daxili İşlər Nazirliyi', 'title': 'Ünvan sorğusu'}
_keys = itertools.count()


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


def az(message: str, **params: object) -> str:
    """A message as the citizen sees it (the default language), whether or not it is translated yet."""
    return translate(message, 'az', **params)


def now() -> datetime:
    return datetime.now(UTC)


async def raise_notice(person: Person, type: str = 'letter_received', link: str = '', **params: str) -> None:
    """A notice raised by a change in the portal, and the open pages told after the commit."""
    spec = TYPES[type]
    values = params or {name: LETTER.get(name, f'{name} {next(_keys)}') for name in spec.variables}
    assert await notify(NewNotice(person.id, type, f'test:{next(_keys)}', values, link), now=now())
    announce([person.id])


def text(type: str, **params: str) -> str:
    return render(TYPES[type], params or LETTER, 'az')


def texts(user: User, marker: str) -> list[str]:
    """The texts of the elements with this marker, in page order."""
    found = sorted(user.find(marker=marker).elements, key=lambda e: e.id)
    return [e.text for e in found if isinstance(e, ui.label | ui.badge | ui.item_label)]


async def badge_says(user: User, count: int) -> None:
    """Wait until the bell shows this count (no badge at 0), in its badge and its aria-label."""
    shown: Any = None
    for _attempt in range(WAIT):
        bell = user.find(marker='notice-bell').elements.pop()
        try:
            badges = [e for e in user.find(kind=ui.badge, marker='notice-count').elements if e.visible]
        except AssertionError:  # no visible badge
            badges = []
        shown = (badges[0].text if badges else None, bell.props.get('aria-label'))
        if shown == (str(count) if count else None, az('Notices, {count} unread', count=count)):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'the bell shows {shown!r}, not {count}')


async def rows(user: User, count: int) -> None:
    shown = -1
    for _attempt in range(WAIT):
        try:
            shown = len(user.find(marker='notice-row').elements)
        except AssertionError:
            shown = 0
        if shown == count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'{shown} notices shown, not {count}')


class Recorder:
    """A sender double: accepts every message, or refuses each as told."""

    def __init__(self, fail: SendError | None = None) -> None:
        self.fail = fail
        self.sent: list[Message] = []

    async def send(self, message: Message) -> str:
        if self.fail is not None:
            raise self.fail
        self.sent.append(message)
        return f'provider-{message.delivery_id}'


async def contacts(person: Person, *, digest: bool = False, email: str = 'leyla@example.az') -> None:
    await cabinet.save_preferences(
        actor=person.as_actor(),
        email=email,
        phone='+994501234567',
        channels={},
        quiet_from=0,
        quiet_until=0,  # no quiet hours: an SMS raised at any hour is due at once
        digest=digest,
        lang='az',
        now=now(),
    )


async def test_the_bell_counts_unread_notices_live_and_lists_the_newest(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    await raise_notice(leyla)
    await raise_notice(leyla, 'letter_answered', link='/letters')
    await login(user, LEYLA)
    await badge_says(user, 2)

    # an agency's system sends a notice through the API while the cabinet is open: the bell follows
    client = await apikeys.authenticate(key=await make_key('MIA', scopes=('notifications:write',)), now=now())
    await cabinet.send_notice(
        actor=client, fin=LEYLA, type='data_updated', params={'agency': 'DİN', 'what': 'Ünvan'}, now=now()
    )
    await badge_says(user, 3)
    # a burst is folded into few reads, and still ends at the right count
    for _ in range(6):
        await raise_notice(leyla, 'application_status')
    await badge_says(user, 9)

    # the menu: the five newest, each marked unread, and the way to all of them
    user.find(marker='notice-bell').click()
    await user.should_see(marker='bell-item', retries=WAIT)
    assert len(user.find(marker='bell-item').elements) == 5
    assert len(user.find(marker='bell-unread').elements) == 5
    await user.should_not_see(text('data_updated', agency='DİN', what='Ünvan'))  # the sixth newest
    assert user.find(kind=ui.link, marker='bell-all').elements.pop().props['href'] == '/notifications'

    user.find(marker='bell-read-all').click()
    await badge_says(user, 0)
    assert await cabinet.count_unread(actor=leyla.as_actor()) == 0
    await user.should_not_see(marker='bell-unread', retries=WAIT)


async def test_opening_a_notice_from_the_bell_reads_it_and_follows_its_link(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    await raise_notice(leyla, link='/letters')
    await login(user, LEYLA)
    await badge_says(user, 1)
    user.find(marker='notice-bell').click()
    await user.should_see(text('letter_received'), retries=WAIT)
    user.find(marker='bell-item').click()
    await user.should_see(marker='folder-sent', retries=WAIT)  # /letters
    await badge_says(user, 0)


async def test_the_list_filters_pages_marks_read_and_follows_live(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    for _ in range(20):
        await raise_notice(leyla, 'application_status')
    await raise_notice(leyla, 'letter_answered', link='/letters')
    await raise_notice(leyla)  # letter_received, the newest
    await login(user, LEYLA)
    await user.open('/notifications')
    await rows(user, 20)  # a page of 20, newest first
    assert texts(user, 'notice-text')[0] == text('letter_received')
    assert az('Notices found: {count}', count=22) in texts(user, 'notice-total')
    assert user.find(kind=ui.link, marker='notice-link').elements.pop().props['href'] == '/letters'
    user.find(marker='notice-more').click()
    await rows(user, 22)
    await user.should_not_see(marker='notice-more')

    # by type
    user.find(kind=ui.select, marker='notice-type').elements.pop().set_value('letter_answered')
    await rows(user, 1)
    assert texts(user, 'notice-text') == [text('letter_answered')]
    await user.should_see(marker='notice-new')

    # read: the row loses its mark, the bell counts one less, live
    await badge_says(user, 22)
    user.find(marker='notice-read').click()
    await user.should_not_see(marker='notice-new', retries=WAIT)
    await badge_says(user, 21)

    # unread only, and a new notice appears without a reload
    user.find(kind=ui.select, marker='notice-type').elements.pop().set_value(None)
    user.find(marker='notice-unread-only').click()
    await rows(user, 20)  # again the first page, now of the 21 unread
    assert text('letter_answered') not in texts(user, 'notice-text')
    await raise_notice(leyla, 'letter_received', agency='Ədliyyə Nazirliyi', title='Cavab')
    await user.should_see(text('letter_received', agency='Ədliyyə Nazirliyi', title='Cavab'), retries=WAIT)
    await badge_says(user, 22)

    user.find(marker='notice-read-all').click()
    await user.should_see(marker='notice-empty', retries=WAIT)
    await badge_says(user, 0)
    assert (await cabinet.list_notices(actor=leyla.as_actor(), unread_only=True)).total == 0


async def test_each_notice_shows_where_it_went_and_how_far_it_got(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(LEYLA)
    rashad = await make_citizen(RASHAD, first='Rəşad')
    await contacts(leyla)
    await contacts(rashad, digest=True, email='rashad@example.az')
    await raise_notice(leyla, 'letter_answered')  # SMS and e-mail by default
    await raise_notice(rashad, 'letter_answered')
    await login(user, LEYLA)
    await user.open('/notifications')
    await user.should_see(marker='delivery-cabinet-shown')
    await user.should_see(marker='delivery-sms-queued')
    await user.should_see(marker='delivery-email-queued')

    # the delivery job runs: the e-mail server refuses the address, the SMS goes and its receipt comes
    sms = Recorder()
    refused = Recorder(SendError('550 mailbox unavailable at smtp.internal:25', permanent=True))
    await delivery.deliver_due(senders=Senders(email=refused, sms=sms), now=now(), worker='test')
    announce([leyla.id])
    await user.should_see(marker='delivery-email-failed', retries=WAIT)
    await user.should_see(marker='delivery-sms-sent')
    tip = user.find(kind=ui.tooltip, marker='delivery-email-reason').elements.pop()
    assert tip.text == az('The e-mail could not be delivered. Check your e-mail address in the notice settings.')
    await user.should_not_see('smtp.internal')  # the server's words are for administrators
    assert await delivery.record_receipt(
        provider_id=f'provider-{sms.sent[0].delivery_id}', delivered=True, reason='', now=now()
    )
    announce([leyla.id])
    await user.should_see(marker='delivery-sms-delivered', retries=WAIT)

    # a citizen with the digest: the e-mail waits for it, then goes inside it
    browser = create_user()
    await login(browser, RASHAD)
    await browser.open('/notifications')
    await browser.should_see(marker='delivery-email-digest')
    await delivery.build_digests(now=now())
    await delivery.deliver_due(senders=Senders(email=Recorder(), sms=Recorder()), now=now(), worker='test')
    announce([rashad.id])
    await browser.should_see(marker='delivery-email-digested', retries=WAIT)


async def test_settings_save_and_come_back_and_a_bad_number_is_named(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    await login(user, LEYLA)
    await user.open('/notifications/settings')
    await user.should_see(marker='notice-settings')
    # every type, with the cabinet always on; SMS and e-mail as the type's defaults
    for spec in TYPES.values():
        await user.should_see(marker=f'type-{spec.code}')
        cabinet_box = user.find(kind=ui.checkbox, marker=f'cabinet-{spec.code}').elements.pop()
        assert cabinet_box.value is (not spec.opt_in) and not cabinet_box.enabled
        sms = user.find(kind=ui.checkbox, marker=f'sms-{spec.code}').elements.pop()
        email = user.find(kind=ui.checkbox, marker=f'email-{spec.code}').elements.pop()
        assert (sms.value, email.value) == ((spec.sms, spec.email) if not spec.opt_in else (False, False)), spec.code

    user.find(marker='settings-email').type('leyla@example.az')
    user.find(marker='settings-phone').type('050 123 45 67')
    user.find(marker='settings-save').click()
    await user.should_see(az('A mobile number looks like +994501234567.'), retries=WAIT)
    assert texts(user, 'settings-error-phone') == [az('A mobile number looks like +994501234567.')]
    await user.should_not_see(marker='settings-error-email')
    assert (await cabinet.get_preferences(actor=leyla.as_actor())).email == ''  # nothing half-written

    user.find(marker='settings-phone').clear().type('+994 50 123 45 67')
    user.find(kind=ui.select, marker='settings-lang').elements.pop().set_value('en')
    user.find(kind=ui.select, marker='settings-quiet-from').elements.pop().set_value(23)
    user.find(kind=ui.select, marker='settings-quiet-until').elements.pop().set_value(7)
    assert texts(user, 'settings-quiet-hint') == [
        az('No SMS between {start} and {end}; they are held until the morning.', start='23:00', end='07:00')
    ]
    user.find(marker='settings-digest').click()
    user.find(marker='sms-letter_answered').click()  # off (on by default)
    user.find(marker='email-payment_due').click()  # an opt-in type, asked for: the cabinet shows it too
    assert user.find(kind=ui.checkbox, marker='cabinet-payment_due').elements.pop().value is True
    user.find(marker='settings-save').click()
    await user.should_see(az('Notice settings saved.'), retries=WAIT)
    await user.should_not_see(marker='settings-error-phone')

    saved = await cabinet.get_preferences(actor=leyla.as_actor())
    assert (saved.email, saved.phone, saved.lang, saved.quiet_from, saved.quiet_until, saved.digest) == (
        'leyla@example.az',
        '+994501234567',
        'en',
        23,
        7,
        True,
    )
    await user.open('/notifications/settings')  # and the page shows them again
    await user.should_see(marker='notice-settings')
    assert user.find(kind=ui.input, marker='settings-phone').elements.pop().value == '+994501234567'
    assert user.find(kind=ui.select, marker='settings-lang').elements.pop().value == 'en'
    assert user.find(kind=ui.switch, marker='settings-digest').elements.pop().value is True
    assert user.find(kind=ui.checkbox, marker='sms-letter_answered').elements.pop().value is False
    assert user.find(kind=ui.checkbox, marker='email-payment_due').elements.pop().value is True
    assert user.find(kind=ui.checkbox, marker='sms-document_expiry').elements.pop().value is True

    user.find(marker='settings-email').clear().type('not an address')
    user.find(marker='settings-save').click()
    await user.should_see(marker='settings-error-email', retries=WAIT)
    assert texts(user, 'settings-error-email') == [az('This e-mail address is not valid.')]


async def test_a_citizen_never_sees_another_citizens_notices(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(LEYLA)
    await make_citizen(RASHAD, first='Rəşad')
    await raise_notice(leyla, 'letter_received', title='Leylanın məktubu', agency='DİN')
    await login(user, LEYLA)
    await badge_says(user, 1)

    rashad = create_user()
    await login(rashad, RASHAD)
    await badge_says(rashad, 0)
    await rashad.open('/notifications')
    await rashad.should_see(marker='notice-empty')
    await rashad.should_not_see('Leylanın məktubu')
    rashad.find(marker='notice-bell').click()
    await rashad.should_see(marker='bell-empty', retries=WAIT)
    rashad.find(marker='notice-read-all').click()  # reads only his own (none)
    await raise_notice(leyla)  # Leyla's new notice reaches her bell, not his
    await badge_says(user, 2)
    await badge_says(rashad, 0)
    assert await cabinet.count_unread(actor=leyla.as_actor()) == 2


async def test_the_administrator_watches_the_outbox(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(LEYLA)
    await make_person(ADMIN, first='Admin', role=Role.ADMIN)
    await contacts(leyla)
    await raise_notice(leyla, 'letter_answered')
    await raise_notice(leyla, 'letter_received')  # e-mail only
    await delivery.deliver_due(
        senders=Senders(email=Recorder(SendError('550 no such user', permanent=True)), sms=Recorder()),
        now=now(),
        worker='test',
    )
    await raise_notice(leyla, 'letter_answered')  # queued, due now

    await login(user, ADMIN)
    await user.should_see(marker='admin-outbox-link')
    user.find(marker='admin-outbox-link').click()
    await user.should_see(marker='outbox', retries=WAIT)
    counts = {r['channel']: r for r in user.find(kind=ui.table, marker='outbox-counts').elements.pop().rows}
    assert (counts[az('SMS')]['sent'], counts[az('SMS')]['queued']) == (1, 1)
    assert (counts[az('E-mail')]['failed'], counts[az('E-mail')]['queued']) == (2, 1)
    assert texts(user, 'outbox-due') == [az('Due now: {count}', count=2)]
    failures = user.find(kind=ui.table, marker='outbox-failures').elements.pop().rows
    assert [(f['channel'], f['address'], f['reason']) for f in failures] == [
        (az('E-mail'), 'l***@example.az', '550 no such user')
    ] * 2
    await user.should_not_see('leyla@example.az')

    # more work arrives; the refresh button shows it
    await delivery.deliver_due(senders=Senders(email=Recorder(), sms=Recorder()), now=now(), worker='test')
    user.find(marker='outbox-refresh').click()
    await user.should_see(az('Due now: {count}', count=0), retries=WAIT)

    # a citizen is sent away
    citizen = create_user()
    await login(citizen, LEYLA)
    await citizen.open('/admin/outbox')
    await citizen.should_see(marker='welcome')
    await citizen.should_not_see(marker='outbox')


def test_addresses_are_masked() -> None:
    from portal.components.outbox import mask_address

    assert mask_address('+994501234567') == '+99450***4567'
    assert mask_address('leyla@example.az') == 'l***@example.az'
    assert mask_address('') == '—'
