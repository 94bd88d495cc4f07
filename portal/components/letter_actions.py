"""The officer's moves on an incoming letter: received, under review (with or without an investigation), answer,
forward, reject.

Only the moves the state machine allows from the letter's status are offered; the store decides in the end (another
officer may have moved the letter meanwhile) and its refusal is shown. The buttons follow the letter live, while the
dialogs are built once and kept (an open one stays open), so a live update never wipes an answer being written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error, show_problem
from portal.components.pending_files import pending_files
from portal.errors import DomainError
from portal.i18n import _
from portal.store import letters
from portal.store.actors import PersonActor
from portal.store.letters import Direction, LetterStatus, LetterView
from portal.store.letters.models import BODY_MAX, NOTE_MAX, TRANSITIONS

Done = Callable[[LetterView], None]


class letter_actions(ui.card):  # an element-like component
    def __init__(self, *, actor: PersonActor, view: LetterView, organisations: dict[str, str], on_done: Done) -> None:
        super().__init__()
        self.actor, self.view, self.on_done = actor, view, on_done
        self.organisations = organisations
        self.dialogs: dict[str, ui.dialog] = {}
        self.classes('w-full').mark('letter-actions')
        with self:
            ui.label(_('Actions')).classes('text-subtitle1 text-weight-medium')
            self.closed = ui.label(_('Nothing more to do: the letter is closed.')).classes('text-grey-8')
            self.closed.mark('actions-closed')
            with ui.row().classes('gap-2'):
                self.buttons = {
                    'received': ui.button(_('Mark received'), icon='inbox', on_click=self._received),
                    'review': ui.button(
                        _('Mark under review'), icon='manage_search', on_click=lambda: self._open('review')
                    ),
                    'investigation': ui.button(
                        _('Investigation needed'), icon='schedule', on_click=lambda: self._open('investigation')
                    ),
                    'answer': ui.button(_('Reply'), icon='reply', on_click=lambda: self._open('answer')),
                    'forward': ui.button(_('Forward'), icon='forward', on_click=lambda: self._open('forward')),
                    'reject': ui.button(_('Reject'), icon='block', on_click=lambda: self._open('reject')),
                }
            for name, button in self.buttons.items():
                button.props('outline' if name in ('forward', 'reject') else '').mark(f'action-{name}')
        self.follow(view)

    def follow(self, view: LetterView) -> None:
        """Offer the moves allowed from the letter's status now."""
        self.view = view
        allowed = TRANSITIONS[view.status] if view.summary.direction is Direction.INBOUND else frozenset()
        shown = {
            'received': LetterStatus.RECEIVED in allowed,
            'review': LetterStatus.UNDER_REVIEW in allowed,
            'investigation': view.status is LetterStatus.UNDER_REVIEW and not view.summary.investigation,
            'answer': LetterStatus.ANSWERED in allowed,
            'forward': LetterStatus.FORWARDED in allowed,
            'reject': LetterStatus.REJECTED in allowed,
        }
        for name, button in self.buttons.items():
            button.set_visibility(shown[name])
        # the card itself stays: it holds the dialogs, and one may be open while another officer closes the letter
        self.closed.set_visibility(not any(shown.values()))

    async def run(self, move: Callable[[], Awaitable[LetterView]], error: ui.label | None = None) -> bool:
        """Make a move; show the store's refusal, or pass the letter's new state on."""
        try:
            view = await move()
        except DomainError as exc:
            show_error(exc, error)
            return False
        self.follow(view)
        self.on_done(view)
        ui.notify(_('Done'), type='positive')
        return True

    async def _received(self) -> None:
        await self.run(lambda: self.set_status(LetterStatus.RECEIVED))

    def set_status(self, status: LetterStatus, *, reason: str = '', investigation: str = '') -> Awaitable[LetterView]:
        return letters.set_status(
            actor=self.actor,
            letter_id=self.view.id,
            status=status,
            reason=reason,
            investigation_reason=investigation,
            now=datetime.now(UTC),
        )

    def _open(self, name: str) -> None:
        if name not in self.dialogs:
            with self:
                self.dialogs[name] = BUILDERS[name](self)
        self.dialogs[name].open()

    @property
    def letter_id(self) -> UUID:
        return self.view.id


def _dialog(title: str, mark: str) -> tuple[ui.dialog, ui.card]:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-xl').mark(f'{mark}-dialog') as card:
        ui.label(title).classes('text-h6')
    return dialog, card


def _error_label(mark: str) -> ui.label:
    error = ui.label().classes('text-negative').mark(f'{mark}-error')
    error.set_visibility(False)
    return error


def _buttons(dialog: ui.dialog, label: str, mark: str, submit: Callable[[], Awaitable[None]]) -> None:
    with ui.row().classes('w-full justify-end'):
        ui.button(_('Cancel'), on_click=dialog.close).props('flat')
        ui.button(label, on_click=submit).mark(f'{mark}-send')


def _note(label: str, mark: str, limit: int = NOTE_MAX) -> ui.textarea:
    return ui.textarea(label).props(f'maxlength={limit} counter autogrow').classes('w-full').mark(mark)


def _review_dialog(actions: letter_actions, *, extend_only: bool) -> ui.dialog:
    mark = 'investigation' if extend_only else 'review'
    title = _('Investigation needed') if extend_only else _('Under review')
    dialog, card = _dialog(title, mark)
    with card:
        ui.label(
            _('An investigation extends the deadline to 30 working days from receipt; the citizen sees the reason.')
        ).classes('text-body2')
        needed = ui.checkbox(_('Investigation needed'), value=extend_only).mark(f'{mark}-needed')
        needed.set_visibility(not extend_only)
        reason = _note(_('Reason for the investigation'), f'{mark}-reason')
        reason.bind_visibility_from(needed, 'value')
        error = _error_label(mark)

        async def submit() -> None:
            error.set_visibility(False)
            why = (reason.value or '') if needed.value else ''
            if needed.value and not why.strip():
                show_problem(_('Please give the reason.'), error)
                return
            if await actions.run(lambda: actions.set_status(LetterStatus.UNDER_REVIEW, investigation=why), error):
                reason.value = ''
                dialog.close()

        _buttons(dialog, _('Save'), mark, submit)
    return dialog


def _answer_dialog(actions: letter_actions) -> ui.dialog:
    dialog, card = _dialog(_('Answer the letter'), 'answer')
    with card:
        text = _note(_('Text of the answer'), 'answer-text', BODY_MAX)
        error = _error_label('answer')
        attached = pending_files(
            label=_('Upload a file'), error=error, upload_mark='answer-upload', item_mark='answer-file'
        )
        attached.mark('answer-files')

        async def submit() -> None:
            error.set_visibility(False)

            async def answer() -> LetterView:
                return await letters.answer_letter(
                    actor=actions.actor,
                    letter_id=actions.letter_id,
                    text=text.value or '',
                    uploads=list(attached.uploads),
                    now=datetime.now(UTC),
                )

            if await actions.run(answer, error):
                text.value = ''
                attached.forget()
                dialog.close()

        _buttons(dialog, _('Send the answer'), 'answer', submit)
    return dialog


def _forward_dialog(actions: letter_actions) -> ui.dialog:
    dialog, card = _dialog(_('Forward the letter'), 'forward')
    own = actions.view.summary.organisation.code if actions.view.summary.organisation else None
    options = {code: name for code, name in actions.organisations.items() if code != own}
    with card:
        ui.label(_('A letter can only be forwarded within 3 working days of its receipt.')).classes('text-body2')
        target = ui.select(options, label=_('Forward to'), with_input=True, clearable=True).classes('w-full')
        target.mark('forward-to')
        note = _note(_('Note'), 'forward-note')
        error = _error_label('forward')

        async def submit() -> None:
            error.set_visibility(False)

            async def forward() -> LetterView:
                return await letters.forward_letter(
                    actor=actions.actor,
                    letter_id=actions.letter_id,
                    to_code=target.value or '',
                    note=note.value or '',
                    now=datetime.now(UTC),
                )

            if await actions.run(forward, error):
                note.value = ''
                dialog.close()

        _buttons(dialog, _('Forward'), 'forward', submit)
    return dialog


def _reject_dialog(actions: letter_actions) -> ui.dialog:
    dialog, card = _dialog(_('Reject the letter'), 'reject')
    with card:
        reason = _note(_('Reason (the citizen will read it)'), 'reject-reason')
        error = _error_label('reject')

        async def submit() -> None:
            error.set_visibility(False)
            if await actions.run(lambda: actions.set_status(LetterStatus.REJECTED, reason=reason.value or ''), error):
                reason.value = ''
                dialog.close()

        _buttons(dialog, _('Reject'), 'reject', submit)
    return dialog


BUILDERS: dict[str, Callable[[letter_actions], ui.dialog]] = {
    'review': lambda actions: _review_dialog(actions, extend_only=False),
    'investigation': lambda actions: _review_dialog(actions, extend_only=True),
    'answer': _answer_dialog,
    'forward': _forward_dialog,
    'reject': _reject_dialog,
}
