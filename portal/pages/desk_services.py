"""Officers' e-service desks: the executive's applications (the queue and one application with its moves), and
finding and revoking certificates the officer's organisation issued."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.application_queue import application_queue, load_queue
from portal.components.application_view import application_actions, application_view
from portal.components.errors import show_error
from portal.components.frame import frame
from portal.components.live import subscribe
from portal.config import Settings
from portal.errors import N_, DomainError
from portal.i18n import _, fmt_date, fmt_datetime
from portal.live import Event
from portal.pages.applications import open_application, service_title
from portal.pages.guard import require
from portal.pages.route import page
from portal.store import orgs
from portal.store.actors import PersonActor, Role
from portal.store.services import certificates
from portal.store.services.certificates import CertificateView
from portal.store.workdays import local_date

CERTIFICATE_STATES = {'valid': N_('valid'), 'expired': N_('expired'), 'revoked': N_('revoked')}
STATE_COLORS = {'valid': 'positive', 'expired': 'grey-7', 'revoked': 'negative'}


def register(settings: Settings) -> None:
    page('/desk/applications')(applications_page)  # the executive's applications: open first, live
    page('/desk/applications/{application_id}')(application_page)  # one application and the officer's moves
    page('/desk/certificates')(certificates_page)  # find an issued certificate by code, revoke it


async def applications_page() -> RedirectResponse | None:
    actor = await require(Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    topic = await _topic(actor)
    first = await load_queue(actor)
    with frame(_('Applications'), actor):
        application_queue(actor=actor, topic=topic, first=first)
    return None


async def application_page(application_id: str) -> RedirectResponse | None:
    actor = await require(Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    view = await open_application(actor, application_id)
    title = await service_title(view)
    topic = await _topic(actor)
    with frame(_('Application'), actor):
        if view is None:  # missing, malformed or another executive's: the same answer
            ui.label(_('Application not found.')).mark('application-not-found')
            ui.link(_('Back to the applications'), '/desk/applications')
            return None
        ui.link(_('Back to the applications'), '/desk/applications').mark('back-to-queue')
        above = ui.column().classes('w-full')
        shown = application_view(actor=actor, view=view, topic=topic, title=title)
        with above:
            actions = application_actions(actor=actor, view=view, on_done=shown.show)
        shown.listeners.append(actions.follow)
    return None


async def certificates_page() -> RedirectResponse | None:
    actor = await require(Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    topic = await _topic(actor)
    with frame(_('Issued certificates'), actor):
        certificate_desk(actor=actor, topic=topic)
    return None


async def _topic(actor: PersonActor) -> str:
    assert actor.organisation_id is not None  # officers belong to an organisation
    return (await orgs.get_organisation_by_id(actor.organisation_id)).topic


class certificate_desk(ui.column):  # an element-like component
    """Find a certificate the organisation issued, by its code; show it; revoke it with a reason."""

    def __init__(self, *, actor: PersonActor, topic: str) -> None:
        super().__init__()
        self.actor = actor
        self.found: CertificateView | None = None
        self.classes('w-full gap-4').mark('certificate-desk')
        with self:
            with ui.card().classes('w-full gap-2'):
                ui.label(_('Find a certificate by its verification code')).classes('text-subtitle1')
                with ui.row().classes('w-full items-end gap-3'):
                    self.code = ui.input(_('Verification code'), placeholder='K7QD-2M9X-P4TR-8ZHW')
                    self.code.props('maxlength=40').classes('min-w-64').mark('certificate-code')
                    self.code.on('keydown.enter', self.find)
                    ui.button(_('Find'), icon='search', on_click=self.find).mark('certificate-find')
                self.error = _error_label('certificate-error')
            self.shown = ui.column().classes('w-full')
        subscribe(topic, self._on_event)

    async def find(self) -> None:
        self.error.set_visibility(False)
        try:
            found = await certificates.find_issued(actor=self.actor, code=self.code.value or '')
        except DomainError as exc:
            self.show(None)
            show_error(exc, self.error)
            return
        self.show(found)

    def show(self, view: CertificateView | None) -> None:
        self.found = view
        self.shown.clear()
        if view is None:
            return
        state = view.status(local_date(datetime.now(UTC)))
        with self.shown, ui.card().classes('w-full gap-2').mark('certificate-found'):
            with ui.row().classes('w-full items-center gap-3'):
                ui.label(view.title).classes('text-h6 grow').mark('certificate-title')
                ui.badge(_(CERTIFICATE_STATES[state]), color=STATE_COLORS[state]).mark(
                    'certificate-state', f'certificate-state-{state}'
                )
            ui.label(_('Code: {code}', code=view.code)).mark('certificate-code-shown')
            ui.label(_('Holder: {initials}', initials=view.holder_initials)).mark('certificate-holder')
            ui.label(_('Issued on {time}', time=fmt_datetime(view.issued_at))).mark('certificate-issued')
            until = fmt_date(view.valid_until) if view.valid_until else _('no end date')
            ui.label(_('Valid until {date}', date=until)).mark('certificate-valid-until')
            if view.revoked_at is not None:
                ui.label(
                    _(
                        'Revoked on {time}. Reason: {reason}',
                        time=fmt_datetime(view.revoked_at),
                        reason=view.revoked_reason,
                    )
                ).classes('text-negative whitespace-pre-wrap').mark('certificate-revoked')
                return
            reason = ui.textarea(_('Reason for revoking')).props('maxlength=500 counter autogrow').classes('w-full')
            reason.mark('revoke-reason')
            error = _error_label('revoke-error')

            async def revoke() -> None:
                error.set_visibility(False)
                try:
                    revoked = await certificates.revoke_certificate(
                        actor=self.actor, code=view.code, reason=reason.value or '', now=datetime.now(UTC)
                    )
                except DomainError as exc:
                    show_error(exc, error)
                    return
                self.show(revoked)
                ui.notify(_('The certificate is revoked.'), type='positive')

            ui.button(_('Revoke'), icon='block', on_click=revoke).props('color=negative').mark('revoke-send')

    async def _on_event(self, event: Event) -> None:
        """Another officer revoked the certificate shown: show it as revoked."""
        if event.kind == 'certificate.revoked' and self.found and event.data.get('code') == self.found.code:
            try:
                self.show(await certificates.find_issued(actor=self.actor, code=self.found.code))
            except DomainError:
                return


def _error_label(mark: str) -> ui.label:
    error = ui.label().classes('text-negative').mark(mark)
    error.set_visibility(False)
    return error
