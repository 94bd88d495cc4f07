"""Citizens' proposals ("Yeni müraciət"): written to a local executive in a topic direction, moderated into a poll or
rejected with a reason, and hidden from the public once three citizens report them as abusive, until the executive
reviews them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Invalid, NotFound
from portal.store.actors import Actor, Role, organisation_of, require_role
from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.orgs import Organisation, OrgCategory
from portal.store.participation import voting
from portal.store.participation.models import (
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Poll,
    Proposal,
    ProposalReport,
    ProposalState,
)

DIRECTIONS: dict[str, str] = {
    'roads': N_('Roads and streets'),
    'utilities': N_('Utilities'),
    'education': N_('Education'),
    'environment': N_('Environment and green spaces'),
    'transport': N_('Public transport'),
    'culture': N_('Culture and sport'),
    'social': N_('Social matters'),
}
REPORTS_TO_HIDE = 3
PUBLIC_STATES = (ProposalState.PENDING, ProposalState.APPROVED)


@dataclass(frozen=True)
class ProposalView:
    id: UUID
    executive_code: str
    executive_name: str
    direction: str
    title: str
    description: str
    state: ProposalState
    reason: str
    reports: int
    created_at: datetime
    decided_at: datetime | None
    poll_id: UUID | None


async def propose(
    *, actor: Actor, executive_code: str, direction: str, title: str, description: str, now: datetime
) -> ProposalView:
    me = require_role(actor, Role.CITIZEN)
    executive = await Organisation.get_or_none(
        code=str(executive_code or '').strip().upper(), category=OrgCategory.EXECUTIVE
    )
    if executive is None:
        raise Invalid('unknown_executive', N_('Choose the local executive.'), field='executive')
    if direction not in DIRECTIONS:
        raise Invalid('unknown_direction', N_('Choose the direction of the proposal.'), field='direction')
    row = await Proposal.create(
        person_id=me.person_id,
        executive_id=executive.id,
        direction=direction,
        title=_text(title, 'title', TITLE_MAX),
        description=_text(description, 'description', TEXT_MAX),
        state=ProposalState.PENDING,
        created_at=now,
    )
    live.publish(live.Event(executive.topic, 'proposal.changed', {'proposal_id': str(row.id)}))
    return await _view(row.id)


async def list_mine(*, actor: Actor) -> list[ProposalView]:
    me = require_role(actor, Role.CITIZEN)
    ids = await Proposal.filter(person_id=me.person_id).order_by('-created_at').values_list('id', flat=True)
    return [await _view(UUID(str(i))) for i in ids]


async def list_public(*, executive_code: str | None = None) -> list[ProposalView]:
    """What everyone sees: proposals waiting for moderation or approved, never rejected or hidden ones."""
    query = Proposal.filter(state__in=list(PUBLIC_STATES))
    if executive_code:
        query = query.filter(executive__code=executive_code.strip().upper())
    ids = await query.order_by('-created_at').values_list('id', flat=True)
    return [await _view(UUID(str(i))) for i in ids]


async def list_for_moderation(*, actor: Actor) -> list[ProposalView]:
    """The executive's proposals waiting for a decision, hidden ones (reported) first."""
    executive_id = organisation_of(actor, scope=voting.SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    ids = (
        await Proposal.filter(executive_id=executive_id, state__in=[ProposalState.HIDDEN, ProposalState.PENDING])
        .order_by('-state', 'created_at')
        .values_list('id', flat=True)
    )
    return [await _view(UUID(str(i))) for i in ids]


async def approve(
    *,
    actor: Actor,
    proposal_id: UUID,
    question: str,
    options: list[str],
    opens_at: datetime,
    closes_at: datetime,
    now: datetime,
    live_results: bool = True,
) -> voting.PollView:
    """The executive turns a proposal into a poll (with the options and dates it decides); the author is told."""
    executive_id = organisation_of(actor, scope=voting.SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    async with in_transaction():
        row = await _moderated(executive_id, proposal_id)
        poll = await voting.create_poll(
            actor=actor,
            question=question,
            options=options,
            opens_at=opens_at,
            closes_at=closes_at,
            now=now,
            description=row.description,
            live_results=live_results,
            proposal_id=row.id,
        )
        row.state, row.decided_at = ProposalState.APPROVED, now
        await row.save(update_fields=['state', 'decided_at'])
        await _tell(row, N_('approved'), now)
    await _after(row)
    return poll


async def reject(*, actor: Actor, proposal_id: UUID, reason: str, now: datetime) -> ProposalView:
    executive_id = organisation_of(actor, scope=voting.SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    text = _text(reason, 'reason', REASON_MAX)
    async with in_transaction():
        row = await _moderated(executive_id, proposal_id)
        row.state, row.reason, row.decided_at = ProposalState.REJECTED, text, now
        await row.save(update_fields=['state', 'reason', 'decided_at'])
        await _tell(row, N_('rejected'), now)
    await _after(row)
    return await _view(row.id)


async def restore(*, actor: Actor, proposal_id: UUID, now: datetime) -> ProposalView:
    """A hidden proposal the executive found fine goes back to moderation, visible again."""
    executive_id = organisation_of(actor, scope=voting.SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    done = await Proposal.filter(id=proposal_id, executive_id=executive_id, state=ProposalState.HIDDEN).update(
        state=ProposalState.PENDING
    )
    if not done:
        raise NotFound('proposal_not_found', N_('No such proposal waits for review.'))
    row = await Proposal.get(id=proposal_id)
    await _after(row)
    return await _view(row.id)


async def report(*, actor: Actor, proposal_id: UUID, now: datetime) -> ProposalView:
    """A citizen reports a proposal as abusive (once); the third report hides it until the executive reviews it."""
    me = require_role(actor, Role.CITIZEN)
    async with in_transaction():
        row = await Proposal.select_for_update().get_or_none(id=proposal_id, state__in=list(PUBLIC_STATES))
        if row is None:
            raise NotFound('proposal_not_found', N_('No such proposal.'))
        if row.person_id == me.person_id:
            raise Invalid('own_proposal', N_('You cannot report your own proposal.'))
        try:
            async with in_transaction():
                await ProposalReport.create(proposal_id=row.id, person_id=me.person_id, created_at=now)
        except IntegrityError:
            raise Invalid('already_reported', N_('You have reported this proposal already.')) from None
        row.reports += 1
        if row.reports >= REPORTS_TO_HIDE and row.state is ProposalState.PENDING:
            row.state = ProposalState.HIDDEN
        await row.save(update_fields=['reports', 'state'])
    await _after(row)
    return await _view(row.id)


async def _moderated(executive_id: UUID, proposal_id: UUID) -> Proposal:
    row = await Proposal.select_for_update().get_or_none(id=proposal_id, executive_id=executive_id)
    if row is None:
        raise NotFound('proposal_not_found', N_('No such proposal.'))
    if row.state not in (ProposalState.PENDING, ProposalState.HIDDEN):
        raise Invalid('already_decided', N_('This proposal has been decided already.'))
    return row


async def _tell(row: Proposal, decision: str, now: datetime) -> None:
    await notify(
        NewNotice(
            row.person_id,
            'proposal_decided',
            f'proposal:{row.id}:{row.state.value}',
            {'title': row.title, 'decision': decision},
            '/participation',
            row.executive_id,
        ),
        now=now,
    )


async def _after(row: Proposal) -> None:
    announce([row.person_id])
    executive = await Organisation.get(id=row.executive_id)
    live.publish(live.Event(f'citizen:{row.person_id}', 'proposal.changed', {'proposal_id': str(row.id)}))
    live.publish(live.Event(executive.topic, 'proposal.changed', {'proposal_id': str(row.id)}))


async def _view(proposal_id: UUID) -> ProposalView:
    row = await Proposal.get(id=proposal_id).prefetch_related('executive')
    poll = await Poll.filter(proposal_id=row.id).order_by('created_at').first()
    return ProposalView(
        id=row.id,
        executive_code=row.executive.code,
        executive_name=row.executive.name_az,
        direction=row.direction,
        title=row.title,
        description=row.description,
        state=row.state,
        reason=row.reason,
        reports=row.reports,
        created_at=row.created_at,
        decided_at=row.decided_at,
        poll_id=poll.id if poll else None,
    )


def _text(value: object, field: str, limit: int) -> str:
    text = str(value or '').strip() if field == 'description' else ' '.join(str(value or '').split())
    if not text:
        raise Invalid('required', N_('This field is required.'), field=field)
    if len(text) > limit:
        raise Invalid('too_long', N_('At most {limit} characters.'), field=field, limit=limit)
    return text
