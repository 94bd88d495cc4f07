"""A poll's open results pages share one feed: one hub subscription and one read per refresh for all of them, at
most one read a second however many events arrive, the subscription dropped with the last page, and each page
changing its figures in place (rebuilt only when results appear, or the poll closes)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nicegui import Client, ui
from nicegui.outbox import Message
from nicegui.testing import User

from portal import live
from portal.components import poll_feed
from portal.store.actors import Role
from portal.store.participation import voting
from portal.store.people import Person
from tests.factories import make_org, make_person
from tests.test_ui_login import WAIT
from tests.ui_kit import az, says, texts

YES, NO = 0, 1


def now() -> datetime:
    return datetime.now(UTC)


async def open_poll() -> voting.PollView:
    officer, _ = await make_person(
        '6OFF001', first='Tural', role=Role.EXECUTIVE_OFFICER, password=None, org=await make_org('IH-NESIMI')
    )
    return await voting.create_poll(
        actor=officer.as_actor(),
        question='Parkda yeni uşaq meydançası tikilsin?',
        options=['Bəli', 'Xeyr'],
        opens_at=now() - timedelta(minutes=1),
        closes_at=now() + timedelta(days=7),
        now=now(),
    )


async def voters(n: int, start: int = 0) -> list[Person]:
    return [(await make_person(f'V{i:06d}', first='Səs', password=None))[0] for i in range(start, start + n)]


async def vote(poll: voting.PollView, people: list[Person], option: int) -> None:
    """Together, as a crowd votes: one group commit, one event."""
    await asyncio.gather(
        *(
            voting.cast_vote(actor=p.as_actor(), poll_id=poll.id, option_id=poll.options[option].id, now=now())
            for p in people
        )
    )


async def counted_poll() -> voting.PollView:
    """A poll with 10 counted votes (7 yes, 3 no): its results are shown."""
    poll = await open_poll()
    people = await voters(10)
    await vote(poll, people[:7], YES)
    await vote(poll, people[7:], NO)
    await voting.tally(now=now())
    return poll


@pytest.fixture
def count_reads(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[float]]:
    """From when it is called: when the results of a poll were read in this process (by a page or by a feed)."""

    def start() -> list[float]:
        times: list[float] = []
        results = voting.results

        async def counting(**kwargs: Any) -> voting.Results:
            times.append(time.monotonic())
            return await results(**kwargs)

        monkeypatch.setattr(voting, 'results', counting)
        return times

    return start


def chart_of(user: User) -> ui.echart:
    found = user.find(kind=ui.echart, marker='poll-chart').elements
    assert len(found) == 1
    return found.pop()


async def bars(user: User, expected: list[int]) -> None:
    shown: list[int] = []
    for _attempt in range(WAIT):
        shown = chart_of(user).options['series'][0]['data']
        if shown == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'the chart shows {shown}, not {expected}')


def record_updates(client: Client) -> list[dict[str, Any]]:
    """The element updates sent to this page from now on."""
    sent: list[dict[str, Any]] = []
    emit = client.outbox._emit

    async def recording(message: Message) -> None:
        if message[1] == 'update':
            sent.append({k: v for k, v in message[2].items() if k != '_id'})
        await emit(message)

    client.outbox._emit = recording  # type: ignore[method-assign]
    return sent


async def test_two_open_pages_of_a_poll_update_from_one_read(
    user: User, create_user: Callable[[], User], count_reads: Callable[[], list[float]]
) -> None:
    poll = await counted_poll()
    await vote(poll, await voters(10, start=10), NO)  # ten more waiting to be counted
    other = create_user()
    page = f'/participation/polls/{poll.id}'
    await user.open(page)  # anonymous, both
    await other.open(page)
    for viewer in (user, other):
        assert texts(viewer, 'poll-counted') == [az('Votes counted: {count}', count=10)]
    assert live.hub.subscriber_count(f'poll:{poll.id}') == 1  # one subscription for both pages

    reads = count_reads()
    await voting.tally(now=now())  # one event: the batch is counted
    for viewer in (user, other):
        await says(viewer, 'poll-counted', az('Votes counted: {count}', count=20))
        await bars(viewer, [13, 7])  # Xeyr, Bəli
    await asyncio.sleep(poll_feed.INTERVAL + 0.2)
    assert len(reads) == 1


async def test_a_burst_of_events_costs_at_most_two_reads_a_second(
    user: User, count_reads: Callable[[], list[float]]
) -> None:
    poll = await counted_poll()
    people = await voters(12, start=10)
    await user.open(f'/participation/polls/{poll.id}')
    topic = f'poll:{poll.id}'

    reads = count_reads()
    live.publish(live.Event(topic, 'poll.participation'))  # after a quiet second: read at once
    await asyncio.sleep(0.2)
    assert len(reads) == 1
    for person in people:  # twelve votes one by one, twelve events, and more events between them
        await voting.cast_vote(actor=person.as_actor(), poll_id=poll.id, option_id=poll.options[YES].id, now=now())
        for _ in range(10):
            live.publish(live.Event(topic, 'poll.participation'))
    await says(user, 'poll-participants', az('Participants: {count}', count=22))  # ends on the latest figures
    await asyncio.sleep(poll_feed.INTERVAL + 0.2)
    assert len(reads) == 2
    assert reads[1] - reads[0] >= poll_feed.INTERVAL - 0.01

    live.publish(live.Event(topic, 'poll.participation'))  # quiet for a second: read at once again
    await asyncio.sleep(0.2)
    assert len(reads) == 3


async def test_the_feed_unsubscribes_when_the_last_page_closes(
    user: User, create_user: Callable[[], User], count_reads: Callable[[], list[float]]
) -> None:
    poll = await counted_poll()
    topic = f'poll:{poll.id}'
    other = create_user()
    first = await user.open(f'/participation/polls/{poll.id}')
    second = await other.open(f'/participation/polls/{poll.id}')
    feed = poll_feed.feeds.get(poll.id)
    assert feed is not None and len(feed.viewers) == 2
    assert live.hub.subscriber_count(topic) == 1

    first.delete()  # the browser is gone (its reconnect time passed)
    assert len(feed.viewers) == 1 and live.hub.subscriber_count(topic) == 1
    second.delete()
    assert live.hub.subscriber_count(topic) == 0
    assert poll_feed.feeds.get(poll.id) is None

    reads = count_reads()
    live.publish(live.Event(topic, 'poll.results'))
    await asyncio.sleep(0.3)
    assert reads == []


async def test_a_page_changes_its_figures_in_place_and_is_rebuilt_when_the_poll_closes(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    poll = await counted_poll()
    await user.open(f'/participation/polls/{poll.id}')
    chart = chart_of(user)
    assert chart.options['series'][0]['data'] == [3, 7]
    counted = user.find(kind=ui.label, marker='poll-counted').elements.pop()
    participants = user.find(kind=ui.label, marker='poll-participants').elements.pop()
    assert user.client is not None
    sent = record_updates(user.client)
    for _attempt in range(WAIT):  # the figures a newly connected page is sent once
        if sent:
            break
        await asyncio.sleep(0.1)
    assert {int(element_id) for update in sent for element_id in update} == {participants.id, counted.id, chart.id}
    sent.clear()
    broadcasts: list[tuple[str, dict[str, Any], list[str]]] = []
    emit = poll_feed.core.sio.emit

    async def recording(event: str, data: Any = None, *, room: Any = None, **kwargs: Any) -> None:
        if event == 'kabinet_poll_reading':
            broadcasts.append((event, data, room))
        await emit(event, data, room=room, **kwargs)

    monkeypatch.setattr(poll_feed.core.sio, 'emit', recording)

    await vote(poll, await voters(10, start=10), YES)
    await says(user, 'poll-participants', az('Participants: {count}', count=20))
    await voting.tally(now=now())
    await bars(user, [3, 17])
    await says(user, 'poll-counted', az('Votes counted: {count}', count=20))
    # the same elements, changed: nothing was built or removed, and nothing was sent page by page: the figures went
    # to the poll's pages in one broadcast per reading, which the page's script applies
    assert chart_of(user) is chart and not chart.is_deleted
    assert user.find(kind=ui.label, marker='poll-counted').elements == {counted}
    assert sent == []
    for _attempt in range(WAIT):
        if len(broadcasts) == 2:
            break
        await asyncio.sleep(0.1)
    texts_of = [data['texts']['az'] for _event, data, _room in broadcasts]
    assert texts_of == [
        [az('Participants: {count}', count=20), az('Votes counted: {count}', count=10)],
        [az('Participants: {count}', count=20), az('Votes counted: {count}', count=20)],
    ]
    assert [data['bars'] for _event, data, _room in broadcasts] == [[3, 7], [3, 17]]
    assert all(room == [user.client.id] for _event, _data, room in broadcasts)
    assert chart.options['yAxis']['data'] == ['Xeyr', 'Bəli']

    officer = await Person.get(fin='6OFF001')
    await voting.close_early(actor=officer.as_actor(), poll_id=poll.id, reason='Kifayət qədər səs toplandı', now=now())
    await says(user, 'poll-closed-reason', az('Closed early: {reason}', reason='Kifayət qədər səs toplandı'))
    assert chart.is_deleted  # a new shape: the board is rebuilt
    assert chart_of(user).options['series'][0]['data'] == [3, 17]


async def test_a_failing_page_does_not_keep_the_reading_from_the_others(
    user: User, create_user: Callable[[], User], caplog: pytest.LogCaptureFixture
) -> None:
    poll = await counted_poll()
    await vote(poll, await voters(10, start=10), NO)
    page = f'/participation/polls/{poll.id}'
    first = await user.open(page)
    failed: list[poll_feed.Reading] = []

    def failing(reading: poll_feed.Reading) -> None:
        failed.append(reading)
        raise RuntimeError('this page cannot show it')

    poll_feed.feeds.join(poll.id, first, failing)  # between the two pages
    other = create_user()
    await other.open(page)

    await voting.tally(now=now())
    for viewer in (user, other):
        await says(viewer, 'poll-counted', az('Votes counted: {count}', count=20))
    assert len(failed) == 1
    assert [r.message for r in caplog.records if r.levelname == 'ERROR'] == [
        'a results page failed to show a new reading'
    ]
    caplog.clear()  # the one error this test expects
