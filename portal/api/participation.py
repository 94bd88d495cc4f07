"""E-participation through the API: polls and their results are public (no key); a citizen votes with the token of
their own session (see ``sessions``), and the answer never carries the choice; a local executive's key with
`participation:write` creates and closes its polls and moderates citizens' proposals into polls. The store limits
every write to the key's own executive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.api.deps import CurrentClient, CurrentPerson, Now
from portal.store.participation import outcomes, proposals, voting
from portal.store.participation.models import OPTION_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX, PollState, ProposalState
from portal.store.participation.proposals import ProposalView
from portal.store.participation.voting import PollView, Results

router = APIRouter(tags=['participation'])
# bounded here only to keep the work small: the store's rules speak first below these
Label = Annotated[str, Field(max_length=4 * OPTION_MAX)]
OPTIONS = Field(max_length=4 * voting.OPTIONS_MAX, description='From 2 to 10 different options, in order')

PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {404: {'description': '`poll_not_found`: no such poll'}}
SESSION_401 = {
    'description': '`not_logged_in`, `session_expired`: no open session behind the token; `session_required`: an API '
    'key was sent instead of a session token'
}
VOTE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: SESSION_401,
    403: {'description': '`forbidden`: only citizens vote'},
    404: {'description': '`poll_not_found`: no such poll'},
    422: {
        'description': '`poll_closed`, `poll_not_open`, `already_voted`; `unknown_option` (field `option`): not one '
        "of the poll's options; `validation_error`"
    },
}
VOTED_ERRORS: dict[int | str, dict[str, Any]] = {
    401: SESSION_401,
    403: {'description': '`forbidden`: only citizens vote'},
    404: {'description': '`poll_not_found`: no such poll'},
}
CREATE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `participation:write`'},
    422: {
        'description': 'Invalid input, named in `field`: `required`, `too_long`, `invalid_options`, '
        '`invalid_period`, `validation_error`'
    },
}
CLOSE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `participation:write`'},
    404: {'description': "`poll_not_found`: no such poll among the key's executive's"},
    422: {'description': '`poll_closed`: the poll is closed already; `required`, `too_long` (field `reason`)'},
}
OUTCOME_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `participation:write`'},
    404: {'description': "`poll_not_found`: no such poll among the key's executive's"},
    422: {
        'description': '`poll_open`: the poll is not closed yet; `unknown_outcome` (field `outcome`); `required`, '
        '`too_long` (field `note`)'
    },
}
MODERATION_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `participation:write`'},
}
DECIDE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `participation:write`'},
    404: {'description': "`proposal_not_found`: no such proposal among the key's executive's"},
    422: {
        'description': '`already_decided`: the proposal has been decided already; invalid input, named in `field`: '
        '`required`, `too_long`, `invalid_options`, `invalid_period`, `validation_error`'
    },
}


class ExecutiveOut(BaseModel):
    code: str
    name: str = Field(description="The local executive's name, in Azerbaijani")


class OptionOut(BaseModel):
    id: UUID
    label: str


class PollOut(BaseModel):
    id: UUID
    executive: ExecutiveOut
    question: str
    description: str
    options: list[OptionOut]
    opens_at: datetime
    closes_at: datetime
    state: PollState
    live_results: bool = Field(description='Whether results are shown while the poll is open (from ten votes)')
    from_proposal: bool = Field(description="Whether the poll came from a citizen's proposal")
    outcome: str = Field(description="What came of it, once closed: `accepted` (into the plan), `not_accepted` or ''")
    outcome_note: str = Field(description="The executive's note on the outcome")


class CountOut(BaseModel):
    option_id: UUID
    label: str
    votes: int


class ResultsOut(BaseModel):
    participants: int = Field(description='Citizens who voted')
    counted: int = Field(description='Votes counted so far (in batches of at least ten)')
    waiting: int = Field(description='Votes cast but not counted yet')
    withheld: str = Field(
        description="Why counts are withheld: `too_few` (under ten counted), `after_closing`, or '' when shown"
    )
    counts: list[CountOut] | None = Field(description='Votes per option; null while withheld')


class ProposalOut(BaseModel):
    id: UUID
    executive: ExecutiveOut
    direction: str
    title: str
    description: str
    state: ProposalState
    reason: str = Field(description="The executive's reason for a rejection")
    reports: int = Field(description='How many citizens reported the proposal as abusive')
    created_at: datetime
    decided_at: datetime | None
    poll_id: UUID | None = Field(description='The poll the proposal became, once approved')


class VoteIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    option: UUID = Field(description="One of the poll's option ids")


class VotedOut(BaseModel):
    voted: bool = Field(description='Whether this citizen has voted in the poll; never which option')


class PollIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    question: str = Field(max_length=4 * TITLE_MAX, description=f'At most {TITLE_MAX} characters')
    description: str = Field(default='', max_length=4 * TEXT_MAX, description=f'At most {TEXT_MAX} characters')
    options: list[Label] = OPTIONS
    opens_at: AwareDatetime
    closes_at: AwareDatetime = Field(description='After opens_at, in the future, within 180 days of opening')
    live_results: bool = Field(default=True, description='Show results while open (from ten votes)')


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    outcome: str = Field(max_length=24, description='`accepted` (into the plan) or `not_accepted`')
    note: str = Field(max_length=4 * REASON_MAX, description=f'At most {REASON_MAX} characters, published')


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    question: str = Field(max_length=4 * TITLE_MAX, description=f'At most {TITLE_MAX} characters')
    options: list[Label] = OPTIONS
    opens_at: AwareDatetime
    closes_at: AwareDatetime = Field(description='After opens_at, in the future, within 180 days of opening')
    live_results: bool = Field(default=True, description='Show results while open (from ten votes)')


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    reason: str = Field(max_length=4 * REASON_MAX, description=f'At most {REASON_MAX} characters')


# -- public ---------------------------------------------------------------------------------------------------------


@router.get('/polls', response_model=list[PollOut])
async def list_polls(
    now: Now,
    executive: Annotated[str | None, Query(max_length=40, description="Only this local executive's polls")] = None,
    open_only: Annotated[bool, Query(alias='open', description='Only polls not closed')] = False,
) -> list[PollOut]:
    """List polls, those closing soonest first; public, no key needed."""
    polls = await voting.list_polls(executive_code=executive, open_only=open_only, now=now)
    return [_poll_out(p) for p in polls]


@router.get('/polls/{poll_id}', response_model=PollOut, responses=PUBLIC_ERRORS)
async def get_poll(poll_id: UUID) -> PollOut:
    """Get one poll; public, no key needed."""
    return _poll_out(await voting.get_poll(poll_id=poll_id))


@router.get('/polls/{poll_id}/results', response_model=ResultsOut, responses=PUBLIC_ERRORS)
async def get_results(poll_id: UUID, now: Now) -> ResultsOut:
    """A poll's results: counts per option once ten votes are counted (and after closing, if the executive chose so);
    public, no key needed."""
    return _results_out(await voting.results(poll_id=poll_id, now=now))


# -- the citizen's -----------------------------------------------------------------------------------------------------


@router.post('/polls/{poll_id}/vote', response_model=VotedOut, status_code=201, responses=VOTE_ERRORS)
async def cast_vote(poll_id: UUID, body: VoteIn, person: CurrentPerson, now: Now) -> VotedOut:
    """Vote once in an open poll, with a citizen's session token. The vote is anonymous: nothing answered or kept
    with the citizen tells the option, and it is counted in a shuffled batch of at least ten."""
    await voting.cast_vote(actor=person, poll_id=poll_id, option_id=body.option, now=now)
    return VotedOut(voted=True)


@router.get('/polls/{poll_id}/vote', response_model=VotedOut, responses=VOTED_ERRORS)
async def has_voted(poll_id: UUID, person: CurrentPerson) -> VotedOut:
    """Whether the session's citizen has voted in the poll (never which option)."""
    await voting.get_poll(poll_id=poll_id)
    return VotedOut(voted=await voting.has_voted(actor=person, poll_id=poll_id))


# -- the executive's --------------------------------------------------------------------------------------------------


@router.post('/polls', response_model=PollOut, status_code=201, responses=CREATE_ERRORS)
async def create_poll(body: PollIn, client: CurrentClient, now: Now) -> PollOut:
    """Create a poll of the key's local executive; needs `participation:write`."""
    poll = await voting.create_poll(
        actor=client,
        question=body.question,
        description=body.description,
        options=body.options,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        live_results=body.live_results,
        now=now,
    )
    return _poll_out(poll)


@router.post('/polls/{poll_id}/close', response_model=PollOut, responses=CLOSE_ERRORS)
async def close_poll(poll_id: UUID, body: ReasonIn, client: CurrentClient, now: Now) -> PollOut:
    """Close one of the executive's open polls early, with a reason; needs `participation:write`."""
    return _poll_out(await voting.close_early(actor=client, poll_id=poll_id, reason=body.reason, now=now))


@router.post('/polls/{poll_id}/outcome', response_model=PollOut, responses=OUTCOME_ERRORS)
async def mark_outcome(poll_id: UUID, body: OutcomeIn, client: CurrentClient, now: Now) -> PollOut:
    """Mark what came of one of the executive's closed polls, with a published note; needs `participation:write`."""
    await outcomes.mark_outcome(actor=client, poll_id=poll_id, outcome=body.outcome, note=body.note, now=now)
    return _poll_out(await voting.get_poll(poll_id=poll_id))


@router.get('/proposals/moderation', response_model=list[ProposalOut], responses=MODERATION_ERRORS)
async def list_for_moderation(client: CurrentClient) -> list[ProposalOut]:
    """The executive's proposals waiting for a decision, hidden (reported) ones first; needs `participation:write`."""
    return [_proposal_out(p) for p in await proposals.list_for_moderation(actor=client)]


@router.post('/proposals/{proposal_id}/approve', response_model=PollOut, status_code=201, responses=DECIDE_ERRORS)
async def approve_proposal(proposal_id: UUID, body: ApproveIn, client: CurrentClient, now: Now) -> PollOut:
    """Turn a proposal into a poll with these options and dates; the author is told; needs `participation:write`."""
    poll = await proposals.approve(
        actor=client,
        proposal_id=proposal_id,
        question=body.question,
        options=body.options,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        live_results=body.live_results,
        now=now,
    )
    return _poll_out(poll)


@router.post('/proposals/{proposal_id}/reject', response_model=ProposalOut, responses=DECIDE_ERRORS)
async def reject_proposal(proposal_id: UUID, body: ReasonIn, client: CurrentClient, now: Now) -> ProposalOut:
    """Reject a proposal with a reason; the author is told; needs `participation:write`."""
    return _proposal_out(await proposals.reject(actor=client, proposal_id=proposal_id, reason=body.reason, now=now))


def _poll_out(view: PollView) -> PollOut:
    return PollOut(
        id=view.id,
        executive=ExecutiveOut(code=view.executive_code, name=view.executive_name),
        question=view.question,
        description=view.description,
        options=[OptionOut(id=o.id, label=o.label) for o in view.options],
        opens_at=view.opens_at,
        closes_at=view.closes_at,
        state=view.state,
        live_results=view.live_results,
        from_proposal=view.from_proposal,
        outcome=view.outcome,
        outcome_note=view.outcome_note,
    )


def _results_out(results: Results) -> ResultsOut:
    counts = None
    if results.counts is not None:
        counts = [CountOut(option_id=o.id, label=o.label, votes=n) for o, n in results.counts]
    return ResultsOut(
        participants=results.participants,
        counted=results.counted,
        waiting=results.waiting,
        withheld=results.withheld,
        counts=counts,
    )


def _proposal_out(view: ProposalView) -> ProposalOut:
    return ProposalOut(
        id=view.id,
        executive=ExecutiveOut(code=view.executive_code, name=view.executive_name),
        direction=view.direction,
        title=view.title,
        description=view.description,
        state=view.state,
        reason=view.reason,
        reports=view.reports,
        created_at=view.created_at,
        decided_at=view.decided_at,
        poll_id=view.poll_id,
    )
