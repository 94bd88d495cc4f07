"""What came of a closed poll: the local executive marks it accepted into its plan (or not), with a note that is
published with the frozen results."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from portal import live
from portal.errors import N_, Invalid, NotFound
from portal.store.actors import Actor, Role, organisation_of
from portal.store.participation.models import REASON_MAX, Poll, PollState

SCOPE_WRITE = 'participation:write'
# the outcome's code and how it reads
OUTCOMES = {
    'accepted': N_('Accepted into the plan'),
    'not_accepted': N_('Not accepted into the plan'),
}


async def mark_outcome(*, actor: Actor, poll_id: UUID, outcome: str, note: str, now: datetime) -> None:
    """Only the poll's own executive, only once the poll is closed; marking again replaces the outcome."""
    executive_id = organisation_of(actor, scope=SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    if outcome not in OUTCOMES:
        raise Invalid('unknown_outcome', N_('Choose one of the outcomes.'), field='outcome')
    text = ' '.join(str(note or '').split())
    if not text:
        raise Invalid('required', N_('This field is required.'), field='note')
    if len(text) > REASON_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='note', limit=REASON_MAX)
    poll = await Poll.get_or_none(id=poll_id, executive_id=executive_id)
    if poll is None:
        raise NotFound('poll_not_found', N_('No such poll.'))
    if poll.state is not PollState.CLOSED:
        raise Invalid('poll_open', N_('An outcome can be marked once the poll is closed.'))
    await Poll.filter(id=poll.id).update(outcome=outcome, outcome_note=text)
    live.publish(live.Event(f'poll:{poll.id}', 'poll.outcome', {}))
