"""Consent: organisations ask for categories of a citizen's data, citizens approve (all or some), refuse, share in
advance and revoke; an organisation reads only what an active permission grants, and every read is logged (chained)
before the data leaves the store.

The permission is checked here, so the pages and the API cannot disagree about it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Forbidden, Invalid, NotFound
from portal.store import chain, throttle
from portal.store.actors import Actor, ApiActor, PersonActor, Role, require_role
from portal.store.audit import HistoryKind, record_event
from portal.store.consent.models import (
    PURPOSE_MAX,
    AccessDispute,
    AccessEntry,
    DataRequest,
    DisputeState,
    Permission,
    PermissionState,
    RequestState,
)
from portal.store.notices.models import NoticeSettings
from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.orgs import Organisation
from portal.store.people import get_citizen_by_fin
from portal.store.registry import RegistryRecord
from portal.store.workdays import local_date

SCOPE_REQUEST = 'data:request'
SCOPE_READ = 'data:read'
# the seven categories of myGov, and the registry kinds each covers ('communications': the citizen's contacts)
CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    'personal': (N_('Personal data'), ('identity', 'id_card', 'passport', 'address', 'marital_status')),
    'employment': (N_('Employment'), ('employment',)),
    'family': (N_('Family'), ('family',)),
    'education': (N_('Education'), ('diploma', 'student_record')),
    'transport': (N_('Transport'), ('driving_licence', 'vehicle')),
    'social': (N_('Social protection'), ('social_benefit', 'idp_status')),
    'communications': (N_('Communications'), ()),
}
MAX_PERIOD_DAYS = 366 * 3
# an organisation's requests for one citizen: 5 a day, then waits doubling up to an hour
REQUEST_POLICY = throttle.Policy(free=5, cap_seconds=3600, window=timedelta(days=1))
ACCESS_CHAIN = 'access'


@dataclass(frozen=True)
class RequestView:
    id: UUID
    person_id: UUID
    organisation_code: str
    organisation_name_az: str
    organisation_name_en: str | None
    categories: tuple[str, ...]
    purpose: str
    valid_from: date
    valid_until: date
    state: RequestState
    granted: tuple[str, ...]
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class PermissionView:
    id: UUID
    organisation_code: str
    organisation_name_az: str
    organisation_name_en: str | None
    categories: tuple[str, ...]
    purpose: str
    valid_from: date
    valid_until: date
    state: PermissionState
    uses: int
    last_used_at: datetime | None
    request_id: UUID | None
    created_at: datetime
    revoked_at: datetime | None

    def current_state(self, today: date) -> PermissionState:
        if self.state is PermissionState.ACTIVE and self.valid_until < today:
            return PermissionState.EXPIRED
        return self.state


@dataclass(frozen=True)
class AccessView:
    seq: int
    id: UUID
    organisation_code: str
    organisation_name_az: str
    organisation_name_en: str | None
    categories: tuple[str, ...]
    purpose: str
    permission_id: UUID
    at: datetime
    disputed: bool


@dataclass(frozen=True)
class DataRead:
    """What an organisation gets: the granted categories' records, after the read was logged."""

    access_id: UUID
    categories: tuple[str, ...]
    records: dict[str, list[dict[str, Any]]]  # category → [{'kind', 'ref', 'data', 'updated_at'}]


# -- checks ---------------------------------------------------------------------------------------------------------


def check_categories(raw: Any, *, field: str = 'categories') -> tuple[str, ...]:
    if not isinstance(raw, (list, tuple)) or not raw:
        raise Invalid('categories_required', N_('Choose at least one category of data.'), field=field)
    unknown = sorted({str(c) for c in raw} - set(CATEGORIES))
    if unknown:
        raise Invalid('unknown_category', N_('Unknown category: {category}.'), field=field, category=unknown[0])
    return tuple(c for c in CATEGORIES if c in raw)


def check_purpose(raw: Any) -> str:
    text = ' '.join(str(raw or '').split())
    if not text:
        raise Invalid('purpose_required', N_('Say what the data is for.'), field='purpose')
    if len(text) > PURPOSE_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='purpose', limit=PURPOSE_MAX)
    return text


def check_period(valid_from: date | None, valid_until: Any, *, today: date) -> tuple[date, date]:
    start = valid_from or today
    try:
        end = valid_until if isinstance(valid_until, date) else date.fromisoformat(str(valid_until))
    except ValueError:
        raise Invalid('invalid_date', N_('Give a date like 2027-01-31.'), field='valid_until') from None
    if end < today or end < start:
        raise Invalid('period_in_past', N_('The period must end today or later.'), field='valid_until')
    if start < today:
        raise Invalid('period_in_past', N_('The period cannot start in the past.'), field='valid_from')
    if (end - start).days > MAX_PERIOD_DAYS:
        raise Invalid('period_too_long', N_('A permission lasts three years at most.'), field='valid_until')
    return start, end


def _organisation(actor: Actor, scope: str) -> UUID:
    if not isinstance(actor, ApiActor):
        raise Forbidden('forbidden', N_('You are not allowed to do this.'))
    actor.require(scope)
    return actor.organisation_id


def _citizen(actor: Actor) -> PersonActor:
    return require_role(actor, Role.CITIZEN)


def category_names(categories: tuple[str, ...] | list[str]) -> str:
    """The categories' msgids as one value a notice translates item by item."""
    return ', '.join(CATEGORIES[c][0] for c in categories if c in CATEGORIES)


# -- organisations --------------------------------------------------------------------------------------------------


async def request_data(
    *,
    actor: Actor,
    fin: str,
    categories: Any,
    purpose: Any,
    valid_until: Any,
    now: datetime,
    valid_from: date | None = None,
) -> RequestView:
    """An organisation asks a citizen for categories of data, for a purpose and a period; the citizen is told."""
    organisation_id = _organisation(actor, SCOPE_REQUEST)
    cats = check_categories(categories)
    text = check_purpose(purpose)
    start, end = check_period(valid_from, valid_until, today=local_date(now))
    person = await get_citizen_by_fin(fin=fin)
    if person.role is not Role.CITIZEN:
        raise NotFound('citizen_not_found', N_('No citizen has this FIN.'), field='fin')
    await throttle.claim(f'dr:{organisation_id.hex}:{person.id.hex}', REQUEST_POLICY, now)
    organisation = await Organisation.get(id=organisation_id)
    async with in_transaction():
        row = await DataRequest.create(
            person_id=person.id,
            organisation_id=organisation_id,
            categories=list(cats),
            purpose=text,
            valid_from=start,
            valid_until=end,
            state=RequestState.PENDING,
            created_at=now,
        )
        await notify(
            NewNotice(
                person.id,
                'data_request',
                f'datareq:{row.id}',
                {'agency': organisation.name_az, 'what': category_names(cats)},
                '/permissions',
                organisation_id,
            ),
            now=now,
        )
    announce([person.id])
    live.publish(live.Event(person.topic, 'consent.changed', {'request_id': str(row.id)}))
    return _request_view(row, organisation)


async def get_request(*, actor: Actor, request_id: UUID) -> RequestView:
    """An organisation's own request and its state (someone else's is not found)."""
    organisation_id = _organisation(actor, SCOPE_REQUEST)
    row = await DataRequest.get_or_none(id=request_id, organisation_id=organisation_id).prefetch_related('organisation')
    if row is None:
        raise NotFound('request_not_found', N_('No such data request.'))
    return _request_view(row, row.organisation)


async def read_data(*, actor: Actor, fin: str, categories: Any, now: datetime) -> DataRead:
    """Read granted categories under an active permission. The read is logged (and chained) and the permission's use
    counted in one transaction before anything is returned; a read that cannot be logged is not served."""
    organisation_id = _organisation(actor, SCOPE_READ)
    cats = check_categories(categories)
    person = await get_citizen_by_fin(fin=fin)
    if person.role is not Role.CITIZEN:
        raise NotFound('citizen_not_found', N_('No citizen has this FIN.'), field='fin')
    today = local_date(now)
    async with in_transaction():
        permission = await _usable(person.id, organisation_id, cats, today)
        entry_id = uuid.uuid4()
        links = await chain.hold(ACCESS_CHAIN)
        content = {
            'id': entry_id,
            'person_id': person.id,
            'organisation_id': organisation_id,
            'permission_id': permission.id,
            'categories': list(cats),
            'purpose': permission.purpose,
            'at': now,
        }
        seq, prev, digest = links.next(content)
        await AccessEntry.create(
            seq=seq,
            id=entry_id,
            person_id=person.id,
            organisation_id=organisation_id,
            permission_id=permission.id,
            categories=list(cats),
            purpose=permission.purpose,
            at=now,
            prev_hash=prev,
            hash=digest,
        )
        await chain.release(links)
        await Permission.filter(id=permission.id).update(uses=permission.uses + 1, last_used_at=now)
        organisation = await Organisation.get(id=organisation_id)
        told = await notify(
            NewNotice(
                person.id,
                'data_accessed',
                f'access:{entry_id}',
                {'agency': organisation.name_az, 'what': category_names(cats)},
                '/permissions/tracker',
                organisation_id,
            ),
            now=now,
        )
    if told:
        announce([person.id])
    live.publish(live.Event(person.topic, 'consent.changed', {'access_id': str(entry_id)}))
    return DataRead(entry_id, cats, await _records(person.id, cats))


async def _usable(person_id: UUID, organisation_id: UUID, cats: tuple[str, ...], today: date) -> Permission:
    """The active permission that covers these categories today, or a refusal that says why."""
    rows = await Permission.filter(person_id=person_id, organisation_id=organisation_id).order_by('-created_at')
    current = [p for p in rows if p.state is PermissionState.ACTIVE and p.valid_from <= today <= p.valid_until]
    for permission in current:
        if set(cats) <= set(permission.categories):
            return permission
    if current:
        raise Forbidden(
            'category_not_granted', N_('The citizen has not granted this category of data.'), field='categories'
        )
    latest = rows[0] if rows else None
    if latest is None:
        raise Forbidden('no_permission', N_('The citizen has given your organisation no permission.'))
    if latest.state is PermissionState.REVOKED:
        raise Forbidden('permission_revoked', N_('The citizen revoked the permission.'))
    if latest.valid_until < today or latest.state is PermissionState.EXPIRED:
        raise Forbidden('permission_expired', N_('The permission has expired.'))
    raise Forbidden('no_permission', N_('The citizen has given your organisation no permission.'))


async def _records(person_id: UUID, cats: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for category in cats:
        kinds = CATEGORIES[category][1]
        rows = await RegistryRecord.filter(person_id=person_id, kind__in=list(kinds)).order_by('kind', 'ref')
        out[category] = [
            {'kind': r.kind, 'ref': r.ref, 'data': r.data, 'updated_at': r.updated_at.isoformat()} for r in rows
        ]
        if category == 'communications':
            contact = await NoticeSettings.get_or_none(person_id=person_id)
            if contact is not None and (contact.email or contact.phone):
                out[category].append(
                    {'kind': 'contact', 'ref': '', 'data': {'email': contact.email, 'phone': contact.phone}}
                )
    return out


# -- citizens -------------------------------------------------------------------------------------------------------


async def list_requests(*, actor: Actor, pending_only: bool = False) -> list[RequestView]:
    me = _citizen(actor)
    query = DataRequest.filter(person_id=me.person_id)
    if pending_only:
        query = query.filter(state=RequestState.PENDING)
    rows = await query.order_by('-created_at').prefetch_related('organisation')
    return [_request_view(r, r.organisation) for r in rows]


async def decide_request(*, actor: Actor, request_id: UUID, grant: Any, now: datetime) -> RequestView:
    """The citizen approves some or all of the categories asked for (an empty grant refuses)."""
    me = _citizen(actor)
    granted: tuple[str, ...] = () if not grant else check_categories(grant, field='grant')
    async with in_transaction():
        row = await DataRequest.select_for_update().get_or_none(id=request_id, person_id=me.person_id)
        if row is None:
            raise NotFound('request_not_found', N_('No such data request.'))
        if row.state is not RequestState.PENDING:
            raise Invalid('already_decided', N_('This request has been answered already.'))
        extra = sorted(set(granted) - set(row.categories))
        if extra:
            raise Invalid('not_requested', N_('This category was not asked for.'), field='grant')
        today = local_date(now)
        if row.valid_until < today:
            raise Invalid('request_expired', N_('This request has expired.'))
        row.granted = list(granted)
        row.state = (
            RequestState.REFUSED
            if not granted
            else RequestState.APPROVED
            if set(granted) == set(row.categories)
            else RequestState.PARTIAL
        )
        row.decided_at = now
        await row.save(update_fields=['granted', 'state', 'decided_at'])
        if granted:
            await Permission.create(
                person_id=me.person_id,
                organisation_id=row.organisation_id,
                categories=list(granted),
                purpose=row.purpose,
                valid_from=max(row.valid_from, today),
                valid_until=row.valid_until,
                state=PermissionState.ACTIVE,
                request_id=row.id,
                created_at=now,
            )
        await record_event(
            person_id=me.person_id,
            kind=HistoryKind.CONSENT_GRANTED if granted else HistoryKind.CONSENT_REFUSED,
            now=now,
            organisation_id=row.organisation_id,
            detail={'request_id': str(row.id), 'categories': list(granted), 'purpose': row.purpose},
        )
        await _queue_webhook(row, now)
    organisation = await Organisation.get(id=row.organisation_id)
    live.publish(live.Event(organisation.topic, 'consent.decided', {'request_id': str(row.id)}))
    live.publish(live.Event(f'citizen:{me.person_id}', 'consent.changed', {'request_id': str(row.id)}))
    return _request_view(row, organisation)


async def share_in_advance(
    *, actor: Actor, organisation_code: str, categories: Any, purpose: Any, valid_until: Any, now: datetime
) -> PermissionView:
    """The citizen grants an organisation access before it asks."""
    me = _citizen(actor)
    cats = check_categories(categories)
    text = check_purpose(purpose)
    start, end = check_period(None, valid_until, today=local_date(now))
    organisation = await Organisation.get_or_none(code=str(organisation_code).strip().upper())
    if organisation is None:
        raise Invalid('organisation_required', N_('Choose the organisation.'), field='organisation')
    async with in_transaction():
        row = await Permission.create(
            person_id=me.person_id,
            organisation_id=organisation.id,
            categories=list(cats),
            purpose=text,
            valid_from=start,
            valid_until=end,
            state=PermissionState.ACTIVE,
            created_at=now,
        )
        await record_event(
            person_id=me.person_id,
            kind=HistoryKind.DATA_SHARED,
            now=now,
            organisation_id=organisation.id,
            detail={'permission_id': str(row.id), 'categories': list(cats), 'purpose': text},
        )
    live.publish(live.Event(f'citizen:{me.person_id}', 'consent.changed', {'permission_id': str(row.id)}))
    return _permission_view(row, organisation)


async def list_permissions(*, actor: Actor) -> list[PermissionView]:
    me = _citizen(actor)
    rows = await Permission.filter(person_id=me.person_id).order_by('-created_at').prefetch_related('organisation')
    return [_permission_view(r, r.organisation) for r in rows]


async def revoke_permission(*, actor: Actor, permission_id: UUID, now: datetime) -> PermissionView:
    """Revoking takes effect at once: the organisation's next read is refused."""
    me = _citizen(actor)
    async with in_transaction():
        row = await Permission.select_for_update().get_or_none(id=permission_id, person_id=me.person_id)
        if row is None:
            raise NotFound('permission_not_found', N_('No such permission.'))
        if row.state is not PermissionState.ACTIVE:
            raise Invalid('not_active', N_('This permission is no longer active.'))
        row.state, row.revoked_at = PermissionState.REVOKED, now
        await row.save(update_fields=['state', 'revoked_at'])
        await record_event(
            person_id=me.person_id,
            kind=HistoryKind.CONSENT_REVOKED,
            now=now,
            organisation_id=row.organisation_id,
            detail={'permission_id': str(row.id), 'categories': list(row.categories)},
        )
    organisation = await Organisation.get(id=row.organisation_id)
    live.publish(live.Event(f'citizen:{me.person_id}', 'consent.changed', {'permission_id': str(row.id)}))
    return _permission_view(row, organisation)


async def list_accesses(*, actor: Actor, limit: int = 200) -> list[AccessView]:
    """The data tracker: every read of the citizen's data, newest first."""
    me = _citizen(actor)
    rows = (
        await AccessEntry.filter(person_id=me.person_id)
        .order_by('-seq')
        .limit(max(1, min(limit, 1000)))
        .prefetch_related('organisation')
    )
    disputed = set(
        await AccessDispute.filter(person_id=me.person_id, entry_id__in=[r.seq for r in rows]).values_list(
            'entry_id', flat=True
        )
    )
    return [
        AccessView(
            seq=r.seq,
            id=r.id,
            organisation_code=r.organisation.code,
            organisation_name_az=r.organisation.name_az,
            organisation_name_en=r.organisation.name_en,
            categories=tuple(r.categories),
            purpose=r.purpose,
            permission_id=r.permission_id,
            at=r.at,
            disputed=r.seq in disputed,
        )
        for r in rows
    ]


async def dispute_access(*, actor: Actor, access_id: UUID, reason: str, now: datetime) -> None:
    """The citizen files a complaint about one access; the administrators see it."""
    me = _citizen(actor)
    text = ' '.join(str(reason or '').split())
    if not text:
        raise Invalid('reason_required', N_('Say what is wrong with this access.'), field='reason')
    if len(text) > 2000:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='reason', limit=2000)
    entry = await AccessEntry.get_or_none(id=access_id, person_id=me.person_id)
    if entry is None:
        raise NotFound('access_not_found', N_('No such access.'))
    if await AccessDispute.exists(entry_id=entry.seq, person_id=me.person_id):
        raise Invalid('already_disputed', N_('You have disputed this access already.'))
    await AccessDispute.create(entry_id=entry.seq, person_id=me.person_id, reason=text, created_at=now)
    live.publish(live.Event('admin:disputes', 'dispute.filed', {'access_id': str(access_id)}))


# -- administrators and jobs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisputeView:
    id: UUID
    person_name: str
    organisation_name: str
    categories: tuple[str, ...]
    purpose: str
    accessed_at: datetime
    reason: str
    state: DisputeState
    created_at: datetime
    answer: str


async def list_disputes(*, actor: Actor, open_only: bool = True) -> list[DisputeView]:
    require_role(actor, Role.ADMIN)
    query = AccessDispute.all() if not open_only else AccessDispute.filter(state=DisputeState.OPEN)
    rows = await query.order_by('-created_at').prefetch_related('entry__organisation', 'person')
    return [
        DisputeView(
            id=d.id,
            person_name=d.person.full_name,
            organisation_name=d.entry.organisation.name_az,
            categories=tuple(d.entry.categories),
            purpose=d.entry.purpose,
            accessed_at=d.entry.at,
            reason=d.reason,
            state=d.state,
            created_at=d.created_at,
            answer=d.answer,
        )
        for d in rows
    ]


async def close_dispute(*, actor: Actor, dispute_id: UUID, answer: str, now: datetime) -> None:
    require_role(actor, Role.ADMIN)
    text = ' '.join(str(answer or '').split())
    if not text:
        raise Invalid('answer_required', N_('Write what was found.'), field='answer')
    done = await AccessDispute.filter(id=dispute_id, state=DisputeState.OPEN).update(
        state=DisputeState.CLOSED, closed_at=now, answer=text[:2000]
    )
    if not done:
        raise NotFound('dispute_not_found', N_('No such open dispute.'))
    live.publish(live.Event('admin:disputes', 'dispute.closed', {'dispute_id': str(dispute_id)}))


async def expire(*, now: datetime) -> dict[str, int]:
    """Permissions and unanswered requests whose period has ended (reads check the period anyway)."""
    today = local_date(now)
    permissions = await Permission.filter(state=PermissionState.ACTIVE, valid_until__lt=today).update(
        state=PermissionState.EXPIRED
    )
    requests = await DataRequest.filter(state=RequestState.PENDING, valid_until__lt=today).update(
        state=RequestState.EXPIRED
    )
    return {'permissions': permissions, 'requests': requests}


async def verify_access_log() -> chain.Verdict:
    async def rows(after: int, limit: int) -> Any:
        for r in await AccessEntry.filter(seq__gt=after).order_by('seq').limit(limit):
            content = {
                'id': r.id,
                'person_id': r.person_id,
                'organisation_id': r.organisation_id,
                'permission_id': r.permission_id,
                'categories': list(r.categories),
                'purpose': r.purpose,
                'at': r.at,
            }
            yield r.seq, r.prev_hash, r.hash, content

    return await chain.verify(ACCESS_CHAIN, rows)


# -- helpers --------------------------------------------------------------------------------------------------------


async def _queue_webhook(row: DataRequest, now: datetime) -> None:
    """Tell the organisation's webhooks of the decision (in the decision's transaction; sent by the webhook job)."""
    from portal.store.consent import webhooks

    await webhooks.enqueue(
        organisation_id=row.organisation_id,
        key=f'request:{row.id}:decided',
        payload={
            'event': 'data_request.decided',
            'request_id': str(row.id),
            'state': row.state.value,
            'granted': list(row.granted),
            'decided_at': row.decided_at.isoformat() if row.decided_at else None,
        },
        now=now,
    )


def _request_view(row: DataRequest, organisation: Organisation) -> RequestView:
    return RequestView(
        id=row.id,
        person_id=row.person_id,
        organisation_code=organisation.code,
        organisation_name_az=organisation.name_az,
        organisation_name_en=organisation.name_en,
        categories=tuple(row.categories),
        purpose=row.purpose,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        state=row.state,
        granted=tuple(row.granted or ()),
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


def _permission_view(row: Permission, organisation: Organisation) -> PermissionView:
    return PermissionView(
        id=row.id,
        organisation_code=organisation.code,
        organisation_name_az=organisation.name_az,
        organisation_name_en=organisation.name_en,
        categories=tuple(row.categories),
        purpose=row.purpose,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        state=row.state,
        uses=row.uses,
        last_used_at=row.last_used_at,
        request_id=row.request_id,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
