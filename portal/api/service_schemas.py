"""The e-services API's bodies: the catalogue, certificate checks and revocation, and the local executives' desk of
applications — what integrators send (``…In``) and get back (``…Out``), built from store views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from portal.store.services.applications import ApplicationView, EventView, FileView, answer_rows
from portal.store.services.catalogue import ServiceView
from portal.store.services.certificates import CertificateView, Verification
from portal.store.services.models import ApplicationEventKind, ApplicationStatus, ServiceKind
from portal.store.workdays import local_date

# --- input ----------------------------------------------------------------------------------------------------------


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    reason: str = Field(description='Why the certificate is withdrawn (at most 500 characters); shown to the holder')


class NoteIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    note: str = Field(description='What the applicant must add or explain (at most 2000 characters)')


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    decision: str = Field(description="The decision's text, printed in the signed decision (at most 2000 characters)")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    reason: str = Field(description='Why the application is rejected (at most 2000 characters); the applicant reads it')


# --- output: the catalogue ------------------------------------------------------------------------------------------


class TextOut(BaseModel):
    az: str
    en: str


class LinesOut(BaseModel):
    az: list[str]
    en: list[str]


class ProviderOut(BaseModel):
    code: str
    name_az: str
    name_en: str | None


class ServiceOut(BaseModel):
    code: str
    kind: ServiceKind
    category: str
    local: bool = Field(description='Provided by every local executive, each for its own territory (no one provider)')
    provider: ProviderOut | None = Field(description='The agency that provides it; null for a local service')
    title: TextOut
    summary: TextOut
    requirements: LinesOut = Field(description='What the citizen needs, one line each')
    duration_days: int = Field(description='How long it takes in working days (0: at once)')
    url: str | None = Field(description="The provider's own page, for a service provided there (`external`)")
    portal_url: str = Field(description="The service's page on the portal (relative to the portal's address)")


class ServicePageOut(BaseModel):
    items: list[ServiceOut]
    total: int


# --- output: certificates -------------------------------------------------------------------------------------------


class IssuerOut(BaseModel):
    name_az: str
    name_en: str | None


class VerificationOut(BaseModel):
    code: str
    status: str = Field(description='`valid`, `expired` or `revoked`')
    title: str
    issuer: IssuerOut
    issued_on: date = Field(description='Baku date')
    valid_until: date | None
    holder_initials: str = Field(description="The holder's initials only, e.g. `L. M.`")
    revoked_on: date | None = Field(description='Baku date')


class FileVerificationOut(VerificationOut):
    file_matches: bool = Field(description='The file is byte for byte the PDF the portal issued under this code')


class CertificateOut(BaseModel):
    code: str
    template: str = Field(description='The kind of certificate (e.g. `idp_status`), or `decision` on an application')
    title: str
    issued_at: datetime
    valid_until: date | None
    status: str = Field(description='`valid`, `expired` or `revoked`')
    revoked_at: datetime | None
    revoked_reason: str
    holder_initials: str


# --- output: applications -------------------------------------------------------------------------------------------


class ApplicantOut(BaseModel):
    full_name: str
    fin: str = Field(description="The applicant's FIN")
    birth_date: date | None
    address: str = Field(description='The registered address when the application was made')
    region: str | None


class ApplicationSummaryOut(BaseModel):
    id: UUID
    number: str = Field(description='The number the applicant and the desk quote, e.g. `R-2026-7K2M9XQD`')
    form: str
    service_code: str
    status: ApplicationStatus
    applicant: ApplicantOut
    submitted_at: datetime
    due_on: date = Field(description='The last day to decide (Baku date)')
    overdue: bool
    decided_at: datetime | None
    updated_at: datetime


class AnswerRowOut(BaseModel):
    label: str
    value: str


class ApplicationFileOut(BaseModel):
    id: UUID
    document: str = Field(description="The form's document it is, or empty for a further file")
    filename: str
    content_type: str = Field(description='The type the content really is (checked when it was uploaded)')
    size: int
    url: str = Field(description='The API path that serves the file')


class ApplicationEventOut(BaseModel):
    kind: ApplicationEventKind
    actor_kind: str = Field(description='`citizen`, `officer` or `integration`')
    actor_name: str
    note: str
    at: datetime


class ApplicationOut(ApplicationSummaryOut):
    answers: dict[str, Any] = Field(description="The form's values as checked")
    answer_rows: list[AnswerRowOut] = Field(description='The answers as label and value, in Azerbaijani')
    files: list[ApplicationFileOut]
    events: list[ApplicationEventOut]
    decision_certificate_id: UUID | None = Field(description='The signed decision issued on approval')


class ApplicationPageOut(BaseModel):
    items: list[ApplicationSummaryOut]
    total: int


# --- from the store -------------------------------------------------------------------------------------------------


def service_out(s: ServiceView) -> ServiceOut:
    provider = (
        None if s.local else ProviderOut(code=s.provider_code, name_az=s.provider_name_az, name_en=s.provider_name_en)
    )
    return ServiceOut(
        code=s.code,
        kind=s.kind,
        category=s.category,
        local=s.local,
        provider=provider,
        title=TextOut(az=s.title_az, en=s.title_en),
        summary=TextOut(az=s.summary_az, en=s.summary_en),
        requirements=LinesOut(az=list(s.requirements.get('az', [])), en=list(s.requirements.get('en', []))),
        duration_days=s.duration_days,
        url=(s.url or None) if s.kind == ServiceKind.EXTERNAL else None,
        portal_url=f'/services/{quote(s.code, safe="")}',
    )


def verification_fields(v: Verification) -> dict[str, Any]:
    return {
        'code': v.code,
        'status': v.status,
        'title': v.title,
        'issuer': IssuerOut(name_az=v.issuer_name_az, name_en=v.issuer_name_en),
        'issued_on': v.issued_on,
        'valid_until': v.valid_until,
        'holder_initials': v.holder_initials,
        'revoked_on': v.revoked_on,
    }


def certificate_out(c: CertificateView, now: datetime) -> CertificateOut:
    return CertificateOut(
        code=c.code,
        template=c.template,
        title=c.title,
        issued_at=c.issued_at,
        valid_until=c.valid_until,
        status=c.status(local_date(now)),
        revoked_at=c.revoked_at,
        revoked_reason=c.revoked_reason,
        holder_initials=c.holder_initials,
    )


def _summary_fields(a: ApplicationView, now: datetime) -> dict[str, Any]:
    applicant = a.applicant
    return {
        'id': a.id,
        'number': a.number,
        'form': a.form,
        'service_code': a.service_code,
        'status': a.status,
        'applicant': ApplicantOut(
            full_name=applicant.get('full_name', ''),
            fin=applicant.get('fin', ''),
            birth_date=applicant.get('birth_date'),
            address=applicant.get('address', ''),
            region=applicant.get('region'),
        ),
        'submitted_at': a.submitted_at,
        'due_on': a.due_on,
        'overdue': a.overdue(local_date(now)),
        'decided_at': a.decided_at,
        'updated_at': a.updated_at,
    }


def application_summary_out(a: ApplicationView, now: datetime) -> ApplicationSummaryOut:
    return ApplicationSummaryOut(**_summary_fields(a, now))


def application_out(a: ApplicationView, request: Request, now: datetime) -> ApplicationOut:
    return ApplicationOut(
        **_summary_fields(a, now),
        answers=a.answers,
        answer_rows=[AnswerRowOut(label=label, value=value) for label, value in answer_rows(a.form, a.answers, 'az')],
        files=[_file(a.id, f, request) for f in a.files],
        events=[_event(e) for e in a.events],
        decision_certificate_id=a.decision_id,
    )


def _file(application_id: UUID, f: FileView, request: Request) -> ApplicationFileOut:
    path = request.url_for('download_application_file', application_id=str(application_id), file_id=str(f.id)).path
    return ApplicationFileOut(
        id=f.id, document=f.document, filename=f.filename, content_type=f.content_type, size=f.size, url=path
    )


def _event(e: EventView) -> ApplicationEventOut:
    return ApplicationEventOut(kind=e.kind, actor_kind=e.actor_kind, actor_name=e.actor_name, note=e.note, at=e.at)
