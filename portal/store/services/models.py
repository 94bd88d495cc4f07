"""E-services: the catalogue, the portal's signing keys, issued e-certificates and applications to local executives.

The catalogue is data (one row per service); a working service names what it does in ``action``
(``certificate:<template>``, ``application:<form>``, ``records:<kind>``, ``payment:<kind>``, ``letter:<org code>``);
the rest link honestly to their provider's own site.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from portal.errors import N_

CODE_MAX = 80
TITLE_MAX = 255
NOTE_MAX = 2_000
REASON_MAX = 500
FILENAME_MAX = 160
# a certificate's verification code: 16 characters of Crockford's base32 in four groups, e.g. K7QD-2M9X-P4TR-8ZHW
VERIFICATION_CODE_LENGTH = 19


class ServiceKind(StrEnum):
    CERTIFICATE = 'certificate'  # an e-certificate issued at once from registry data
    APPLICATION = 'application'  # a form to a local executive, processed on its desk
    RECORDS = 'records'  # the citizen's own registry data, shown in the cabinet
    PAYMENT = 'payment'  # a debt paid through the portal
    LETTER = 'letter'  # an official letter to the provider
    EXTERNAL = 'external'  # provided on the provider's own site: an honest link, nothing more


class Service(Model):
    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=CODE_MAX, unique=True)
    provider: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='services', on_delete=fields.RESTRICT
    )
    provider_id: UUID
    category = fields.CharField(max_length=32, db_index=True)
    kind = fields.CharEnumField(ServiceKind, max_length=16)
    # what a working service does: e.g. 'certificate:idp_status', 'application:housing_queue' ('' when external)
    action = fields.CharField(max_length=CODE_MAX, default='')
    title_az = fields.CharField(max_length=TITLE_MAX)
    title_en = fields.CharField(max_length=TITLE_MAX)
    summary_az = fields.TextField(default='')
    summary_en = fields.TextField(default='')
    # what the citizen needs, one line each: {'az': [...], 'en': [...]}
    requirements: dict[str, list[str]] = fields.JSONField(default=dict)
    # how long it takes in working days (0: at once)
    duration_days = fields.IntField(default=0)
    # the provider's own page (external services; optional for working ones)
    url = fields.CharField(max_length=500, default='')
    # titles and summaries folded for search (Azerbaijani case rules)
    search_text = fields.TextField(default='')
    position = fields.IntField(default=0)

    class Meta:
        table = 'services'
        ordering = ('position', 'title_az')


class SigningIdentity(Model):
    """A key pair and certificate of the portal's certificate authority: the root, or an organisation's signing
    certificate issued by it. Private keys are kept encrypted with the portal's secret."""

    id = fields.UUIDField(primary_key=True)
    # 'root' or an organisation's code
    subject = fields.CharField(max_length=48, unique=True)
    certificate_pem = fields.TextField()
    key_pem = fields.TextField()
    not_after = fields.DatetimeField()
    created_at = fields.DatetimeField()

    class Meta:
        table = 'signing_identities'


class Certificate(Model):
    """An issued e-certificate ("arayış") or a signed decision: a PDF signed by the issuer, with a verification code."""

    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=VERIFICATION_CODE_LENGTH, unique=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='certificates', on_delete=fields.RESTRICT
    )
    person_id: UUID
    issuer: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='certificates', on_delete=fields.RESTRICT
    )
    issuer_id: UUID
    # a certificate template ('idp_status', …) or 'decision' for an application's decision
    template = fields.CharField(max_length=48)
    title = fields.CharField(max_length=TITLE_MAX)
    lang = fields.CharField(max_length=8)
    # what the certificate says, as issued: [{'title': str | None, 'rows': [[label, value], …]}, …]
    content: list[dict[str, Any]] = fields.JSONField()
    holder_initials = fields.CharField(max_length=16)
    storage_name = fields.CharField(max_length=64)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.IntField()
    issued_at = fields.DatetimeField()
    valid_until = fields.DateField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=REASON_MAX, default='')
    revoked_by = fields.CharField(max_length=TITLE_MAX, default='')
    application: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        'portal.Application', related_name='decisions', null=True, on_delete=fields.RESTRICT
    )
    application_id: UUID | None

    class Meta:
        table = 'certificates'
        indexes = (('person_id', 'issued_at'),)


class ApplicationStatus(StrEnum):
    SUBMITTED = 'submitted'
    UNDER_REVIEW = 'under_review'
    NEEDS_INFO = 'needs_info'
    APPROVED = 'approved'
    REJECTED = 'rejected'


APPLICATION_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.UNDER_REVIEW, ApplicationStatus.NEEDS_INFO, ApplicationStatus.REJECTED}
    ),
    ApplicationStatus.UNDER_REVIEW: frozenset(
        {ApplicationStatus.NEEDS_INFO, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED}
    ),
    # the citizen's answer puts it back under review
    ApplicationStatus.NEEDS_INFO: frozenset({ApplicationStatus.UNDER_REVIEW, ApplicationStatus.REJECTED}),
    ApplicationStatus.APPROVED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
}
# the words a status is shown with (msgids), on pages and in notices alike
APPLICATION_STATUS_WORDS: dict[ApplicationStatus, str] = {
    ApplicationStatus.SUBMITTED: N_('submitted'),
    ApplicationStatus.UNDER_REVIEW: N_('under review'),
    ApplicationStatus.NEEDS_INFO: N_('more information needed'),
    ApplicationStatus.APPROVED: N_('approved'),
    ApplicationStatus.REJECTED: N_('rejected'),
}
OPEN_APPLICATION_STATUSES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.NEEDS_INFO}
)


class Application(Model):
    id = fields.UUIDField(primary_key=True)
    # a short number the citizen and the officer can quote, e.g. 'R-2026-000123'
    number = fields.CharField(max_length=24, unique=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='applications', on_delete=fields.RESTRICT
    )
    person_id: UUID
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='applications', on_delete=fields.RESTRICT
    )
    executive_id: UUID
    form = fields.CharField(max_length=48)
    service_code = fields.CharField(max_length=CODE_MAX)
    status = fields.CharEnumField(ApplicationStatus, max_length=16, db_index=True)
    # the applicant as the registry knew them when applying (never retyped)
    applicant: dict[str, Any] = fields.JSONField()
    # the form's values, checked against its schema
    answers: dict[str, Any] = fields.JSONField()
    submitted_at = fields.DatetimeField()
    due_on = fields.DateField()
    decided_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = 'applications'
        indexes = (('executive_id', 'status'), ('person_id', 'submitted_at'))


class ApplicationFile(Model):
    id = fields.UUIDField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        'portal.Application', related_name='files', on_delete=fields.CASCADE
    )
    application_id: UUID
    # which required document it is (a key of the form's documents), or '' for a further file
    document = fields.CharField(max_length=48, default='')
    filename = fields.CharField(max_length=FILENAME_MAX)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_name = fields.CharField(max_length=64, unique=True)
    position = fields.IntField()
    added_at = fields.DatetimeField()

    class Meta:
        table = 'application_files'
        ordering = ('position',)


class ApplicationEventKind(StrEnum):
    SUBMITTED = 'submitted'
    UNDER_REVIEW = 'under_review'
    NEEDS_INFO = 'needs_info'
    INFO_PROVIDED = 'info_provided'
    APPROVED = 'approved'
    REJECTED = 'rejected'


class ApplicationEvent(Model):
    id = fields.UUIDField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        'portal.Application', related_name='events', on_delete=fields.CASCADE
    )
    application_id: UUID
    kind = fields.CharEnumField(ApplicationEventKind, max_length=16)
    # 'citizen', 'officer', 'integration' (as the citizen sees it) and the name recorded for the desk
    actor_kind = fields.CharField(max_length=16)
    actor_name = fields.CharField(max_length=TITLE_MAX, default='')
    note = fields.TextField(default='')
    at = fields.DatetimeField()

    class Meta:
        table = 'application_events'
        ordering = ('at',)
