"""Signing a letter with SİMA or ASAN İmza: the 4-digit code to compare on the phone, a countdown, a live wait.

The portal asks the citizen's device to sign the letter's digest (``letters.start_signing``), then waits on the
challenge's topic. When the phone signs, the letter is sent (``letters.send_signed``) and the browser goes to it;
when the phone refuses or the request expires, the draft stays a draft and the citizen may try again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error, show_problem
from portal.components.live import subscribe
from portal.errors import DomainError
from portal.i18n import _
from portal.live import Event
from portal.store import letters
from portal.store.actors import PersonActor
from portal.store.auth import ChallengeView, LoginMethod

DIGEST_SHOWN = 16


class letter_signing(ui.column):  # an element-like component
    """The sign buttons and, while waiting for the phone, the code and the time left."""

    def __init__(
        self,
        *,
        actor: PersonActor,
        letter_id: UUID,
        error: ui.label,
        on_refused_input: Callable[[DomainError], bool] | None = None,
    ) -> None:
        super().__init__()
        self.actor, self.letter_id, self.error = actor, letter_id, error
        # called with a refusal of start_signing; returns True when it was handled (e.g. a field to fix)
        self.on_refused_input = on_refused_input
        self.challenge: ChallengeView | None = None
        self.countdown: ui.timer | None = None
        self.classes('w-full gap-2').mark('letter-signing')
        with self:
            with ui.row().classes('gap-2') as self.buttons:
                ui.button(_('Sign with SİMA'), icon='draw', on_click=lambda: self.start(LoginMethod.SIMA)).mark(
                    'sign-sima'
                )
                ui.button(_('Sign with ASAN İmza'), icon='draw', on_click=lambda: self.start(LoginMethod.ASAN)).props(
                    'outline'
                ).mark('sign-asan')
            with ui.column().classes('items-center w-full gap-1') as self.waiting:
                ui.label(_('Verification code')).classes('text-caption')
                self.code = ui.label().classes('text-h3 tracking-widest').mark('sign-code')
                ui.label(_('Check that your phone shows the same code, then confirm with your PIN.')).classes(
                    'text-center'
                )
                self.digest = ui.label().classes('text-caption font-mono').mark('sign-digest')
                ui.spinner(size='lg')
                self.remaining = ui.label().classes('text-caption').mark('sign-remaining')
            self.waiting.set_visibility(False)

    async def start(self, method: LoginMethod) -> None:
        self.error.set_visibility(False)
        try:
            challenge = await letters.start_signing(
                actor=self.actor, letter_id=self.letter_id, method=method, now=datetime.now(UTC)
            )
        except DomainError as exc:
            if self.on_refused_input is None or not self.on_refused_input(exc):
                show_error(exc, self.error)
            return
        self.challenge = challenge
        self.code.set_text(challenge.code)
        self.digest.set_text(_('Document digest: {digest}…', digest=(challenge.digest or '')[:DIGEST_SHOWN]))
        self.waiting.set_visibility(True)
        self.buttons.set_visibility(False)
        subscribe(f'challenge:{challenge.id}', lambda event: self._on_event(challenge, event))
        with self:
            self.countdown = ui.timer(1, lambda: self._tick(challenge))
        self._tick(challenge)

    async def _on_event(self, challenge: ChallengeView, event: Event) -> None:
        if self.challenge is None or self.challenge.id != challenge.id:
            return  # an earlier attempt's late answer
        self._stop()
        if event.kind != 'challenge.signed':
            show_problem(_('The confirmation was refused on the phone. The letter was not sent.'), self.error)
            return
        try:
            sent = await letters.send_signed(
                actor=self.actor, letter_id=self.letter_id, challenge_id=challenge.id, now=datetime.now(UTC)
            )
        except DomainError as exc:
            show_error(exc, self.error)
            return
        ui.notify(_('Your letter has been signed and sent.'), type='positive')
        ui.navigate.to(f'/letters/{sent.id}')

    def _tick(self, challenge: ChallengeView) -> None:
        if self.challenge is None or self.challenge.id != challenge.id:
            return
        left = int((challenge.expires_at - datetime.now(UTC)).total_seconds())
        self.remaining.set_text(_('{seconds} s left', seconds=max(left, 0)))
        if left <= 0:
            self._stop()
            show_problem(_('The confirmation request has expired. Start again.'), self.error)

    def _stop(self) -> None:
        self.challenge = None
        if self.countdown is not None:
            self.countdown.cancel()
            self.countdown = None
        self.waiting.set_visibility(False)
        self.buttons.set_visibility(True)
