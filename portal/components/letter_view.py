"""One letter as its citizen or the organisation sees it: status, deadline, signature, text, files, forwarding,
answer and timeline; redrawn live when the letter (or its answer or copy) changes.

Everything users wrote is shown as text. Files are links to the download route, which checks the reader again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.letter_status import deadline_line, method_name, org_name, short_date, status_badge
from portal.components.letter_timeline import letter_timeline
from portal.components.live import subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, fmt_datetime
from portal.live import Event
from portal.store import letters
from portal.store.actors import PersonActor, Role
from portal.store.letters import AttachmentView, Direction, LetterStatus, LetterView, SignatureReport, SignatureState
from portal.store.letters.models import TRANSITIONS

SIGNATURE_PROBLEMS = {
    SignatureState.UNSIGNED: N_('The signature is missing.'),
    SignatureState.CONTENT_CHANGED: N_('The signature is not valid: the letter was changed after it was signed.'),
    SignatureState.ATTACHMENT_CHANGED: N_('The signature is not valid: a file was changed or is missing.'),
    SignatureState.SIGNATURE_INVALID: N_("The signature is not valid: it does not match the signer's key."),
}


def attachment_url(letter_id: UUID, attachment: AttachmentView) -> str:
    return f'/files/letters/{letter_id}/{attachment.id}'


class letter_view(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, view: LetterView, report: SignatureReport, topic: str) -> None:
        super().__init__()
        self.actor, self.view, self.report = actor, view, report
        self.citizen = actor.role is Role.CITIZEN
        # told about every new state of the letter (the officer's actions follow it)
        self.listeners: list[Callable[[LetterView], None]] = []
        self.classes('w-full gap-4').mark('letter-view')
        self.badge: status_badge  # the status shown, set by each render
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(topic, self._on_event)

    def show(self, view: LetterView) -> None:
        self.view = view
        self.render.refresh()
        for listener in self.listeners:
            listener(view)

    async def reload(self) -> None:
        try:
            view = await letters.get_letter(actor=self.actor, letter_id=self.view.id, now=datetime.now(UTC))
        except DomainError:  # no longer readable (e.g. the officer moved to another organisation): keep what is shown
            return
        self.show(view)

    async def _on_event(self, event: Event) -> None:
        if event.kind != 'letter.updated':
            return
        v = self.view
        if event.data.get('letter_id') == str(v.id):
            # the new status at once, from the event (published after the commit); the rest follows the read below
            status = LetterStatus(event.data['status'])
            if status is not v.status:
                self.badge.show(status)
        related = {v.id, v.origin_id, v.forwarded_to_id, v.summary.reply_to_id, v.answer.id if v.answer else None}
        if event.data.get('letter_id') in {str(i) for i in related if i}:
            await self.reload()

    def _render(self) -> None:
        v, s = self.view, self.view.summary
        with ui.card().classes('w-full gap-2'):
            with ui.row().classes('w-full items-center gap-3'):
                ui.label(s.title).classes('text-h6 grow').mark('letter-title')
                self.badge = status_badge(s.status)
            self._parties()
            deadline_line(s, v.investigation_reason)
            if not self.citizen and LetterStatus.FORWARDED in TRANSITIONS[s.status] and v.forward_due_on:
                ui.label(_('Can be forwarded until {date}', date=short_date(v.forward_due_on))).classes(
                    'text-caption text-grey-8'
                ).mark('letter-forward-due')
            if s.direction is Direction.INBOUND:
                _signature_line(self.report)
            ui.separator()
            ui.label(v.body).classes('whitespace-pre-wrap').mark('letter-body')
            _attachments(v.id, v.attachments)
            self._outcome()
        if v.answer is not None:
            _answer(v.answer)
        with ui.card().classes('w-full'):
            ui.label(_('Timeline')).classes('text-subtitle1 text-weight-medium')
            letter_timeline(v.timeline)

    def _parties(self) -> None:
        s = self.view.summary
        lines: list[tuple[str, str]] = []
        if s.direction is Direction.INBOUND:
            if self.citizen:
                lines.append((_('To: {organisation}', organisation=org_name(s.organisation)), 'letter-to'))
            else:
                lines.append((_('From: {name} (FIN {fin})', name=s.citizen_name, fin=s.citizen_fin), 'letter-from'))
            if s.forwarded_from is not None:
                text = _('Forwarded from {organisation}', organisation=org_name(s.forwarded_from))
                lines.append((text, 'letter-forwarded-from'))
        elif self.citizen:
            lines.append((_('From: {organisation}', organisation=org_name(s.organisation)), 'letter-from'))
        else:
            lines.append((_('To: {name} (FIN {fin})', name=s.citizen_name, fin=s.citizen_fin), 'letter-to'))
        if s.delivered_at is not None:
            lines.append((_('Sent on {time}', time=fmt_datetime(s.delivered_at)), 'letter-sent-at'))
        for text, mark in lines:
            ui.label(text).mark(mark)
        if s.reply_to_id is not None:
            ui.link(_('In reply to the letter'), f'/letters/{s.reply_to_id}').mark('letter-reply-to')

    def _outcome(self) -> None:
        v = self.view
        if v.status is LetterStatus.FORWARDED and v.forwarded_to is not None:
            with ui.row().classes('items-center gap-2').mark('letter-forwarded-to'):
                ui.icon('forward', color='purple')
                ui.label(_('Forwarded to {organisation}', organisation=org_name(v.forwarded_to)))
                if self.citizen and v.forwarded_to_id is not None:  # the copy is the citizen's; not the old desk's
                    ui.link(_('Follow the letter'), f'/letters/{v.forwarded_to_id}').mark('letter-follow')
            if v.closing_note:
                ui.label(_('Note: {note}', note=v.closing_note)).classes('whitespace-pre-wrap').mark('letter-note')
        if v.status is LetterStatus.REJECTED:
            ui.label(_('Rejected. Reason: {reason}', reason=v.closing_note)).classes(
                'text-negative whitespace-pre-wrap'
            ).mark('letter-rejected')


def _signature_line(report: SignatureReport) -> None:
    marks = ('signature-line', f'signature-{report.state.value}')
    if report.signer is None:
        ui.label(_('Not signed')).classes('text-negative').mark(*marks)
        return
    signed = _(
        'Signed by {name} with {method} on {date}',
        name=report.signer.full_name,
        method=method_name(report.signer.method),
        date=fmt_datetime(report.signer.signed_at),
    )
    with ui.row().classes('items-center gap-2 no-wrap'):
        if report.valid:
            ui.icon('verified', color='positive')
            ui.label(_('{signed} — signature valid', signed=signed)).classes('text-positive').mark(*marks)
        else:
            ui.icon('gpp_bad', color='negative')
            problem = _(SIGNATURE_PROBLEMS[report.state])
            ui.label(f'{signed} — {problem}').classes('text-negative text-weight-medium').mark(*marks)


def _attachments(letter_id: UUID, attachments: list[AttachmentView]) -> None:
    if not attachments:
        return
    with ui.column().classes('gap-1').mark('letter-attachments'):
        for attachment in attachments:
            with ui.row().classes('items-center gap-2'):
                ui.icon('attach_file')
                ui.link(attachment.filename, attachment_url(letter_id, attachment)).mark('attachment-link')


def _answer(answer: LetterView) -> None:
    with ui.card().classes('w-full gap-2').props('flat bordered').mark('letter-answer'):
        with ui.row().classes('w-full items-center gap-3'):
            ui.icon('reply', color='positive')
            ui.label(_('Answer')).classes('text-subtitle1 text-weight-medium grow')
            when = answer.summary.delivered_at or answer.summary.created_at
            ui.label(fmt_datetime(when)).classes('text-caption text-grey-8')
        ui.label(answer.body).classes('whitespace-pre-wrap').mark('answer-body')
        _attachments(answer.id, answer.attachments)
        ui.link(_('Open the answer'), f'/letters/{answer.id}').mark('answer-link')
