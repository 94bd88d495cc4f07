"""E-certificates ("arayış") on screen: the preview before issuing, one issued certificate with its QR code, the
citizen's documents and applications (live), and what public verification may tell.

Every value comes from the registry or the issuer and is shown as text. The QR code is generated here from the
certificate's own verification address, so its SVG is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import segno
from nicegui import ui

from portal.components.errors import error_text, show_error
from portal.components.live import subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_date, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.services import applications, catalogue, certificates
from portal.store.services.applications import ApplicationView
from portal.store.services.certificates import CertificateView, Preview, Verification
from portal.store.services.forms import FORMS
from portal.store.services.models import APPLICATION_STATUS_WORDS
from portal.store.services.templates import Section
from portal.store.workdays import local_date

CERTIFICATE_STATUS = {'valid': N_('valid'), 'expired': N_('expired'), 'revoked': N_('revoked')}
CERTIFICATE_COLOURS = {'valid': 'positive', 'expired': 'grey-7', 'revoked': 'negative'}
APPLICATION_COLOURS = {
    'submitted': 'blue-8',
    'under_review': 'warning',
    'needs_info': 'purple',
    'approved': 'positive',
    'rejected': 'negative',
}


def certificate_url(certificate_id: UUID) -> str:
    return f'/documents/certificates/{certificate_id}'


def file_url(certificate_id: UUID) -> str:
    return f'/files/certificates/{certificate_id}'


def _today() -> date:
    return local_date(datetime.now(UTC))


def download_button(certificate_id: UUID) -> ui.button:
    """Yüklə: the signed PDF through the download route, which checks the session again."""
    url = file_url(certificate_id)
    return ui.button(_('Download'), icon='download', on_click=lambda: ui.download.from_url(url))


class status_badge(ui.badge):
    def __init__(self, status: str) -> None:
        super().__init__(_(CERTIFICATE_STATUS.get(status, status)), color=CERTIFICATE_COLOURS.get(status, 'grey-7'))
        self.mark('certificate-status', f'status-{status}')


def sections_table(sections: tuple[Section, ...]) -> None:
    for section in sections:
        with ui.column().classes('w-full gap-1').mark('certificate-section'):
            if section.title:
                ui.label(section.title).classes('text-subtitle2 text-weight-medium')
            with ui.grid(columns='minmax(10rem, auto) 1fr').classes('w-full gap-x-6 gap-y-1').props('role=table'):
                for label, value in section.rows:
                    with ui.element().classes('contents').props('role=row'):  # a row of the table, not of the grid
                        ui.label(label).classes('text-grey-8').props('role=rowheader')
                        ui.label(value).props('role=cell')


@dataclass(frozen=True)
class Offer:
    """A certificate the citizen could get now (its preview), or why not."""

    template: str
    preview: Preview | None
    problem: DomainError | None


async def load_offer(actor: PersonActor, template: str) -> Offer:
    try:
        preview = await certificates.preview_certificate(actor=actor, template=template, lang=current_language())
    except DomainError as exc:
        return Offer(template, None, exc)
    return Offer(template, preview, None)


def certificate_offer(actor: PersonActor, offer: Offer) -> None:
    """What the citizen's certificate would say, and the button that issues it; or why there is nothing to certify."""
    preview = offer.preview
    if preview is None:
        code = offer.problem.code if offer.problem else ''
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon('info', color='grey-8')
            text = error_text(offer.problem) if offer.problem else _('This certificate cannot be issued now.')
            ui.label(text).mark('certificate-no-record' if code == 'no_record' else 'certificate-unavailable')
        return
    issuer = preview.issuer_name_en if current_language() == 'en' and preview.issuer_name_en else preview.issuer_name_az
    with ui.column().classes('w-full gap-3').mark('certificate-preview'):
        ui.label(_('Your certificate will say:')).classes('text-subtitle1 text-weight-medium')
        ui.label(preview.title).classes('text-h6').mark('preview-title')
        ui.label(_('Issued by {issuer}', issuer=issuer)).mark('preview-issuer')
        sections_table(preview.sections)
        error = ui.label().classes('text-negative').mark('certificate-error')
        error.set_visibility(False)

        async def get() -> None:
            error.set_visibility(False)
            button.props('loading').disable()
            try:
                view = await certificates.issue_certificate(
                    actor=actor, template=offer.template, now=datetime.now(UTC), lang=current_language()
                )
            except DomainError as exc:
                show_error(exc, error)
                button.props(remove='loading').enable()
                return
            ui.navigate.to(certificate_url(view.id))

        button = ui.button(_('Get the certificate'), icon='verified', on_click=get).mark('get-certificate')


class certificate_view(ui.column):  # an element-like component
    """One issued certificate: what it says, who issued it, its state, code and QR code; redrawn live on revocation."""

    def __init__(self, *, actor: PersonActor, view: CertificateView, topic: str) -> None:
        super().__init__()
        self.actor, self.view = actor, view
        self.classes('w-full gap-4').mark('certificate-view')
        url = certificates.verify_url(view.code)
        qr = segno.make(url, error='m').svg_inline(scale=4)
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
            with ui.card().classes('w-full gap-2'):
                ui.label(_('Check this certificate')).classes('text-subtitle1 text-weight-medium')
                with ui.row().classes('items-center gap-6'):
                    code_image = ui.html(qr, sanitize=False).props('role=img').mark('certificate-qr')
                    code_image.props['aria-label'] = _('QR code leading to the verification page')
                    with ui.column().classes('gap-1'):
                        ui.label(_('Verification code')).classes('text-grey-8')
                        ui.label(view.code).classes('text-h6 font-mono').mark('certificate-code')
                        ui.link(url, f'/verify/{view.code}').classes('break-all').mark('certificate-verify-link')
            download_button(view.id).mark('certificate-download')
        subscribe(topic, self._on_event)

    def _render(self) -> None:
        v, lang = self.view, current_language()
        status = v.status(_today())
        with ui.card().classes('w-full gap-2'):
            with ui.row().classes('w-full items-center gap-3'):
                ui.label(v.title).classes('text-h6 grow').mark('certificate-title')
                status_badge(status)
            ui.label(_('Issued by {issuer}', issuer=v.issuer_name(lang))).mark('certificate-issuer')
            ui.label(_('Issued on {time}', time=fmt_datetime(v.issued_at))).mark('certificate-issued')
            if v.valid_until is not None:
                ui.label(_('Valid until {date}', date=fmt_date(v.valid_until))).mark('certificate-valid-until')
            if v.revoked_at is not None:
                with ui.row().classes('items-center gap-2 no-wrap text-negative').mark('certificate-revoked'):
                    ui.icon('block')
                    ui.label(_('Revoked on {time}', time=fmt_datetime(v.revoked_at)))
                    if v.revoked_reason:
                        ui.label(_('Reason: {reason}', reason=v.revoked_reason)).classes('whitespace-pre-wrap')
            ui.separator()
            sections_table(v.sections)

    async def _on_event(self, event: Event) -> None:
        if event.kind != 'certificate.revoked' or event.data.get('certificate_id') != str(self.view.id):
            return
        try:
            self.view = await certificates.get_certificate(actor=self.actor, certificate_id=self.view.id)
        except DomainError:
            return
        self.render.refresh()


@dataclass(frozen=True)
class Documents:
    certificates: list[CertificateView]
    applications: list[ApplicationView]
    titles: dict[str, str]  # service code → its title, for the applications


async def load_documents(actor: PersonActor) -> Documents:
    issued = await certificates.list_certificates(actor=actor, person_id=actor.person_id)
    mine = await applications.list_my_applications(actor=actor, person_id=actor.person_id)
    titles: dict[str, str] = {}
    if mine:
        lang = current_language()
        titles = {s.code: s.title(lang) for s in await catalogue.list_services()}
    return Documents(issued, mine, titles)


class my_documents(ui.column):  # an element-like component
    """Sənədlərim: issued certificates and decisions, and applications; redrawn when one of them changes."""

    def __init__(self, *, actor: PersonActor, documents: Documents) -> None:
        super().__init__()
        self.actor, self.documents = actor, documents
        self.classes('w-full gap-4').mark('my-documents')
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    async def _on_event(self, event: Event) -> None:
        if event.kind.startswith('certificate.') or event.kind == 'application.updated':
            self.documents = await load_documents(self.actor)
            self.render.refresh()

    def _render(self) -> None:
        with ui.card().classes('w-full gap-1'):
            ui.label(_('Certificates and decisions')).classes('text-h6')
            if not self.documents.certificates:
                ui.label(_('No certificates yet.')).classes('text-grey-8').mark('certificates-empty')
            for view in self.documents.certificates:
                _certificate_row(view)
        with ui.card().classes('w-full gap-1'):
            ui.label(_('Applications')).classes('text-h6')
            if not self.documents.applications:
                ui.label(_('No applications yet.')).classes('text-grey-8').mark('applications-empty')
            for item in self.documents.applications:
                _application_row(item, self.documents.titles)


def _certificate_row(view: CertificateView) -> None:
    with ui.row().classes('w-full items-center gap-3 py-2 border-b sm:flex-nowrap').mark('certificate-row', view.code):
        with ui.column().classes('gap-0 grow min-w-0'):
            ui.link(view.title, certificate_url(view.id)).mark('certificate-link')
            details = _('{code} · issued on {date}', code=view.code, date=fmt_date(local_date(view.issued_at)))
            ui.label(details).classes('text-caption text-grey-8')
        status_badge(view.status(_today()))
        download_button(view.id).props('flat dense').mark('certificate-row-download')


def _application_row(item: ApplicationView, titles: dict[str, str]) -> None:
    form = FORMS.get(item.form)
    title = titles.get(item.service_code) or (_(form.title) if form else item.form)
    status = str(item.status)
    with (
        ui.row().classes('w-full items-center gap-3 py-2 border-b sm:flex-nowrap').mark('application-row', item.number)
    ):
        with ui.column().classes('gap-0 grow min-w-0'):
            ui.link(f'{item.number} · {title}', f'/applications/{item.id}').mark('application-link')
            ui.label(item.executive_name).classes('text-caption text-grey-8')
        ui.label(_('due {date}', date=fmt_date(item.due_on))).classes(
            'text-caption text-negative' if item.overdue(_today()) else 'text-caption'
        )
        if item.overdue(_today()):
            ui.badge(_('overdue'), color='negative').mark('application-overdue')
        ui.badge(_(APPLICATION_STATUS_WORDS[item.status]), color=APPLICATION_COLOURS.get(status, 'grey-7')).mark(
            'application-status', f'application-{status}'
        )


def verification_result(result: Verification) -> None:
    """What anyone may learn of a certificate: genuine, its state, kind, issuer, dates and the holder's initials."""
    lang = current_language()
    issuer = result.issuer_name_en if lang == 'en' and result.issuer_name_en else result.issuer_name_az
    with ui.card().classes('w-full gap-2').mark('verification'):
        with ui.row().classes('items-center gap-2 no-wrap text-positive'):
            ui.icon('verified')
            ui.label(_('Genuine: this certificate was issued by the portal.')).classes('text-weight-medium').mark(
                'verify-genuine'
            )
        if result.file_matches is True:
            ui.label(_('The file is byte for byte the PDF the portal issued.')).classes('text-positive').mark(
                'verify-file-match'
            )
        elif result.file_matches is False:
            ui.label(_('The file is not the PDF issued with this code: it has been changed.')).classes(
                'text-negative text-weight-medium'
            ).mark('verify-file-mismatch')
        with ui.grid(columns='minmax(10rem, auto) 1fr').classes('w-full gap-x-6 gap-y-1'):
            ui.label(_('Status')).classes('text-grey-8')
            with ui.row().classes('items-center gap-2'):
                status_badge(result.status)
                if result.status == 'revoked' and result.revoked_on is not None:
                    ui.label(_('revoked on {date}', date=fmt_date(result.revoked_on))).mark('verify-revoked-on')
            for label, value, mark in (
                (N_('Type'), result.title, 'verify-title'),
                (N_('Issuer'), issuer, 'verify-issuer'),
                (N_('Issued on'), fmt_date(result.issued_on), 'verify-issued'),
                (N_('Valid until'), fmt_date(result.valid_until) if result.valid_until else '—', 'verify-valid-until'),
                (N_('Holder'), result.holder_initials, 'verify-holder'),
                (N_('Verification code'), result.code, 'verify-code-shown'),
            ):
                ui.label(_(label)).classes('text-grey-8')
                ui.label(value).mark(mark)
