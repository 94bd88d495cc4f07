"""Citizen reception through the API: a local executive's key with `reception:write` lists its requests, reads one,
gives it an official and a free slot, moves or cancels the meeting, declines a request, marks a meeting done or
missed, and asks for free slots. Every request is limited to the key's own executive (another's answers 404).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.api.deps import CurrentClient, Now
from portal.store.reception import calendar, desk, requests
from portal.store.reception.calendar import CalendarView, Slot
from portal.store.reception.common import RequestView
from portal.store.reception.desk import PAGE_MAX
from portal.store.reception.models import REASON_MAX, ReceptionEventKind, ReceptionState

router = APIRouter(prefix='/reception', tags=['reception'])

AUTH: dict[int | str, dict[str, Any]] = {
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `reception:write`'},
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **AUTH,
    404: {'description': "`request_not_found`: no such request among the key's executive's"},
}
SLOT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    **READ_ERRORS,
    409: {'description': '`slot_taken`: the slot was given to another request (also under concurrent scheduling)'},
    422: {
        'description': '`not_a_slot`, `slot_in_past` (field `starts_at`); `official_not_found`, `official_required` '
        '(field `official_id`); `wrong_state`: not possible in its state; `validation_error`'
    },
}
REASON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    **READ_ERRORS,
    422: {'description': '`wrong_state`; `reason_required`, `too_long` (field `reason`); `validation_error`'},
}
MARK_ERRORS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    422: {'description': '`wrong_state`; `meeting_not_started`: only once the meeting has started'},
}


class OfficialOut(BaseModel):
    id: UUID
    name: str
    position: str
    active: bool


class OfficialRef(BaseModel):
    id: UUID
    name: str
    position: str


class CalendarOut(BaseModel):
    hours: dict[str, list[list[str]]] = Field(
        description='Reception hours by ISO weekday (`1` Monday … `7` Sunday), Baku time, e.g. `[["10:00", "13:00"]]`'
    )
    slot_minutes: int
    place: str
    officials: list[OfficialOut]


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime


class StepOut(BaseModel):
    kind: ReceptionEventKind
    at: datetime
    by: str = Field(description='`citizen`, `executive` or `portal`')
    note: str


class FileOut(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int


class RequestOut(BaseModel):
    id: UUID
    number: str
    state: ReceptionState
    topic: str = Field(description='`land_property`, `housing`, `utilities`, `social_support`, `roads_transport`, …')
    summary: str
    preferred_days: list[date]
    citizen: str = Field(description="The citizen's full name")
    fin: str
    official: OfficialRef | None
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    reason: str = Field(description='Why it was declined or cancelled')
    created_at: datetime
    closed_at: datetime | None
    files: list[FileOut] = Field(description='Metadata only (the files are read on the desk)')
    timeline: list[StepOut]


class RequestPageOut(BaseModel):
    items: list[RequestOut]
    total: int


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    official_id: UUID
    starts_at: AwareDatetime = Field(description='The start of a free slot (see `GET /reception/slots`)')


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    starts_at: AwareDatetime = Field(description='The start of a free slot')
    official_id: UUID | None = Field(default=None, description='Another official; the same one when absent')


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    reason: str = Field(max_length=4 * REASON_MAX, description=f'At most {REASON_MAX} characters; the citizen reads it')


@router.get('/calendar', response_model=CalendarOut, responses=AUTH)
async def get_calendar(client: CurrentClient) -> CalendarOut:
    """The executive's reception hours, meeting length, place and officials."""
    return _calendar_out(await calendar.my_calendar(actor=client))


@router.get(
    '/slots',
    response_model=list[SlotOut],
    responses={**AUTH, 422: {'description': '`bad_range` (at most 31 days); `validation_error`'}},
)
async def list_slots(
    client: CurrentClient,
    now: Now,
    first: Annotated[date, Query(alias='from', description='First day (Baku date)')],
    last: Annotated[date, Query(alias='to', description='Last day (Baku date), at most 31 days on')],
) -> list[SlotOut]:
    """Free slots: in the future, inside the hours, not on holidays, not given."""
    return [_slot_out(s) for s in await calendar.free_slots(actor=client, first=first, last=last, now=now)]


@router.get(
    '/requests',
    response_model=RequestPageOut,
    responses={**AUTH, 422: {'description': '`bad_page`; `validation_error` (an unknown `state`)'}},
)
async def list_requests(
    client: CurrentClient,
    state: Annotated[ReceptionState | None, Query(description='Only this state; the open ones when absent')] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RequestPageOut:
    """The executive's requests: waiting ones oldest first, meetings soonest first, closed ones newest first."""
    page = await desk.list_desk(actor=client, state=state, offset=offset, limit=limit)
    return RequestPageOut(items=[_request_out(r) for r in page.items], total=page.total)


@router.get('/requests/{request_id}', response_model=RequestOut, responses=READ_ERRORS)
async def get_request(request_id: UUID, client: CurrentClient) -> RequestOut:
    """One request with its files' metadata and its timeline."""
    return _request_out(await requests.get_request(actor=client, request_id=request_id))


@router.post('/requests/{request_id}/schedule', response_model=RequestOut, responses=SLOT_ERRORS)
async def schedule(request_id: UUID, body: ScheduleIn, client: CurrentClient, now: Now) -> RequestOut:
    """Give a waiting request an official and a free slot; the citizen is notified."""
    view = await desk.schedule_meeting(
        actor=client, request_id=request_id, official_id=body.official_id, starts_at=body.starts_at, now=now
    )
    return _request_out(view)


@router.post('/requests/{request_id}/reschedule', response_model=RequestOut, responses=SLOT_ERRORS)
async def reschedule(request_id: UUID, body: RescheduleIn, client: CurrentClient, now: Now) -> RequestOut:
    """Move a meeting to another free slot; the citizen is notified and reminded again the day before."""
    view = await desk.reschedule_meeting(
        actor=client, request_id=request_id, official_id=body.official_id, starts_at=body.starts_at, now=now
    )
    return _request_out(view)


@router.post('/requests/{request_id}/decline', response_model=RequestOut, responses=REASON_ERRORS)
async def decline(request_id: UUID, body: ReasonIn, client: CurrentClient, now: Now) -> RequestOut:
    """Decline a waiting request with a reason; the citizen is notified."""
    return _request_out(await desk.decline_request(actor=client, request_id=request_id, reason=body.reason, now=now))


@router.post('/requests/{request_id}/cancel', response_model=RequestOut, responses=REASON_ERRORS)
async def cancel(request_id: UUID, body: ReasonIn, client: CurrentClient, now: Now) -> RequestOut:
    """Cancel a scheduled meeting with a reason; the citizen is notified and the slot is free again."""
    return _request_out(await desk.cancel_meeting(actor=client, request_id=request_id, reason=body.reason, now=now))


@router.post('/requests/{request_id}/done', response_model=RequestOut, responses=MARK_ERRORS)
async def done(request_id: UUID, client: CurrentClient, now: Now) -> RequestOut:
    """Mark a meeting as held (once it has started)."""
    return _request_out(await desk.mark_done(actor=client, request_id=request_id, now=now))


@router.post('/requests/{request_id}/no-show', response_model=RequestOut, responses=MARK_ERRORS)
async def no_show(request_id: UUID, client: CurrentClient, now: Now) -> RequestOut:
    """Mark that the citizen did not come (once the meeting has started)."""
    return _request_out(await desk.mark_no_show(actor=client, request_id=request_id, now=now))


def _calendar_out(view: CalendarView) -> CalendarOut:
    return CalendarOut(
        hours={str(d): [[a.strftime('%H:%M'), b.strftime('%H:%M')] for a, b in v] for d, v in view.hours.items()},
        slot_minutes=view.slot_minutes,
        place=view.place,
        officials=[OfficialOut(id=o.id, name=o.name, position=o.position, active=o.active) for o in view.officials],
    )


def _slot_out(slot: Slot) -> SlotOut:
    return SlotOut(starts_at=slot.starts_at, ends_at=slot.ends_at)


def _request_out(view: RequestView) -> RequestOut:
    official = None
    if view.official_id is not None:
        official = OfficialRef(id=view.official_id, name=view.official_name, position=view.official_position)
    return RequestOut(
        id=view.id,
        number=view.number,
        state=view.state,
        topic=view.topic,
        summary=view.summary,
        preferred_days=list(view.preferred_days),
        citizen=view.citizen_name,
        fin=view.citizen_fin,
        official=official,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        place=view.place,
        reason=view.reason,
        created_at=view.created_at,
        closed_at=view.closed_at,
        files=[FileOut(id=f.id, filename=f.filename, content_type=f.content_type, size=f.size) for f in view.files],
        timeline=[StepOut(kind=s.kind, at=s.at, by=s.by, note=s.note) for s in view.steps],
    )
