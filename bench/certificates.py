"""E-certificates per second on one core: render the PDF, sign it (PAdES, P-256), validate it.

Run by hand: `.venv/bin/python bench/certificates.py`. The process is pinned to one CPU and works in a single thread
(no pool), as one portal worker thread would. The document is a realistic IDP status certificate (12 rows in two
sections); the signer is built once, as the store caches it per organisation. Each step is timed separately over
200 iterations after a warm-up; the baseline renders the same document with the shipped variable Noto Sans, as
fpdf2 would embed it without the reduced font.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fontpkg  # noqa: E402
from fpdf import FPDF  # noqa: E402

from portal.documents import pdf as pdfdoc  # noqa: E402
from portal.documents import signing  # noqa: E402
from portal.documents.pdf import CertificateDocument, Section  # noqa: E402

ITERATIONS = 200
WARM_UP = 20
BASELINE_ITERATIONS = 20
GOAL = 20  # signed certificates per second per core
NOW = datetime.now(UTC)
CODE = 'K7QD-2M9X-P4TR-8ZHW'


def idp_certificate() -> CertificateDocument:
    return CertificateDocument(
        title='Məcburi köçkün statusu haqqında arayış',
        issuer_name='Qaçqınların və Məcburi Köçkünlərin İşləri üzrə Dövlət Komitəsi',
        holder_name='Şəkərbəyli Gülçöhrə İlqar qızı',
        sections=(
            Section(
                None,
                (
                    ('FİN', '5ABC123'),
                    ('Doğum tarixi', '17.05.1990'),
                    ('Doğulduğu yer', 'Şuşa şəhəri'),
                    ('Şəxsiyyət vəsiqəsi', 'AZE 12345678'),
                ),
            ),
            Section(
                'Məcburi köçkün statusu',
                (
                    ('Status', 'Məcburi köçkün'),
                    ('Statusun verilmə tarixi', '12.03.1994'),
                    ('Əvvəlki yaşayış yeri', 'Ağdam rayonu, Quzanlı qəsəbəsi'),
                    ('Hazırkı yaşayış yeri', 'Bakı şəhəri, Binəqədi rayonu, Füzuli küçəsi 12, mənzil 4'),
                    ('Ailə üzvlərinin sayı', '4'),
                    ('Aylıq müavinət', 'Alır'),
                    ('Vəsiqənin nömrəsi', 'MK-0042817'),
                    ('Qeydiyyat orqanı', 'Binəqədi rayon şöbəsi'),
                ),
            ),
        ),
        code=CODE,
        verify_url=f'http://127.0.0.1:8080/verify/{CODE}',
        issued_at=NOW,
        valid_until=date(2027, 11, 20),
        lang='az',
    )


def main() -> None:
    cpus = _pin_to_one_cpu()
    doc = idp_certificate()
    root = signing.make_root(now=NOW)
    pair = signing.make_signing_certificate(
        root=root, organisation_code='QMKDK', organisation_name=doc.issuer_name, now=NOW
    )
    started = time.perf_counter()
    signer = signing.make_pdf_signer(pair, root.certificate_pem)
    build_signer = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    pdfdoc.font_file()
    build_font = (time.perf_counter() - started) * 1000

    render: list[float] = []
    sign: list[float] = []
    validate: list[float] = []
    both: list[float] = []
    for i in range(WARM_UP + ITERATIONS):
        t0 = time.perf_counter()
        unsigned = pdfdoc.render_certificate(doc)
        t1 = time.perf_counter()
        signed = signing.sign_pdf(unsigned, signer=signer, reason='Arayış verildi')
        t2 = time.perf_counter()
        check = signing.validate_pdf(signed, root_pem=root.certificate_pem)
        t3 = time.perf_counter()
        assert check.valid and check.covers_whole_file, check
        if i >= WARM_UP:
            render.append((t1 - t0) * 1000)
            sign.append((t2 - t1) * 1000)
            validate.append((t3 - t2) * 1000)
            both.append((t2 - t0) * 1000)
    baseline = _baseline_render(doc)

    per_second = 1000 / statistics.mean(both)
    print(f'e-certificates on one core (CPU {cpus}), {ITERATIONS} iterations after {WARM_UP} warm-up')
    print(f'  PDF: {len(unsigned):,} bytes unsigned, {len(signed):,} signed; 1 page; QR version {_qr_version(doc)}')
    print(f'  once per process: reduced font {build_font:.0f} ms, signer {build_signer:.1f} ms')
    print()
    print(f'  {"step":<34} {"mean ms":>8} {"median":>8} {"p95":>8}')
    for name, values in (
        ('render (fpdf2, Noto Sans, QR)', render),
        ('sign (PAdES B-B, P-256)', sign),
        ('validate (pyhanko, offline)', validate),
        ('render + sign', both),
    ):
        print(f'  {name:<34} {statistics.mean(values):>8.1f} {statistics.median(values):>8.1f} {_p95(values):>8.1f}')
    mean, median = statistics.mean(baseline), statistics.median(baseline)
    print(f'  {"baseline render, variable font":<34} {mean:>8.1f} {median:>8.1f}')
    print()
    print(f'  signed certificates per second per core: {per_second:.1f}')
    print(f'  with validation as well: {1000 / (statistics.mean(both) + statistics.mean(validate)):.1f} per second')
    print(f'  render speed-up over the variable font: {statistics.mean(baseline) / statistics.mean(render):.1f}x')
    verdict = 'met' if per_second >= GOAL else 'NOT met'
    print(f'  goal: >= {GOAL} per second -> {verdict} (figure / goal = {per_second / GOAL:.2f})')


def _baseline_render(doc: CertificateDocument) -> list[float]:
    """The same document with the 2 MB variable font added as ``portal/receipts.py`` adds it."""

    def add_full_font(pdf: FPDF) -> None:
        pdf.add_font(pdfdoc.FONT, '', fontpkg.path('Noto Sans'))

    with patch.object(pdfdoc, '_add_font', add_full_font):
        pdfdoc.render_certificate(doc)
        return [_time(pdfdoc.render_certificate, doc) for _ in range(BASELINE_ITERATIONS)]


def _time(fn: Callable[..., Any], *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def _pin_to_one_cpu() -> int:
    if not hasattr(os, 'sched_setaffinity'):
        return -1
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def _qr_version(doc: CertificateDocument) -> int | str:
    import segno

    return segno.make(pdfdoc.qr_payload(doc), error='m').version


if __name__ == '__main__':
    main()
