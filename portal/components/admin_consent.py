"""The administrators' side of consent: citizens' disputes of accesses to their data (closed with an answer), live on
``admin:disputes``, and the organisations' webhooks (added with a secret shown once, removed).

The lists are redrawn on every change, so what the administrator is typing lives outside them: the dialogs are built
once, beside the lists, and told which dispute or webhook they are about when they open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import FoldedReload, subscribe
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.consent import permissions, webhooks
from portal.store.consent.models import DisputeState
from portal.store.consent.permissions import CATEGORIES, DisputeView
from portal.store.consent.webhooks import WebhookView

DISPUTES_TOPIC = 'admin:disputes'
ANSWER_MAX = 2000


class dispute_list(ui.card):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: list[DisputeView]) -> None:
        super().__init__()
        self.actor, self.items, self.show_closed = actor, first, False
        self.classes('w-full').mark('disputes')
        with self:
            self.dialog = close_dialog(on_close=self._close)
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(_('Disputed accesses')).classes('text-h6')
                self.count = ui.badge().mark('disputes-open-count')
                ui.space()
                ui.switch(_('Show closed disputes'), on_change=self._toggle).mark('disputes-show-closed')
            self.render = ui.refreshable(self._render)  # per instance: a class-level one is shared by every client
            self.render()
        self.reload = FoldedReload(self._reload)
        subscribe(DISPUTES_TOPIC, self._on_event)

    def _render(self) -> None:
        opened = sum(1 for d in self.items if d.state is DisputeState.OPEN)
        self.count.set_text(str(opened))
        if not self.items:
            ui.label(_('No citizen has disputed an access.')).classes('text-grey-8').mark('disputes-empty')
        for item in self.items:
            _dispute_card(item, on_close=self.dialog.ask)

    async def _toggle(self, event: object) -> None:
        self.show_closed = bool(getattr(event, 'value', False))
        await self.reload()

    async def _reload(self) -> None:
        self.items = await permissions.list_disputes(actor=self.actor, open_only=not self.show_closed)
        if not self.is_deleted:
            self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind.startswith('dispute.'):
            await self.reload()

    async def _close(self, dispute_id: UUID, answer: str) -> None:
        await permissions.close_dispute(actor=self.actor, dispute_id=dispute_id, answer=answer, now=datetime.now(UTC))
        ui.notify(_('The dispute is closed.'), type='positive')
        await self.reload()


def _dispute_card(item: DisputeView, *, on_close: Callable[[DisputeView], None]) -> None:
    closed = item.state is DisputeState.CLOSED
    with ui.card().classes('w-full').props('flat bordered').mark('dispute', f'dispute-{item.id}'):
        with ui.row().classes('w-full items-baseline gap-3'):
            ui.label(item.person_name).classes('text-subtitle1 text-weight-medium').mark('dispute-citizen')
            ui.label(item.organisation_name).mark('dispute-organisation')
            ui.space()
            if closed:
                ui.badge(_('closed'), color='grey-7').mark('dispute-closed')
            ui.label(_('Filed {time}', time=fmt_datetime(item.created_at))).classes('text-caption text-grey-8')
        categories = ', '.join(_(CATEGORIES[c][0]) if c in CATEGORIES else c for c in item.categories)
        ui.label(_('Data: {categories}', categories=categories)).mark('dispute-categories')
        ui.label(_('Purpose: {purpose}', purpose=item.purpose)).mark('dispute-purpose')
        ui.label(_('Accessed {time}', time=fmt_datetime(item.accessed_at))).mark('dispute-accessed')
        ui.label(_("Citizen's reason:")).classes('text-caption text-grey-8')
        ui.label(item.reason).classes('whitespace-pre-wrap').mark('dispute-reason')
        if closed:
            ui.label(_('Answer:')).classes('text-caption text-grey-8')
            ui.label(item.answer).classes('whitespace-pre-wrap').mark('dispute-answer')
        else:
            ui.button(_('Close'), icon='task_alt', on_click=lambda: on_close(item)).mark(
                'dispute-close', f'dispute-close-{item.id}'
            )


class close_dialog(ui.dialog):
    """Closing a dispute asks for the answer: what was found (the administrators' record of it)."""

    def __init__(self, *, on_close: Callable[[UUID, str], Awaitable[None]]) -> None:
        super().__init__()
        self.on_close = on_close
        self.dispute_id: UUID | None = None
        with self, ui.card().classes('w-full max-w-lg'):
            self.title = ui.label().classes('text-h6')
            self.answer = (
                ui.textarea(_('Answer: what was found'))
                .props(f'maxlength={ANSWER_MAX} counter autogrow')
                .classes('w-full')
                .mark('dispute-answer-input')
            )
            self.error = ui.label().classes('text-negative').mark('dispute-answer-error')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.close).props('flat')
                ui.button(_('Close the dispute'), icon='task_alt', on_click=self._submit).mark('dispute-close-send')

    def ask(self, item: DisputeView) -> None:
        self.dispute_id = item.id
        self.title.set_text(_('Close the dispute of {name}', name=item.person_name))
        self.answer.value = ''
        self.error.set_visibility(False)
        self.open()

    async def _submit(self) -> None:
        self.error.set_visibility(False)
        if self.dispute_id is None:
            return
        try:
            await self.on_close(self.dispute_id, self.answer.value or '')
        except DomainError as exc:
            show_error(exc, self.error)
            return
        self.close()


class webhook_list(ui.card):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: list[WebhookView], organisations: dict[str, str]) -> None:
        super().__init__()
        self.actor, self.items = actor, first
        self.classes('w-full').mark('webhooks')
        with self:
            self.add_dialog = add_dialog(actor=actor, organisations=organisations, on_added=self.reload)
            self.remove_dialog = remove_dialog(on_remove=self._remove)
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(_('Webhooks')).classes('text-h6')
                ui.space()
                ui.button(_('Add'), icon='add', on_click=self.add_dialog.ask).mark('webhook-add')
            ui.label(
                _('Organisations hear of the decisions on their data requests at these addresses; each call is signed.')
            ).classes('text-body2 text-grey-8')
            self.render = ui.refreshable(self._render)
            self.render()

    def _render(self) -> None:
        if not self.items:
            ui.label(_('No webhooks yet.')).classes('text-grey-8').mark('webhooks-empty')
        for hook in self.items:
            with ui.row().classes('w-full items-center gap-3').mark('webhook', f'webhook-{hook.id}'):
                with ui.column().classes('gap-0'):
                    ui.label(f'{hook.organisation_name} ({hook.organisation_code})').mark('webhook-organisation')
                    ui.label(hook.url).classes('text-caption break-all').mark('webhook-url-shown')
                ui.space()
                ui.label(_('Created {time}', time=fmt_datetime(hook.created_at))).classes('text-caption')
                ui.label(_('Waiting: {count}', count=hook.pending)).classes('text-caption')
                ui.label(_('Failed: {count}', count=hook.failed)).classes('text-caption')
                if hook.active:
                    ui.badge(_('active'), color='positive').mark('webhook-active')
                    ui.button(_('Remove'), icon='delete', on_click=lambda h=hook: self.remove_dialog.ask(h)).props(
                        'outline color=negative'
                    ).mark('webhook-remove', f'webhook-remove-{hook.id}')
                else:
                    ui.badge(_('removed'), color='grey-7').mark('webhook-removed')

    async def reload(self) -> None:
        self.items = await webhooks.list_webhooks(actor=self.actor)
        if not self.is_deleted:
            self.render.refresh()

    async def _remove(self, hook: WebhookView) -> None:
        if await webhooks.remove_webhook(hook.id, actor=self.actor):
            ui.notify(_('The webhook is removed.'), type='positive')
        await self.reload()


class add_dialog(ui.dialog):
    """The organisation and the address; once added, the secret is shown here, and nowhere else ever again."""

    def __init__(
        self, *, actor: PersonActor, organisations: dict[str, str], on_added: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__()
        self.actor, self.on_added = actor, on_added
        with self, ui.card().classes('w-full max-w-xl'):
            ui.label(_('Add a webhook')).classes('text-h6')
            with ui.column().classes('w-full') as self.form:
                self.organisation = (
                    ui.select(organisations, label=_('Organisation'), with_input=True)
                    .classes('w-full')
                    .mark('webhook-org')
                )
                self.url = ui.input(_('Address (http:// or https://)')).classes('w-full').mark('webhook-url')
                self.error = ui.label().classes('text-negative').mark('webhook-error')
                with ui.row().classes('w-full justify-end'):
                    ui.button(_('Cancel'), on_click=self.close).props('flat')
                    ui.button(_('Add the webhook'), icon='add', on_click=self._submit).mark('webhook-save')
            with ui.column().classes('w-full') as self.done:
                ui.label(
                    _('The secret that signs the calls. Give it to the organisation now: it is not shown again.')
                ).classes('text-body2')
                self.secret = ui.label().classes('font-mono text-weight-bold break-all').mark('webhook-secret')
                with ui.row().classes('w-full justify-end'):
                    ui.button(_('Done'), on_click=self.close).mark('webhook-done')

    def ask(self) -> None:
        self.organisation.value, self.url.value = None, ''
        self.secret.set_text('')  # the last secret leaves the page
        self.error.set_visibility(False)
        self.form.set_visibility(True)
        self.done.set_visibility(False)
        self.open()

    async def _submit(self) -> None:
        self.error.set_visibility(False)
        if not self.organisation.value:
            self.error.set_text(_('Choose the organisation.'))
            self.error.set_visibility(True)
            return
        try:
            _hook, secret = await webhooks.register_webhook(
                organisation_code=self.organisation.value, url=self.url.value, now=datetime.now(UTC), actor=self.actor
            )
        except DomainError as exc:
            show_error(exc, self.error)
            return
        self.secret.set_text(secret)
        self.form.set_visibility(False)
        self.done.set_visibility(True)
        await self.on_added()


class remove_dialog(ui.dialog):
    def __init__(self, *, on_remove: Callable[[WebhookView], Awaitable[None]]) -> None:
        super().__init__()
        self.on_remove = on_remove
        self.hook: WebhookView | None = None
        with self, ui.card().classes('w-full max-w-lg'):
            self.question = ui.label().classes('text-body1')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.close).props('flat')
                ui.button(_('Remove'), icon='delete', on_click=self._confirm).props('color=negative').mark(
                    'webhook-remove-confirm'
                )

    def ask(self, hook: WebhookView) -> None:
        self.hook = hook
        self.question.set_text(_('Stop sending calls to {url}?', url=hook.url))
        self.open()

    async def _confirm(self) -> None:
        if self.hook is not None:
            await self.on_remove(self.hook)
        self.close()
