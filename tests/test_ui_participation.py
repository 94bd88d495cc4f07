"""E-participation in the browser: a citizen proposes (a bad field named under it), the executive approves it into a
poll on its desk, citizens vote once each and are never shown their option, the public results page withholds results
under ten counted votes and shows them (live) once counted; three reports hide a proposal until the desk restores it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.errors import Invalid
from portal.store.actors import Role
from portal.store.participation import proposals, voting
from portal.store.participation.models import ProposalState
from portal.store.people import Person
from tests.builders import use_fast_hashing
from tests.factories import make_citizen, make_org, make_person
from tests.test_ui_login import WAIT, login
from tests.ui_kit import az, count, says, texts

LEYLA, RASHAD, OFFICER = '5ABC123', '2HT8P4N', '6OFF001'
TITLE = 'Həyətimizdə yaşıllıq salınsın'
DESCRIPTION = 'Füzuli küçəsi 12 saylı binanın həyəti boşdur; ağac əkilməsini təklif edirik.'


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


def now() -> datetime:
    return datetime.now(UTC)


async def officer() -> Person:
    person, _ = await make_person(OFFICER, first='Tural', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-NESIMI'))
    return person


async def voters(n: int) -> list[Person]:
    return [await make_citizen(f'V{i:06d}', first='Səs') for i in range(n)]


async def open_poll(options: tuple[str, ...] = ('Bəli', 'Xeyr')) -> voting.PollView:
    desk = (await officer()).as_actor()
    return await voting.create_poll(
        actor=desk,
        question='Parkda yeni uşaq meydançası tikilsin?',
        options=list(options),
        opens_at=now() - timedelta(minutes=1),
        closes_at=now() + timedelta(days=7),
        now=now(),
    )


async def test_a_proposal_is_approved_on_the_desk_and_citizens_vote_once(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await make_citizen(LEYLA)
    await make_citizen(RASHAD, first='Rəşad')
    await officer()
    await make_org('IH-XETAI')
    await login(user, LEYLA)
    nav = [e for e in user.find(kind=ui.link).elements if e.props.get('href') == '/participation']
    assert [e.text for e in nav] == [az('E-participation')]
    await user.open('/participation')
    await user.should_see(marker='polls-empty')
    await user.should_see(marker='mine-empty')

    # no title: named under the title, nothing written
    user.find(kind=ui.select, marker='proposal-executive').elements.pop().set_value('IH-NESIMI')
    user.find(kind=ui.select, marker='proposal-direction').elements.pop().set_value('environment')
    user.find(marker='proposal-description').type(DESCRIPTION)
    user.find(marker='proposal-send').click()
    await says(user, 'proposal-error-title', az('This field is required.'))
    assert not any(texts(user, f'proposal-error-{f}') for f in ('executive', 'direction', 'description'))
    assert await proposals.list_mine(actor=leyla.as_actor()) == []

    user.find(marker='proposal-title').type(TITLE)
    user.find(marker='proposal-send').click()
    await count(user, 'mine-pending', 1)
    assert texts(user, 'mine-title') == [TITLE]
    assert not texts(user, 'proposal-error-title')

    # the executive's officer approves it into a poll on the desk
    desk = create_user()
    await login(desk, OFFICER)
    nav = [e for e in desk.find(kind=ui.link).elements if e.props.get('href') == '/desk/participation']
    assert [e.text for e in nav] == [az('E-participation')]
    await desk.open('/desk/participation')
    await count(desk, 'waiting', 1)
    desk.find(marker='waiting-approve').click()
    await desk.should_see(marker='approve-dialog', retries=WAIT)
    question = desk.find(kind=ui.input, marker='approve-question').elements.pop()
    assert question.value == TITLE  # prefilled from the title
    question.set_value('Həyətdə yaşıllıq salınsınmı?')
    desk.find(marker='approve-send').click()  # no options yet
    await says(desk, 'approve-error-options', az('Give from 2 to 10 different options.'))
    desk.find(kind=ui.textarea, marker='approve-options').elements.pop().set_value('Bəli\nXeyr\n')
    desk.find(marker='approve-send').click()
    await count(desk, 'desk-poll', 1)
    await count(desk, 'waiting', 0)
    [poll] = await voting.list_polls(executive_code='IH-NESIMI')
    assert [o.label for o in poll.options] == ['Bəli', 'Xeyr'] and poll.from_proposal

    # Leyla's page shows the decision live, with a link to the poll, and the poll to vote in
    await count(user, 'mine-approved', 1)
    links = [e.props.get('href') for e in user.find(marker='mine-poll').elements]
    assert links == [f'/participation/polls/{poll.id}']
    await count(user, 'poll', 1)
    assert texts(user, 'poll-source') == [az("A citizen's proposal")]
    user.find(marker='poll-vote').click()  # nothing chosen
    await says(user, 'poll-error', az('Choose an option.'))
    radio = user.find(kind=ui.radio, marker='poll-choice').elements.pop()
    radio.set_value(str(poll.options[1].id))
    user.find(marker='poll-vote').click()
    await says(user, 'poll-voted', az('You have voted'))
    await user.should_not_see(marker='poll-vote')
    await user.should_not_see(marker='poll-choice')
    assert await voting.has_voted(actor=leyla.as_actor(), poll_id=poll.id)
    with pytest.raises(Invalid) as again:
        await voting.cast_vote(actor=leyla.as_actor(), poll_id=poll.id, option_id=poll.options[0].id, now=now())
    assert again.value.code == 'already_voted'

    # a reload still shows only that she voted, never which option
    await user.open('/participation')
    await says(user, 'poll-voted', az('You have voted'))
    await user.should_not_see(marker='poll-choice')

    rashad = create_user()
    await login(rashad, RASHAD)
    await rashad.open('/participation')
    await count(rashad, 'poll-choice', 1)
    rashad.find(kind=ui.radio, marker='poll-choice').elements.pop().set_value(str(poll.options[0].id))
    rashad.find(marker='poll-vote').click()
    await says(rashad, 'poll-voted', az('You have voted'))
    results = await voting.results(poll_id=poll.id, now=now())
    assert (results.participants, results.counts) == (2, None)


async def test_results_are_withheld_under_ten_counted_votes_then_shown_live(user: User) -> None:
    poll = await open_poll()
    people = await voters(12)
    for person in people[:3]:
        await voting.cast_vote(actor=person.as_actor(), poll_id=poll.id, option_id=poll.options[0].id, now=now())

    await user.open(f'/participation/polls/{poll.id}')  # anonymous
    await user.should_see(marker='poll-info')
    assert texts(user, 'poll-withheld') == [az('Results appear once 10 votes are counted.')]
    assert texts(user, 'poll-participants') == [az('Participants: {count}', count=3)]
    await user.should_not_see(marker='poll-chart')

    await voting.tally(now=now())  # three waiting: no batch yet
    for person in people[3:10]:
        await voting.cast_vote(actor=person.as_actor(), poll_id=poll.id, option_id=poll.options[1].id, now=now())
    await says(user, 'poll-participants', az('Participants: {count}', count=10))  # live
    assert texts(user, 'poll-withheld') == [az('Results appear once 10 votes are counted.')]

    await voting.tally(now=now())  # ten waiting: counted, and the open page redraws
    await user.should_see(marker='poll-chart', retries=WAIT)
    await user.should_not_see(marker='poll-withheld')
    assert texts(user, 'poll-counted') == [az('Votes counted: {count}', count=10)]
    chart = user.find(kind=ui.echart, marker='poll-chart').elements.pop()
    assert chart.options['series'][0]['data'] == [7, 3]  # Xeyr, Bəli (the first option at the top)

    # a burst of events redraws at most about once a second, and ends on the latest figures
    for person in people[10:]:
        await voting.cast_vote(actor=person.as_actor(), poll_id=poll.id, option_id=poll.options[0].id, now=now())
    await says(user, 'poll-participants', az('Participants: {count}', count=12))


async def test_results_shown_only_after_closing_when_so_chosen(user: User) -> None:
    desk = (await officer()).as_actor()
    poll = await voting.create_poll(
        actor=desk,
        question='Küçəyə yeni işıqlar?',
        options=['Bəli', 'Xeyr'],
        opens_at=now() - timedelta(minutes=1),
        closes_at=now() + timedelta(days=7),
        now=now(),
        live_results=False,
    )
    people = await voters(11)
    for person in people[:10]:
        await voting.cast_vote(actor=person.as_actor(), poll_id=poll.id, option_id=poll.options[0].id, now=now())
    await voting.tally(now=now())
    await voting.cast_vote(actor=people[10].as_actor(), poll_id=poll.id, option_id=poll.options[1].id, now=now())
    await user.open(f'/participation/polls/{poll.id}')
    assert texts(user, 'poll-withheld') == [az('Results appear after the poll closes.')]
    await voting.close_early(actor=desk, poll_id=poll.id, reason='Kifayət qədər səs toplandı', now=now())
    await voting.tally(now=now())  # the closed poll's last ballot is counted: the page redraws
    await user.should_see(marker='poll-chart', retries=WAIT)
    assert texts(user, 'poll-closed-reason') == [az('Closed early: {reason}', reason='Kifayət qədər səs toplandı')]


async def test_three_reports_hide_a_proposal_and_the_desk_restores_it(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await make_citizen(LEYLA)
    await make_citizen(RASHAD, first='Rəşad')
    others = await voters(2)
    await officer()
    made = await proposals.propose(
        actor=leyla.as_actor(),
        executive_code='IH-NESIMI',
        direction='roads',
        title=TITLE,
        description=DESCRIPTION,
        now=now(),
    )
    for person in others:
        await proposals.report(actor=person.as_actor(), proposal_id=made.id, now=now())

    # the author cannot report her own proposal
    await login(user, LEYLA)
    await user.open('/participation')
    await count(user, 'public', 1)
    await user.should_not_see(marker='public-report')

    third = create_user()
    await login(third, RASHAD)
    await third.open('/participation')
    await count(third, f'report-{made.id}', 1)
    third.find(marker=f'report-{made.id}').click()
    await count(third, 'public', 0)  # hidden from everyone
    await third.should_see(marker='public-empty')
    assert await proposals.list_public() == []
    await count(user, 'mine-hidden', 1)  # the author sees it hidden, live

    desk = create_user()
    await login(desk, OFFICER)
    await desk.open('/desk/participation')
    await count(desk, 'waiting-hidden', 1)
    desk.find(marker='waiting-restore').click()
    await count(desk, 'waiting-pending', 1)
    assert [p.state for p in await proposals.list_public()] == [ProposalState.PENDING]


async def test_the_desk_rejects_with_a_reason_and_closes_a_poll_early(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await make_citizen(LEYLA)
    await officer()
    made = await proposals.propose(
        actor=leyla.as_actor(),
        executive_code='IH-NESIMI',
        direction='transport',
        title='Yeni avtobus xətti',
        description='Nəsimi rayonundan Xətaiyə birbaşa xətt lazımdır.',
        now=now(),
    )
    await login(user, OFFICER)
    await user.open('/desk/participation')
    await count(user, 'waiting', 1)
    user.find(marker='waiting-reject').click()
    await user.should_see(marker='reject-dialog', retries=WAIT)
    user.find(marker='reject-send').click()  # no reason
    await says(user, 'reject-error-reason', az('This field is required.'))
    user.find(marker='reject-reason').type('Bu məsələ Nəqliyyat Agentliyinin səlahiyyətindədir')
    user.find(marker='reject-send').click()
    await count(user, 'waiting', 0)
    [mine] = await proposals.list_mine(actor=leyla.as_actor())
    assert mine.id == made.id and mine.state is ProposalState.REJECTED and mine.reason.startswith('Bu məsələ')

    # the officer's own poll, then closed early with a reason
    user.find(marker='new-poll-question').type('Parkda yeni skamyalar?')
    user.find(kind=ui.textarea, marker='new-poll-options').elements.pop().set_value('Bəli\nXeyr')
    user.find(marker='new-poll-send').click()
    await count(user, 'desk-poll', 1)
    [poll] = await voting.list_polls(executive_code='IH-NESIMI')
    assert not poll.from_proposal and poll.live_results
    user.find(marker='desk-poll-close').click()
    user.find(marker='close-reason').type('Layihə dəyişdi')
    user.find(marker='close-send').click()
    await user.should_not_see(marker='desk-poll-close', retries=WAIT)
    assert (await voting.get_poll(poll_id=poll.id)).closed_reason == 'Layihə dəyişdi'

    # what came of it, marked on the closed poll: a note is required, then both are published
    user.find(marker='desk-poll-outcome').click()
    user.find(kind=ui.radio, marker='outcome-choice').elements.pop().set_value('not_accepted')
    user.find(marker='outcome-send').click()
    await says(user, 'outcome-error-note', az('This field is required.'))
    assert (await voting.get_poll(poll_id=poll.id)).outcome == ''
    user.find(marker='outcome-note').type('Skamyalar 2027-ci ildə yenilənmiş layihə ilə qoyulacaq')
    user.find(marker='outcome-send').click()
    await says(user, 'poll-outcome-note', 'Skamyalar 2027-ci ildə yenilənmiş layihə ilə qoyulacaq')
    marked = await voting.get_poll(poll_id=poll.id)
    assert (marked.outcome, marked.outcome_note) == (
        'not_accepted',
        'Skamyalar 2027-ci ildə yenilənmiş layihə ilə qoyulacaq',
    )
    visitor = create_user()  # the public results page publishes it too
    await visitor.open(f'/participation/polls/{poll.id}')
    await says(visitor, 'poll-outcome-note', marked.outcome_note)
    await visitor.should_see(az('Not accepted into the plan'))

    # the citizen sees the reason for the rejection
    author = create_user()
    await login(author, LEYLA)
    await author.open('/participation')
    await says(author, 'mine-reason', az('Reason: {reason}', reason=mine.reason))


async def test_a_citizen_is_sent_away_from_the_desk_and_a_stranger_sees_the_list(user: User) -> None:
    await make_citizen(LEYLA)
    poll = await open_poll()
    await user.open('/participation')
    await count(user, 'poll', 1)
    await user.should_not_see(marker='poll-vote')
    await user.should_not_see(marker='proposal-form')
    await user.open('/desk/participation')
    await user.should_see(marker='login')
    await login(user, LEYLA)
    await user.open('/desk/participation')
    await user.should_not_see(marker='participation-desk')
    await user.open(f'/participation/polls/{poll.id}')
    await user.should_see(marker='poll-info')
