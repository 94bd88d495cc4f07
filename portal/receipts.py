"""Payment receipts as A4 PDFs (fpdf2), in the citizen's language, with Noto Sans for the Azerbaijani letters.

Rendering is synchronous and CPU-bound: callers run it off the event loop (``asyncio.to_thread``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

import fontpkg
from babel.numbers import format_currency
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from portal.errors import N_
from portal.i18n import fmt_date, fmt_datetime, translate
from portal.store.registry_kinds import KINDS

PORTAL_NAME = 'Kabinet'
FONT = 'NotoSans'
LABEL_WIDTH = 58  # mm
GREY, INK, ACCENT, WARNING = (96, 96, 96), (20, 20, 20), (21, 101, 192), (176, 84, 0)


@dataclass(frozen=True)
class ReceiptData:
    receipt_no: str
    payment_id: UUID
    paid_at: datetime
    payer_name: str
    payer_fin: str
    payee_name: str
    kind: str
    ref: str
    details: dict[str, Any]
    amount: Decimal
    currency: str
    # paid through the sandbox gateway: the receipt says that no money moved
    test_only: bool = False


def render_receipt(data: ReceiptData, lang: str) -> bytes:
    """One A4 page: who paid whom, for what, how much and when (Baku time)."""

    def t(message: str, **params: object) -> str:
        return translate(message, lang, **params)

    pdf = FPDF(format='A4', unit='mm')
    pdf.set_title(t(N_('Payment receipt {number}'), number=data.receipt_no))
    pdf.set_author(PORTAL_NAME)
    pdf.set_creation_date(data.paid_at)
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font(FONT, '', _font_path())
    pdf.add_page()

    _text(pdf, PORTAL_NAME, 22, ACCENT)
    _text(pdf, t(N_('Citizen e-government portal')), 10, GREY)
    pdf.ln(8)
    _text(pdf, t(N_('Payment receipt')), 18, INK)
    _text(pdf, t(N_('No. {number}'), number=data.receipt_no), 12, INK)
    pdf.ln(4)
    _rule(pdf)

    spec = KINDS.get(data.kind)
    rows = [
        (t(N_('Receipt number')), data.receipt_no),
        (t(N_('Date and time (Baku)')), fmt_datetime(data.paid_at, lang)),
        (t(N_('Payer')), data.payer_name),
        (t(N_('FIN')), mask_fin(data.payer_fin)),
        (t(N_('Payee')), data.payee_name),
        (t(N_('Payment for')), t(spec.title) if spec else data.kind),
    ]
    if data.ref:
        ref_label = next((f.label for f in spec.fields if f.name == spec.ref_field), None) if spec else None
        rows.append((t(ref_label or N_('Reference')), data.ref))
    rows += [(t(label), value) for label, value in _details(data, lang)]
    rows.append((t(N_('Status')), t(N_('paid'))))
    for label, value in rows:
        _row(pdf, label, value)
    pdf.ln(2)
    _rule(pdf)
    _row(pdf, t(N_('Amount')), format_currency(data.amount, data.currency, locale=lang), size=16)
    _rule(pdf)
    pdf.ln(4)
    _row(pdf, t(N_('Payment ID')), str(data.payment_id), size=9)
    pdf.ln(6)
    if data.test_only:
        _text(pdf, t(N_('Test payment through the sandbox gateway: no money was transferred.')), 10, WARNING)
        pdf.ln(2)
    _text(pdf, t(N_('This receipt was issued electronically by the {portal} portal.'), portal=PORTAL_NAME), 9, GREY)
    return bytes(pdf.output())


def mask_fin(fin: str) -> str:
    """Only the last two characters of the FIN: enough to recognise one's own receipt, too little to misuse it."""
    return '*' * max(len(fin) - 2, 0) + fin[-2:]


@cache
def _font_path() -> Path:
    # Noto Sans (SIL OFL) ships with the fontpkg-noto-sans package: ə, ğ, ı, İ, ö, ü, ş, ç, Cyrillic and ₼
    return Path(fontpkg.path('Noto Sans'))


def _details(data: ReceiptData, lang: str) -> list[tuple[str, str]]:
    """What was paid for, field by field as the kind declares them (article, purpose, service, period, …)."""
    spec = KINDS.get(data.kind)
    if spec is None:
        return []
    rows = []
    for field in spec.fields:
        value = data.details.get(field.name)
        if value in (None, ''):
            continue
        if field.kind == 'date':
            text = fmt_date(date.fromisoformat(str(value)), lang)
        elif field.kind == 'choice':
            text = translate(field.choices.get(str(value), str(value)), lang)
        else:
            text = str(value)
        rows.append((field.label, text))
    return rows


def _text(pdf: FPDF, text: str, size: float, color: tuple[int, int, int]) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.5, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _row(pdf: FPDF, label: str, value: str, *, size: float = 11) -> None:
    """A label on the left and its value on the right, each wrapping within its column."""
    line, top = size * 0.55, pdf.get_y()
    pdf.set_font(FONT, size=size * 0.9)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(LABEL_WIDTH, line, label, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    label_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, line, value, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), label_bottom) + 1.5)


def _rule(pdf: FPDF) -> None:
    pdf.set_draw_color(200, 200, 200)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)
