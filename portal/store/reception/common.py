"""What the citizen's side, the desk and the reminders share: the topics, the views, who may read a request, the
desk an actor works for, timeline steps and the events published after a commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from portal import live
from portal.errors import N_, NotFound
from portal.store.actors import Actor, ApiActor, PersonActor, Role, organisation_of
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.reception.models import (
    ReceptionEvent,
    ReceptionEventKind,
    ReceptionFile,
    ReceptionOfficial,
    ReceptionRequest,
    ReceptionState,
)

SCOPE = 'reception:write'
EVENT = 'reception.updated'
CALENDAR_EVENT = 'reception.calendar'
# what a citizen may want to talk about (codes are stable; labels are msgids)
TOPICS: dict[str, str] = {
    'land_property': N_('Land and property'),
    'housing': N_('Housing'),
    'utilities': N_('Utilities'),
    'social_support': N_('Social support'),
    'roads_transport': N_('Roads and transport'),
    'employment': N_('Employment'),
    'education': N_('Education'),
    'health': N_('Health'),
    'other': N_('Other'),
}
STATE_WORDS: dict[ReceptionState, str] = {
    ReceptionState.REQUESTED: N_('requested'),
    ReceptionState.SCHEDULED: N_('scheduled'),
    ReceptionState.DONE: N_('done'),
    ReceptionState.NO_SHOW: N_('no-show'),
    ReceptionState.CANCELLED: N_('cancelled'),
    ReceptionState.DECLINED: N_('declined'),
}
# the service's name in the notices that reuse the application-status wording
SERVICE_WORD = N_('Citizen reception')


@dataclass(frozen=True)
class FileView:
    id: UUID
    filename: str
    content_type: str
    size: int
    added_at: datetime


@dataclass(frozen=True)
class StepView:
    kind: ReceptionEventKind
    at: datetime
    note: str
    by: str  # 'citizen', 'executive' or 'portal'


@dataclass(frozen=True)
class RequestView:
    id: UUID
    number: str
    state: ReceptionState
    topic: str
    summary: str
    preferred_days: tuple[date, ...]
    executive_id: UUID
    executive_code: str
    executive_name: str
    citizen_name: str  # shown on the desk (the citizen knows who they are)
    citizen_fin: str  # shown on the desk only ('' for the citizen's own screens)
    official_id: UUID | None
    official_name: str
    official_position: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    reason: str
    created_at: datetime
    scheduled_at: datetime | None
    closed_at: datetime | None
    files: tuple[FileView, ...] = ()
    steps: tuple[StepView, ...] = ()

    @property
    def open(self) -> bool:
        return self.state in (ReceptionState.REQUESTED, ReceptionState.SCHEDULED)


def desk_of(actor: Actor) -> UUID:
    """The executive an officer works for, or an integration's with the scope; refused for anyone else."""
    return organisation_of(actor, scope=SCOPE, roles=(Role.EXECUTIVE_OFFICER,))


def may_read(actor: Actor, request: ReceptionRequest) -> bool:
    if isinstance(actor, ApiActor):
        return request.executive_id == actor.organisation_id and SCOPE in actor.scopes
    if isinstance(actor, PersonActor):
        if actor.role is Role.CITIZEN:
            return request.person_id == actor.person_id
        return actor.role is Role.EXECUTIVE_OFFICER and actor.organisation_id == request.executive_id
    return False


def is_desk(actor: Actor) -> bool:
    return not (isinstance(actor, PersonActor) and actor.role is Role.CITIZEN)


def not_found() -> NotFound:
    return NotFound('request_not_found', N_('No such reception request.'))


def utc(moment: datetime) -> datetime:
    """Every stored moment is in UTC (SQLite compares them as text)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


async def add_step(request: ReceptionRequest, kind: ReceptionEventKind, *, by: str, note: str, now: datetime) -> None:
    await ReceptionEvent.create(request_id=request.id, kind=kind, at=utc(now), note=note[:500], by=by)


async def load(request_id: UUID, *, for_desk: bool) -> RequestView:
    """One request with its files and timeline."""
    request = await ReceptionRequest.get(id=request_id).prefetch_related('executive', 'person', 'official')
    files = await ReceptionFile.filter(request_id=request_id).order_by('position')
    steps = await ReceptionEvent.filter(request_id=request_id).order_by('at')
    return view_of(
        request,
        for_desk=for_desk,
        files=tuple(FileView(f.id, f.filename, f.content_type, f.size, f.added_at) for f in files),
        steps=tuple(StepView(s.kind, s.at, s.note, s.by) for s in steps),
    )


def view_of(
    request: ReceptionRequest,
    *,
    for_desk: bool,
    files: tuple[FileView, ...] = (),
    steps: tuple[StepView, ...] = (),
) -> RequestView:
    """A request whose executive, person and official are fetched."""
    executive: Organisation = request.executive
    person: Person = request.person
    official: ReceptionOfficial | None = request.official
    return RequestView(
        id=request.id,
        number=request.number,
        state=request.state,
        topic=request.topic,
        summary=request.summary,
        preferred_days=tuple(date.fromisoformat(d) for d in request.preferred_days),
        executive_id=executive.id,
        executive_code=executive.code,
        executive_name=executive.name_az,
        citizen_name=person.full_name,
        citizen_fin=person.fin if for_desk else '',
        official_id=official.id if official else None,
        official_name=official.name if official else '',
        official_position=official.position if official else '',
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        place=request.place,
        reason=request.reason,
        created_at=request.created_at,
        scheduled_at=request.scheduled_at,
        closed_at=request.closed_at,
        files=files,
        steps=steps,
    )


async def publish(request: ReceptionRequest, executive: Organisation | None = None) -> None:
    """After the commit: the citizen's open pages and the executive's desk hear that the request changed."""
    executive = executive or await Organisation.get(id=request.executive_id)
    data = {'request_id': str(request.id), 'state': request.state.value}
    live.publish(live.Event(f'citizen:{request.person_id}', EVENT, data))
    live.publish(live.Event(executive.topic, EVENT, data))
