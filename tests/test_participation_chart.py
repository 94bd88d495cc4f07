"""Participation over time, for the executive's desk: votes per hour (a span up to three days) or per Baku day, from
the poll's opening until now or its closing; only the executive's own polls; the desk's chart, refreshed with the desk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.errors import Forbidden, NotFound
from portal.store.actors import Role
from portal.store.participation import proposals, voting
from portal.store.people import Person
from portal.store.workdays import TIMEZONE
from tests.builders import use_fast_hashing
from tests.factories import make_citizen, make_org, make_person
from tests.test_ui_login import WAIT, login
from tests.ui_kit import az, count, says

store = pytest.mark.usefixtures('store_db')

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 13:00 in Baku
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


async def officer(code: str = 'IH-NESIMI', fin: str = '6OFF001') -> Person:
    person, _ = await make_person(fin, role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    return person


async def poll(desk: Person, *, days: int = 14) -> voting.PollView:
    return await voting.create_poll(
        actor=desk.as_actor(),
        question='Parkda yeni uşaq meydançası tikilsin?',
        options=['Bəli', 'Xeyr'],
        opens_at=NOW,
        closes_at=NOW + timedelta(days=days),
        now=NOW,
    )


async def vote_at(p: voting.PollView, *moments: datetime) -> None:
    for n, moment in enumerate(moments):
        citizen = await make_citizen(f'V{len(await Person.all()):06d}')
        await voting.cast_vote(actor=citizen.as_actor(), poll_id=p.id, option_id=p.options[n % 2].id, now=moment)


@store
async def test_votes_are_counted_per_hour_over_a_short_span() -> None:
    desk = await officer()
    p = await poll(desk)
    # two in the first hour (one given in Baku time), one two hours later, one at five
    await vote_at(p, NOW + 10 * timedelta(minutes=1), (NOW + 40 * timedelta(minutes=1)).astimezone(TIMEZONE))
    await vote_at(p, NOW + 2 * HOUR + timedelta(minutes=5), NOW + 5 * HOUR + timedelta(minutes=59))
    chart = await voting.participation_over_time(actor=desk.as_actor(), poll_id=p.id, now=NOW + 6 * HOUR)
    assert (chart.poll_id, chart.unit, chart.participants) == (p.id, 'hour', 4)
    assert [at for at, _n in chart.points] == [NOW + n * HOUR for n in range(7)]
    assert [n for _at, n in chart.points] == [2, 0, 1, 0, 0, 1, 0]


@store
async def test_votes_are_counted_per_baku_day_beyond_three_days() -> None:
    desk = await officer()
    p = await poll(desk)
    # 13:00 Baku on 20 November; 19:30 UTC on the 21st is still the 21st in Baku, 20:30 UTC is the 22nd
    await vote_at(p, NOW + HOUR, NOW + DAY + 10.5 * HOUR, NOW + DAY + 11.5 * HOUR, NOW + 4 * DAY)
    chart = await voting.participation_over_time(actor=desk.as_actor(), poll_id=p.id, now=NOW + 5 * DAY)
    assert (chart.unit, chart.participants) == ('day', 4)
    midnight = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)  # 20 November, 00:00 in Baku
    assert [at for at, _n in chart.points] == [midnight + n * DAY for n in range(6)]
    assert [n for _at, n in chart.points] == [1, 1, 1, 0, 1, 0]


@store
async def test_the_span_ends_when_the_poll_closes_and_starts_when_it_opens() -> None:
    desk = await officer()
    p = await poll(desk)
    await vote_at(p, NOW + HOUR)
    await voting.close_early(actor=desk.as_actor(), poll_id=p.id, reason='Kifayət qədər səs', now=NOW + 3 * HOUR)
    chart = await voting.participation_over_time(actor=desk.as_actor(), poll_id=p.id, now=NOW + 10 * DAY)
    assert chart.unit == 'hour' and [n for _at, n in chart.points] == [0, 1, 0, 0]
    # a poll that opens later has nothing to show yet
    later = await voting.create_poll(
        actor=desk.as_actor(),
        question='Küçəyə yeni işıqlar quraşdırılsın?',
        options=['Bəli', 'Xeyr'],
        opens_at=NOW + DAY,
        closes_at=NOW + 5 * DAY,
        now=NOW,
    )
    empty = await voting.participation_over_time(actor=desk.as_actor(), poll_id=later.id, now=NOW)
    assert (empty.points, empty.participants) == ((), 0)


@store
async def test_only_the_executives_own_polls() -> None:
    desk, other = await officer(), await officer('IH-XETAI', '6OFF002')
    p = await poll(desk)
    for actor, error in (
        (other.as_actor(), NotFound),
        ((await make_citizen()).as_actor(), Forbidden),
    ):
        with pytest.raises(error):
            await voting.participation_over_time(actor=actor, poll_id=p.id, now=NOW)
    for unknown in (p.options[0].id, 'not-a-poll'):
        with pytest.raises(NotFound):
            await voting.participation_over_time(actor=desk.as_actor(), poll_id=unknown, now=NOW)  # type: ignore[arg-type]


# -- the desk -------------------------------------------------------------------------------------------------------


async def test_the_desk_charts_its_polls_participation_and_refreshes_with_the_desk(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fast_hashing(monkeypatch)
    desk = await officer()
    now = datetime.now(UTC)
    mine = await voting.create_poll(
        actor=desk.as_actor(),
        question='Parkda yeni uşaq meydançası tikilsin?',
        options=['Bəli', 'Xeyr'],
        opens_at=now - 3 * HOUR,
        closes_at=now + 7 * DAY,
        now=now - 3 * HOUR,
    )
    later = await voting.create_poll(
        actor=desk.as_actor(),
        question='Küçəyə yeni işıqlar quraşdırılsın?',
        options=['Bəli', 'Xeyr'],
        opens_at=now + DAY,
        closes_at=now + 7 * DAY,
        now=now,
    )
    theirs = await officer('IH-XETAI', '6OFF002')
    await voting.create_poll(
        actor=theirs.as_actor(),
        question='Xətaidə yeni bazar açılsın?',
        options=['Bəli', 'Xeyr'],
        opens_at=now,
        closes_at=now + DAY,
        now=now,
    )
    await vote_at(mine, now - 2 * HOUR, now - 2 * HOUR, now - HOUR)

    await login(user, '6OFF001')
    await user.open('/desk/participation')
    await user.should_see(marker='chart-votes', retries=WAIT)
    (choice,) = user.find(kind=ui.select, marker='chart-poll').elements
    assert choice.options == {str(mine.id): mine.question, str(later.id): later.question}  # not the other executive's
    assert choice.value == str(mine.id)
    await says(user, 'chart-participants', az('Participants: {count}', count=3))
    (chart,) = user.find(kind=ui.echart, marker='chart-votes').elements
    bars, running = (series['data'] for series in chart.options['series'])
    assert chart.options['series'][0]['name'] == az('Votes per hour')
    assert sum(bars) == 3 and running[-1] == 3 and 2 in bars
    assert len(chart.options['xAxis']['data']) == len(bars) >= 4

    # the desk reloads (a new proposal arrives): the chart shows the vote cast meanwhile
    await vote_at(mine, datetime.now(UTC))
    leyla = await make_citizen('5ABC123')
    await proposals.propose(
        actor=leyla.as_actor(),
        executive_code='IH-NESIMI',
        direction='environment',
        title='Həyətimizdə yaşıllıq salınsın',
        description='Füzuli küçəsi 12 saylı binanın həyəti boşdur.',
        now=datetime.now(UTC),
    )
    await says(user, 'chart-participants', az('Participants: {count}', count=4))
    assert user.find(kind=ui.select, marker='chart-poll').elements.pop().value == str(mine.id)

    # another poll chosen: its chart (it has not opened yet), kept across the next reload
    choice.set_value(str(later.id))
    await user.should_see(az('This poll has not opened yet.'), retries=WAIT)
    await says(user, 'chart-participants', az('Participants: {count}', count=0))
    await proposals.propose(
        actor=leyla.as_actor(),
        executive_code='IH-NESIMI',
        direction='roads',
        title='Məktəbin qarşısına svetofor qoyulsun',
        description='Səhərlər uşaqlar yolu svetoforsuz keçir.',
        now=datetime.now(UTC),
    )
    await count(user, 'waiting', 2)
    assert choice.value == str(later.id)
    await says(user, 'chart-participants', az('Participants: {count}', count=0))
