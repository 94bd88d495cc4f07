"""Paying debts: the 'Pay' button, the debts still to pay, one payment's result and the citizen's own payments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.numbers import format_currency
from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_date, fmt_datetime
from portal.live import Event
from portal.store import payments
from portal.store.actors import PersonActor
from portal.store.payments import PaymentState, PaymentView
from portal.store.registry import RecordView
from portal.store.registry_kinds import KINDS

STATE_LABELS = {
    PaymentState.PENDING: N_('Waiting for confirmation'),
    PaymentState.SUCCEEDED: N_('Paid'),
    PaymentState.FAILED: N_('Not paid'),
}
STATE_COLORS = {PaymentState.PENDING: 'warning', PaymentState.SUCCEEDED: 'positive', PaymentState.FAILED: 'negative'}
FAILURE_TEXTS = {
    'card_declined': N_('The bank declined the card.'),
    'cancelled': N_('The payment was cancelled on the payment page.'),
    'already_paid': N_('The debt had already been paid, so this payment was not counted against it.'),
    'debt_changed': N_('The agency changed the debt while it was being paid, so this payment was not counted.'),
    'amount_mismatch': N_('The payment service reported another amount, so this payment was not counted.'),
}
# events after which a payment view reloads
PAYMENT_EVENTS = frozenset({'payment.updated', 'registry.updated'})


def pay_button(actor: PersonActor, record: RecordView) -> None:
    """Start paying this unpaid debt and send the browser to the payment gateway's page."""

    async def pay() -> None:
        button.disable()
        try:
            started = await payments.start_payment(actor=actor, record_id=record.id, now=datetime.now(UTC))
        except DomainError as exc:
            button.enable()
            show_error(exc)
            return
        ui.navigate.to(started.redirect_url)

    button = ui.button(_('Pay'), icon='payments', on_click=pay).props('unelevated').mark('pay')


class payment_result(ui.column):  # an element-like component
    """One payment as the citizen sees it after the gateway: state, what was paid, the receipt; live."""

    def __init__(self, *, actor: PersonActor, payment: PaymentView) -> None:
        super().__init__()
        self.actor, self.payment = actor, payment
        self.classes('w-full gap-4').mark('payment-result')
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _render(self) -> None:
        p = self.payment
        with ui.card().classes('w-full'):
            with ui.row().classes('items-center gap-3'):
                if p.state is PaymentState.PENDING:
                    ui.spinner(size='md')
                ui.label(_(_HEADLINES[p.state])).classes('text-h6').mark(f'payment-{p.state.value}')
            if p.state is PaymentState.FAILED:
                reason = FAILURE_TEXTS.get(p.failure_reason, N_('The payment did not go through.'))
                ui.label(_(reason)).classes('text-negative').mark('payment-reason')
            payment_facts(p)
            if p.test_only:
                ui.label(_('Test payment through the sandbox gateway: no money was transferred.')).classes(
                    'text-caption text-warning'
                ).mark('payment-test')
            with ui.row().classes('gap-2'):
                if p.state is PaymentState.SUCCEEDED:
                    receipt_button(self.actor, p)
                ui.button(_('Personal cabinet'), on_click=lambda: ui.navigate.to('/cabinet')).props('flat')
                ui.button(_('My payments'), on_click=lambda: ui.navigate.to('/payments')).props('flat')

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'payment.updated' and event.data.get('payment_id') == str(self.payment.id):
            self.payment = await payments.get_payment(actor=self.actor, payment_id=self.payment.id)
            self.render.refresh()


_HEADLINES = {
    PaymentState.PENDING: N_('Waiting for the confirmation of the payment'),
    PaymentState.SUCCEEDED: N_('Payment successful'),
    PaymentState.FAILED: N_('Payment failed'),
}


def payment_facts(p: PaymentView) -> None:
    """What was paid, to whom, how much and when, as a label/value grid."""
    spec = KINDS.get(p.kind)
    rows = [(N_('Payment for'), _(spec.title) if spec else p.kind)]
    if p.ref:
        ref_label = next((f.label for f in spec.fields if f.name == spec.ref_field), None) if spec else None
        rows.append((ref_label or N_('Reference'), p.ref))
    for field in spec.fields if spec else ():
        value = p.details.get(field.name)
        if value not in (None, ''):
            rows.append((field.label, _detail_text(field.kind, field.choices, value)))
    english = current_language() == 'en' and p.payee_name_en
    rows += [
        (N_('Payee'), p.payee_name_en if english and p.payee_name_en else p.payee_name_az),
        (N_('Amount'), money(p.amount, p.currency)),
        (N_('Date and time'), fmt_datetime(p.completed_at or p.created_at)),
    ]
    if p.receipt_no:
        rows.append((N_('Receipt number'), p.receipt_no))
    with ui.grid(columns='minmax(10rem, auto) 1fr').classes('w-full gap-x-6 gap-y-1'):
        for label, text in rows:
            ui.label(_(label)).classes('text-grey-8')
            ui.label(text).mark(f'payment-{label.lower().replace(" ", "-")}')


def receipt_button(actor: PersonActor, payment: PaymentView) -> None:
    """Download the PDF receipt of a successful payment (rendered on demand, in the citizen's language)."""

    async def download() -> None:
        try:
            pdf = await payments.get_receipt(actor=actor, payment_id=payment.id, lang=current_language())
        except DomainError as exc:
            show_error(exc)
            return
        ui.download.content(pdf, f'qebz-{payment.receipt_no}.pdf', 'application/pdf')

    ui.button(_('Download receipt'), icon='download', on_click=download).props('outline').mark('download-receipt')


class debts_to_pay(ui.column):  # an element-like component
    """The citizen's unpaid fines, state fees and utility debts, each with 'Pay'; live."""

    def __init__(self, *, actor: PersonActor, debts: list[RecordView]) -> None:
        super().__init__()
        self.actor, self.debts = actor, debts
        self.classes('w-full gap-2').mark('debts')
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _render(self) -> None:
        if not self.debts:
            ui.label(_('You have no unpaid debts.')).classes('text-grey-8').mark('no-debts')
        for record in self.debts:
            spec = KINDS[record.kind]
            with ui.row().classes('w-full items-center gap-4 py-2 border-b').mark('debt-row'):
                with ui.column().classes('gap-0 grow'):
                    ui.label(f'{_(spec.title)} · {record.ref}').classes('text-weight-medium')
                    due = record.data.get('due_on')
                    if due:
                        ui.label(_('Due date: {date}', date=fmt_date(date.fromisoformat(str(due))))).classes(
                            'text-caption text-grey-8'
                        )
                ui.label(money(Decimal(str(record.data['amount'])), 'AZN')).classes('text-weight-medium')
                pay_button(self.actor, record)

    async def _on_event(self, event: Event) -> None:
        if event.kind in PAYMENT_EVENTS:
            self.debts = await payments.list_unpaid_debts(actor=self.actor, person_id=self.actor.person_id)
            self.render.refresh()


class payments_list(ui.column):  # an element-like component
    """The citizen's own payments, newest first, with their receipts; live."""

    def __init__(self, *, actor: PersonActor, items: list[PaymentView]) -> None:
        super().__init__()
        self.actor, self.items = actor, items
        self.classes('w-full gap-0').mark('payments')
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _render(self) -> None:
        if not self.items:
            ui.label(_('No payments yet.')).classes('text-grey-8').mark('no-payments')
        for p in self.items:
            spec = KINDS.get(p.kind)
            with ui.row().classes('w-full items-center gap-4 py-2 border-b').mark('payment-row'):
                ui.label(fmt_datetime(p.completed_at or p.created_at)).classes('text-grey-8 w-36')
                what = f'{_(spec.title) if spec else p.kind} · {p.ref}'
                ui.link(what, f'/payments/{p.id}').classes('grow')
                ui.label(money(p.amount, p.currency))
                ui.badge(_(STATE_LABELS[p.state]), color=STATE_COLORS[p.state]).mark(f'payment-state-{p.state.value}')
                if p.state is PaymentState.SUCCEEDED:
                    receipt_button(self.actor, p)

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'payment.updated':
            self.items = await payments.list_payments(actor=self.actor, person_id=self.actor.person_id)
            self.render.refresh()


def money(amount: Decimal, currency: str) -> str:
    return format_currency(amount, currency, locale=current_language())


def _detail_text(kind: str, choices: dict[str, str], value: object) -> str:
    if kind == 'date':
        return fmt_date(date.fromisoformat(str(value)))
    if kind == 'choice':
        return _(choices.get(str(value), str(value)))
    return str(value)
