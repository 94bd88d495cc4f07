"""E-certificates through the whole use case, on one core: issue (registry read, render, sign, file write with fsync,
one transaction with the history entry) and public verification by code, on a fresh SQLite database.

Run by hand: `.venv/bin/python bench/certificates_store.py [--issues 200] [--checks 1000]`. The process is pinned to
one CPU, so the worker thread that renders and signs shares it with the event loop, as in one portal process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault('PORTAL_DEMO', '1')

from portal import db  # noqa: E402
from portal.store.actors import Role  # noqa: E402
from portal.store.letters import files  # noqa: E402
from portal.store.orgs import Organisation, OrgCategory  # noqa: E402
from portal.store.people import Person  # noqa: E402
from portal.store.registry import RegistryRecord  # noqa: E402
from portal.store.services import certificates, pki  # noqa: E402

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
IDP = {
    'status': 'idp',
    'card_series': 'MK',
    'card_number': '0412957',
    'origin': 'Şuşa rayonu',
    'issued_on': '2023-03-14',
    'expires_on': '2028-03-14',
}


async def run(issues: int, checks: int, folder: Path) -> None:
    files.use_folder(folder / 'files')
    await db.open_db(f'sqlite://{folder}/bench.sqlite3')
    qmidk = await Organisation.create(
        code='QMIDK',
        category=OrgCategory.AGENCY,
        kind='committee',
        name_az='Qaçqınların və Məcburi Köçkünlərin İşləri üzrə Dövlət Komitəsi',
        name_en='State Committee for Affairs of Refugees and IDPs',
    )
    person = await Person.create(
        fin='5ZK2M7R', role=Role.CITIZEN, first_name='Leyla', last_name='Məmmədova', patronymic='Rauf qızı'
    )
    await RegistryRecord.create(
        person_id=person.id, kind='idp_status', source_id=qmidk.id, data=IDP, created_at=NOW, updated_at=NOW
    )
    actor = person.as_actor()
    await pki.ensure_root(now=NOW)
    await pki.signer_for(qmidk, now=NOW)
    for _ in range(5):  # warm-up: the reduced font, the signer cache
        await certificates.issue_certificate(actor=actor, template='idp_status', now=NOW, lang='az')

    issue_ms, codes = [], []
    started = time.perf_counter()
    for n in range(issues):
        t0 = time.perf_counter()
        view = await certificates.issue_certificate(
            actor=actor, template='idp_status', now=NOW + timedelta(seconds=n), lang='az'
        )
        issue_ms.append((time.perf_counter() - t0) * 1000)
        codes.append(view.code)
    issued_per_second = issues / (time.perf_counter() - started)

    check_ms = []
    for n in range(checks):
        t0 = time.perf_counter()
        # one address per check: the throttle's row is written as in real use, but never refuses
        await certificates.verify_code(code=codes[n % len(codes)], address=f'10.0.{n // 250}.{n % 250}', now=NOW)
        check_ms.append((time.perf_counter() - t0) * 1000)
    await db.close_db()

    def line(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        return f'  {name:48} {statistics.mean(values):8.1f} {statistics.median(values):8.1f} {p95:8.1f}'

    print(f'e-certificates through the store, SQLite, one core; {issues} issues, {checks} checks')
    print(f'  {"step":48} {"mean ms":>8} {"median":>8} {"p95":>8}')
    print(line('issue_certificate (read, render, sign, store)', issue_ms))
    print(line('verify_code (throttle claim + lookup)', check_ms))
    print(f'  issued certificates per second per core: {issued_per_second:.1f} (goal >= 20)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--issues', type=int, default=200)
    parser.add_argument('--checks', type=int, default=1000)
    args = parser.parse_args()
    if hasattr(os, 'sched_setaffinity'):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix='kabinet-bench-') as folder:
        asyncio.run(run(args.issues, args.checks, Path(folder)))


if __name__ == '__main__':
    main()
