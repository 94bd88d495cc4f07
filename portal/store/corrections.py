"""Corrections: a citizen reports a registry record as wrong; the owning agency accepts or rejects.

The citizen may also confirm a record as correct ("Məlumat düzgündür"). A report ("Məlumat səhvdir") becomes a
request in the queue of the agency that kept the record when it was reported; an officer of that agency (on the
desk) or its integrator (API key with ``registry:write``) accepts it with the corrected data, validated by the
kind's schema exactly like an agency update, or rejects it with a reason. Resolving is compare-and-set: of two
officers answering at once exactly one wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Invalid, NotFound
from portal.store import registry
from portal.store.actors import Actor, Role, organisation_of, require_role
from portal.store.apikeys import acting_name
from portal.store.audit import HistoryKind, record_event
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.registry import RecordView, RegistryRecord
from portal.store.registry_kinds import KindSpec

COMMENT_MAX = 1000
REASON_MAX = 1000
PAGE_MAX = 200


class CorrectionState(StrEnum):
    PENDING = 'pending'
    ACCEPTED = 'accepted'
    REJECTED = 'rejected'


class CorrectionRequest(Model):
    id = fields.UUIDField(primary_key=True)
    record: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.RegistryRecord', related_name='corrections', on_delete=fields.CASCADE
    )
    record_id: UUID
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='corrections', on_delete=fields.CASCADE
    )
    person_id: UUID
    # the agency that owned the record when it was reported: its desk and its API key resolve the request
    organisation: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='corrections', on_delete=fields.RESTRICT
    )
    organisation_id: UUID
    record_version = fields.IntField()
    comment = fields.CharField(max_length=COMMENT_MAX)
    state = fields.CharEnumField(CorrectionState, max_length=16, default=CorrectionState.PENDING)
    reason = fields.CharField(max_length=REASON_MAX, default='')
    # who resolved it: an officer's name or an API client's name, as shown to the citizen
    resolved_by = fields.CharField(max_length=160, default='')
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'correction_requests'
        indexes = (('organisation_id', 'state'), ('person_id', 'created_at'))


@dataclass(frozen=True)
class CorrectionView:
    id: UUID
    record_id: UUID
    record_kind: str
    record_ref: str
    # the record as it is now (after an accepted correction: the corrected data)
    record_data: dict[str, Any]
    # the version the citizen reported, and the record's version now
    record_version: int
    current_version: int
    person_id: UUID
    citizen_fin: str
    citizen_name: str
    organisation_id: UUID
    comment: str
    state: CorrectionState
    # the agency's answer: the reason of a rejection, or the note of an acceptance
    reason: str
    resolved_by: str
    created_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class Confirmation:
    record_id: UUID
    version: int
    confirmed_at: datetime


@dataclass(frozen=True)
class AcceptResult:
    correction: CorrectionView
    record: RecordView


# --- the citizen ---------------------------------------------------------------------------------------------------


async def confirm_record(*, actor: Actor, record_id: UUID, now: datetime) -> Confirmation:
    """Mark one's own record as correct at its current version; confirming it again changes nothing."""
    me = require_role(actor, *Role)
    async with in_transaction():
        record = await RegistryRecord.select_for_update().get_or_none(id=record_id, person_id=me.person_id)
        if record is None:
            raise _not_found()
        if record.confirmed_version == record.version and record.confirmed_at is not None:
            return Confirmation(record_id=record.id, version=record.version, confirmed_at=record.confirmed_at)
        record.confirmed_version, record.confirmed_at = record.version, now
        await record.save(update_fields=['confirmed_version', 'confirmed_at'])
        await record_event(
            person_id=me.person_id,
            kind=HistoryKind.DATA_CONFIRMED,
            now=now,
            organisation_id=record.source_id,
            detail={'record_kind': record.kind, 'ref': record.ref, 'version': record.version},
        )
    live.publish(
        live.Event(
            f'citizen:{me.person_id}',
            'record.confirmed',
            {
                'kind': record.kind,
                'record_id': str(record.id),
                'version': record.version,
                'confirmed_at': now.isoformat(),
            },
        )
    )
    return Confirmation(record_id=record.id, version=record.version, confirmed_at=now)


async def report_record(*, actor: Actor, record_id: UUID, comment: str, now: datetime) -> CorrectionView:
    """Report one's own record as wrong: a correction request for the agency that keeps it."""
    me = require_role(actor, *Role)
    text = _required_text(comment, 'comment', COMMENT_MAX)
    async with in_transaction():
        # the row lock makes "one pending request per record" hold for two reports at once
        record = await RegistryRecord.select_for_update().get_or_none(id=record_id, person_id=me.person_id)
        if record is None:
            raise _not_found()
        if await CorrectionRequest.exists(record_id=record.id, state=CorrectionState.PENDING):
            raise Invalid('correction_pending', N_('A correction request for this record is already under review.'))
        correction = await CorrectionRequest.create(
            record_id=record.id,
            person_id=me.person_id,
            organisation_id=record.source_id,
            record_version=record.version,
            comment=text,
            created_at=now,
        )
        await record_event(
            person_id=me.person_id,
            kind=HistoryKind.CORRECTION_REQUESTED,
            now=now,
            organisation_id=record.source_id,
            detail={'record_kind': record.kind, 'ref': record.ref, 'correction_id': str(correction.id)},
        )
    view = await _get_view(correction.id)
    _publish(view)
    return view


async def list_my_corrections(*, actor: Actor, person_id: UUID) -> list[CorrectionView]:
    """A citizen's own correction requests, newest first; anybody else gets nothing."""
    me = require_role(actor, *Role)
    if me.person_id != person_id:
        raise _not_found()
    rows = await _query().filter(person_id=person_id).order_by('-created_at', '-id')
    return [_view(c) for c in rows]


def latest_by_record(corrections: Iterable[CorrectionView]) -> dict[UUID, CorrectionView]:
    """The most recent request of each record, from a list of requests in any order."""
    latest: dict[UUID, CorrectionView] = {}
    for c in corrections:
        known = latest.get(c.record_id)
        if known is None or (c.created_at, str(c.id)) > (known.created_at, str(known.id)):
            latest[c.record_id] = c
    return latest


# --- the agency ----------------------------------------------------------------------------------------------------


async def list_agency_corrections(
    *, actor: Actor, state: CorrectionState | None = CorrectionState.PENDING, limit: int = 50, offset: int = 0
) -> list[CorrectionView]:
    """The requests addressed to the actor's own agency, oldest first (``state=None``: every state)."""
    organisation_id = _agency_of(actor)
    query = _query().filter(organisation_id=organisation_id)
    if state is not None:
        query = query.filter(state=state)
    rows = await query.order_by('created_at', 'id').offset(max(offset, 0)).limit(min(max(limit, 1), PAGE_MAX))
    return [_view(c) for c in rows]


async def accept_correction(
    *, actor: Actor, correction_id: UUID, data: Any, now: datetime, note: str = ''
) -> AcceptResult:
    """Accept a request of one's own agency and apply the corrected data to the record, in one transaction."""
    organisation_id = _agency_of(actor)
    answer = _optional_text(note, 'note', REASON_MAX)
    correction = await _pending_of(organisation_id, correction_id)
    record = correction.record
    spec = registry.get_kind(record.kind)
    clean = registry.validate_data(spec, data)
    resolver = await acting_name(actor)
    async with in_transaction():
        await _claim(correction, CorrectionState.ACCEPTED, answer, resolver, now)
        row = await _apply_data(record, spec, clean, now)
        detail = {'record_kind': row.kind, 'ref': row.ref}
        await record_event(
            person_id=row.person_id,
            kind=HistoryKind.DATA_UPDATED,
            now=now,
            organisation_id=row.source_id,
            detail=detail,
        )
        await record_event(
            person_id=row.person_id,
            kind=HistoryKind.CORRECTION_RESOLVED,
            now=now,
            organisation_id=organisation_id,
            detail={**detail, 'correction_id': str(correction.id), 'state': CorrectionState.ACCEPTED.value},
        )
    view = await _get_view(correction.id)
    source = await Organisation.get(id=row.source_id)
    _publish(view)
    live.publish(
        live.Event(f'citizen:{row.person_id}', 'registry.updated', {'kind': row.kind, 'record_id': str(row.id)})
    )
    return AcceptResult(correction=view, record=registry.record_view(row, source))


async def reject_correction(*, actor: Actor, correction_id: UUID, reason: str, now: datetime) -> CorrectionView:
    """Reject a request of one's own agency, with the reason the citizen will read."""
    organisation_id = _agency_of(actor)
    text = _required_text(reason, 'reason', REASON_MAX)
    correction = await _pending_of(organisation_id, correction_id)
    resolver = await acting_name(actor)
    async with in_transaction():
        await _claim(correction, CorrectionState.REJECTED, text, resolver, now)
        await record_event(
            person_id=correction.person_id,
            kind=HistoryKind.CORRECTION_RESOLVED,
            now=now,
            organisation_id=organisation_id,
            detail={
                'record_kind': correction.record.kind,
                'ref': correction.record.ref,
                'correction_id': str(correction.id),
                'state': CorrectionState.REJECTED.value,
            },
        )
    view = await _get_view(correction.id)
    _publish(view)
    return view


# --- helpers -------------------------------------------------------------------------------------------------------


def _agency_of(actor: Actor) -> UUID:
    """The agency whose requests the actor works: an agency officer's, or an integrator key's with the scope."""
    return organisation_of(actor, scope='registry:write', roles=(Role.AGENCY_OFFICER,))


async def _pending_of(organisation_id: UUID, correction_id: UUID) -> CorrectionRequest:
    """A pending request of this agency; another agency's request does not exist for it."""
    correction = await CorrectionRequest.get_or_none(
        id=correction_id, organisation_id=organisation_id
    ).prefetch_related('record')
    if correction is None:
        raise _not_found()
    if correction.state is not CorrectionState.PENDING:
        raise _resolved()
    return correction


async def _claim(
    correction: CorrectionRequest, state: CorrectionState, answer: str, resolver: str, now: datetime
) -> None:
    """Compare-and-set pending → state: whoever comes second finds nothing pending."""
    claimed = await CorrectionRequest.filter(id=correction.id, state=CorrectionState.PENDING).update(
        state=state, reason=answer, resolved_by=resolver, resolved_at=now
    )
    if not claimed:
        raise _resolved()


async def _apply_data(reported: RegistryRecord, spec: KindSpec, clean: dict[str, Any], now: datetime) -> RegistryRecord:
    """Write corrected data like an agency update: version + 1, validity and ref from the data, source kept.

    Locks in the same order as ``registry.upsert_record`` (citizen, then record).
    """
    await Person.select_for_update().get(id=reported.person_id)
    record = await RegistryRecord.select_for_update().get(id=reported.id)
    ref = str(clean[spec.ref_field]) if spec.ref_field else record.ref
    if ref != record.ref and await RegistryRecord.exists(person_id=record.person_id, kind=record.kind, ref=ref):
        raise Invalid(
            'record_exists',
            N_('The citizen already has another record with this {field}.'),
            field=f'data.{spec.ref_field}',
        )
    record.ref = ref
    return await registry.apply_data(record, spec, clean, now)


def _query() -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.all().select_related('record', 'person')


async def _get_view(correction_id: UUID) -> CorrectionView:
    return _view(await _query().get(id=correction_id))


def _view(c: CorrectionRequest) -> CorrectionView:
    record: RegistryRecord = c.record
    person: Person = c.person
    return CorrectionView(
        id=c.id,
        record_id=record.id,
        record_kind=record.kind,
        record_ref=record.ref,
        record_data=record.data,
        record_version=c.record_version,
        current_version=record.version,
        person_id=person.id,
        citizen_fin=person.fin,
        citizen_name=person.full_name,
        organisation_id=c.organisation_id,
        comment=c.comment,
        state=CorrectionState(c.state),
        reason=c.reason,
        resolved_by=c.resolved_by,
        created_at=c.created_at,
        resolved_at=c.resolved_at,
    )


def _publish(view: CorrectionView) -> None:
    data = {
        'kind': view.record_kind,
        'record_id': str(view.record_id),
        'correction_id': str(view.id),
        'state': view.state.value,
    }
    live.publish(live.Event(f'citizen:{view.person_id}', 'correction.updated', data))
    live.publish(live.Event(f'agency:{view.organisation_id}', 'correction.updated', data))


# what to say when a text is missing or too long, per field
_MISSING = {'comment': N_('Please describe what is wrong.'), 'reason': N_('Please give the reason.')}
_TOO_LONG = N_('The text is too long: at most {limit} characters.')


def _required_text(value: str, field: str, limit: int) -> str:
    text = _optional_text(value, field, limit)
    if not text:
        raise Invalid(f'{field}_required', _MISSING[field], field=field)
    return text


def _optional_text(value: str, field: str, limit: int) -> str:
    text = (value or '').strip()
    if len(text) > limit:
        raise Invalid(f'{field}_too_long', _TOO_LONG, field=field, limit=limit)
    return text


def _not_found() -> NotFound:
    return NotFound('not_found', N_('Not found.'))


def _resolved() -> Invalid:
    return Invalid('correction_resolved', N_('This correction request has already been answered.'))
