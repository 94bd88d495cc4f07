"""Paying a fine in the browser: cabinet → sandbox gateway page → result page → receipt; failures; isolation."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pypdf
from nicegui.testing import User

from portal.store import payments
from portal.store.audit import HistoryEvent, HistoryKind
from portal.store.payments import Payment, PaymentState
from portal.store.registry import RegistryRecord
from tests.factories import NOW, make_citizen
from tests.test_payments import FINE, callback, fine_of, session_of
from tests.test_ui_login import WAIT, login

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
GOOD_CARD, DECLINED_CARD = '4242 4242 4242 4242', '4000 0000 0000 0002'


async def fill_card(user: User, number: str, expiry: str = '12/30', cvv: str = '123') -> None:
    await user.should_see(marker='card-number', retries=WAIT)
    user.find(marker='card-number').type(number)
    user.find(marker='card-expiry').type(expiry)
    user.find(marker='card-cvv').type(cvv)


async def test_pay_a_fine_from_the_cabinet_and_download_the_receipt(user: User) -> None:
    leyla = await make_citizen(A_FIN)
    record = await fine_of()
    await login(user, A_FIN)
    await user.should_see('DYP-2026-000123')
    user.find(marker='pay').click()

    # the gateway's page: who is paid, how much, the card form
    await user.should_see(marker='gateway-amount', retries=WAIT)
    await user.should_see('Dövlət Yol Polisi')
    await user.should_see('45,00')
    await fill_card(user, GOOD_CARD)
    user.find(marker='gateway-pay').click()

    # back on the portal's result page
    await user.should_see(marker='payment-succeeded', retries=WAIT)
    payment = await Payment.get(record_id=record.id)
    assert payment.state is PaymentState.SUCCEEDED and payment.receipt_no
    await user.should_see('Ödəniş uğurla başa çatdı')
    await user.should_see(payment.receipt_no)
    await user.should_see(marker='payment-test')
    user.find(marker='download-receipt').click()
    response = await user.download.next(timeout=5)
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert payment.receipt_no in text
    assert 'Ödəniş qəbzi' in text

    # the cabinet shows the fine as paid, with no 'Pay' any more; the history shows the payment
    await user.open('/cabinet')
    await user.should_see('DYP-2026-000123')
    await user.should_see('ödənilib')
    await user.should_not_see(marker='pay')
    await user.open('/history')
    await user.should_see(marker='history-payment_succeeded')
    await user.should_see(payment.receipt_no)
    assert await HistoryEvent.filter(person_id=leyla.id, kind=HistoryKind.PAYMENT_SUCCEEDED).count() == 1


async def test_a_declined_card_leaves_the_fine_unpaid(user: User) -> None:
    await make_citizen(A_FIN)
    record = await fine_of()
    await login(user, A_FIN)
    await user.open('/payments')
    await user.should_see(marker='debt-row')
    user.find(marker='pay').click()
    await fill_card(user, DECLINED_CARD)
    user.find(marker='gateway-pay').click()

    await user.should_see(marker='payment-failed', retries=WAIT)
    await user.should_see('Bank kartı rədd etdi.')
    await user.should_not_see(marker='download-receipt')
    assert (await RegistryRecord.get(id=record.id)).data['status'] == 'unpaid'
    await user.open('/payments')
    await user.should_see(marker='payment-state-failed')
    await user.should_see(marker='pay')  # still to pay
    await user.open('/history')
    await user.should_see(marker='history-payment_failed')


async def test_the_card_form_checks_the_card_and_cancel_goes_back(user: User) -> None:
    await make_citizen(A_FIN)
    await fine_of()
    await login(user, A_FIN)
    await user.open('/payments')
    user.find(marker='pay').click()
    await fill_card(user, '4242 4242 4242 4241')  # fails the Luhn check
    user.find(marker='gateway-pay').click()
    await user.should_see('16 rəqəmli', retries=WAIT)
    assert await Payment.filter(state=PaymentState.PENDING).count() == 1

    user.find(marker='gateway-cancel').click()
    await user.should_see(marker='payment-failed', retries=WAIT)
    await user.should_see('Ödəniş səhifəsində ləğv edildi.')


async def test_the_result_page_follows_a_late_confirmation_live(user: User) -> None:
    """A real gateway may send the browser back before its callback arrives: the page waits, then updates."""
    leyla = await make_citizen(A_FIN)
    record = await fine_of()
    await login(user, A_FIN)
    start = await payments.start_payment(actor=leyla.as_actor(), record_id=record.id, now=datetime.now(UTC))
    await user.open(f'/payments/{start.payment_id}')
    await user.should_see(marker='payment-pending')
    await user.should_see('Ödənişin təsdiqi gözlənilir')
    await user.should_not_see(marker='download-receipt')

    now = datetime.now(UTC)
    headers, body = callback(session_of(start.redirect_url, now), at=now)
    await payments.handle_callback(headers=headers, body=body, now=now)
    await user.should_see(marker='payment-succeeded', retries=WAIT)
    await user.should_see(marker='download-receipt')


async def test_paying_a_debt_paid_meanwhile_says_so(user: User) -> None:
    await make_citizen(A_FIN)
    record = await fine_of()
    await login(user, A_FIN)
    await user.open('/payments')
    await user.should_see(marker='pay')
    # paid elsewhere (say, at a bank) while the page was open
    await RegistryRecord.filter(id=record.id).update(data={**FINE, 'status': 'paid'})
    user.find(marker='pay').click()
    await user.should_see('Bu borc artıq ödənilib. Heç bir məbləğ tutulmayıb.', retries=WAIT)
    assert await Payment.all().count() == 0


async def test_citizen_b_cannot_see_citizen_as_payment_or_receipt(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(A_FIN)
    await make_citizen(B_FIN, first='Rəşad', last='Əliyev')
    record = await fine_of()
    start = await payments.start_payment(actor=leyla.as_actor(), record_id=record.id, now=NOW)
    headers, body = callback(session_of(start.redirect_url))
    await payments.handle_callback(headers=headers, body=body, now=NOW)
    receipt_no = (await Payment.get(id=start.payment_id)).receipt_no
    assert receipt_no

    await login(user, B_FIN)
    await user.open(f'/payments/{start.payment_id}')
    await user.should_see(marker='payment-not-found')
    await user.should_not_see(receipt_no)
    await user.should_not_see(marker='download-receipt')
    await user.should_not_see('Dövlət Yol Polisi')
    await user.open('/payments/not-a-uuid')
    await user.should_see(marker='payment-not-found')
    await user.open('/payments')
    await user.should_see(marker='no-payments')
    await user.should_see(marker='no-debts')
    await user.should_not_see(receipt_no)


async def test_a_forged_gateway_page_link_is_refused(user: User) -> None:
    await user.open('/sandbox-gateway/gAAAAAforged-token')
    await user.should_see(marker='gateway-invalid')
    await user.should_not_see(marker='gateway-pay')


async def test_payment_pages_need_a_login(user: User) -> None:
    await user.open('/payments')
    await user.should_see(marker='login')
