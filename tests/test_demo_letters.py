"""The demo's letters: a few months of history shaped like the launch report (most letters to MLSPP, then MOJ and
ASAN), consistent with the store's rules, signed so the signatures check, and the README personas' letters.

One demo database is seeded for the module; each test works on a copy.
"""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from tortoise import Tortoise

from portal import db
from portal.store import audit, letters
from portal.store.actors import ApiActor, Role
from portal.store.audit import HistoryKind
from portal.store.demo import _device_key, seed_demo
from portal.store.demo_letters import INBOUND, NOTICE_COUNT, _World
from portal.store.letters import Direction, LetterFilter, LetterStatus
from portal.store.letters.citizen import ANSWER_DAYS, FORWARD_DAYS, INVESTIGATION_DAYS
from portal.store.letters.common import READ_SCOPE
from portal.store.letters.models import OPEN_STATUSES, EventKind, Letter, LetterEvent
from portal.store.orgs import Organisation, OrgCategory
from portal.store.people import Person
from portal.store.workdays import add_working_days, local_date
from tests.conftest import _close, _open

# a Wednesday afternoon in Baku
SEED_NOW = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
LEYLA, TURAL, SEBINE = '5ZK2M7R', '4MD5R1X', '6NS2K8V'


async def _seed(url: str) -> None:
    await Tortoise.init(config=db.tortoise_config(url), _enable_global_fallback=True)
    try:
        assert await seed_demo(now=SEED_NOW) is True
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope='module')
def seeded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp('demo-letters') / 'demo.sqlite3'
    shutil.copy(sqlite_template, path)
    with ThreadPoolExecutor(1) as pool:  # its own loop: pytest-asyncio may be running one here
        pool.submit(asyncio.run, _seed(f'sqlite://{path}')).result()
    return path


@pytest.fixture
async def demo_db(seeded: Path, tmp_path: Path) -> AsyncIterator[str]:
    path = tmp_path / 'demo.sqlite3'
    shutil.copy(seeded, path)
    url = f'sqlite://{path}'
    await _open(url)
    yield url
    await _close()


async def officer_of(code: str) -> Any:
    org = await Organisation.get(code=code)
    return (await Person.get(organisation_id=org.id)).as_actor()


async def test_most_letters_go_to_the_labour_ministry_then_justice_and_asan(demo_db: str) -> None:
    counts = await letters.letters_by_organisation()
    assert [c.code for c in counts[:3]] == ['MLSPP', 'MOJ', 'ASAN']
    total = sum(c.received for c in counts)
    assert 1_300 <= total <= 1_800
    assert counts[0].received > 0.25 * total
    codes = {c.code for c in counts}
    assert {'MIA', 'DSMF', 'IH-NESIMI'} <= codes
    assert len(codes) >= 20
    executives = {o.code for o in await Organisation.filter(category=OrgCategory.EXECUTIVE)}
    assert len(codes & executives) >= 3
    # and the organisations write to citizens as well: answers and letters of their own
    outbound = await Letter.filter(direction=Direction.OUTBOUND).values('reply_to_id')
    assert sum(1 for r in outbound if r['reply_to_id']) > 800
    assert sum(1 for r in outbound if not r['reply_to_id']) >= 100


async def test_states_follow_the_age_of_the_letters(demo_db: str) -> None:
    rows = await Letter.filter(direction=Direction.INBOUND).values('status', 'delivered_at', 'investigation_reason')
    assert Counter(r['status'] for r in rows).keys() == {
        LetterStatus.SENT,
        LetterStatus.RECEIVED,
        LetterStatus.UNDER_REVIEW,
        LetterStatus.ANSWERED,
        LetterStatus.FORWARDED,
        LetterStatus.REJECTED,
    }
    old = [r for r in rows if SEED_NOW - r['delivered_at'] > timedelta(days=60)]
    recent = [r for r in rows if SEED_NOW - r['delivered_at'] < timedelta(days=7)]
    assert sum(r['status'] is LetterStatus.ANSWERED for r in old) > 0.8 * len(old)
    assert all(r['status'] not in OPEN_STATUSES for r in old)
    assert sum(r['status'] in OPEN_STATUSES for r in recent) > 0.8 * len(recent)
    assert sum(1 for r in rows if r['investigation_reason']) >= 20
    overdue = await Letter.filter(
        direction=Direction.INBOUND, status__in=list(OPEN_STATUSES), due_on__lt=local_date(SEED_NOW)
    ).count()
    assert 3 <= overdue <= 30  # a handful


async def test_clocks_events_and_links_are_what_the_store_writes(demo_db: str) -> None:
    inbound = await Letter.filter(direction=Direction.INBOUND)
    by_id = {letter.id: letter for letter in await Letter.all()}
    events: dict[UUID, list[LetterEvent]] = defaultdict(list)
    for event in await LetterEvent.all().order_by('created_at'):
        events[event.letter_id].append(event)
    for letter in inbound:
        assert letter.delivered_at is not None and letter.delivered_at <= SEED_NOW
        day = local_date(letter.delivered_at)
        assert letter.delivered_on == day
        assert letter.forward_due_on == add_working_days(day, FORWARD_DAYS)
        days = INVESTIGATION_DAYS if letter.investigation_reason else ANSWER_DAYS
        assert letter.due_on == add_working_days(day, days), letter.title
        steps = events[letter.id]
        assert steps[0].kind is EventKind.SENT and steps[0].created_at == letter.delivered_at
        assert [e.created_at for e in steps] == sorted(e.created_at for e in steps)
        assert steps[-1].created_at <= SEED_NOW
        assert letter.updated_at == steps[-1].created_at
        if letter.status in OPEN_STATUSES:
            assert (letter.closed_at, letter.closed_on, letter.answer_id, letter.forwarded_to_id) == (None,) * 4
            continue
        assert letter.closed_at is not None and letter.closed_on == local_date(letter.closed_at) >= day
        assert steps[-1].kind.value == letter.status.value and steps[-1].created_at == letter.closed_at
        if letter.status is LetterStatus.ANSWERED:
            answer = by_id[letter.answer_id] if letter.answer_id else None
            assert answer is not None and answer.reply_to_id == letter.id
            assert answer.delivered_at == letter.closed_at and answer.title == f'Cavab: {letter.title}'
        elif letter.status is LetterStatus.FORWARDED:
            copy = by_id[letter.forwarded_to_id] if letter.forwarded_to_id else None
            assert copy is not None and copy.origin_id == (letter.origin_id or letter.id)
            assert copy.delivered_at == letter.closed_at and letter.closed_on <= letter.forward_due_on
            assert copy.organisation_id != letter.organisation_id and steps[-1].other_organisation_id
        else:
            assert letter.closing_note and steps[-1].note == letter.closing_note
    # the citizens' history has the letters they sent and received
    assert await audit.HistoryEvent.filter(kind=HistoryKind.LETTER_SENT).count() == sum(
        1 for letter in inbound if letter.origin_id is None
    )


async def test_a_sample_of_signatures_is_valid(demo_db: str) -> None:
    originals = await Letter.filter(direction=Direction.INBOUND, origin_id=None).order_by('delivered_at')
    copies = await Letter.filter(direction=Direction.INBOUND, origin_id__not_isnull=True)
    assert copies
    people = {p.id: p for p in await Person.all()}
    for letter in [*originals[::50], *copies[:5]]:
        root = letter if letter.origin_id is None else await Letter.get(id=letter.origin_id)
        assert root.signer_key is not None and root.signed_method in ('sima', 'asan')
        assert bytes(root.signer_key) == bytes(people[letter.person_id].public_key or b'')
        report = await letters.verify_letter(actor=people[letter.person_id].as_actor(), letter_id=letter.id)
        assert report.valid, (letter.title, report.state)
    # a changed body no longer matches what was signed
    await Letter.filter(id=originals[0].id).update(body='Başqa mətn')
    citizen = people[originals[0].person_id].as_actor()
    assert not (await letters.verify_letter(actor=citizen, letter_id=originals[0].id)).valid


async def test_leyla_has_letters_in_every_state(demo_db: str) -> None:
    leyla = (await Person.get(fin=LEYLA)).as_actor()
    sent = await letters.list_sent(actor=leyla, now=SEED_NOW)
    states = sorted((item.organisation.code if item.organisation else '', item.status) for item in sent.items)
    assert states == [
        ('ASAN', LetterStatus.ANSWERED),
        ('MIA', LetterStatus.SENT),
        ('MLSPP', LetterStatus.ANSWERED),
        ('MOJ', LetterStatus.UNDER_REVIEW),
    ]
    inbox = await letters.list_inbox(actor=leyla, now=SEED_NOW)
    unread = [item for item in inbox.items if item.unread]
    assert await letters.count_unread(actor=leyla) == len(unread) == 2
    answered_mlspp = next(i for i in sent.items if i.organisation and i.organisation.code == 'MLSPP')
    assert {i.reply_to_id for i in unread} == {answered_mlspp.id, None}  # the new answer, and a letter from MIA
    (read_answer,) = [i for i in inbox.items if not i.unread]
    assert read_answer.reply_to_id is not None
    for item in sent.items:
        assert (await letters.verify_letter(actor=leyla, letter_id=item.id)).valid
    history = await audit.HistoryEvent.filter(person__fin=LEYLA).values_list('kind', flat=True)
    # and her e-services (a residence certificate, two applications, the decision on one of them, two requests for a
    # meeting at the local executive) and the data she shared in advance
    assert Counter(history) == {
        HistoryKind.LETTER_SENT: 4,
        HistoryKind.LETTER_RECEIVED: 3,
        HistoryKind.SERVICE_USED: 6,
        HistoryKind.DATA_SHARED: 1,
    }


@pytest.mark.parametrize('fin', [TURAL, SEBINE])
async def test_the_persona_officers_have_work_waiting(demo_db: str, fin: str) -> None:
    officer = (await Person.get(fin=fin)).as_actor()
    assert officer.role in (Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER)
    waiting = [
        (await letters.list_incoming(actor=officer, now=SEED_NOW, where=LetterFilter(status=status))).total
        for status in OPEN_STATUSES
    ]
    assert sum(waiting) >= 3 and waiting[0] >= 1  # some just arrived
    overdue = await letters.list_incoming(actor=officer, now=SEED_NOW, where=LetterFilter(overdue=True))
    assert overdue.total >= 1
    letter = overdue.items[0]
    assert letter.overdue and letter.due_on is not None and letter.due_on < local_date(SEED_NOW)
    assert (await letters.verify_letter(actor=officer, letter_id=letter.id)).valid


async def test_the_labour_ministrys_statistics_mean_something(demo_db: str) -> None:
    stats = await letters.letter_statistics(organisation_code='MLSPP', now=SEED_NOW)
    assert stats.received > 300 and stats.answered > 0.6 * stats.received
    assert stats.forwarded > 0 and stats.rejected > 0 and stats.open > 0
    assert stats.median_answer_days is not None and 4 <= stats.median_answer_days <= 12
    assert stats.late_percent is not None and 5 <= stats.late_percent <= 25
    assert len(stats.months) >= 4 and all(m.received > 0 for m in stats.months)


async def test_the_letters_are_the_same_on_every_seed(demo_db: str) -> None:
    """Built again from the same people, organisations and moment, the letters are the ones in the database."""
    people, orgs = await Person.all(), await Organisation.all()
    world = _World(people=people, orgs=orgs, now=SEED_NOW, device_key=_device_key)
    world.personas()
    for _ in range(INBOUND):
        world.random_letter()
    for _ in range(NOTICE_COUNT):
        world.random_notice()

    def shape(rows: list[Letter]) -> list[tuple[Any, ...]]:
        return sorted(
            (str(r.person_id), str(r.organisation_id), r.title, r.body, r.status.value, r.delivered_at, r.due_on)
            for r in rows
        )

    assert shape(world.letters) == shape(await Letter.all())


async def test_every_list_row_says_what_the_letters_own_view_says(demo_db: str) -> None:
    """A list reads its rows as plain values (the organisation, the citizen and a forwarded copy's previous leg
    joined); each row is the summary the letter's own page is built from, whatever the list, filter or page."""
    leyla = (await Person.get(fin=LEYLA)).as_actor()
    mlspp, moj = await officer_of('MLSPP'), await officer_of('MOJ')
    dsmf = await Organisation.get(code='DSMF')  # forwarded copies arrive there
    system = ApiActor(dsmf.id, dsmf.id, 'DSMF', frozenset({READ_SCOPE}))
    now = SEED_NOW + timedelta(days=2)
    pages = [
        (mlspp, letters.list_incoming, LetterFilter(), 0),
        (mlspp, letters.list_incoming, LetterFilter(), 300),
        (mlspp, letters.list_incoming, LetterFilter(overdue=True), 0),
        (mlspp, letters.list_incoming, LetterFilter(status=LetterStatus.FORWARDED), 0),
        (mlspp, letters.list_outgoing, LetterFilter(), 0),
        (moj, letters.list_incoming, LetterFilter(open_only=True), 0),
        (moj, letters.list_incoming, LetterFilter(query='ərizə'), 0),
        (system, letters.list_incoming, LetterFilter(), 0),
        (system, letters.list_incoming, LetterFilter(), 25),
        (system, letters.list_incoming, LetterFilter(), 50),
        (leyla, letters.list_sent, LetterFilter(), 0),
        (leyla, letters.list_inbox, LetterFilter(), 0),
    ]
    seen = []
    for actor, list_letters, where, offset in pages:
        page = await list_letters(actor=actor, now=now, where=where, limit=25, offset=offset)
        for item in page.items:
            view = await letters.get_letter(actor=actor, letter_id=item.id, now=now)
            assert item == view.summary
            assert (item.delivered_at, item.created_at) == (view.summary.delivered_at, view.summary.created_at)
            assert item.created_at.tzinfo == view.summary.created_at.tzinfo
        seen += page.items
    # every kind of row was among them
    assert any(i.forwarded_from for i in seen) and any(i.overdue for i in seen) and any(i.unread for i in seen)
    assert any(i.investigation for i in seen) and any(i.reply_to_id for i in seen) and any(i.closed_at for i in seen)
