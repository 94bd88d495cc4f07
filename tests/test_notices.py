"""Notices: the types and their templates, the outbox, preferences, and the delivery state machine."""

from __future__ import annotations

import asyncio
import itertools
import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portal.channels import Message, SendError, Senders
from portal.errors import Invalid, NotFound
from portal.i18n import LANGUAGES, catalog, translate
from portal.store.notices import cabinet, delivery
from portal.store.notices.models import Channel, Delivery, DeliveryState, Notice, NoticeSettings
from portal.store.notices.outbox import NewNotice, Preferences, notify, notify_many
from portal.store.notices.types import TYPES, check_params, render
from portal.store.people import Person
from tests.factories import make_citizen

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 13:00 in Baku
LETTER = {'agency': 'Daxili İşlər Nazirliyi', 'title': 'Ünvan sorğusu'}


class Recorder:
    """A sender double at the I/O edge: records messages, or fails as told."""

    def __init__(self, fail: SendError | None = None) -> None:
        self.sent: list[Message] = []
        self.fail = fail

    async def send(self, message: Message) -> str:
        if self.fail is not None:
            raise self.fail
        self.sent.append(message)
        return f'id-{len(self.sent)}'


def senders(email: Recorder | None = None, sms: Recorder | None = None) -> Senders:
    return Senders(email=email or Recorder(), sms=sms or Recorder())


async def _contact(person: Person, **values: Any) -> None:
    await NoticeSettings.create(
        person_id=person.id, email='leyla@example.az', phone='+994501112233', updated_at=NOW, **values
    )


def _letter(person: Person, key: str = 'letter:1:received') -> NewNotice:
    return NewNotice(person.id, 'letter_received', key, dict(LETTER), '/letters')


# -- types ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('lang', LANGUAGES)
def test_every_template_uses_exactly_its_variables_in_every_language(lang: str) -> None:
    for spec in TYPES.values():
        translated = catalog(lang).get(spec.text, spec.text) if lang != 'en' else spec.text
        used = {name for _, name, _, _ in string.Formatter().parse(translated) if name}
        assert used == spec.variables, (lang, spec.code)
        values = {name: f'<{name}>' for name in spec.variables}
        text = render(spec, values, lang)
        assert all(f'<{name}>' in text for name in spec.variables), (lang, spec.code)
        assert translate(spec.title, lang)


def test_variables_are_checked_by_name() -> None:
    spec = TYPES['letter_received']
    assert check_params(spec, {'agency': ' DİN ', 'title': 'Sorğu'}) == {'agency': 'DİN', 'title': 'Sorğu'}
    for bad, code in (
        ({'agency': 'DİN'}, 'missing_variable'),
        ({**LETTER, 'extra': 'x'}, 'unknown_variable'),
        ({'agency': '', 'title': 'x'}, 'invalid_variable'),
        ({'agency': ['x'], 'title': 'x'}, 'invalid_variable'),
        ('text', 'invalid_params'),
    ):
        with pytest.raises(Invalid) as caught:
            check_params(spec, bad)
        assert caught.value.code == code


def test_values_are_translated_and_dates_formatted() -> None:
    spec = TYPES['document_expiry']
    params = {'document': 'Identity card', 'number': 'AZE 12345678', 'expires_on': '2027-02-18'}
    assert '18.02.2027' in render(spec, params, 'az') and 'Identity card' in render(spec, params, 'en')
    assert translate('Identity card', 'az') in render(spec, params, 'az')


# -- the outbox -----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_a_notice_and_its_deliveries_are_written_once() -> None:
    person = await make_citizen()
    await _contact(person)
    assert await notify(_letter(person), now=NOW) is True
    assert await notify(_letter(person), now=NOW) is False
    notice = await Notice.get(person_id=person.id)
    rows = {d.channel: d for d in await Delivery.filter(notice_id=notice.id)}
    # letter_received: e-mail by default, no SMS
    assert set(rows) == {Channel.EMAIL}
    assert rows[Channel.EMAIL].key == 'letter:1:received:email' and rows[Channel.EMAIL].address == 'leyla@example.az'
    assert rows[Channel.EMAIL].state is DeliveryState.QUEUED


@pytest.mark.usefixtures('store_db')
async def test_concurrent_raises_of_the_same_keys_create_nothing_twice() -> None:
    people = [await make_citizen(f'5ABC{n:03d}') for n in range(5)]
    for person in people:
        await _contact(person)
    batch = [_letter(p, f'letter:{p.id}:received') for p in people]
    results = await asyncio.gather(*(notify_many(batch, now=NOW) for _ in range(4)))
    assert sorted({p for r in results for p in r}) == sorted(p.id for p in people)
    assert await Notice.all().count() == 5
    assert await Delivery.all().count() == 5


@pytest.mark.usefixtures('store_db')
async def test_preferences_choose_channels_quiet_hours_and_the_digest() -> None:
    person = await make_citizen()
    await _contact(person, channels={'letter_received': {'sms': True, 'email': False}}, digest=True)
    late = datetime(2026, 11, 20, 19, 30, tzinfo=UTC)  # 23:30 in Baku: quiet
    await notify(_letter(person), now=late)
    (sms,) = await Delivery.filter(person_id=person.id)
    assert sms.channel is Channel.SMS
    assert sms.next_attempt_at == datetime(2026, 11, 21, 4, 0, tzinfo=UTC)  # 08:00 in Baku
    await notify(NewNotice(person.id, 'letter_answered', 'a:1', dict(LETTER)), now=NOW)
    email = await Delivery.get(person_id=person.id, channel=Channel.EMAIL)
    assert email.state is DeliveryState.DIGEST
    # without contacts nothing goes out, but the cabinet notice is there
    bare = await make_citizen('6DEF456')
    await notify(_letter(bare, 'letter:2:received'), now=NOW)
    assert await Notice.filter(person_id=bare.id).count() == 1
    assert await Delivery.filter(person_id=bare.id).count() == 0


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    prefs = Preferences(quiet_from=22, quiet_until=8)
    baku_noon = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert prefs.sms_at(baku_noon) == baku_noon
    early = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 06:00 Baku
    assert prefs.sms_at(early) == datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    lunch = Preferences(quiet_from=13, quiet_until=14)
    assert lunch.sms_at(datetime(2026, 11, 20, 9, 30, tzinfo=UTC)) == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert Preferences(quiet_from=0, quiet_until=0).sms_at(early) == early


@pytest.mark.usefixtures('store_db')
async def test_opt_in_types_reach_only_those_who_asked() -> None:
    asked, other = await make_citizen('5ABC123'), await make_citizen('6DEF456')
    await _contact(asked, channels={'payment_due': {'email': True}})
    params = {'what': 'Elektrik', 'amount': '12.40', 'due_on': '2026-11-25'}
    made = await notify_many([NewNotice(p.id, 'payment_due', f'pay:{p.id}', params) for p in (asked, other)], now=NOW)
    assert made == [asked.id]


# -- delivery -------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_delivery_sends_once_in_the_citizens_language() -> None:
    person = await make_citizen()
    await _contact(person, lang='en', channels={'letter_received': {'sms': True, 'email': True}})
    await notify(_letter(person), now=NOW)
    email, sms = Recorder(), Recorder()
    report = await delivery.deliver_due(senders=senders(email, sms), now=NOW, worker='w1')
    assert report == delivery.Report(sent=2)
    assert email.sent[0].subject == 'Kabinet: Letter from an agency'
    assert 'Daxili İşlər Nazirliyi wrote to you: “Ünvan sorğusu”.' in email.sent[0].body
    assert email.sent[0].body.count('/letters') == 1
    assert sms.sent[0].body.startswith('Kabinet: ') and sms.sent[0].to == '+994501112233'
    assert (
        await delivery.deliver_due(senders=senders(), now=NOW + timedelta(minutes=5), worker='w1') == delivery.Report()
    )
    states = set(await Delivery.all().values_list('state', flat=True))
    assert states == {DeliveryState.SENT}


@pytest.mark.usefixtures('store_db')
async def test_failures_back_off_then_give_up_and_permanent_ones_stop_at_once() -> None:
    person = await make_citizen()
    await _contact(person)
    await notify(_letter(person), now=NOW)
    down = Recorder(fail=SendError('connection refused'))
    at, rng = NOW, random.Random(1)
    waits = []
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        report = await delivery.deliver_due(senders=senders(email=down), now=at, worker='w', rng=rng)
        row = await Delivery.get(person_id=person.id)
        assert row.attempts == attempt
        if attempt < delivery.MAX_ATTEMPTS:
            assert report == delivery.Report(retried=1) and row.state is DeliveryState.QUEUED
            waits.append(row.next_attempt_at - at)
            # not due before its time
            early = await delivery.deliver_due(senders=senders(email=down), now=at + waits[-1] / 2, worker='w')
            assert early == delivery.Report()
            at = row.next_attempt_at
        else:
            assert report == delivery.Report(failed=1)
            assert row.state is DeliveryState.FAILED and row.last_error == 'connection refused'
    assert all(b > a for a, b in itertools.pairwise(waits))
    assert waits[0] >= timedelta(seconds=30) and max(waits) <= timedelta(hours=1, minutes=12)

    other = await make_citizen('6DEF456')
    await _contact(other)
    await notify(_letter(other, 'letter:9:received'), now=NOW)
    refused = Recorder(fail=SendError('550 no such mailbox', permanent=True))
    assert await delivery.deliver_due(senders=senders(email=refused), now=NOW, worker='w') == delivery.Report(failed=1)


@pytest.mark.usefixtures('store_db')
async def test_a_lease_keeps_other_workers_off_until_it_expires() -> None:
    person = await make_citizen()
    await _contact(person)
    await notify(_letter(person), now=NOW)
    first = await delivery.claim(worker='w1', now=NOW)
    assert len(first) == 1
    assert await delivery.claim(worker='w2', now=NOW + timedelta(seconds=10)) == []
    # w1 died: after the lease, w2 takes it over, and w1's late outcome is not recorded
    later = NOW + delivery.LEASE + timedelta(seconds=1)
    (taken,) = await delivery.claim(worker='w2', now=later)
    assert taken.leased_by == 'w2' and taken.version == first[0].version + 1
    assert await delivery._sent(first[0], 'late', later) == delivery.Report()
    assert await delivery._sent(taken, 'id-1', later) == delivery.Report(sent=1)
    row = await Delivery.get(id=taken.id)
    assert (row.state, row.provider_id) == (DeliveryState.SENT, 'id-1')


@pytest.mark.usefixtures('store_db')
async def test_two_workers_at_once_never_send_the_same_row() -> None:
    people = [await make_citizen(f'5ABC{n:03d}') for n in range(12)]
    for person in people:
        await _contact(person)
        await notify(_letter(person, f'letter:{person.id}'), now=NOW)
    a, b = Recorder(), Recorder()
    await asyncio.gather(
        delivery.deliver_due(senders=senders(email=a), now=NOW, worker='a', limit=7),
        delivery.deliver_due(senders=senders(email=b), now=NOW, worker='b', limit=7),
    )
    sent = [m.delivery_id for m in a.sent + b.sent]
    assert len(sent) == len(set(sent)) == 12


@pytest.mark.usefixtures('store_db')
async def test_sms_receipts_finish_a_delivery_once() -> None:
    person = await make_citizen()
    await _contact(person, channels={'letter_received': {'sms': True, 'email': False}})
    await notify(_letter(person), now=NOW)
    await delivery.deliver_due(senders=senders(), now=NOW, worker='w')
    row = await Delivery.get(person_id=person.id)
    assert row.provider_id == 'id-1'
    assert await delivery.record_receipt(provider_id='id-1', delivered=True, reason='', now=NOW) is True
    # a late "failed" for a delivered message, and an unknown id, change nothing
    assert await delivery.record_receipt(provider_id='id-1', delivered=False, reason='late', now=NOW) is False
    assert await delivery.record_receipt(provider_id='nope', delivered=True, reason='', now=NOW) is False
    assert (await Delivery.get(id=row.id)).state is DeliveryState.DELIVERED


@pytest.mark.usefixtures('store_db')
async def test_the_daily_digest_gathers_waiting_e_mails_into_one() -> None:
    person = await make_citizen()
    await _contact(person, digest=True, lang='en')
    for n in range(3):
        await notify(_letter(person, f'letter:{n}:received'), now=NOW + timedelta(minutes=n))
    email = Recorder()
    assert await delivery.deliver_due(senders=senders(email), now=NOW, worker='w') == delivery.Report()
    evening = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    assert await delivery.build_digests(now=evening) == 1
    assert await delivery.build_digests(now=evening) == 0
    assert await delivery.deliver_due(senders=senders(email), now=evening, worker='w') == delivery.Report(sent=1)
    (message,) = email.sent
    assert message.subject == 'Kabinet: Your notices of 20.11.2026 (3)' and message.body.count('•') == 3
    members = await Delivery.filter(person_id=person.id, notice_id__not_isnull=True)
    assert {m.state for m in members} == {DeliveryState.DIGESTED}


# -- the citizen's side ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_citizens_read_only_their_own_notices() -> None:
    leyla, rashad = await make_citizen('5ABC123'), await make_citizen('6DEF456')
    await _contact(leyla)
    await notify(_letter(leyla), now=NOW)
    page = await cabinet.list_notices(actor=leyla.as_actor())
    assert (page.total, page.unread) == (1, 1)
    assert page.items[0].text('az').startswith('Daxili İşlər Nazirliyi')
    assert [d.channel for d in page.items[0].deliveries] == [Channel.EMAIL]
    other = await cabinet.list_notices(actor=rashad.as_actor())
    assert (other.total, other.unread) == (0, 0)
    with pytest.raises(NotFound):
        await cabinet.mark_read(actor=rashad.as_actor(), notice_id=page.items[0].id, now=NOW)
    await cabinet.mark_read(actor=leyla.as_actor(), notice_id=page.items[0].id, now=NOW)
    assert await cabinet.count_unread(actor=leyla.as_actor()) == 0
    with pytest.raises(Invalid):
        await cabinet.list_notices(actor=leyla.as_actor(), type='weather')


@pytest.mark.usefixtures('store_db')
async def test_preferences_are_checked_field_by_field() -> None:
    person = await make_citizen()
    actor = person.as_actor()
    base = {
        'email': 'leyla@example.az',
        'phone': '+994 50 111 22 33',
        'channels': {'court_case': {'sms': False}},
        'quiet_from': 23,
        'quiet_until': 7,
        'digest': True,
        'lang': 'ru',
    }
    saved = await cabinet.save_preferences(actor=actor, now=NOW, **base)  # type: ignore[arg-type]
    assert saved.phone == '+994501112233' and not saved.wants(TYPES['court_case'], Channel.SMS)
    assert saved.wants(TYPES['document_expiry'], Channel.SMS)
    for field, value in (
        ('email', 'not-an-address'),
        ('phone', '050 111 22 33'),
        ('quiet_from', 24),
        ('lang', 'de'),
        ('channels', {'court_case': {'fax': True}}),
    ):
        with pytest.raises(Invalid) as caught:
            await cabinet.save_preferences(actor=actor, now=NOW, **{**base, field: value})  # type: ignore[arg-type]
        assert caught.value.field == field
    assert (await cabinet.get_preferences(actor=actor)).lang == 'ru'
