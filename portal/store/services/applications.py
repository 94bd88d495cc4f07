"""Applications to local executives (the rih.gov.az e-services): a form declared as data, the applicant's data taken
from the registry, attachments under the letters' rules, a legal term in working days, and a desk that moves the
application submitted → under review → needs more information → approved (with a signed decision) or rejected.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Forbidden, Invalid, NotFound
from portal.i18n import fmt_date, translate
from portal.store.actors import Actor, ApiActor, PersonActor, Role, organisation_of, require_role
from portal.store.apikeys import acting_name
from portal.store.audit import HistoryKind, record_event
from portal.store.letters import files
from portal.store.letters.common import files_written
from portal.store.letters.files import CheckedFile, Upload
from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.orgs import Organisation, OrgCategory
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.residence import ADDRESS_KIND, executive_of_region
from portal.store.services import certificates
from portal.store.services.forms import Form, clean_answers, get_form
from portal.store.services.models import (
    APPLICATION_STATUS_WORDS,
    APPLICATION_TRANSITIONS,
    NOTE_MAX,
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationFile,
    ApplicationStatus,
    Certificate,
)
from portal.store.services.templates import Section
from portal.store.workdays import add_working_days, local_date

SCOPE_READ = 'applications:read'
SCOPE_WRITE = 'applications:write'
NUMBER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
NUMBER_TRIES = 5
PAGE_MAX = 100


# a status as the citizen's screens name it (components/certificate_view.py): the notices use the same words
@dataclass(frozen=True)
class Applicant:
    """The applicant as the registry knows them: shown on the form, never retyped."""

    full_name: str
    fin: str
    birth_date: date | None
    address: str
    region: str | None


@dataclass(frozen=True)
class FileView:
    id: UUID
    document: str
    filename: str
    content_type: str
    size: int
    added_at: datetime


@dataclass(frozen=True)
class EventView:
    kind: ApplicationEventKind
    actor_kind: str
    actor_name: str  # shown on the desk only
    note: str
    at: datetime


@dataclass(frozen=True)
class ApplicationView:
    id: UUID
    number: str
    form: str
    service_code: str
    status: ApplicationStatus
    executive_code: str
    executive_name: str
    applicant: dict[str, Any]
    answers: dict[str, Any]
    submitted_at: datetime
    due_on: date
    decided_at: datetime | None
    updated_at: datetime
    files: tuple[FileView, ...] = ()
    events: tuple[EventView, ...] = ()
    decision_id: UUID | None = None

    def overdue(self, today: date) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES and today > self.due_on


@dataclass(frozen=True)
class DeskPage:
    items: list[ApplicationView]
    total: int


# -- the citizen ----------------------------------------------------------------------------------------------------


async def applicant_of(*, actor: Actor) -> Applicant:
    """The citizen's own data as an application carries it."""
    me = require_role(actor, Role.CITIZEN)
    person = await Person.get(id=me.person_id)
    address = await RegistryRecord.get_or_none(person_id=person.id, kind=ADDRESS_KIND, ref='')
    data = address.data if address else {}
    parts = [data.get('city'), data.get('street'), data.get('building')]
    line = ', '.join(str(p) for p in parts if p)
    if data.get('apartment'):
        line += f', {data["apartment"]}'
    full = ' '.join(p for p in (person.last_name, person.first_name, person.patronymic) if p)
    return Applicant(full, person.fin, person.birth_date, line, data.get('region'))


async def home_executive(*, actor: Actor) -> Organisation | None:
    """The local executive of the citizen's registered place of residence (None without a registered address)."""
    return await executive_of_region((await applicant_of(actor=actor)).region)


async def list_executives() -> list[Organisation]:
    return await Organisation.filter(category=OrgCategory.EXECUTIVE).order_by('name_az')


async def submit_application(
    *,
    actor: Actor,
    form: str,
    service_code: str,
    executive_code: str,
    answers: dict[str, Any],
    uploads: list[tuple[str, Upload]],
    now: datetime,
) -> ApplicationView:
    """Check everything first (fields, documents, files, the executive), then write the files and record the
    application in one transaction."""
    me = require_role(actor, Role.CITIZEN)
    spec = get_form(form)
    clean = clean_answers(spec, answers, today=local_date(now))
    executive = await Organisation.get_or_none(code=str(executive_code).strip().upper(), category=OrgCategory.EXECUTIVE)
    if executive is None:
        raise Invalid('executive_required', N_('Choose the local executive.'), field='executive')
    applicant = await applicant_of(actor=actor)
    await _check_region(spec, executive, applicant)
    checked = _check_documents(spec, uploads)
    async with files_written([c for _, c in checked]) as names:
        async with in_transaction():
            application = await _create(
                me, spec, service_code=service_code, executive=executive, applicant=applicant, clean=clean, now=now
            )
            await _file_rows(application, checked, names, now, start=0)
            await _event(application, ApplicationEventKind.SUBMITTED, by=('citizen', me.full_name), note='', now=now)
            await record_event(
                person_id=me.person_id,
                kind=HistoryKind.SERVICE_USED,
                now=now,
                organisation_id=executive.id,
                detail={'service': 'application', 'form': spec.code, 'number': application.number},
            )
    await _publish(application, executive)
    return await _load(application.id)


async def provide_information(
    *, actor: Actor, application_id: UUID, note: str, uploads: list[tuple[str, Upload]], now: datetime
) -> ApplicationView:
    """The citizen answers a request for more information; the application goes back under review."""
    me = require_role(actor, Role.CITIZEN)
    text = _note(note, field='note', required=not uploads)
    sizes = await ApplicationFile.filter(application_id=application_id).values_list('size', flat=True)
    checked = _checked(uploads, existing=[int(str(s)) for s in sizes])
    async with files_written([c for _, c in checked]) as names:
        async with in_transaction():
            application = await Application.select_for_update().get_or_none(id=application_id, person_id=me.person_id)
            if application is None:
                raise _not_found()
            _move(application, ApplicationStatus.UNDER_REVIEW, expected=ApplicationStatus.NEEDS_INFO)
            start = await ApplicationFile.filter(application_id=application.id).count()
            await _file_rows(application, checked, names, now, start=start)
            application.updated_at = now
            await application.save(update_fields=['status', 'updated_at'])
            await _event(
                application, ApplicationEventKind.INFO_PROVIDED, by=('citizen', me.full_name), note=text, now=now
            )
    await _publish(application)
    return await _load(application.id)


async def list_my_applications(*, actor: Actor, person_id: UUID) -> list[ApplicationView]:
    me = require_role(actor, *Role)
    if me.person_id != person_id:
        raise _not_found()
    rows = await Application.filter(person_id=person_id).prefetch_related('executive').order_by('-submitted_at')
    return [_view(a, a.executive) for a in rows]


# -- the desk (an executive's officers, or its integration) ---------------------------------------------------------


def _desk(actor: Actor, *, write: bool) -> UUID:
    """The executive an officer works for, or an integration's with the scope (writing implies reading)."""
    if not write and isinstance(actor, ApiActor) and SCOPE_WRITE in actor.scopes:
        return actor.organisation_id
    return organisation_of(actor, scope=SCOPE_WRITE if write else SCOPE_READ, roles=(Role.EXECUTIVE_OFFICER,))


async def list_desk(
    *,
    actor: Actor,
    status: ApplicationStatus | None = None,
    open_only: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> DeskPage:
    """The executive's applications, oldest open first (what is due soonest is on top)."""
    organisation_id = _desk(actor, write=False)
    if not 0 < limit <= PAGE_MAX or offset < 0:
        raise Invalid('bad_page', N_('The page is out of range.'))
    query = Application.filter(executive_id=organisation_id)
    if status is not None:
        query = query.filter(status=status)
    elif open_only:
        query = query.filter(status__in=list(OPEN_APPLICATION_STATUSES))
    total = await query.count()
    rows = await query.prefetch_related('executive').order_by('due_on', 'submitted_at').offset(offset).limit(limit)
    return DeskPage([_view(a, a.executive) for a in rows], total)


async def get_application(*, actor: Actor, application_id: UUID) -> ApplicationView:
    """One application with its files and timeline, for its applicant or the executive that received it."""
    application = await Application.get_or_none(id=application_id)
    if application is None or not _may_read(actor, application):
        raise _not_found()
    return await _load(application.id, for_desk=not isinstance(actor, PersonActor) or actor.role is not Role.CITIZEN)


async def read_file(*, actor: Actor, application_id: UUID, file_id: UUID) -> tuple[FileView, bytes]:
    application = await Application.get_or_none(id=application_id)
    if application is None or not _may_read(actor, application):
        raise _not_found()
    row = await ApplicationFile.get_or_none(id=file_id, application_id=application_id)
    if row is None:
        raise NotFound('file_not_found', N_('No such file.'))
    return _file_view(row), await asyncio.to_thread(files.read_bytes, row.storage_name)


async def take_for_review(*, actor: Actor, application_id: UUID, now: datetime) -> ApplicationView:
    return await _transition(actor, application_id, ApplicationStatus.UNDER_REVIEW, '', now)


async def request_information(*, actor: Actor, application_id: UUID, note: str, now: datetime) -> ApplicationView:
    _desk(actor, write=True)
    return await _transition(actor, application_id, ApplicationStatus.NEEDS_INFO, _note(note, field='note'), now)


async def reject_application(*, actor: Actor, application_id: UUID, reason: str, now: datetime) -> ApplicationView:
    _desk(actor, write=True)
    return await _transition(actor, application_id, ApplicationStatus.REJECTED, _note(reason, field='reason'), now)


async def approve_application(
    *, actor: Actor, application_id: UUID, decision: str, now: datetime, lang: str = 'az'
) -> ApplicationView:
    """Approve, and issue the executive's signed decision to the applicant (verifiable like any certificate). The
    decision is signed first; the move to approved and the decision's record are then one transaction."""
    organisation_id = _desk(actor, write=True)
    text = _note(decision, field='decision')
    application = await Application.get_or_none(id=application_id, executive_id=organisation_id).prefetch_related(
        'executive', 'person'
    )
    if application is None:
        raise _not_found()
    _move(application, ApplicationStatus.APPROVED)  # refused now, before anything is signed
    name = await acting_name(actor)
    spec = get_form(application.form)
    title = translate(
        N_('Decision on application {number}: {title}'),
        lang,
        number=application.number,
        title=translate(spec.title, lang),
    )

    async def approve() -> None:
        await _apply(
            actor,
            application_id,
            organisation_id=organisation_id,
            target=ApplicationStatus.APPROVED,
            note=text,
            name=name,
            now=now,
        )

    await certificates.issue_document(
        person=application.person,
        issuer=application.executive,
        template='decision',
        title=title,
        sections=(Section(None, tuple(_answer_rows(spec, application.answers, lang))),),
        paragraphs=(text,),
        now=now,
        lang=lang,
        application_id=application.id,
        inside=approve,
    )
    await _publish(application, application.executive)
    announce([application.person_id])
    return await _load(application_id, for_desk=True)


async def _transition(
    actor: Actor, application_id: UUID, target: ApplicationStatus, note: str, now: datetime
) -> ApplicationView:
    organisation_id = _desk(actor, write=True)
    name = await acting_name(actor)
    async with in_transaction():
        application = await _apply(
            actor, application_id, organisation_id=organisation_id, target=target, note=note, name=name, now=now
        )
    await _publish(application)
    announce([application.person_id])
    return await _load(application.id, for_desk=True)


async def _apply(
    actor: Actor,
    application_id: UUID,
    *,
    organisation_id: UUID,
    target: ApplicationStatus,
    note: str,
    name: str,
    now: datetime,
) -> Application:
    """One move under a row lock, with its timeline step (inside the caller's transaction)."""
    application = await Application.select_for_update().get_or_none(id=application_id, executive_id=organisation_id)
    if application is None:
        raise _not_found()
    _move(application, target)
    application.updated_at = now
    if target in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        application.decided_at = now
    await application.save(update_fields=['status', 'updated_at', 'decided_at'])
    kind = 'integration' if isinstance(actor, ApiActor) else 'officer'
    await _event(application, ApplicationEventKind(target.value), by=(kind, name), note=note, now=now)
    # the n-th step is part of the key: asked for more information twice, the citizen is told twice
    step = await ApplicationEvent.filter(application_id=application.id).count()
    params = {
        'number': application.number,
        'service': get_form(application.form).title,
        'status': APPLICATION_STATUS_WORDS[target],
    }
    key, link = f'application:{application.id}:{target.value}:{step}', f'/applications/{application.id}'
    await notify(NewNotice(application.person_id, 'application_status', key, params, link, organisation_id), now=now)
    return application


# -- rules ----------------------------------------------------------------------------------------------------------


async def _check_region(spec: Form, executive: Organisation, applicant: Applicant) -> None:
    if spec.region_rule != 'residence':
        return
    home = await executive_of_region(applicant.region)
    if home is None:
        raise Invalid(
            'no_registered_address',
            N_('This service needs a registered place of residence, and none is recorded for you.'),
            field='executive',
        )
    if home.id != executive.id:
        raise Forbidden(
            'wrong_region',
            N_('Only the local executive of your registered place of residence ({name}) provides this service.'),
            field='executive',
            name=home.name_az,
        )


def _check_documents(spec: Form, uploads: list[tuple[str, Upload]]) -> list[tuple[str, CheckedFile]]:
    known = {d.name for d in spec.documents}
    for document, _ in uploads:
        if document not in known:
            raise Invalid('unknown_document', N_('This form asks for no such document.'), field=document)
    given = {document for document, _ in uploads}
    for doc in spec.documents:
        if doc.required and doc.name not in given:
            raise Invalid('document_required', N_('Attach this document.'), field=doc.name)
    return _checked(uploads, existing=[])


def _checked(uploads: list[tuple[str, Upload]], *, existing: list[int]) -> list[tuple[str, CheckedFile]]:
    checked = []
    for document, upload in uploads:
        try:
            checked.append((document, files.check_upload(upload)))
        except Invalid as exc:  # named after the document the file was meant to be
            params = {k: v for k, v in exc.params.items() if k != 'field'}
            raise Invalid(exc.code, exc.message, field=document or 'files', **params) from None
    files.check_set([*existing, *(c.size for _, c in checked)])
    return checked


def _move(application: Application, target: ApplicationStatus, *, expected: ApplicationStatus | None = None) -> None:
    if (expected is not None and application.status is not expected) or target not in APPLICATION_TRANSITIONS[
        application.status
    ]:
        raise Invalid(
            'wrong_status',
            N_('This step is not possible now: the application has moved on or is closed.'),
            status=application.status.value,
        )
    application.status = target


def _note(value: str, *, field: str, required: bool = True) -> str:
    text = (value or '').replace('\r\n', '\n').strip()
    if required and not text:
        raise Invalid('note_required', N_('Please add a note.'), field=field)
    if len(text) > NOTE_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field=field, limit=NOTE_MAX)
    return text


def _may_read(actor: Actor, application: Application) -> bool:
    if isinstance(actor, ApiActor):
        return application.executive_id == actor.organisation_id and (
            SCOPE_READ in actor.scopes or SCOPE_WRITE in actor.scopes
        )
    if isinstance(actor, PersonActor):
        if actor.role is Role.CITIZEN:
            return application.person_id == actor.person_id
        return actor.role is Role.EXECUTIVE_OFFICER and actor.organisation_id == application.executive_id
    return False


def _not_found() -> NotFound:
    return NotFound('application_not_found', N_('No such application.'))


# -- writing and reading --------------------------------------------------------------------------------------------


async def _create(
    me: PersonActor,
    spec: Form,
    *,
    service_code: str,
    executive: Organisation,
    applicant: Applicant,
    clean: dict[str, Any],
    now: datetime,
) -> Application:
    snapshot = {
        'full_name': applicant.full_name,
        'fin': applicant.fin,
        'birth_date': applicant.birth_date.isoformat() if applicant.birth_date else None,
        'address': applicant.address,
        'region': applicant.region,
    }
    for _ in range(NUMBER_TRIES):
        number = f'R-{now.year}-' + ''.join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        try:
            async with in_transaction():  # a savepoint: a taken number is retried without losing the outer work
                return await Application.create(
                    number=number,
                    person_id=me.person_id,
                    executive_id=executive.id,
                    form=spec.code,
                    service_code=service_code[:80],
                    status=ApplicationStatus.SUBMITTED,
                    applicant=snapshot,
                    answers=clean,
                    submitted_at=now,
                    due_on=add_working_days(local_date(now), spec.due_days),
                    updated_at=now,
                )
        except IntegrityError:
            continue
    raise RuntimeError('no free application number')  # 40 random bits, five times: not expected


async def _file_rows(
    application: Application, checked: list[tuple[str, CheckedFile]], names: list[str], now: datetime, *, start: int
) -> None:
    for offset, ((document, c), name) in enumerate(zip(checked, names, strict=True)):
        await ApplicationFile.create(
            application_id=application.id,
            document=document,
            filename=c.filename,
            content_type=c.content_type,
            size=c.size,
            sha256=c.sha256,
            storage_name=name,
            position=start + offset,
            added_at=now,
        )


async def _event(
    application: Application, kind: ApplicationEventKind, *, by: tuple[str, str], note: str, now: datetime
) -> None:
    actor_kind, actor_name = by
    await ApplicationEvent.create(
        application_id=application.id, kind=kind, actor_kind=actor_kind, actor_name=actor_name, note=note, at=now
    )


async def _publish(application: Application, executive: Organisation | None = None) -> None:
    executive = executive or await Organisation.get(id=application.executive_id)
    data = {'application_id': str(application.id), 'status': application.status.value}
    live.publish(live.Event(f'citizen:{application.person_id}', 'application.updated', data))
    live.publish(live.Event(executive.topic, 'application.updated', data))


async def _load(application_id: UUID, *, for_desk: bool = False) -> ApplicationView:
    application = await Application.get(id=application_id).prefetch_related('executive')
    rows = await ApplicationFile.filter(application_id=application_id).order_by('position')
    events = await ApplicationEvent.filter(application_id=application_id).order_by('at')
    decision = await Certificate.filter(application_id=application_id).order_by('-issued_at').first()
    return replace(
        _view(application, application.executive),
        files=tuple(_file_view(r) for r in rows),
        events=tuple(EventView(e.kind, e.actor_kind, e.actor_name if for_desk else '', e.note, e.at) for e in events),
        decision_id=decision.id if decision else None,
    )


def _view(application: Application, executive: Organisation) -> ApplicationView:
    return ApplicationView(
        id=application.id,
        number=application.number,
        form=application.form,
        service_code=application.service_code,
        status=application.status,
        executive_code=executive.code,
        executive_name=executive.name_az,
        applicant=application.applicant,
        answers=application.answers,
        submitted_at=application.submitted_at,
        due_on=application.due_on,
        decided_at=application.decided_at,
        updated_at=application.updated_at,
    )


def _file_view(row: ApplicationFile) -> FileView:
    return FileView(row.id, row.document, row.filename, row.content_type, row.size, row.added_at)


def answer_rows(form: str, answers: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The answers as (label, value) in a language: for the screen, the desk and the decision."""
    return _answer_rows(get_form(form), answers, lang)


def _answer_rows(spec: Form, answers: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    rows = []
    for f in spec.fields:
        value = answers.get(f.name)
        if value in (None, ''):
            continue
        if f.kind == 'date':
            text = fmt_date(date.fromisoformat(str(value)), lang)
        elif f.kind == 'choice':
            text = translate(f.choices.get(str(value), str(value)), lang)
        elif f.kind == 'boolean':
            text = translate(N_('yes') if value else N_('no'), lang)
        else:
            text = str(value)
        rows.append((translate(f.label, lang), text))
    return rows
