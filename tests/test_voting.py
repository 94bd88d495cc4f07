"""Anonymous voting: one vote per citizen, choices sealed apart from voters, counted in shuffled batches, and no
signal in the database that predicts a voter's choice better than chance."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from tortoise import connections

from portal.errors import Forbidden, Invalid, NotFound
from portal.store.actors import Role
from portal.store.participation import ballot_box, sealing
from portal.store.participation import voting as votes
from portal.store.participation.models import Ballot, Participation, SealedBallot
from portal.store.people import Person
from tests.factories import make_citizen, make_org, make_person

pytestmark = pytest.mark.usefixtures('store_db')

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def poll(options: int = 2, *, live_results: bool = True, closes: timedelta = timedelta(days=7)) -> votes.PollView:
    officer = await Person.get_or_none(fin='6OFF001')
    if officer is None:
        officer, _ = await make_person('6OFF001', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-NESIMI'))
    return await votes.create_poll(
        actor=officer.as_actor(),
        question='Parkda yeni uşaq meydançası tikilsin?',
        options=[f'Variant {n}' for n in range(options)],
        opens_at=NOW,
        closes_at=NOW + closes,
        now=NOW,
        live_results=live_results,
    )


async def citizens(count: int) -> list[Person]:
    people = [
        Person(fin=f'V{n:06d}', role=Role.CITIZEN, first_name='Səs', last_name=f'Verən {n}') for n in range(count)
    ]
    await Person.bulk_create(people)
    return await Person.filter(fin__startswith='V').order_by('fin')


async def invariant(poll_id: UUID) -> tuple[int, int, int]:
    participants = await Participation.filter(poll_id=poll_id).count()
    counted = await Ballot.filter(poll_id=poll_id).count()
    waiting = await SealedBallot.filter(poll_id=poll_id).count()
    assert participants == counted + waiting
    return participants, counted, waiting


async def test_one_vote_per_citizen_even_fifty_at_once(tally_key_file: Path) -> None:
    p = await poll()
    leyla = await make_citizen()
    attempts = await asyncio.gather(
        *(
            votes.cast_vote(actor=leyla.as_actor(), poll_id=p.id, option_id=p.options[n % 2].id, now=NOW)
            for n in range(50)
        ),
        return_exceptions=True,
    )
    refused = [a for a in attempts if isinstance(a, Invalid)]
    assert len(refused) == 49 and all(a.code == 'already_voted' for a in refused)
    assert await invariant(p.id) == (1, 0, 1)
    assert await votes.has_voted(actor=leyla.as_actor(), poll_id=p.id)


async def test_votes_outside_a_poll_or_its_options_are_refused(tally_key_file: Path) -> None:
    p, other = await poll(), await poll(3)
    leyla = await make_citizen()
    cases = [
        (p.id, other.options[0].id, NOW, Invalid, 'unknown_option'),
        (p.id, p.options[0].id, NOW - timedelta(minutes=1), Invalid, 'poll_not_open'),
        (p.id, p.options[0].id, NOW + timedelta(days=8), Invalid, 'poll_closed'),
        (UUID(int=7), p.options[0].id, NOW, NotFound, 'poll_not_found'),
    ]
    for poll_id, option_id, at, error, code in cases:
        with pytest.raises(error) as caught:
            await votes.cast_vote(actor=leyla.as_actor(), poll_id=poll_id, option_id=option_id, now=at)
        assert caught.value.code == code
    officer, _ = await make_person('6OFF002', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-NESIMI'))
    with pytest.raises(Forbidden):
        await votes.cast_vote(actor=officer.as_actor(), poll_id=p.id, option_id=p.options[0].id, now=NOW)
    assert await invariant(p.id) == (0, 0, 0)


async def test_votes_arriving_together_are_written_together_each_with_its_own_answer(tally_key_file: Path) -> None:
    p, other = await poll(), await poll(3)
    people = await citizens(30)
    attempts = [(person, p.id, p.options[n % 2].id) for n, person in enumerate(people[:20])]
    attempts += [(people[0], p.id, p.options[1].id)]  # a second vote inside the same group
    attempts += [(person, p.id, other.options[0].id) for person in people[20:25]]  # another poll's option
    attempts += [(person, other.id, other.options[2].id) for person in people[25:]]
    answers = await asyncio.gather(
        *(votes.cast_vote(actor=who.as_actor(), poll_id=at, option_id=choice, now=NOW) for who, at, choice in attempts),
        return_exceptions=True,
    )
    assert answers[:20] == [None] * 20 and answers[26:] == [None] * 5
    assert isinstance(answers[20], Invalid) and answers[20].code == 'already_voted'
    assert all(isinstance(a, Invalid) and a.code == 'unknown_option' for a in answers[21:26])
    assert await invariant(p.id) == (20, 0, 20) and await invariant(other.id) == (5, 0, 5)


async def test_a_vote_written_meanwhile_by_another_process_is_refused_alone(
    tally_key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = await poll()
    people = await citizens(5)
    checked = ballot_box._check

    async def check_then_another_process_writes(group: list[ballot_box.VoteCall]) -> list[ballot_box.VoteCall]:
        accepted = await checked(group)
        await Participation.create(poll_id=p.id, person_id=people[2].id, hour=NOW)
        await SealedBallot.create(
            poll_id=p.id, sealed=sealing.seal(p.options[0].id, await ballot_box.public_key(now=NOW))
        )
        return accepted

    monkeypatch.setattr(ballot_box, '_check', check_then_another_process_writes)
    answers = await asyncio.gather(
        *(votes.cast_vote(actor=who.as_actor(), poll_id=p.id, option_id=p.options[1].id, now=NOW) for who in people),
        return_exceptions=True,
    )
    assert [a is None for a in answers] == [True, True, False, True, True]
    assert isinstance(answers[2], Invalid) and answers[2].code == 'already_voted'
    assert await invariant(p.id) == (5, 0, 5)


async def test_ballots_are_counted_in_batches_of_ten_and_results_need_ten(tally_key_file: Path) -> None:
    p = await poll()
    people = await citizens(25)
    for n, person in enumerate(people[:9]):
        await votes.cast_vote(actor=person.as_actor(), poll_id=p.id, option_id=p.options[n % 2].id, now=NOW)
    assert await votes.tally(now=NOW) == {'batches': 0, 'ballots': 0}
    assert (await votes.results(poll_id=p.id, now=NOW)).withheld == 'too_few'
    await votes.cast_vote(actor=people[9].as_actor(), poll_id=p.id, option_id=p.options[0].id, now=NOW)
    assert await votes.tally(now=NOW) == {'batches': 1, 'ballots': 10}
    shown = await votes.results(poll_id=p.id, now=NOW)
    assert shown.withheld == '' and shown.counts is not None
    assert [n for _, n in shown.counts] == [6, 4]
    for person in people[10:15]:
        await votes.cast_vote(actor=person.as_actor(), poll_id=p.id, option_id=p.options[1].id, now=NOW)
    assert await invariant(p.id) == (15, 10, 5)
    # closing counts what waits, however few
    assert await votes.close_due(now=NOW + timedelta(days=7)) == 1
    final = await votes.results(poll_id=p.id, now=NOW + timedelta(days=8))
    assert final.counts is not None and [n for _, n in final.counts] == [6, 9] and final.waiting == 0
    with pytest.raises(Invalid):
        await votes.cast_vote(
            actor=people[20].as_actor(), poll_id=p.id, option_id=p.options[0].id, now=NOW + timedelta(days=8)
        )


async def test_results_after_closing_stay_hidden_until_then(tally_key_file: Path) -> None:
    p = await poll(live_results=False)
    for person in await citizens(12):
        await votes.cast_vote(actor=person.as_actor(), poll_id=p.id, option_id=p.options[0].id, now=NOW)
    await votes.tally(now=NOW)
    assert (await votes.results(poll_id=p.id, now=NOW)).withheld == 'after_closing'
    officer, _ = await make_person('6OFF009', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-NESIMI'))
    closed = await votes.close_early(actor=officer.as_actor(), poll_id=p.id, reason='Layihə dəyişdi', now=NOW)
    assert closed.closed_reason == 'Layihə dəyişdi'
    assert (await votes.results(poll_id=p.id, now=NOW)).counts is not None
    other, _ = await make_person('6OFF010', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-XETAI'))
    with pytest.raises(NotFound):
        await votes.close_early(actor=other.as_actor(), poll_id=p.id, reason='x', now=NOW)


async def test_a_crash_while_counting_leaves_every_ballot_waiting(
    tally_key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = await poll()
    for person in await citizens(10):
        await votes.cast_vote(actor=person.as_actor(), poll_id=p.id, option_id=p.options[0].id, now=NOW)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError('power cut')

    monkeypatch.setattr(Ballot, 'bulk_create', broken)
    with pytest.raises(RuntimeError):
        await votes.tally(now=NOW)
    assert await invariant(p.id) == (10, 0, 10)
    monkeypatch.undo()
    monkeypatch.setattr(ballot_box, 'tally_key_file', lambda: tally_key_file)
    await votes.tally(now=NOW)
    assert await invariant(p.id) == (10, 10, 0)


async def test_a_waiting_ballot_shows_nothing_of_its_choice(tally_key_file: Path) -> None:
    p = await poll()
    people = await citizens(4)
    for person in people:
        await votes.cast_vote(actor=person.as_actor(), poll_id=p.id, option_id=p.options[0].id, now=NOW)
    sealed = [bytes(s.sealed) for s in await SealedBallot.filter(poll_id=p.id)]
    assert len(set(sealed)) == 4 and {len(s) for s in sealed} == {sealing.SEALED_LENGTH}
    assert all(p.options[0].id.bytes not in s for s in sealed)
    private = sealing.load_or_create_private_key(tally_key_file)
    assert {sealing.open_sealed(s, private) for s in sealed} == {p.options[0].id}
    stranger = sealing.load_or_create_private_key(tally_key_file.with_name('other.key'))
    with pytest.raises(ValueError):
        sealing.open_sealed(sealed[0], stranger)
    # no time and no voter on a ballot, waiting or counted
    for model in (SealedBallot, Ballot):
        names = set(model._meta.fields_map)
        assert not names & {'person', 'person_id', 'created_at', 'at', 'hour', 'updated_at'}, model


async def test_no_signal_in_the_database_predicts_a_choice_better_than_chance(tally_key_file: Path) -> None:
    """Voters with known choices, in a known order; then every ordering the database offers is used to guess."""
    p = await poll(4)
    people = await citizens(240)
    rng = random.Random(20261201)
    chosen: dict[UUID, UUID] = {}
    for person in people:
        option = rng.choice(p.options).id
        chosen[person.id] = option
        await votes.cast_vote(actor=person.as_actor(), poll_id=p.id, option_id=option, now=NOW)
        if len(chosen) % 40 == 0:
            await votes.tally(now=NOW)  # batches of 40 while the poll runs
    assert await invariant(p.id) == (240, 240, 0)

    voters = [
        UUID(str(v))
        for v in await Participation.filter(poll_id=p.id).order_by('id').values_list('person_id', flat=True)
    ]
    in_order = [person.id for person in people]  # the order they voted in (known to an observer of timing)
    by_id = [UUID(str(o)) for o in await Ballot.filter(poll_id=p.id).order_by('id').values_list('option_id', flat=True)]
    physical = await _ballots_in_storage_order(p.id)

    def accuracy(voter_order: list[UUID], ballot_order: list[UUID]) -> float:
        return sum(chosen[v] == o for v, o in zip(voter_order, ballot_order, strict=True)) / len(voter_order)

    # chance is 1/4; an unshuffled store would give 1.0 for the storage order. 0.4 is five standard deviations above
    # chance for 240 ballots, so an honest store passes and a leaking one cannot.
    for voter_order in (in_order, voters):
        for ballot_order in (by_id, physical):
            assert accuracy(voter_order, ballot_order) < 0.4
    # the batch a ballot was counted in (which 40 voters) tells no more than the batch's own tally: guessing each
    # voter's choice as their batch's most common one stays near chance
    best = 0.0
    for start in range(0, 240, 40):
        batch = in_order[start : start + 40]
        counts: dict[UUID, int] = {}
        for voter in batch:
            counts[chosen[voter]] = counts.get(chosen[voter], 0) + 1
        best += max(counts.values())
    assert best / 240 < 0.45


async def _ballots_in_storage_order(poll_id: UUID) -> list[UUID]:
    """The ballots as the table stores them (SQLite's rowid, PostgreSQL's ctid): the insertion order."""
    connection = connections.get('default')
    order = 'rowid' if connection.capabilities.dialect == 'sqlite' else 'ctid'
    placeholder = '?' if connection.capabilities.dialect == 'sqlite' else '$1'
    value = str(poll_id) if connection.capabilities.dialect == 'sqlite' else poll_id
    _, rows = await connection.execute_query(
        f'SELECT option_id FROM ballots WHERE poll_id = {placeholder} ORDER BY {order}', [value]
    )
    return [UUID(str(r['option_id'])) for r in rows]


async def test_the_scheduled_jobs_count_and_close(tally_key_file: Path) -> None:
    from jobs.scheduler import run_job

    p = await poll(closes=timedelta(hours=1))
    for person in await citizens(11):
        await votes.cast_vote(actor=person.as_actor(), poll_id=p.id, option_id=p.options[1].id, now=NOW)
    assert await run_job('poll-tally', NOW + timedelta(minutes=1)) == {'batches': 1, 'ballots': 11}
    assert await run_job('poll-closing', NOW + timedelta(minutes=30)) == {'polls': 0}
    assert await run_job('poll-closing', NOW + timedelta(hours=1)) == {'polls': 1}
    assert (await votes.get_poll(poll_id=p.id)).state.value == 'closed'
    assert await invariant(p.id) == (11, 11, 0)


async def test_a_malformed_option_and_a_poll_past_its_time(tally_key_file: Path) -> None:
    p = await poll(closes=timedelta(hours=1))
    leyla = await make_citizen()
    with pytest.raises(Invalid) as caught:
        await votes.cast_vote(actor=leyla.as_actor(), poll_id=p.id, option_id='not-an-option', now=NOW)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ('unknown_option', 'option')
    assert [x.id for x in await votes.list_polls(open_only=True, now=NOW)] == [p.id]
    assert await votes.list_polls(open_only=True, now=NOW + timedelta(hours=1)) == []
