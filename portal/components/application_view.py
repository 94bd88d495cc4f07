"""One application as its citizen or the executive's desk sees it: number, service, executive, status, deadline, the
applicant, the answers, the files, the decision and the timeline; redrawn live when the application changes.

The citizen answers a request for more information below it; the officer's moves are above it. Both are built once
and follow the application (shown or hidden), so a live update never wipes what is being written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import subscribe
from portal.components.pending_files import pending_files
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_date, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.services import applications
from portal.store.services.applications import ApplicationView, EventView
from portal.store.services.forms import FORMS
from portal.store.services.models import (
    APPLICATION_STATUS_WORDS,
    APPLICATION_TRANSITIONS,
    NOTE_MAX,
    ApplicationEventKind,
    ApplicationStatus,
)
from portal.store.workdays import local_date

STATUS_LABELS = APPLICATION_STATUS_WORDS
STATUS_COLORS = {
    ApplicationStatus.SUBMITTED: 'blue-8',
    ApplicationStatus.UNDER_REVIEW: 'warning',
    ApplicationStatus.NEEDS_INFO: 'purple',
    ApplicationStatus.APPROVED: 'positive',
    ApplicationStatus.REJECTED: 'negative',
}
EVENT_LABELS = {
    ApplicationEventKind.SUBMITTED: N_('Application submitted'),
    ApplicationEventKind.UNDER_REVIEW: N_('Taken for review'),
    ApplicationEventKind.NEEDS_INFO: N_('More information requested'),
    ApplicationEventKind.INFO_PROVIDED: N_('Information provided'),
    ApplicationEventKind.APPROVED: N_('Approved'),
    ApplicationEventKind.REJECTED: N_('Rejected'),
}
ACTOR_LABELS = {'citizen': N_('citizen'), 'officer': N_('officer'), 'integration': N_("executive's system")}

Listener = Callable[[ApplicationView], None]


def application_title(form: str) -> str:
    spec = FORMS.get(form)
    return _(spec.title) if spec else form


def file_url(application_id: UUID, file_id: UUID) -> str:
    return f'/files/applications/{application_id}/{file_id}'


class application_status(ui.badge):  # an element-like component
    def __init__(self, status: ApplicationStatus) -> None:
        super().__init__(_(STATUS_LABELS[status]), color=STATUS_COLORS[status])
        self.mark('application-status', f'application-status-{status.value}')


class application_view(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, view: ApplicationView, topic: str, title: str | None = None) -> None:
        super().__init__()
        self.actor, self.view = actor, view
        self.title = title or application_title(view.form)  # the service's title in the catalogue, or the form's
        self.listeners: list[Listener] = []  # told about every new state (the answer form, the officer's moves)
        self.classes('w-full gap-4').mark('application-view')
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(topic, self._on_event)

    def show(self, view: ApplicationView) -> None:
        self.view = view
        self.render.refresh()
        for listener in self.listeners:
            listener(view)

    async def reload(self) -> None:
        try:
            view = await applications.get_application(actor=self.actor, application_id=self.view.id)
        except DomainError:  # no longer readable: keep what is shown
            return
        self.show(view)

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'application.updated' and event.data.get('application_id') == str(self.view.id):
            await self.reload()
        # the approval is published before its signed decision is issued: the decision's own event brings the link
        elif event.kind == 'certificate.issued' and self._awaits_decision():
            await self.reload()

    def _awaits_decision(self) -> bool:
        return self.view.status is ApplicationStatus.APPROVED and self.view.decision_id is None

    def _render(self) -> None:
        v = self.view
        with ui.card().classes('w-full gap-2'):
            with ui.row().classes('w-full items-center gap-3'):
                ui.label(self.title).classes('text-h6 grow').mark('application-title')
                application_status(v.status)
            ui.label(_('Application number: {number}', number=v.number)).mark('application-number')
            ui.label(_('To: {organisation}', organisation=v.executive_name)).mark('application-executive')
            ui.label(_('Submitted on {time}', time=fmt_datetime(v.submitted_at))).mark('application-submitted')
            _deadline(v)
        _request(v)
        _outcome(v)
        with ui.card().classes('w-full gap-1').mark('application-applicant'):
            ui.label(_('Applicant')).classes('text-subtitle1 text-weight-medium')
            a = v.applicant
            born = fmt_date(date.fromisoformat(str(a['birth_date']))) if a.get('birth_date') else '—'
            _rows(
                [
                    (_('Full name'), str(a.get('full_name') or '—')),
                    (_('FIN'), str(a.get('fin') or '—')),
                    (_('Date of birth'), born),
                    (_('Registered address'), str(a.get('address') or '—')),
                ],
                'applicant-row',
            )
        with ui.card().classes('w-full gap-1').mark('application-answers'):
            ui.label(_('Application')).classes('text-subtitle1 text-weight-medium')
            _rows(applications.answer_rows(v.form, v.answers, current_language()), 'answer-row')
        _files(v)
        with ui.card().classes('w-full'):
            ui.label(_('Timeline')).classes('text-subtitle1 text-weight-medium')
            application_timeline(list(v.events))


def application_timeline(events: list[EventView]) -> None:
    """Every step with its time and the actor's role (the officer's name only where the store gives it: the desk)."""
    with ui.column().classes('w-full gap-0').mark('application-timeline'):
        for event in events:
            with ui.row().classes('w-full items-start gap-3 py-1 no-wrap').mark('app-step', f'app-step-{event.kind}'):
                ui.icon('radio_button_checked', color='grey-8').classes('mt-1')
                with ui.column().classes('gap-0'):
                    ui.label(_(EVENT_LABELS[event.kind])).classes('text-weight-medium')
                    who = _(ACTOR_LABELS.get(event.actor_kind, N_('system')))
                    if event.actor_name:
                        who = f'{who}: {event.actor_name}'
                    ui.label(f'{fmt_datetime(event.at)} · {who}').classes('text-caption text-grey-8').mark(
                        'app-step-details'
                    )
                    if event.note:
                        ui.label(event.note).classes('text-caption whitespace-pre-wrap').mark('app-step-note')


def _deadline(v: ApplicationView) -> None:
    overdue = v.overdue(local_date(datetime.now(UTC)))
    with ui.row().classes('items-center gap-2').mark('application-deadline'):
        ui.icon('event', color='negative' if overdue else 'grey-8')
        due = ui.label(_('Decision due by {date}', date=fmt_date(v.due_on))).mark('application-due')
        if overdue:
            due.classes('text-negative text-weight-medium')
            ui.badge(_('overdue'), color='negative').mark('application-overdue')


def _last_note(v: ApplicationView, kind: ApplicationEventKind) -> str:
    return next((e.note for e in reversed(v.events) if e.kind is kind), '')


def _request(v: ApplicationView) -> None:
    if v.status is not ApplicationStatus.NEEDS_INFO:
        return
    with ui.card().classes('w-full gap-1 bg-purple-1').mark('info-request'):
        ui.label(_('The local executive asks for more information')).classes('text-subtitle1 text-weight-medium')
        note = _last_note(v, ApplicationEventKind.NEEDS_INFO)
        ui.label(note).classes('whitespace-pre-wrap').mark('info-request-note')


def _outcome(v: ApplicationView) -> None:
    if v.status is ApplicationStatus.APPROVED:
        with ui.card().classes('w-full gap-2').mark('application-approved'):
            with ui.row().classes('items-center gap-2'):
                ui.icon('verified', color='positive')
                ui.label(_('Approved')).classes('text-subtitle1 text-weight-medium text-positive')
            ui.label(_last_note(v, ApplicationEventKind.APPROVED)).classes('whitespace-pre-wrap').mark(
                'application-decision-text'
            )
            if v.decision_id is not None:
                ui.link(_('Download the signed decision (PDF)'), f'/files/certificates/{v.decision_id}').mark(
                    'decision-link'
                )
    elif v.status is ApplicationStatus.REJECTED:
        reason = _last_note(v, ApplicationEventKind.REJECTED)
        ui.label(_('Rejected. Reason: {reason}', reason=reason)).classes('text-negative whitespace-pre-wrap').mark(
            'application-rejected'
        )


def _rows(rows: list[tuple[str, str]], mark: str) -> None:
    for label, value in rows:
        with ui.row().classes('w-full gap-2 items-baseline no-wrap').mark(mark):
            ui.label(label).classes('text-grey-8 min-w-48')
            ui.label(value).classes('whitespace-pre-wrap')


def _files(v: ApplicationView) -> None:
    spec = FORMS.get(v.form)
    names = {d.name: _(d.label) for d in spec.documents} if spec else {}
    with ui.card().classes('w-full gap-1').mark('application-files'):
        ui.label(_('Documents')).classes('text-subtitle1 text-weight-medium')
        if not v.files:
            ui.label(_('No files.')).classes('text-grey-8')
        for file in v.files:
            with ui.row().classes('items-center gap-2'):
                ui.icon('attach_file')
                ui.link(file.filename, file_url(v.id, file.id)).mark('application-file-link')
                what = names.get(file.document, _('Further file'))
                ui.label(f'{what} · {fmt_datetime(file.added_at)}').classes('text-caption text-grey-8')


# -- the citizen's answer to a request for more information -----------------------------------------------------------


class information_answer(ui.card):  # an element-like component
    def __init__(self, *, actor: PersonActor, view: ApplicationView, on_done: Listener) -> None:
        super().__init__()
        self.actor, self.view, self.on_done = actor, view, on_done
        self.classes('w-full gap-2').mark('info-answer')
        with self:
            ui.label(_('Your answer')).classes('text-subtitle1 text-weight-medium')
            self.note = _note(_('Answer to the request'), 'info-answer-note')
            self.error = _error_label('info-answer-error')
            self.files = pending_files(
                label=_('Upload a file'),
                error=self.error,
                upload_mark='info-answer-upload',
                item_mark='info-answer-file',
            )
            self.send = ui.button(_('Send the answer'), icon='send', on_click=self._send).mark('info-answer-send')
        self.follow(view)

    def follow(self, view: ApplicationView) -> None:
        self.view = view
        self.set_visibility(view.status is ApplicationStatus.NEEDS_INFO)

    async def _send(self) -> None:
        self.error.set_visibility(False)
        self.send.disable()
        try:
            view = await applications.provide_information(
                actor=self.actor,
                application_id=self.view.id,
                note=self.note.value or '',
                uploads=[('', u) for u in self.files.uploads],
                now=datetime.now(UTC),
            )
        except DomainError as exc:
            show_error(exc, self.error)
            return
        finally:
            self.send.enable()
        self.note.value = ''
        self.files.forget()
        self.on_done(view)
        ui.notify(_('Your answer was sent.'), type='positive')


# -- the officer's moves --------------------------------------------------------------------------------------------

MOVES = {
    'take': ApplicationStatus.UNDER_REVIEW,
    'ask': ApplicationStatus.NEEDS_INFO,
    'approve': ApplicationStatus.APPROVED,
    'reject': ApplicationStatus.REJECTED,
}


class application_actions(ui.card):  # an element-like component
    """Only the moves the state machine allows from the status are offered; the store decides in the end."""

    def __init__(self, *, actor: PersonActor, view: ApplicationView, on_done: Listener) -> None:
        super().__init__()
        self.actor, self.view, self.on_done = actor, view, on_done
        self.classes('w-full').mark('application-actions')
        with self:
            ui.label(_('Actions')).classes('text-subtitle1 text-weight-medium')
            self.closed = ui.label(_('Nothing more to do: the application is decided.')).classes('text-grey-8')
            self.closed.mark('actions-closed')
            self.error = _error_label('actions-error')
            # the dialogs are built once and kept: an open one stays open while the application changes
            ask = self._dialog(
                'ask', _('Ask for more information'), _('What is missing (the citizen will read it)'), self._ask
            )
            approve = self._dialog(
                'approve', _('Approve the application'), _('Text of the decision (it is signed and issued)'), self._ok
            )
            reject = self._dialog(
                'reject', _('Reject the application'), _('Reason (the citizen will read it)'), self._no
            )
            with ui.row().classes('gap-2'):
                self.buttons = {
                    'take': ui.button(_('Take for review'), icon='manage_search', on_click=self._take),
                    'ask': ui.button(_('Ask for more information'), icon='help', on_click=ask.open),
                    'approve': ui.button(_('Approve'), icon='verified', on_click=approve.open),
                    'reject': ui.button(_('Reject'), icon='block', on_click=reject.open),
                }
            for name, button in self.buttons.items():
                button.props('outline' if name == 'reject' else '').mark(f'action-{name}')
        self.follow(view)

    def follow(self, view: ApplicationView) -> None:
        self.view = view
        allowed = APPLICATION_TRANSITIONS[view.status]
        for name, button in self.buttons.items():
            button.set_visibility(MOVES[name] in allowed)
        self.closed.set_visibility(not allowed)

    async def run(self, move: Callable[[], Awaitable[ApplicationView]], error: ui.label) -> bool:
        error.set_visibility(False)
        try:
            view = await move()
        except DomainError as exc:
            show_error(exc, error)
            return False
        self.follow(view)
        self.on_done(view)
        ui.notify(_('Done'), type='positive')
        return True

    async def _take(self) -> None:
        await self.run(
            lambda: applications.take_for_review(actor=self.actor, application_id=self.view.id, now=datetime.now(UTC)),
            self.error,
        )

    def _ask(self, text: str) -> Awaitable[ApplicationView]:
        return applications.request_information(
            actor=self.actor, application_id=self.view.id, note=text, now=datetime.now(UTC)
        )

    def _ok(self, text: str) -> Awaitable[ApplicationView]:
        return applications.approve_application(
            actor=self.actor, application_id=self.view.id, decision=text, now=datetime.now(UTC), lang=current_language()
        )

    def _no(self, text: str) -> Awaitable[ApplicationView]:
        return applications.reject_application(
            actor=self.actor, application_id=self.view.id, reason=text, now=datetime.now(UTC)
        )

    def _dialog(
        self, mark: str, title: str, label: str, move: Callable[[str], Awaitable[ApplicationView]]
    ) -> ui.dialog:
        with ui.dialog() as dialog, ui.card().classes('w-full max-w-xl').mark(f'{mark}-dialog'):
            ui.label(title).classes('text-h6')
            text = _note(label, f'{mark}-text')
            error = _error_label(f'{mark}-error')

            async def submit() -> None:
                button.disable()
                try:
                    if await self.run(lambda: move(text.value or ''), error):
                        text.value = ''
                        dialog.close()
                finally:
                    button.enable()

            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                button = ui.button(title, on_click=submit).mark(f'{mark}-send')
        return dialog


def _note(label: str, mark: str) -> ui.textarea:
    return ui.textarea(label).props(f'maxlength={NOTE_MAX} counter autogrow').classes('w-full').mark(mark)


def _error_label(mark: str) -> ui.label:
    error = ui.label().classes('text-negative').mark(mark)
    error.set_visibility(False)
    return error
