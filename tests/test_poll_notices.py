"""A new poll told to its district: the citizens whose registered residence lies in the executive's region get notice
15 when the poll opens (a later opening is told of then, not before), once however often the job runs, by the
channels each chose; another district's citizens, officers and citizens without an address get nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobs.scheduler import run_job
from portal.store import residence
from portal.store.actors import Role
from portal.store.notices import cabinet
from portal.store.notices.models import Channel, Delivery, DeliveryState, Notice
from portal.store.participation import opening, proposals, voting
from portal.store.participation.models import Poll
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.workdays import TIMEZONE
from tests.factories import ADDRESS, make_citizen, make_org, make_person, make_record

pytestmark = pytest.mark.usefixtures('store_db')

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 13:00 in Baku: no quiet hours
QUESTION = 'Parkda yeni uşaq meydançası tikilsin?'


async def resident(fin: str, region: str = 'Nəsimi', *, role: Role = Role.CITIZEN, org: str | None = None) -> Person:
    person, _ = await make_person(fin, role=role, org=await make_org(org) if org else None)
    await make_record(person, 'address', {**ADDRESS, 'region': region})
    return person


async def desk() -> Any:
    officer = await Person.get_or_none(fin='6OFF001')
    if officer is None:
        officer = await resident('6OFF001', role=Role.EXECUTIVE_OFFICER, org='IH-NESIMI')
    return officer.as_actor()


async def open_poll(*, opens_at: datetime = NOW, now: datetime = NOW) -> voting.PollView:
    return await voting.create_poll(
        actor=await desk(),
        question=QUESTION,
        options=['Bəli', 'Xeyr'],
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=14),
        now=now,
    )


async def told(poll_id: object) -> set[str]:
    """The FINs of the people holding this poll's notice."""
    rows = await Notice.filter(type='new_poll', link=f'/participation/polls/{poll_id}').prefetch_related('person')
    return {n.person.fin for n in rows}


async def test_the_district_is_told_once_when_the_poll_opens() -> None:
    await make_org('IH-XETAI')
    leyla, rashad = await resident('5ABC123'), await resident('2HT8P4N')
    await resident('7QW3E9D', 'Xətai')  # another district
    await make_citizen('3NOADDR')  # no registered address
    await resident('6XET001', role=Role.EXECUTIVE_OFFICER, org='IH-XETAI')  # an officer living in Nəsimi
    poll = await open_poll()
    assert await told(poll.id) == set()  # creating the poll costs the officer nothing: the job tells

    assert await run_job('poll-opening', NOW) == {'polls': 1, 'notices': 2}
    assert await told(poll.id) == {'5ABC123', '2HT8P4N'}
    notice = await Notice.get(person_id=leyla.id)
    executive = await make_org('IH-NESIMI')
    assert (notice.type, notice.link, notice.organisation_id) == (
        'new_poll',
        f'/participation/polls/{poll.id}',
        executive.id,
    )
    assert notice.params == {'executive': executive.name_az, 'title': QUESTION}
    view = (await cabinet.list_notices(actor=rashad.as_actor())).items[0]
    assert view.text('az').endswith(f'“{QUESTION}”.') and executive.name_az in view.text('az')

    # again, and twice at once: nothing new
    assert await run_job('poll-opening', NOW + timedelta(minutes=1)) == {'polls': 0, 'notices': 0}
    await Poll.filter(id=poll.id).update(notified_at=None)  # as if the run had stopped before marking the poll
    runs = await asyncio.gather(opening.notify_opened(now=NOW), opening.notify_opened(now=NOW))
    assert sum(r['notices'] for r in runs) == 0
    assert await Notice.filter(type='new_poll').count() == 2


async def test_each_citizens_channels_are_kept() -> None:
    leyla, rashad, gunel = await resident('5ABC123'), await resident('2HT8P4N'), await resident('7QW3E9D')
    base: dict[str, Any] = {'quiet_from': 22, 'quiet_until': 8, 'lang': 'az', 'now': NOW}
    # Leyla left the type's defaults: the cabinet only, although she gave her contacts
    await cabinet.save_preferences(
        actor=leyla.as_actor(), email='leyla@example.az', phone='+994501112233', channels={}, digest=False, **base
    )
    # Rəşad asked for SMS, Günel for e-mail in her daily digest
    await cabinet.save_preferences(
        actor=rashad.as_actor(),
        email='',
        phone='+994551234567',
        channels={'new_poll': {'sms': True}},
        digest=False,
        **base,
    )
    await cabinet.save_preferences(
        actor=gunel.as_actor(),
        email='gunel@example.az',
        phone='',
        channels={'new_poll': {'email': True}},
        digest=True,
        **base,
    )
    await open_poll()
    assert await run_job('poll-opening', NOW) == {'polls': 1, 'notices': 3}
    rows = await Delivery.all().prefetch_related('person')
    assert sorted((d.person.fin, d.channel, d.state, d.address) for d in rows) == [
        ('2HT8P4N', Channel.SMS, DeliveryState.QUEUED, '+994551234567'),
        ('7QW3E9D', Channel.EMAIL, DeliveryState.DIGEST, 'gunel@example.az'),
    ]


async def test_a_poll_opening_later_is_told_of_when_it_opens() -> None:
    await resident('5ABC123')
    later = NOW + timedelta(days=2)
    poll = await open_poll(opens_at=later)
    assert await run_job('poll-opening', NOW) == {'polls': 0, 'notices': 0}
    assert await run_job('poll-opening', later - timedelta(minutes=1)) == {'polls': 0, 'notices': 0}
    assert await told(poll.id) == set()
    assert await run_job('poll-opening', later) == {'polls': 1, 'notices': 1}
    notice = await Notice.get(type='new_poll')
    assert notice.created_at == later


async def test_an_opening_given_in_baku_time_is_told_of_at_that_moment() -> None:
    await resident('5ABC123')
    opens = (NOW + timedelta(hours=2)).astimezone(TIMEZONE)  # 17:00 in Baku, 13:00 UTC
    poll = await open_poll(opens_at=opens)
    assert poll.opens_at == opens and poll.opens_at.utcoffset() == timedelta(0)
    assert await run_job('poll-opening', NOW + timedelta(hours=1)) == {'polls': 0, 'notices': 0}
    assert await run_job('poll-opening', NOW + timedelta(hours=2)) == {'polls': 1, 'notices': 1}


async def test_a_poll_closed_before_it_was_told_of_is_not_told() -> None:
    await resident('5ABC123')
    poll = await open_poll(opens_at=NOW + timedelta(hours=1))
    await voting.close_early(actor=await desk(), poll_id=poll.id, reason='Səhv yaradılıb', now=NOW)
    assert await run_job('poll-opening', NOW + timedelta(hours=2)) == {'polls': 0, 'notices': 0}


async def test_an_approved_proposal_is_told_like_the_executives_own_poll() -> None:
    leyla, rashad = await resident('5ABC123'), await resident('2HT8P4N')
    officer = await desk()
    made = await proposals.propose(
        actor=leyla.as_actor(),
        executive_code='IH-NESIMI',
        direction='environment',
        title='Həyətimizdə yaşıllıq salınsın',
        description='Füzuli küçəsi 12 saylı binanın həyəti boşdur.',
        now=NOW,
    )
    poll = await proposals.approve(
        actor=officer,
        proposal_id=made.id,
        question='Həyətdə yaşıllıq salınsınmı?',
        options=['Bəli', 'Xeyr'],
        opens_at=NOW,
        closes_at=NOW + timedelta(days=14),
        now=NOW,
    )
    await run_job('poll-opening', NOW)
    assert await told(poll.id) == {'5ABC123', '2HT8P4N'}
    assert {n.type for n in await Notice.filter(person_id=leyla.id)} == {'proposal_decided', 'new_poll'}
    assert rashad.id not in {n.person_id for n in await Notice.filter(type='proposal_decided')}


async def test_a_large_district_is_read_and_written_a_page_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    nesimi = await make_org('IH-NESIMI')
    await make_org('IH-XETAI')
    people = [Person(fin=f'V{n:06d}', role=Role.CITIZEN, first_name='Sakin', last_name=f'{n}') for n in range(25)]
    await Person.bulk_create(people)
    citizens = await Person.filter(fin__startswith='V').order_by('fin')
    await RegistryRecord.bulk_create(
        [
            RegistryRecord(
                person_id=p.id,
                kind='address',
                ref='',
                source_id=(await make_org('MIA')).id,
                data={**ADDRESS, 'region': 'Nəsimi' if n % 5 else 'Xətai'},
                created_at=NOW,
                updated_at=NOW,
            )
            for n, p in enumerate(citizens)
        ]
    )
    expected = {p.fin for n, p in enumerate(citizens) if n % 5}
    pages: list[int] = []
    real = residence.residents

    async def counted(**kwargs: Any) -> list[Any]:
        page = await real(**kwargs)
        pages.append(len(page))
        return page

    monkeypatch.setattr(residence, 'PAGE', 7)
    monkeypatch.setattr(residence, 'residents', counted)
    poll = await open_poll()
    assert await opening.notify_opened(now=NOW) == {'polls': 1, 'notices': 20}
    assert pages == [7, 7, 6]  # 20 residents in pages of 7 (a short page ends the district)
    assert await told(poll.id) == expected
    # keyset pages: each resident once, in id order
    ids = await real(executive=nesimi, limit=100)
    assert ids == sorted(ids) and len(ids) == 20
    assert await real(executive=nesimi, after=ids[9], limit=100) == ids[10:]
