"""The citizen's side: a draft ("Yeni müraciət") kept on the server, its files, signing with ASAN İmza / SİMA, and
sending; reading one's letters and marking inbox letters read.

A draft is a letter in the ``draft`` state: it survives a reload and is seen by nobody else. Signing asks the
citizen's device to sign the canonical letter's digest; the letter is sent when the signature comes back, and only
if the draft still has exactly the content that was signed.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from portal.errors import N_, Invalid, NotFound
from portal.store import auth
from portal.store.actors import Actor
from portal.store.audit import HistoryKind, record_event
from portal.store.auth import ChallengeView, LoginMethod
from portal.store.letters import common, files, views
from portal.store.letters.common import LIMITS, SignatureReport, citizen_of, clean_text, not_found
from portal.store.letters.files import Upload
from portal.store.letters.models import (
    ActorKind,
    Attachment,
    Direction,
    EventKind,
    Letter,
    LetterStatus,
    search_key,
)
from portal.store.letters.views import AttachmentView, LetterView
from portal.store.orgs import Organisation
from portal.store.workdays import add_working_days

ANSWER_DAYS = 15
INVESTIGATION_DAYS = 30
FORWARD_DAYS = 3


async def open_draft(*, actor: Actor, now: datetime) -> LetterView:
    """The citizen's draft: the one being written, or a new empty one."""
    me = citizen_of(actor)
    draft = await Letter.filter(person_id=me.person_id, status=LetterStatus.DRAFT).order_by('-updated_at').first()
    if draft is None:
        draft = await Letter.create(
            direction=Direction.INBOUND,
            person_id=me.person_id,
            status=LetterStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
    return await common.load_view(draft.id, today=common.today_of(now), for_desk=False)


async def save_draft(
    *, actor: Actor, letter_id: UUID, organisation_code: str | None, title: str, body: str, now: datetime
) -> LetterView:
    """Keep what has been written so far; only the hard limits are checked here, the rest when signing."""
    me = citizen_of(actor)
    org_id = (await _organisation(organisation_code)).id if organisation_code else None
    title = clean_text(title, 'title', LIMITS['title'], required=False)
    body = clean_text(body, 'body', LIMITS['body'], required=False)
    updated = await Letter.filter(id=letter_id, person_id=me.person_id, status=LetterStatus.DRAFT).update(
        organisation_id=org_id, title=title, body=body, search_text=search_key(title, body), updated_at=now
    )
    if not updated:
        raise _not_a_draft()
    return await common.load_view(letter_id, today=common.today_of(now), for_desk=False)


async def add_attachment(*, actor: Actor, letter_id: UUID, upload: Upload, now: datetime) -> AttachmentView:
    """Attach one file to the draft, after checking its name, size and content, and the draft's limits."""
    me = citizen_of(actor)
    checked = common.check_uploads([upload])
    async with common.files_written(checked) as names, in_transaction():
        draft = await _locked_draft(me.person_id, letter_id)
        rows = await Attachment.filter(letter_id=draft.id).order_by('position')
        files.check_set([*(a.size for a in rows), checked[0].size])
        start = rows[-1].position + 1 if rows else 0
        await common.attach_rows(draft, checked, names, now, start)
        await Letter.filter(id=draft.id).update(updated_at=now)
        row = await Attachment.get(letter_id=draft.id, position=start)
    return views.attachment_view(row)


async def remove_attachment(*, actor: Actor, letter_id: UUID, attachment_id: UUID, now: datetime) -> None:
    me = citizen_of(actor)
    async with in_transaction():
        draft = await _locked_draft(me.person_id, letter_id)
        row = await Attachment.get_or_none(id=attachment_id, letter_id=draft.id)
        if row is None:
            raise not_found()
        await row.delete()
        await Letter.filter(id=draft.id).update(updated_at=now)
    common.remove_files([row.storage_name])


async def discard_draft(*, actor: Actor, letter_id: UUID) -> None:
    me = citizen_of(actor)
    async with in_transaction():
        draft = await _locked_draft(me.person_id, letter_id)
        rows = await Attachment.filter(letter_id=draft.id)
        await Attachment.filter(letter_id=draft.id).delete()
        await draft.delete()
    common.remove_files([a.storage_name for a in rows])


async def start_signing(*, actor: Actor, letter_id: UUID, method: LoginMethod, now: datetime) -> ChallengeView:
    """Check the draft is complete and ask the citizen's device to sign its digest."""
    me = citizen_of(actor)
    draft = await Letter.get_or_none(id=letter_id, person_id=me.person_id, status=LetterStatus.DRAFT)
    if draft is None:
        raise _not_a_draft()
    _check_complete(draft)
    document, _ = await common.document_of(draft)
    return await auth.start_document_signing(
        person_id=me.person_id, method=method, digest=common.signing.digest(document), now=now
    )


async def send_signed(*, actor: Actor, letter_id: UUID, challenge_id: UUID, now: datetime) -> LetterView:
    """Send the draft with the signature the device gave: it reaches the agency at once and its clock starts."""
    me = citizen_of(actor)
    async with in_transaction():
        draft = await _locked_draft(me.person_id, letter_id)
        _check_complete(draft)
        signed = await auth.claim_document_signature(challenge_id=challenge_id, person_id=me.person_id, now=now)
        document, _ = await common.document_of(draft)
        if common.signing.digest(document) != signed.digest:
            raise Invalid(
                'letter_changed', N_('The letter was changed after signing was started. Sign it again.'), field='body'
            )
        if not auth.verify_signature(public_key=signed.public_key, message=signed.message, signature=signed.signature):
            raise Invalid('signature_invalid', N_('The signature is not valid.'))
        start_clock(draft, now)
        draft.status = LetterStatus.SENT
        draft.signed_method, draft.signed_digest, draft.signed_at = signed.method.value, signed.digest, now
        draft.signed_message, draft.signature, draft.signer_key = signed.message, signed.signature, signed.public_key
        draft.created_at = draft.updated_at = now
        await draft.save()
        await common.add_event(draft, EventKind.SENT, actor_kind=ActorKind.CITIZEN, now=now)
        await record_event(
            person_id=me.person_id,
            kind=HistoryKind.LETTER_SENT,
            now=now,
            method=signed.method.value,
            organisation_id=draft.organisation_id,
            detail={'letter_id': str(draft.id), 'title': draft.title},
        )
    await common.publish(draft)
    return await common.load_view(draft.id, today=common.today_of(now), for_desk=False)


def close(letter: Letter, now: datetime) -> None:
    """The letter leaves the organisation's hands now (answered, forwarded or rejected)."""
    letter.closed_at, letter.closed_on, letter.updated_at = now, common.today_of(now), now


def start_clock(letter: Letter, now: datetime) -> None:
    """The letter reaches its organisation now: 3 working days to forward it, 15 to answer it."""
    day = common.today_of(now)
    letter.delivered_at, letter.delivered_on = now, day
    letter.forward_due_on = add_working_days(day, FORWARD_DAYS)
    letter.due_on = add_working_days(day, ANSWER_DAYS)


async def get_letter(*, actor: Actor, letter_id: UUID, now: datetime) -> LetterView:
    """One letter, for its citizen or for the organisation it concerns."""
    letter, desk = await common.readable(actor, letter_id)
    return await common.load_view(letter.id, today=common.today_of(now), for_desk=desk is not None)


async def verify_letter(*, actor: Actor, letter_id: UUID) -> SignatureReport:
    """Check the letter's signature against its content and files as stored now."""
    letter, _ = await common.readable(actor, letter_id)
    return await common.signature_report(letter)


async def mark_read(*, actor: Actor, letter_id: UUID, now: datetime) -> None:
    """The citizen opened an inbox letter (once; reading it again changes nothing)."""
    me = citizen_of(actor)
    async with in_transaction():
        marked = await Letter.filter(
            id=letter_id, person_id=me.person_id, direction=Direction.OUTBOUND, read_at=None
        ).update(read_at=now)
        if not marked:
            return
        letter = await Letter.get(id=letter_id)
        await common.add_event(letter, EventKind.READ, actor_kind=ActorKind.CITIZEN, now=now)
    await common.publish(letter)


async def read_attachment(*, actor: Actor, letter_id: UUID, attachment_id: UUID) -> tuple[AttachmentView, bytes]:
    """A file of a letter the actor may read (a forwarded copy's files are its original's)."""
    letter, _ = await common.readable(actor, letter_id)
    row = await Attachment.get_or_none(id=attachment_id, letter_id__in=[letter.id, letter.origin_id or letter.id])
    if row is None:
        raise _attachment_not_found()
    try:
        content = files.read_bytes(row.storage_name)
    except FileNotFoundError as exc:
        raise _attachment_not_found() from exc
    return views.attachment_view(row), content


async def _organisation(code: str) -> Organisation:
    org = await Organisation.get_or_none(code=code.strip().upper())
    if org is None:
        raise Invalid('organisation_not_found', N_('No agency or local executive has this code.'), field='organisation')
    return org


async def _locked_draft(person_id: UUID, letter_id: UUID) -> Letter:
    draft = await Letter.select_for_update().get_or_none(id=letter_id, person_id=person_id, status=LetterStatus.DRAFT)
    if draft is None:
        raise _not_a_draft()
    return draft


def _check_complete(draft: Letter) -> None:
    if draft.organisation_id is None:
        raise Invalid('organisation_required', N_('Choose the agency to write to.'), field='organisation')
    clean_text(draft.title, 'title', LIMITS['title'], required=True)
    clean_text(draft.body, 'body', LIMITS['body'], required=True)


def _attachment_not_found() -> NotFound:
    return NotFound('attachment_not_found', N_('File not found.'))


def _not_a_draft() -> Invalid:
    return Invalid('not_a_draft', N_('This letter has already been sent; it cannot be changed.'))
