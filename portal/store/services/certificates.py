"""E-certificates ("arayış"): issued at once from registry data as PDFs signed by the issuing agency (PAdES), each
with a verification code and a QR code to the public verification page; revocable by the issuer.

The PDF is rendered and signed off the event loop, written whole to the files folder, then recorded in one
transaction with the citizen's history; if the transaction fails the file is removed.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from portal import live
from portal.documents import pdf as pdfdoc
from portal.documents import signing
from portal.errors import N_, Invalid, NotFound
from portal.i18n import translate
from portal.store import throttle
from portal.store.actors import Actor, PersonActor, Role, organisation_of, require_role
from portal.store.apikeys import acting_name
from portal.store.audit import HistoryKind, record_event
from portal.store.letters import files
from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.services import pki
from portal.store.services.models import REASON_MAX, Certificate
from portal.store.services.templates import TEMPLATES, RecordData, Section, Template
from portal.store.workdays import local_date as baku_date

# Crockford's base32: no I, L, O or U, so a code read aloud or retyped is not misread
CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
CODE_CHARS = 16
_READ_AS = str.maketrans({'O': '0', 'I': '1', 'L': '1'})
SCOPE_REVOKE = 'certificates:write'
# public verification: per address, 30 checks in 10 minutes, then waits doubling up to 5 minutes
VERIFY_POLICY = throttle.Policy(free=30, cap_seconds=300, window=timedelta(minutes=10))
PDF_MAX_BYTES = 10 * 1024 * 1024
NOTICE_TEXT_MAX = 300


@dataclass(frozen=True)
class CertificateView:
    id: UUID
    code: str
    template: str
    title: str
    lang: str
    issuer_code: str
    issuer_name_az: str
    issuer_name_en: str | None
    holder_initials: str
    sections: tuple[Section, ...]
    issued_at: datetime
    valid_until: date | None
    revoked_at: datetime | None
    revoked_reason: str
    size: int
    application_id: UUID | None

    def status(self, today: date) -> str:
        """'revoked', 'expired' or 'valid'."""
        if self.revoked_at is not None:
            return 'revoked'
        if self.valid_until is not None and self.valid_until < today:
            return 'expired'
        return 'valid'

    @property
    def filename(self) -> str:
        return f'arayis-{self.code}.pdf'

    def issuer_name(self, lang: str) -> str:
        return self.issuer_name_en if lang == 'en' and self.issuer_name_en else self.issuer_name_az


@dataclass(frozen=True)
class Preview:
    """What a certificate would say, shown before it is issued."""

    template: str
    title: str
    issuer_code: str
    issuer_name_az: str
    issuer_name_en: str | None
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Verification:
    """What anyone may learn of a certificate: its kind, issuer, dates, state, and the holder's initials."""

    code: str
    status: str  # 'valid' | 'expired' | 'revoked'
    title: str
    issuer_name_az: str
    issuer_name_en: str | None
    issued_on: date
    valid_until: date | None
    holder_initials: str
    revoked_on: date | None
    # a checked file: True when it is byte for byte the issued PDF (None when no file was checked)
    file_matches: bool | None = None


# -- codes ----------------------------------------------------------------------------------------------------------


def new_code() -> str:
    raw = ''.join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))
    return '-'.join(raw[i : i + 4] for i in range(0, CODE_CHARS, 4))


def normalise_code(raw: str) -> str:
    """A code as typed (any case, spaces or dashes, O for 0, I or L for 1) in its printed form, or Invalid."""
    compact = ''.join(ch for ch in str(raw).upper() if ch not in ' -\t').translate(_READ_AS)
    if len(compact) != CODE_CHARS or any(ch not in CODE_ALPHABET for ch in compact):
        raise Invalid(
            'malformed_code',
            N_('A verification code has 16 letters and digits, like K7QD-2M9X-P4TR-8ZHW.'),
            field='code',
        )
    return '-'.join(compact[i : i + 4] for i in range(0, CODE_CHARS, 4))


def verify_url(code: str) -> str:
    from portal.config import get_settings

    return f'{get_settings().base_url}/verify/{code}'


# -- citizen --------------------------------------------------------------------------------------------------------


def get_template(code: str) -> Template:
    template = TEMPLATES.get(code)
    if template is None:
        raise NotFound('certificate_type_not_found', N_('There is no such certificate.'))
    return template


async def preview_certificate(*, actor: Actor, template: str, lang: str) -> Preview:
    """The citizen's own certificate as it would be issued now; Invalid 'no_record' when there is nothing to certify."""
    me = require_role(actor, Role.CITIZEN)
    spec = get_template(template)
    sections = await _sections(spec, me.person_id, lang)
    issuer = await Organisation.get(code=spec.issuer)
    return Preview(spec.code, translate(spec.title, lang), issuer.code, issuer.name_az, issuer.name_en, sections)


async def issue_certificate(*, actor: Actor, template: str, now: datetime, lang: str) -> CertificateView:
    """Issue a certificate from the citizen's records now: signed by the issuing agency, with a new code."""
    me = require_role(actor, Role.CITIZEN)
    spec = get_template(template)
    sections = await _sections(spec, me.person_id, lang)
    person = await Person.get(id=me.person_id)
    issuer = await Organisation.get(code=spec.issuer)
    valid_until = baku_date(now) + timedelta(days=spec.valid_days)
    for record_end in await _record_ends(spec, me.person_id):
        valid_until = min(valid_until, record_end)
    return await issue_document(
        person=person,
        issuer=issuer,
        template=spec.code,
        title=translate(spec.title, lang),
        sections=sections,
        valid_until=valid_until,
        now=now,
        lang=lang,
    )


async def issue_document(
    *,
    person: Person,
    issuer: Organisation,
    template: str,
    title: str,
    sections: tuple[Section, ...],
    now: datetime,
    lang: str,
    valid_until: date | None = None,
    paragraphs: tuple[str, ...] = (),
    application_id: UUID | None = None,
    inside: Callable[[], Awaitable[object]] | None = None,
) -> CertificateView:
    """Render, sign, store and record one document (a certificate, or a decision on an application); ``inside`` is
    further work done in the same transaction (the decision's application moving to approved): if either fails,
    neither is kept."""
    code = new_code()
    holder = (person.last_name, person.first_name, person.patronymic)
    rows = _holder_rows(person, lang)
    document = pdfdoc.CertificateDocument(
        title=title,
        issuer_name=issuer.display_name(lang),
        holder_name=' '.join(p for p in holder if p),
        sections=(
            pdfdoc.Section(None, rows),
            *(pdfdoc.Section(s.title, s.rows) for s in sections),
        ),
        code=code,
        verify_url=verify_url(code),
        issued_at=now,
        valid_until=valid_until,
        lang=lang,
        paragraphs=paragraphs,
    )
    signer = await pki.signer_for(issuer, now=now)
    reason = translate(N_('Issued through the Kabinet portal: {title}'), lang, title=title)
    content = await asyncio.to_thread(_render_and_sign, document, signer, reason)
    name = await asyncio.to_thread(files.store_bytes, content)
    try:
        async with in_transaction():
            if inside is not None:
                await inside()
            row = await Certificate.create(
                code=code,
                person_id=person.id,
                issuer_id=issuer.id,
                template=template,
                title=title[:255],
                lang=lang,
                content=[{'title': None, 'rows': [list(r) for r in rows]}]
                + [{'title': s.title, 'rows': [list(r) for r in s.rows]} for s in sections],
                holder_initials=initials(person),
                storage_name=name,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
                issued_at=now,
                valid_until=valid_until,
                application_id=application_id,
            )
            await record_event(
                person_id=person.id,
                kind=HistoryKind.SERVICE_USED,
                now=now,
                organisation_id=issuer.id,
                detail={'service': 'certificate', 'template': template, 'title': title, 'code': code},
            )
    except BaseException:
        files.delete_file(name)
        raise
    live.publish(live.Event(person.topic, 'certificate.issued', {'certificate_id': str(row.id), 'code': code}))
    return _view(row, issuer)


def _render_and_sign(document: pdfdoc.CertificateDocument, signer: signing.PdfSigner, reason: str) -> bytes:
    return signing.sign_pdf(pdfdoc.render_certificate(document), signer=signer, reason=reason)


async def list_certificates(*, actor: Actor, person_id: UUID) -> list[CertificateView]:
    """The citizen's own certificates and decisions, newest first."""
    me = require_role(actor, *Role)
    if me.person_id != person_id:
        raise NotFound('not_found', N_('Not found.'))
    rows = await Certificate.filter(person_id=person_id).prefetch_related('issuer').order_by('-issued_at')
    return [_view(r, r.issuer) for r in rows]


async def get_certificate(*, actor: Actor, certificate_id: UUID) -> CertificateView:
    """One certificate, for its holder or for the organisation that issued it."""
    row = await _readable(actor, certificate_id)
    return _view(row, row.issuer)


async def read_certificate_pdf(*, actor: Actor, certificate_id: UUID) -> tuple[str, bytes]:
    """The issued PDF, byte for byte, for its holder (or its issuer)."""
    row = await _readable(actor, certificate_id)
    content = await asyncio.to_thread(files.read_bytes, row.storage_name)
    return f'arayis-{row.code}.pdf', content


async def _readable(actor: Actor, certificate_id: UUID) -> Certificate:
    row = await Certificate.get_or_none(id=certificate_id).prefetch_related('issuer')
    if row is None or not _may_read(actor, row):
        raise NotFound('certificate_not_found', N_('No such certificate.'))
    return row


def _may_read(actor: Actor, row: Certificate) -> bool:
    if isinstance(actor, PersonActor):
        if actor.role is Role.CITIZEN:
            return actor.person_id == row.person_id
        return actor.organisation_id is not None and actor.organisation_id == row.issuer_id
    return False


# -- issuer ---------------------------------------------------------------------------------------------------------


async def find_issued(*, actor: Actor, code: str) -> CertificateView:
    """A certificate the actor's organisation issued, by its code (the desk's search)."""
    organisation_id = organisation_of(actor, scope=SCOPE_REVOKE, roles=(Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER))
    row = await Certificate.get_or_none(code=normalise_code(code), issuer_id=organisation_id).prefetch_related('issuer')
    if row is None:
        raise NotFound('certificate_not_found', N_('Your organisation has issued no certificate with this code.'))
    return _view(row, row.issuer)


async def revoke_certificate(*, actor: Actor, code: str, reason: str, now: datetime) -> CertificateView:
    """The issuer withdraws a certificate; verification shows it as revoked from now on. Revoking twice is refused."""
    organisation_id = organisation_of(actor, scope=SCOPE_REVOKE, roles=(Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER))
    clean = ' '.join(str(reason).split())
    if not clean:
        raise Invalid('reason_required', N_('Give the reason for revoking.'), field='reason')
    if len(clean) > REASON_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='reason', limit=REASON_MAX)
    normal = normalise_code(code)
    name = await acting_name(actor)
    issuer = await Organisation.get(id=organisation_id)
    async with in_transaction():
        row = await Certificate.select_for_update().get_or_none(code=normal, issuer_id=organisation_id)
        if row is None:
            raise NotFound('certificate_not_found', N_('Your organisation has issued no certificate with this code.'))
        if row.revoked_at is not None:
            raise Invalid('already_revoked', N_('This certificate is already revoked.'))
        row.revoked_at, row.revoked_reason, row.revoked_by = now, clean, name[:255]
        await row.save(update_fields=['revoked_at', 'revoked_reason', 'revoked_by'])
        # a notice's variable holds at most NOTICE_TEXT_MAX characters; the certificate keeps the whole reason
        params = {'agency': issuer.name_az, 'title': row.title, 'code': row.code, 'reason': clean[:NOTICE_TEXT_MAX]}
        link = f'/documents/certificates/{row.id}'
        notice = NewNotice(
            row.person_id, 'certificate_revoked', f'certificate:{row.id}:revoked', params, link, issuer.id
        )
        told = await notify(notice, now=now)
    person = await Person.get(id=row.person_id)
    live.publish(live.Event(person.topic, 'certificate.revoked', {'certificate_id': str(row.id), 'code': row.code}))
    live.publish(live.Event(issuer.topic, 'certificate.revoked', {'certificate_id': str(row.id), 'code': row.code}))
    if told:
        announce([person.id])
    return _view(row, issuer)


# -- anyone ---------------------------------------------------------------------------------------------------------


async def verify_code(*, code: str, address: str | None, now: datetime) -> Verification:
    """Public check of a code: counted per address before anything is looked up."""
    await throttle.claim(_throttle_key(address), VERIFY_POLICY, now)
    normal = normalise_code(code)
    row = await Certificate.get_or_none(code=normal).prefetch_related('issuer')
    if row is None:
        raise NotFound('unknown_code', N_('No certificate has this verification code.'))
    return _verification(row, now)


async def verify_file(*, content: bytes, address: str | None, now: datetime, code: str | None = None) -> Verification:
    """Public check of a PDF: is it byte for byte a certificate the portal issued (the one with this code, if given)?"""
    await throttle.claim(_throttle_key(address), VERIFY_POLICY, now)
    if len(content) > PDF_MAX_BYTES:
        raise Invalid('file_too_large', N_('The file is larger than {limit} MB.'), field='file', limit=10)
    if not content.startswith(b'%PDF-'):
        raise Invalid('not_pdf', N_('This file is not a PDF.'), field='file')
    digest = hashlib.sha256(content).hexdigest()
    if code:
        row = await Certificate.get_or_none(code=normalise_code(code)).prefetch_related('issuer')
        if row is None:
            raise NotFound('unknown_code', N_('No certificate has this verification code.'))
        return _verification(row, now, file_matches=row.sha256 == digest)
    row = await Certificate.get_or_none(sha256=digest).prefetch_related('issuer')
    if row is None:
        raise Invalid(
            'not_issued',
            N_('This PDF is not a certificate issued by the portal, or it has been changed since it was issued.'),
            field='file',
        )
    return _verification(row, now, file_matches=True)


async def root_certificate(*, now: datetime) -> bytes:
    """The portal's root certificate (PEM), with which anyone can check the agencies' signatures."""
    return await pki.ensure_root(now=now)


def _throttle_key(address: str | None) -> str:
    return f'verify:{address or "unknown"}'[:80]


def _verification(row: Certificate, now: datetime, *, file_matches: bool | None = None) -> Verification:
    view = _view(row, row.issuer)
    return Verification(
        code=row.code,
        status=view.status(baku_date(now)),
        title=row.title,
        issuer_name_az=row.issuer.name_az,
        issuer_name_en=row.issuer.name_en,
        issued_on=baku_date(row.issued_at),
        valid_until=row.valid_until,
        holder_initials=row.holder_initials,
        revoked_on=baku_date(row.revoked_at) if row.revoked_at else None,
        file_matches=file_matches,
    )


# -- helpers --------------------------------------------------------------------------------------------------------


async def _sections(spec: Template, person_id: UUID, lang: str) -> tuple[Section, ...]:
    records = await RegistryRecord.filter(person_id=person_id, kind__in=list(spec.kinds)).order_by('kind', 'ref')
    sections = spec.sections([RecordData(r.kind, r.data) for r in records], lang)
    if not sections:
        raise Invalid('no_record', spec.no_record)
    return sections


async def _record_ends(spec: Template, person_id: UUID) -> list[date]:
    """A certificate never outlives the document it certifies (an IDP card, an ID card, a licence)."""
    rows = await RegistryRecord.filter(person_id=person_id, kind__in=list(spec.kinds), valid_until__not_isnull=True)
    return [r.valid_until for r in rows if r.valid_until is not None and spec.keep(RecordData(r.kind, r.data))]


def _holder_rows(person: Person, lang: str) -> tuple[tuple[str, str], ...]:
    from portal.i18n import fmt_date

    rows = [
        (translate(N_('Surname'), lang), person.last_name),
        (translate(N_('First name'), lang), person.first_name),
    ]
    if person.patronymic:
        rows.append((translate(N_('Patronymic'), lang), person.patronymic))
    if person.birth_date:
        rows.append((translate(N_('Date of birth'), lang), fmt_date(person.birth_date, lang)))
    return tuple(rows)


def initials(person: Person) -> str:
    return f'{person.first_name[:1]}. {person.last_name[:1]}.'


def _view(row: Certificate, issuer: Organisation) -> CertificateView:
    content: list[dict[str, Any]] = row.content or []
    return CertificateView(
        id=row.id,
        code=row.code,
        template=row.template,
        title=row.title,
        lang=row.lang,
        issuer_code=issuer.code,
        issuer_name_az=issuer.name_az,
        issuer_name_en=issuer.name_en,
        holder_initials=row.holder_initials,
        sections=tuple(Section(s.get('title'), tuple((str(a), str(b)) for a, b in s.get('rows', []))) for s in content),
        issued_at=row.issued_at,
        valid_until=row.valid_until,
        revoked_at=row.revoked_at,
        revoked_reason=row.revoked_reason,
        size=row.size,
        application_id=row.application_id,
    )
