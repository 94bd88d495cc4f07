"""Citizens' proposals: moderation into a poll or rejection, the author told, report-and-hide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.errors import Forbidden, Invalid, NotFound
from portal.store.actors import Role
from portal.store.notices.models import Notice
from portal.store.participation import proposals
from portal.store.participation.models import ProposalState
from portal.store.people import Person
from tests.factories import make_citizen, make_org, make_person

pytestmark = pytest.mark.usefixtures('store_db')

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


async def officer(code: str = 'IH-NESIMI', fin: str = '6OFF001') -> Person:
    person, _ = await make_person(fin, role=Role.EXECUTIVE_OFFICER, org=await make_org(code))
    return person


async def proposal(author: Person) -> proposals.ProposalView:
    await make_org('IH-NESIMI')
    return await proposals.propose(
        actor=author.as_actor(),
        executive_code='ih-nesimi',
        direction='environment',
        title='Həyətimizdə yaşıllıq salınsın',
        description='Füzuli küçəsi 12 saylı binanın həyəti boşdur; ağac əkilməsini təklif edirik.',
        now=NOW,
    )


async def test_a_proposal_becomes_a_poll_and_its_author_is_told() -> None:
    leyla = await make_citizen()
    made = await proposal(leyla)
    assert made.state is ProposalState.PENDING and [p.id for p in await proposals.list_public()] == [made.id]
    desk = (await officer()).as_actor()
    assert [p.id for p in await proposals.list_for_moderation(actor=desk)] == [made.id]
    poll = await proposals.approve(
        actor=desk,
        proposal_id=made.id,
        question='Həyətdə yaşıllıq salınsınmı?',
        options=['Bəli', 'Xeyr'],
        opens_at=NOW,
        closes_at=NOW + timedelta(days=14),
        now=NOW,
    )
    assert poll.from_proposal and [o.label for o in poll.options] == ['Bəli', 'Xeyr']
    (mine,) = await proposals.list_mine(actor=leyla.as_actor())
    assert (mine.state, mine.poll_id) == (ProposalState.APPROVED, poll.id)
    notice = await Notice.get(person_id=leyla.id)
    assert (notice.type, notice.params['decision']) == ('proposal_decided', 'approved')
    with pytest.raises(Invalid) as twice:
        await proposals.reject(actor=desk, proposal_id=made.id, reason='Gec', now=NOW)
    assert twice.value.code == 'already_decided'


async def test_a_rejection_needs_a_reason_and_only_the_executive_decides() -> None:
    leyla = await make_citizen()
    made = await proposal(leyla)
    other = (await officer('IH-XETAI', '6OFF002')).as_actor()
    with pytest.raises(NotFound):
        await proposals.reject(actor=other, proposal_id=made.id, reason='Bizim deyil', now=NOW)
    with pytest.raises(Forbidden):
        await proposals.reject(actor=leyla.as_actor(), proposal_id=made.id, reason='x', now=NOW)
    desk = (await officer()).as_actor()
    with pytest.raises(Invalid) as empty:
        await proposals.reject(actor=desk, proposal_id=made.id, reason=' ', now=NOW)
    assert empty.value.field == 'reason'
    rejected = await proposals.reject(actor=desk, proposal_id=made.id, reason='Ərazi şəxsi mülkiyyətdədir', now=NOW)
    assert rejected.state is ProposalState.REJECTED and await proposals.list_public() == []


@pytest.mark.parametrize(
    ('changes', 'field'),
    [
        ({'executive_code': 'IH-NOWHERE'}, 'executive'),
        ({'executive_code': 'MIA'}, 'executive'),
        ({'direction': 'weather'}, 'direction'),
        ({'title': ''}, 'title'),
        ({'title': 'x' * 201}, 'title'),
        ({'description': '   '}, 'description'),
        ({'description': 'x' * 5001}, 'description'),
    ],
)
async def test_a_bad_proposal_names_the_field_and_writes_nothing(changes: dict[str, str], field: str) -> None:
    leyla = await make_citizen()
    await make_org('IH-NESIMI')
    await make_org('MIA')
    args = {
        'executive_code': 'IH-NESIMI',
        'direction': 'roads',
        'title': 'Yol təmiri',
        'description': 'Çuxurlar var.',
        **changes,
    }
    with pytest.raises(Invalid) as caught:
        await proposals.propose(actor=leyla.as_actor(), now=NOW, **args)
    assert caught.value.field == field
    assert await proposals.list_public() == []


async def test_three_reports_hide_a_proposal_until_the_executive_reviews_it() -> None:
    author = await make_citizen('5AUTHOR')
    made = await proposal(author)
    reporters = [await make_citizen(f'5REP00{n}') for n in range(3)]
    with pytest.raises(Invalid):
        await proposals.report(actor=author.as_actor(), proposal_id=made.id, now=NOW)
    await proposals.report(actor=reporters[0].as_actor(), proposal_id=made.id, now=NOW)
    with pytest.raises(Invalid) as twice:
        await proposals.report(actor=reporters[0].as_actor(), proposal_id=made.id, now=NOW)
    assert twice.value.code == 'already_reported'
    await proposals.report(actor=reporters[1].as_actor(), proposal_id=made.id, now=NOW)
    assert [p.id for p in await proposals.list_public()] == [made.id]
    hidden = await proposals.report(actor=reporters[2].as_actor(), proposal_id=made.id, now=NOW)
    assert hidden.state is ProposalState.HIDDEN and await proposals.list_public() == []
    desk = (await officer()).as_actor()
    assert (await proposals.list_for_moderation(actor=desk))[0].state is ProposalState.HIDDEN
    restored = await proposals.restore(actor=desk, proposal_id=made.id, now=NOW)
    assert restored.state is ProposalState.PENDING and [p.id for p in await proposals.list_public()] == [made.id]
