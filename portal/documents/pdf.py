"""E-certificates ("arayış") as A4 PDFs (fpdf2) with a QR code that leads to the portal's verification page.

Same look as the payment receipts (``portal/receipts.py``): Noto Sans for the Azerbaijani letters, grey labels on the
left, values on the right. Rendering is pure, synchronous and CPU-bound: callers run it off the event loop.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import cast

import fontpkg
import segno
from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from portal.errors import N_
from portal.i18n import fmt_date, fmt_datetime, translate
from portal.receipts import ACCENT, FONT, GREY, INK, LABEL_WIDTH, PORTAL_NAME

MARGIN = 20  # mm
QR_SIZE = 32  # mm, the symbol without its quiet zone
QR_GAP = 6  # mm between the symbol and the text beside it
FOOTER_HEIGHT = 62  # mm the footer block needs: the symbol, the text beside it and the two sentences below
# what a certificate may need of Noto Sans: Latin with Azerbaijani ə/Ə (and Turkish, German, French … letters),
# Cyrillic with the Azerbaijani Cyrillic letters, general punctuation, ₼ € ₽ ₺, №, ™, −, and the replacement mark
FONT_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x259, 0x259),
    (0x2B9, 0x2DD),
    (0x400, 0x4FF),
    (0x2010, 0x205E),
    (0x20AC, 0x20AC),
    (0x20BA, 0x20BD),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
    (0x2212, 0x2212),
    (0xFFFD, 0xFFFD),
)

# a matrix of dark (True) and light (False) modules, row by row, without the quiet zone
QrMatrix = tuple[tuple[bool, ...], ...]


@dataclass(frozen=True)
class Section:
    title: str | None
    rows: tuple[tuple[str, str], ...]  # (label, value), already translated


@dataclass(frozen=True)
class CertificateDocument:
    title: str  # in the document's language, e.g. 'Məcburi köçkün statusu haqqında arayış'
    issuer_name: str
    holder_name: str
    sections: tuple[Section, ...]
    code: str  # the verification code, e.g. 'K7QD-2M9X-P4TR-8ZHW'
    verify_url: str  # what the QR code holds
    issued_at: datetime  # aware; printed in Baku time
    valid_until: date | None
    lang: str  # 'az' | 'en' | 'ru'
    paragraphs: tuple[str, ...] = ()  # free text after the sections (e.g. a decision's text)


def render_certificate(doc: CertificateDocument) -> bytes:
    """An unsigned A4 PDF: header, issuer, holder and sections, the paragraphs, then the QR code and how to verify."""

    def t(message: str, **params: object) -> str:
        return translate(message, doc.lang, **params)

    pdf = _CertificatePdf(doc.code)
    pdf.set_title(doc.title)
    pdf.set_author(doc.issuer_name)
    pdf.set_subject(t(N_('No. {number}'), number=doc.code))
    pdf.set_creator(PORTAL_NAME)
    pdf.set_creation_date(doc.issued_at)
    pdf.set_lang(doc.lang)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    _add_font(pdf)
    pdf.add_page()

    _text(pdf, PORTAL_NAME, 22, ACCENT)
    _text(pdf, t(N_('Citizen e-government portal')), 10, GREY)
    pdf.ln(8)
    _text(pdf, doc.title, 18, INK)
    _text(pdf, t(N_('No. {number}'), number=doc.code), 12, INK)
    pdf.ln(4)
    _rule(pdf)
    _row(pdf, t(N_('Issued by')), doc.issuer_name)
    _row(pdf, t(N_('Holder')), doc.holder_name)
    for section in doc.sections:
        pdf.ln(2)
        _rule(pdf)
        if section.title:
            _keep(pdf, 20)
            _text(pdf, section.title, 12, ACCENT)
            pdf.ln(2)
        for label, value in section.rows:
            _row(pdf, label, value)
    if doc.paragraphs:
        pdf.ln(2)
        _rule(pdf)
        for paragraph in doc.paragraphs:
            _text(pdf, paragraph, 11, INK)
            pdf.ln(3)
    _footer(pdf, doc, t)
    return bytes(pdf.output())


def qr_payload(doc: CertificateDocument) -> str:
    """What the QR code holds: the verification page of this document."""
    return doc.verify_url


def qr_matrix(url: str) -> QrMatrix:
    """The modules of the QR code for ``url`` (error correction level M), exactly as drawn on the certificate."""
    return tuple(tuple(bool(module) for module in row) for row in segno.make(url, error='m').matrix)


def font_file() -> Path:
    """Noto Sans reduced for certificates: built on first use, once per process (about half a second)."""
    with _FONT_LOCK:
        return _reduced_font()[1]


class _CertificatePdf(FPDF):
    """Every page names the certificate's code and its page number, so a loose page can be matched to the rest."""

    def __init__(self, code: str) -> None:
        super().__init__(format='A4', unit='mm')
        self.code = code

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 4, f'{self.code} · {self.page_no()}/{{nb}}', align=Align.R)


def _footer(pdf: FPDF, doc: CertificateDocument, t: Callable[..., str]) -> None:
    """The QR code with the code and dates beside it and the verification sentences below, kept on one page."""
    pdf.ln(4)
    _keep(pdf, FOOTER_HEIGHT)
    _rule(pdf)
    top = pdf.get_y() + 2
    _qr(pdf, qr_matrix(qr_payload(doc)), x=pdf.l_margin, y=top, size=QR_SIZE)
    side = pdf.l_margin + QR_SIZE + QR_GAP
    width = pdf.w - pdf.r_margin - side
    pdf.set_y(top)
    _text(pdf, t(N_('Verification code')), 9, GREY, x=side, width=width)
    _text(pdf, doc.code, 16, INK, x=side, width=width)
    pdf.ln(2)
    _text(pdf, f'{t(N_("Issued on"))}: {fmt_datetime(doc.issued_at, doc.lang)}', 10, INK, x=side, width=width)
    if doc.valid_until is not None:
        _text(pdf, f'{t(N_("Valid until"))}: {fmt_date(doc.valid_until, doc.lang)}', 10, INK, x=side, width=width)
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE) + 4)
    signed = t(N_('This document is signed with the electronic signature of {issuer}.'), issuer=doc.issuer_name)
    _text(pdf, signed, 9, GREY)
    _text(pdf, t(N_('Check this document at {url}'), url=doc.verify_url), 9, GREY)


def _qr(pdf: FPDF, matrix: QrMatrix, *, x: float, y: float, size: float) -> None:
    """Draw the symbol as filled squares (vector, no image): one rectangle per horizontal run of dark modules."""
    module = size / len(matrix)
    pdf.set_fill_color(*INK)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style='F')


def _text(
    pdf: FPDF, text: str, size: float, color: tuple[int, int, int], *, x: float | None = None, width: float = 0
) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*color)
    if x is not None:
        pdf.set_x(x)
    _cell(pdf, width, size * 0.5, text)


def _row(pdf: FPDF, label: str, value: str, *, size: float = 11) -> None:
    """A label on the left and its value on the right, each wrapping within its column; a row is not split."""
    line = size * 0.55
    _keep(pdf, _row_height(pdf, label, value, size=size, line=line))
    top, page = pdf.get_y(), pdf.page
    pdf.set_font(FONT, size=size * 0.9)
    pdf.set_text_color(*GREY)
    _cell(pdf, LABEL_WIDTH, line, label)
    label_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*INK)
    _cell(pdf, 0, line, value)
    # a value taller than a page ran on to the next one: its end is below the label's
    pdf.set_y((max(pdf.get_y(), label_bottom) if pdf.page == page else pdf.get_y()) + 1.5)


def _row_height(pdf: FPDF, label: str, value: str, *, size: float, line: float) -> float:
    """The row's height: a cheap upper bound far from the page's end, measured exactly near it."""
    value_width = pdf.w - pdf.r_margin - pdf.l_margin - LABEL_WIDTH
    pdf.set_font(FONT, size=size * 0.9)
    label_lines = _rough_lines(pdf, label, LABEL_WIDTH)
    pdf.set_font(FONT, size=size)
    rough = max(label_lines, _rough_lines(pdf, value, value_width)) * line
    if pdf.get_y() + rough <= pdf.page_break_trigger:
        return rough
    value_height = cast(float, pdf.multi_cell(value_width, line, value, dry_run=True, output=MethodReturnValue.HEIGHT))
    pdf.set_font(FONT, size=size * 0.9)
    label_height = cast(float, pdf.multi_cell(LABEL_WIDTH, line, label, dry_run=True, output=MethodReturnValue.HEIGHT))
    return max(label_height, value_height)


def _rough_lines(pdf: FPDF, text: str, width: float) -> float:
    """At least as many lines as ``text`` wraps to in the current font (lines break at words, hence the slack)."""
    return pdf.get_string_width(text) / (width - 2 * pdf.c_margin) * 1.3 + 1 + 2 * text.count('\n')


def _cell(pdf: FPDF, width: float, height: float, text: str) -> None:
    """One line with ``cell`` when the text fits (six times cheaper), else wrapped with ``multi_cell``."""
    room = (width or pdf.w - pdf.r_margin - pdf.get_x()) - 2 * pdf.c_margin
    if '\n' not in text and pdf.get_string_width(text) <= room:
        pdf.cell(width, height, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.multi_cell(width, height, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _keep(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit on this one (a block taller than a page flows on)."""
    if pdf.get_y() + height > pdf.page_break_trigger and height < pdf.page_break_trigger - pdf.t_margin:
        pdf.add_page()


def _rule(pdf: FPDF) -> None:
    pdf.set_draw_color(200, 200, 200)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)


def _add_font(pdf: FPDF) -> None:
    pdf.add_font(FONT, '', font_file())
    # the reduced font's outlines are final: fpdf2 need not re-measure every glyph when it subsets the font at output
    # (a third of a page's rendering time); should fpdf2 rename its internals, this only makes rendering slower
    ttfont = getattr(pdf.fonts.get(FONT.lower()), 'ttfont', None)
    if isinstance(ttfont, ttLib.TTFont):
        ttfont.recalcBBoxes = False


@cache
def _reduced_font() -> tuple[tempfile.TemporaryDirectory[str], Path]:
    """Noto Sans ships as a 2 MB variable font with shaping tables, which fpdf2 would parse and subset for every
    document (~60 ms a page). fpdf2 does no shaping and prints the default instance (Regular), so keep only the
    outlines, metrics and names of the characters in ``FONT_RANGES``."""
    font = ttLib.TTFont(fontpkg.path('Noto Sans'))
    options = subset.Options()
    options.drop_tables += [
        'GSUB',
        'GPOS',
        'GDEF',
        'BASE',
        'JSTF',
        'STAT',
        'fvar',
        'gvar',
        'avar',
        'cvar',
        'HVAR',
        'MVAR',
    ]
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.glyph_names = True  # fpdf2 reads glyph names: from 'post' they are cheaper than derived from 'cmap'
    options.name_IDs = ['*']
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for first, last in FONT_RANGES for code in range(first, last + 1)])
    subsetter.subset(font)
    folder = tempfile.TemporaryDirectory(prefix='kabinet-font-')  # private to this process, removed when it ends
    path = Path(folder.name) / 'NotoSans-Regular-certificates.ttf'
    font.save(path)
    return folder, path


_FONT_LOCK = threading.Lock()
