"""Registry records: the citizen's state data, written by the owning agencies, read by the citizen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Forbidden, Invalid, NotFound
from portal.store.actors import Actor, ApiActor, PersonActor, Role, require_role
from portal.store.audit import HistoryKind, record_event
from portal.store.notices.models import Guardianship
from portal.store.notices.outbox import NewNotice, announce, notify_many
from portal.store.orgs import Organisation
from portal.store.people import Person, get_citizen_by_fin
from portal.store.registry_kinds import KINDS, KindSpec

REF_MAX = 64
ADULT_AGE = 18
# what a parent sees of a minor child
CHILD_KINDS = frozenset({'vaccination'})


class RegistryRecord(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        'portal.Person', related_name='records', on_delete=fields.CASCADE
    )
    person_id: UUID
    kind = fields.CharField(max_length=32)
    # distinguishes several records of one kind (e.g. vehicles); empty for single records
    ref = fields.CharField(max_length=REF_MAX, default='')
    source: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        'portal.Organisation', related_name='records', on_delete=fields.RESTRICT
    )
    source_id: UUID
    data: dict[str, Any] = fields.JSONField()
    valid_until = fields.DateField(null=True, db_index=True)
    version = fields.IntField(default=1)
    # the version the citizen confirmed as correct ("Məlumat düzgündür"), if any
    confirmed_version = fields.IntField(null=True)
    confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = 'registry_records'
        unique_together = (('person', 'kind', 'ref'),)
        # the reminder jobs find the documents due by kind and end date
        indexes = (('kind', 'valid_until'),)


@dataclass(frozen=True)
class RecordView:
    id: UUID
    kind: str
    ref: str
    data: dict[str, Any]
    source_code: str
    source_name_az: str
    source_name_en: str | None
    valid_until: date | None
    version: int
    updated_at: datetime
    confirmed_version: int | None = None
    confirmed_at: datetime | None = None


@dataclass(frozen=True)
class ChildRecords:
    person_id: UUID
    full_name: str
    birth_date: date
    records: list[RecordView]


@dataclass(frozen=True)
class UpsertResult:
    record: RecordView
    created: bool
    person_id: UUID


def get_kind(kind: str) -> KindSpec:
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound('unknown_kind', N_('Unknown kind of record: {kind}.'), field='kind', kind=kind[:40])
    return spec


def validate_data(spec: KindSpec, data: Any) -> dict[str, Any]:
    try:
        return spec.schema.model_validate(data).model_dump(mode='json')
    except ValidationError as exc:
        error = exc.errors()[0]
        raise Invalid(
            'invalid_record',
            N_('The field {field} is not valid: {reason}'),
            field='.'.join(['data', *(str(p) for p in error['loc'])]),
            reason=error['msg'],
        ) from exc


async def upsert_record(*, actor: Actor, fin: str, kind: str, data: Any, now: datetime, ref: str = '') -> UpsertResult:
    """Create or replace one record of a citizen; only an owning agency's key may write the kind."""
    if not isinstance(actor, ApiActor):
        raise Forbidden('forbidden', N_('You are not allowed to do this.'))
    actor.require('registry:write')
    spec = get_kind(kind)
    if actor.organisation_code not in spec.sources:
        raise Forbidden('kind_not_owned', N_('Your agency does not keep records of this kind.'), field='kind')
    if len(ref) > REF_MAX:
        raise Invalid('invalid_ref', N_('The record reference is too long.'), field='ref')
    clean = validate_data(spec, data)
    if spec.ref_field:  # records of this kind are told apart by one of their fields
        ref = str(clean[spec.ref_field])
    person = await get_citizen_by_fin(fin=fin)
    valid_until = date.fromisoformat(clean[spec.valid_until_field]) if spec.valid_until_field else None
    source = await Organisation.get(id=actor.organisation_id)
    async with in_transaction():
        # lock the citizen: two first writes of one record must not both insert
        await Person.select_for_update().get(id=person.id)
        record = await RegistryRecord.select_for_update().get_or_none(person_id=person.id, kind=kind, ref=ref)
        created = record is None
        before = None if record is None else dict(record.data)
        if record is None:
            record = await RegistryRecord.create(
                person_id=person.id,
                kind=kind,
                ref=ref,
                source_id=actor.organisation_id,
                data=clean,
                valid_until=valid_until,
                created_at=now,
                updated_at=now,
            )
        else:
            record.source_id = actor.organisation_id
            await apply_data(record, spec, clean, now)
        if created and kind == 'identity':
            await _sync_identity(person.id, clean)
        if created and kind == 'family':
            await _sync_guardians(person.id, clean)
        await record_event(
            person_id=person.id,
            kind=HistoryKind.DATA_UPDATED,
            now=now,
            organisation_id=actor.organisation_id,
            detail={'record_kind': kind, 'ref': ref},
        )
        notified = await notify_many(_notices(record, spec, source, before), now=now)
    view = record_view(record, source)
    live.publish(live.Event(person.topic, 'registry.updated', {'kind': kind, 'record_id': str(record.id)}))
    announce(notified)
    return UpsertResult(record=view, created=created, person_id=person.id)


async def list_records(
    *, actor: Actor, person_id: UUID, kind: str | None = None, kinds: Iterable[str] | None = None
) -> list[RecordView]:
    """A citizen's own records (of one kind, or of some kinds); anybody else gets nothing."""
    _require_self(actor, person_id)
    query = RegistryRecord.filter(person_id=person_id)
    if kind is not None:
        query = query.filter(kind=kind)
    if kinds is not None:
        query = query.filter(kind__in=list(kinds))
    records = await query.prefetch_related('source').order_by('kind', 'ref')
    return [record_view(r, r.source) for r in records]


async def list_children_records(
    *, actor: Actor, person_id: UUID, today: date, kinds: Iterable[str] = CHILD_KINDS
) -> list[ChildRecords]:
    """What a parent may see of their minor children, as linked in the parent's family composition record."""
    _require_self(actor, person_id)
    kinds = [k for k in kinds if k in CHILD_KINDS]
    family = await RegistryRecord.get_or_none(person_id=person_id, kind='family', ref='')
    members = family.data.get('members', []) if family else []
    minors = {
        m['fin']: m
        for m in members
        if m.get('relation') == 'child' and _age(date.fromisoformat(m['birth_date']), today) < ADULT_AGE
    }
    if not minors:
        return []
    children = await Person.filter(fin__in=list(minors)).order_by('birth_date')
    records = (
        await RegistryRecord.filter(person_id__in=[c.id for c in children], kind__in=kinds)
        .prefetch_related('source')
        .order_by('kind', 'ref')
    )
    return [
        ChildRecords(
            person_id=child.id,
            full_name=child.full_name,
            birth_date=child.birth_date or today,
            records=[record_view(r, r.source) for r in records if r.person_id == child.id],
        )
        for child in children
    ]


def _require_self(actor: Actor, person_id: UUID) -> PersonActor:
    me = require_role(actor, *Role)
    if me.person_id != person_id:
        raise NotFound('not_found', N_('Not found.'))
    return me


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


async def count_records_by_source(*, organisation_id: UUID) -> int:
    return await RegistryRecord.filter(source_id=organisation_id).count()


async def apply_data(record: RegistryRecord, spec: KindSpec, clean: dict[str, Any], now: datetime) -> RegistryRecord:
    """Write validated new data into an existing record (inside the caller's transaction, record locked)."""
    record.data = clean
    record.valid_until = date.fromisoformat(clean[spec.valid_until_field]) if spec.valid_until_field else None
    record.version += 1
    record.updated_at = now
    await record.save()
    if record.kind == 'identity':
        await _sync_identity(record.person_id, clean)
    if record.kind == 'family':  # a correction of the record too
        await _sync_guardians(record.person_id, clean)
    return record


def _notices(
    record: RegistryRecord, spec: KindSpec, source: Organisation, before: dict[str, Any] | None
) -> list[NewNotice]:
    """What the citizen is told of a write of their record (nothing when it changed nothing, e.g. a retry)."""
    data, at = record.data, f'{record.id}:v{record.version}'
    if before == data:
        return []
    changed = before is None or before.get('status') != data.get('status')
    found = [('data_updated', f'data:{at}', {'agency': source.name_az, 'what': spec.title})]
    if record.kind == 'power_of_attorney' and before is not None and changed:
        found.append(('power_of_attorney', f'poa:{at}', {'number': data['register_no'], 'status': _choice(spec, data)}))
    if record.kind == 'court_case' and before is None:
        found.append(('court_case', f'court:{record.id}', {'case': data['case_no'], 'court': data['court']}))
    if record.kind == 'travel_restriction' and changed:
        found.append(('travel_restriction', f'travel:{at}', {'order': data['order_no'], 'status': _choice(spec, data)}))
    return [NewNotice(record.person_id, code, key, params, '/cabinet', source.id) for code, key, params in found]


def _choice(spec: KindSpec, data: dict[str, Any], field: str = 'status') -> str:
    """The msgid of a choice's value: the word the cabinet shows (e.g. 'lifted')."""
    return next(f for f in spec.fields if f.name == field).choices.get(data[field], data[field])


async def _sync_guardians(parent_id: UUID, data: dict[str, Any]) -> None:
    """Keep the parent's links to their children as the family record now lists them (children known as persons)."""
    fins = {m['fin'] for m in data.get('members', []) if m.get('relation') == 'child'}
    known = await Person.filter(fin__in=list(fins)).exclude(id=parent_id).values_list('id', flat=True)
    children = {UUID(str(i)) for i in known}
    linked = {UUID(str(i)) for i in await Guardianship.filter(parent_id=parent_id).values_list('child_id', flat=True)}
    if gone := linked - children:
        await Guardianship.filter(parent_id=parent_id, child_id__in=list(gone)).delete()
    for child_id in children - linked:
        await Guardianship.create(parent_id=parent_id, child_id=child_id)


async def _sync_identity(person_id: UUID, data: dict[str, Any]) -> None:
    await Person.filter(id=person_id).update(
        first_name=data['first_name'],
        last_name=data['last_name'],
        patronymic=data['patronymic'],
        birth_date=date.fromisoformat(data['birth_date']),
    )


def record_view(record: RegistryRecord, source: Organisation) -> RecordView:
    return RecordView(
        id=record.id,
        kind=record.kind,
        ref=record.ref,
        data=record.data,
        source_code=source.code,
        source_name_az=source.name_az,
        source_name_en=source.name_en,
        valid_until=record.valid_until,
        version=record.version,
        updated_at=record.updated_at,
        confirmed_version=record.confirmed_version,
        confirmed_at=record.confirmed_at,
    )
