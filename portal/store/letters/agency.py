"""The organisation's side: moving a letter through its states, answering, forwarding, writing to a citizen.

Officers on the desk and integrations with a ``letters:write`` key call the same use cases. Every move checks the
state machine (``models.TRANSITIONS``) under a row lock, writes its timeline step in the same transaction, and is
published to the citizen and the organisations concerned after the commit. Integrations may pass an idempotency key:
a retried request gives the first request's letter back instead of doing the work again.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from portal.errors import N_, Invalid, NotFound
from portal.store import idempotency
from portal.store.actors import Actor, Role
from portal.store.audit import HistoryKind, record_event
from portal.store.idempotency import Idempotency
from portal.store.letters import common
from portal.store.letters.citizen import INVESTIGATION_DAYS, close, start_clock
from portal.store.letters.common import LIMITS, WRITE_SCOPE, Desk, clean_text, desk_of, not_found
from portal.store.letters.files import Upload
from portal.store.letters.models import (
    STATUS_WORDS,
    TRANSITIONS,
    Direction,
    EventKind,
    Letter,
    LetterStatus,
    search_key,
)
from portal.store.letters.views import LetterView
from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.orgs import Organisation
from portal.store.people import get_citizen_by_fin
from portal.store.workdays import add_working_days

# the moves made with ``set_status``; answering and forwarding have their own use cases
SIMPLE_MOVES = frozenset({LetterStatus.RECEIVED, LetterStatus.UNDER_REVIEW, LetterStatus.REJECTED})
ANSWER_PREFIX = 'Cavab: '
# a status as the citizen's letter screens name it (components/letter_status.py): the notices use the same words


async def set_status(
    *,
    actor: Actor,
    letter_id: UUID,
    status: LetterStatus,
    now: datetime,
    reason: str = '',
    investigation_reason: str = '',
    idem: Idempotency | None = None,
) -> LetterView:
    """Mark a letter received, under review (optionally with an investigation: 30 working days), or rejected.

    An investigation can also be recorded later, while the letter is under review.
    """
    desk = await desk_of(actor, WRITE_SCOPE)
    if status not in SIMPLE_MOVES:
        raise Invalid(
            'status_not_allowed',
            N_('Answer or forward a letter with its own action.'),
            field='status',
        )
    reason = clean_text(reason, 'reason', LIMITS['reason'], required=status is LetterStatus.REJECTED)
    investigation = clean_text(investigation_reason, 'reason', LIMITS['reason'], required=False)

    async def run() -> LetterView:
        async with in_transaction():
            letter = await _locked(desk, letter_id)
            extending_only = (
                status is LetterStatus.UNDER_REVIEW and letter.status is LetterStatus.UNDER_REVIEW and investigation
            )
            if not extending_only:
                _check_move(letter, status)
                letter.status = status
                await common.add_event(
                    letter,
                    EventKind(status.value),
                    actor_kind=desk.actor_kind,
                    actor_name=desk.actor_name,
                    note=reason,
                    now=now,
                )
            if status is LetterStatus.UNDER_REVIEW and investigation:
                await _extend(letter, desk, investigation, now)
            if status is LetterStatus.REJECTED:
                letter.closing_note = reason
                close(letter, now)
            letter.updated_at = now
            await letter.save()
            told = not extending_only and await _tell(letter, desk, 'letter_status', status, now)
            await idempotency.remember(idem, resource_id=letter.id, now=now)
        await common.publish(letter)
        if told:
            announce([letter.person_id])
        return await _view(letter.id, now)

    return await idempotency.once(idem, run, lambda rid: _view(rid, now))


async def forward_letter(
    *, actor: Actor, letter_id: UUID, to_code: str, note: str, now: datetime, idem: Idempotency | None = None
) -> LetterView:
    """Send a letter on to the organisation it belongs to, within 3 working days; the copy there starts its own
    clock, and the citizen follows the letter to its new address."""
    desk = await desk_of(actor, WRITE_SCOPE)
    note = clean_text(note, 'note', LIMITS['note'], required=False)
    target = await Organisation.get_or_none(code=(to_code or '').strip().upper())
    if target is None:
        raise Invalid('organisation_not_found', N_('No agency or local executive has this code.'), field='forward_to')
    if target.id == desk.organisation_id:
        raise Invalid('forward_to_self', N_('A letter cannot be forwarded to its own addressee.'), field='forward_to')

    async def run() -> LetterView:
        async with in_transaction():
            letter = await _locked(desk, letter_id)
            _check_move(letter, LetterStatus.FORWARDED)
            if letter.forward_due_on is not None and common.today_of(now) > letter.forward_due_on:
                raise Invalid(
                    'forward_too_late',
                    N_('A letter can only be forwarded within 3 working days of its receipt.'),
                    field='status',
                )
            copy = Letter(
                direction=Direction.INBOUND,
                person_id=letter.person_id,
                organisation_id=target.id,
                title=letter.title,
                body=letter.body,
                search_text=letter.search_text,
                status=LetterStatus.SENT,
                origin_id=letter.origin_id or letter.id,
                created_at=now,
                updated_at=now,
            )
            start_clock(copy, now)
            await copy.save()
            letter.status, letter.forwarded_to_id = LetterStatus.FORWARDED, copy.id
            letter.closing_note = note
            close(letter, now)
            await letter.save()
            await common.add_event(
                letter,
                EventKind.FORWARDED,
                actor_kind=desk.actor_kind,
                actor_name=desk.actor_name,
                note=note,
                other_organisation_id=target.id,
                now=now,
            )
            await common.add_event(copy, EventKind.SENT, actor_kind=desk.actor_kind, now=now)
            told = await _tell(letter, desk, 'letter_status', LetterStatus.FORWARDED, now)
            await idempotency.remember(idem, resource_id=letter.id, now=now)
        await common.publish(letter, target.id)
        if told:
            announce([letter.person_id])
        return await _view(letter.id, now)

    return await idempotency.once(idem, run, lambda rid: _view(rid, now))


async def answer_letter(
    *,
    actor: Actor,
    letter_id: UUID,
    text: str,
    uploads: list[Upload],
    now: datetime,
    idem: Idempotency | None = None,
) -> LetterView:
    """Answer a letter: the answer (text and files) goes to the citizen's inbox, and the letter is closed."""
    desk = await desk_of(actor, WRITE_SCOPE)
    text = clean_text(text, 'text', LIMITS['text'], required=True)
    checked = common.check_uploads(uploads)

    async def run() -> LetterView:
        async with common.files_written(checked) as names, in_transaction():
            letter = await _locked(desk, letter_id)
            _check_move(letter, LetterStatus.ANSWERED)
            title = f'{ANSWER_PREFIX}{letter.title}'[: LIMITS['title']]
            answer = await _outbound(desk, letter.person_id, title, text, now=now, reply_to=letter.id)
            await common.attach_rows(answer, checked, names, now, 0)
            letter.status, letter.answer_id = LetterStatus.ANSWERED, answer.id
            close(letter, now)
            await letter.save()
            await common.add_event(
                letter, EventKind.ANSWERED, actor_kind=desk.actor_kind, actor_name=desk.actor_name, now=now
            )
            told = await _tell(letter, desk, 'letter_answered', LetterStatus.ANSWERED, now)
            await idempotency.remember(idem, resource_id=letter.id, now=now)
        await common.publish(letter)
        await common.publish(answer)  # a new letter in the citizen's inbox
        if told:
            announce([letter.person_id])
        return await _view(letter.id, now)

    return await idempotency.once(idem, run, lambda rid: _view(rid, now))


async def send_to_citizen(
    *,
    actor: Actor,
    fin: str,
    title: str,
    body: str,
    uploads: list[Upload],
    now: datetime,
    idem: Idempotency | None = None,
) -> LetterView:
    """Write a letter from the organisation to a citizen ("Gələn" in their cabinet)."""
    desk = await desk_of(actor, WRITE_SCOPE)
    citizen = await get_citizen_by_fin(fin=fin)
    if citizen.role is not Role.CITIZEN:  # an officer's or the admin's FIN: nobody would ever read the letter
        raise NotFound('citizen_not_found', N_('No citizen has this FIN.'), field='fin')
    title = clean_text(title, 'title', LIMITS['title'], required=True)
    body = clean_text(body, 'body', LIMITS['body'], required=True)
    checked = common.check_uploads(uploads)

    async def run() -> LetterView:
        async with common.files_written(checked) as names, in_transaction():
            letter = await _outbound(desk, citizen.id, title, body, now=now)
            await common.attach_rows(letter, checked, names, now, 0)
            told = await _tell(letter, desk, 'letter_received', LetterStatus.SENT, now)
            await idempotency.remember(idem, resource_id=letter.id, now=now)
        await common.publish(letter)
        if told:
            announce([letter.person_id])
        return await _view(letter.id, now)

    return await idempotency.once(idem, run, lambda rid: _view(rid, now))


async def _outbound(
    desk: Desk, person_id: UUID, title: str, body: str, *, now: datetime, reply_to: UUID | None = None
) -> Letter:
    letter = await Letter.create(
        direction=Direction.OUTBOUND,
        person_id=person_id,
        organisation_id=desk.organisation_id,
        title=title,
        body=body,
        search_text=search_key(title, body),
        status=LetterStatus.SENT,
        reply_to_id=reply_to,
        delivered_at=now,
        created_at=now,
        updated_at=now,
    )
    await common.add_event(letter, EventKind.SENT, actor_kind=desk.actor_kind, actor_name=desk.actor_name, now=now)
    await record_event(
        person_id=person_id,
        kind=HistoryKind.LETTER_RECEIVED,
        now=now,
        organisation_id=desk.organisation_id,
        detail={'letter_id': str(letter.id), 'title': title},
    )
    return letter


async def _tell(letter: Letter, desk: Desk, type: str, status: LetterStatus, now: datetime) -> bool:
    """Tell the citizen of a step of their letter, or of a letter the organisation wrote them (once per step)."""
    params = {'title': letter.title}
    if type == 'letter_status':
        params['status'] = STATUS_WORDS[status]
    else:
        params['agency'] = (await Organisation.get(id=desk.organisation_id)).name_az
    key, link = f'letter:{letter.id}:{status.value}', f'/letters/{letter.id}'
    return await notify(NewNotice(letter.person_id, type, key, params, link, desk.organisation_id), now=now)


async def _extend(letter: Letter, desk: Desk, reason: str, now: datetime) -> None:
    """An investigation is needed: the deadline becomes 30 working days from receipt, once."""
    if letter.investigation_reason:
        raise Invalid('already_extended', N_('The deadline has already been extended.'), field='investigation_reason')
    assert letter.delivered_at is not None
    letter.investigation_reason = reason
    letter.due_on = add_working_days(common.today_of(letter.delivered_at), INVESTIGATION_DAYS)
    await common.add_event(
        letter, EventKind.INVESTIGATION, actor_kind=desk.actor_kind, actor_name=desk.actor_name, note=reason, now=now
    )


async def _locked(desk: Desk, letter_id: UUID) -> Letter:
    """An inbound letter addressed to this organisation, locked; any other letter does not exist for it."""
    letter = await Letter.select_for_update().get_or_none(
        id=letter_id, organisation_id=desk.organisation_id, direction=Direction.INBOUND
    )
    if letter is None or letter.status is LetterStatus.DRAFT:
        raise not_found()
    return letter


def _check_move(letter: Letter, status: LetterStatus) -> None:
    if status not in TRANSITIONS[LetterStatus(letter.status)]:
        raise Invalid(
            'illegal_transition',
            N_('The letter cannot move from its current status to this one.'),
            field='status',
        )


async def _view(letter_id: UUID, now: datetime) -> LetterView:
    return await common.load_view(letter_id, today=common.today_of(now), for_desk=True)
