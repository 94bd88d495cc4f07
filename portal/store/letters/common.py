"""What the citizen's and the organisation's use cases share: who may see a letter, loading views, timeline
steps, attachments on disk, and the events published after a commit."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from portal import live
from portal.errors import N_, Invalid, NotFound
from portal.store.actors import Actor, ApiActor, PersonActor, Role, organisation_of, require_role
from portal.store.apikeys import acting_name
from portal.store.letters import files, signing, views
from portal.store.letters.files import CheckedFile, Upload
from portal.store.letters.models import (
    BODY_MAX,
    NOTE_MAX,
    TITLE_MAX,
    ActorKind,
    Attachment,
    Direction,
    EventKind,
    Letter,
    LetterEvent,
    LetterStatus,
)
from portal.store.letters.signing import AttachmentFacts, SignatureState
from portal.store.letters.views import LetterView
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.workdays import local_date

READ_SCOPE, WRITE_SCOPE = 'letters:read', 'letters:write'
ORPHAN_GRACE = timedelta(hours=1)
OFFICER_ROLES = (Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER)


@dataclass(frozen=True)
class Desk:
    """The organisation side of a letter: an officer on the desk, or an integration with a scoped key."""

    organisation_id: UUID
    actor_kind: ActorKind
    # recorded on the timeline's steps: empty on a desk that only reads
    actor_name: str


@dataclass(frozen=True)
class SignatureReport:
    state: SignatureState
    signer: views.Signer | None
    digest: str | None

    @property
    def valid(self) -> bool:
        return self.state is SignatureState.VALID


async def desk_of(actor: Actor, scope: str) -> Desk:
    """The organisation whose letters the actor works; refused for anyone else. Only a desk that writes carries the
    actor's name for the timeline: a read records nothing, so it does not look the name up (an integration's is in
    its key's row)."""
    organisation_id = organisation_of(actor, scope=scope, roles=OFFICER_ROLES)
    kind = ActorKind.INTEGRATION if isinstance(actor, ApiActor) else ActorKind.OFFICER
    name = await acting_name(actor) if scope == WRITE_SCOPE else ''
    return Desk(organisation_id=organisation_id, actor_kind=kind, actor_name=name)


def citizen_of(actor: Actor) -> PersonActor:
    return require_role(actor, Role.CITIZEN)


def can_read(actor: Actor, letter: Letter, desk: Desk | None) -> bool:
    if desk is not None:
        return letter.organisation_id == desk.organisation_id and letter.status is not LetterStatus.DRAFT
    return isinstance(actor, PersonActor) and actor.role is Role.CITIZEN and letter.person_id == actor.person_id


async def reader_desk(actor: Actor) -> Desk | None:
    """The desk of an organisation actor, None for a citizen."""
    if isinstance(actor, PersonActor) and actor.role is Role.CITIZEN:
        return None
    return await desk_of(actor, READ_SCOPE)


async def readable(actor: Actor, letter_id: UUID) -> tuple[Letter, Desk | None]:
    """A letter the actor may read; somebody else's letter does not exist for them."""
    desk = await reader_desk(actor)
    letter = await Letter.get_or_none(id=letter_id)
    if letter is None or not can_read(actor, letter, desk):
        raise not_found()
    return letter, desk


def not_found() -> NotFound:
    return NotFound('letter_not_found', N_('Letter not found.'))


# --- views -----------------------------------------------------------------------------------------------------------


async def load_view(letter_id: UUID, *, today: date, for_desk: bool) -> LetterView:
    letter = await Letter.get(id=letter_id).prefetch_related('organisation', 'person')
    previous = await Letter.get_or_none(forwarded_to_id=letter.id).prefetch_related('organisation')
    root_id = letter.origin_id or letter.id
    root = letter if root_id == letter.id else await Letter.get(id=root_id).prefetch_related('person')
    rows = await Attachment.filter(letter_id=root_id).order_by('position')
    forwarded_to = None
    if letter.forwarded_to_id:
        copy = await Letter.get(id=letter.forwarded_to_id).prefetch_related('organisation')
        forwarded_to = copy.organisation
    answer = None
    if letter.answer_id:
        answer = await load_view(letter.answer_id, today=today, for_desk=for_desk)
    signer = None
    if root.signed_at is not None and root.signed_method:
        signer = views.Signer(full_name=root.person.full_name, method=root.signed_method, signed_at=root.signed_at)
    return LetterView(
        summary=views.summary(letter, today=today, forwarded_from=previous.organisation if previous else None),
        body=letter.body,
        attachments=[views.attachment_view(a) for a in rows],
        signer=signer,
        forward_due_on=letter.forward_due_on,
        investigation_reason=letter.investigation_reason,
        closing_note=letter.closing_note,
        forwarded_to_id=letter.forwarded_to_id,
        forwarded_to=views.org_ref(forwarded_to),
        answer=answer,
        timeline=await timeline(letter, for_desk=for_desk),
        origin_id=letter.origin_id,
        read_at=letter.read_at,
    )


async def timeline(letter: Letter, *, for_desk: bool) -> list[views.EventView]:
    """Every step of this letter and of the legs before it (a forwarded letter's history goes with it)."""
    legs = [letter]
    while (previous := await Letter.get_or_none(forwarded_to_id=legs[-1].id)) is not None and len(legs) < 20:
        legs.append(previous)
    org_ids = [leg.organisation_id for leg in legs if leg.organisation_id]
    orgs = {o.id: o for o in await Organisation.filter(id__in=org_ids)}
    leg_org = {leg.id: orgs.get(leg.organisation_id) if leg.organisation_id else None for leg in legs}
    events = (
        await LetterEvent.filter(letter_id__in=[leg.id for leg in legs])
        .prefetch_related('other_organisation')
        .order_by('created_at', 'id')
    )
    # an organisation sees its officers' names on its own legs only
    own = {leg.id for leg in legs if leg.organisation_id == letter.organisation_id}
    # steps at the same moment: earlier legs first, then in the order a letter goes through them
    age = {leg.id: index for index, leg in enumerate(legs)}
    kinds = list(EventKind)
    return [
        views.event_view(e, leg_org[e.letter_id], with_names=for_desk and e.letter_id in own)
        for e in sorted(events, key=lambda e: (e.created_at, -age[e.letter_id], kinds.index(e.kind)))
    ]


async def add_event(
    letter: Letter,
    kind: EventKind,
    *,
    actor_kind: ActorKind,
    now: datetime,
    actor_name: str = '',
    note: str = '',
    other_organisation_id: UUID | None = None,
) -> None:
    await LetterEvent.create(
        letter_id=letter.id,
        kind=kind,
        actor_kind=actor_kind,
        actor_name=actor_name,
        note=note,
        other_organisation_id=other_organisation_id,
        created_at=now,
    )


# --- the signature ---------------------------------------------------------------------------------------------------


async def document_of(letter: Letter) -> tuple[bytes, list[tuple[AttachmentFacts, str]]]:
    """The canonical bytes of an inbound original, and its attachments' facts with their stored names."""
    org = await Organisation.get(id=letter.organisation_id) if letter.organisation_id else None
    rows = await Attachment.filter(letter_id=letter.id).order_by('position')
    facts = [(AttachmentFacts(filename=a.filename, size=a.size, sha256=a.sha256), a.storage_name) for a in rows]
    document = signing.canonical(
        letter_id=letter.id,
        organisation_code=org.code if org else '',
        title=letter.title,
        body=letter.body,
        attachments=[f for f, _ in facts],
    )
    return document, facts


async def signature_report(letter: Letter) -> SignatureReport:
    root = letter if letter.origin_id is None else await Letter.get(id=letter.origin_id)
    if root.direction is not Direction.INBOUND or root.signed_at is None:
        return SignatureReport(state=SignatureState.UNSIGNED, signer=None, digest=None)
    document, facts = await document_of(root)
    state = signing.check(
        document=document,
        stored=facts,
        signed_digest=root.signed_digest,
        signed_message=bytes(root.signed_message) if root.signed_message else None,
        signature=bytes(root.signature) if root.signature else None,
        signer_key=bytes(root.signer_key) if root.signer_key else None,
    )
    person = await Person.get(id=root.person_id)
    signer = views.Signer(full_name=person.full_name, method=root.signed_method or '', signed_at=root.signed_at)
    return SignatureReport(state=state, signer=signer, digest=root.signed_digest)


# --- texts and files -------------------------------------------------------------------------------------------------


def clean_text(value: str, field: str, limit: int, *, required: bool) -> str:
    text = (value or '').replace('\r\n', '\n').strip()
    if required and not text:
        raise Invalid(f'{field}_required', _MISSING[field], field=field)
    if len(text) > limit:
        raise Invalid(
            f'{field}_too_long', N_('The text is too long: at most {limit} characters.'), field=field, limit=limit
        )
    return text


_MISSING = {
    'title': N_('Please enter a title.'),
    'body': N_('Please write the letter.'),
    'reason': N_('Please give the reason.'),
    'text': N_('Please write the answer.'),
    'note': N_('Please add a note.'),
    'organisation': N_('Choose the agency to write to.'),
}
LIMITS = {'title': TITLE_MAX, 'body': BODY_MAX, 'reason': NOTE_MAX, 'text': BODY_MAX, 'note': NOTE_MAX}


def check_uploads(uploads: list[Upload], *, existing: list[int] | None = None) -> list[CheckedFile]:
    checked = [files.check_upload(u) for u in uploads]
    files.check_set([*(existing or []), *(c.size for c in checked)])
    return checked


@asynccontextmanager
async def files_written(checked: list[CheckedFile]) -> AsyncIterator[list[str]]:
    """Write the files before the transaction that records them, and remove them again if it fails."""
    names: list[str] = []
    try:
        for c in checked:
            names.append(files.store_bytes(c.content))
        yield names
    except BaseException:
        remove_files(names)
        raise


def remove_files(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            files.delete_file(name)


async def attach_rows(letter: Letter, checked: list[CheckedFile], names: list[str], now: datetime, start: int) -> None:
    for offset, (c, name) in enumerate(zip(checked, names, strict=True)):
        await Attachment.create(
            letter_id=letter.id,
            position=start + offset,
            filename=c.filename,
            content_type=c.content_type,
            size=c.size,
            sha256=c.sha256,
            storage_name=name,
            created_at=now,
        )


async def purge_orphan_files(*, now: datetime, grace: timedelta = ORPHAN_GRACE) -> int:
    """Delete files that no row names: letters' and applications' attachments, issued certificates (left by a
    process that died between writing a file and committing its row, or by a failed write); files younger than
    ``grace`` may still be on their way in."""
    from portal.store.reception.models import ReceptionFile
    from portal.store.services.models import ApplicationFile, Certificate

    async def known(names: list[str]) -> set[str]:
        held: set[str] = set()
        # every table that keeps files in the folder
        for model in (Attachment, ApplicationFile, Certificate, ReceptionFile):
            rows = await model.filter(storage_name__in=names).values_list('storage_name', flat=True)
            held.update(str(r) for r in rows)
        return held

    return await files.sweep(older_than=(now - grace).timestamp(), known=known)


# --- after commit ----------------------------------------------------------------------------------------------------


async def publish(letter: Letter, *organisation_ids: UUID | None) -> None:
    """Tell the citizen and the organisations concerned that a letter changed."""
    data = {'letter_id': str(letter.id), 'status': letter.status.value, 'direction': letter.direction.value}
    live.publish(live.Event(f'citizen:{letter.person_id}', 'letter.updated', data))
    ids = {i for i in (letter.organisation_id, *organisation_ids) if i}
    for org in await Organisation.filter(id__in=ids):
        live.publish(live.Event(org.topic, 'letter.updated', data))


def today_of(now: datetime) -> date:
    return local_date(now)
