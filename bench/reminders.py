"""Document-expiry reminders at scale: the daily run on a registry of 1,000,000 citizens (about 5,000,000 records) and
on one of 100,000 that has the same number of documents due, side by side. A run reads the due documents through the
``(kind, valid_until)`` index, so its cost should follow what is due, not how big the registry is.

Run by hand: `.venv/bin/python bench/reminders.py [--citizens 1000000] [--small N]` (the small registry defaults to a
tenth of the large one; `--citizens 100000` compares 100,000 with 10,000). Each registry is an SQLite file in the
project's migrated schema (``portal.db.migrate``), filled with raw ``executemany``: five records a citizen — identity
and address without validity, an identity card, a passport and a driving licence valid until a day spread over ten
years — and contact settings for a fifth of the citizens, so some notices get SMS and e-mail rows. The small registry
gets, on every day the measured runs look at, exactly as many documents of each kind as the large one has.

Three runs are timed on each: the first run ever (yesterday, empty outbox: every window's documents), today's run
(the day's new thresholds) and today's run again (nothing new). Building the large registry takes minutes; `--folder`
keeps the files in a folder of your choice and reuses them on the next run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import db  # noqa: E402
from portal.store.notices import reminders  # noqa: E402
from portal.store.workdays import TIMEZONE  # noqa: E402

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=TIMEZONE)  # the measured day, at the job's hour
TODAY = NOW.date()
FIRST_DAY = TODAY - timedelta(days=3 * 365)  # validity ends spread over ten years from here
SPAN_DAYS = 3650
CHUNK = 50_000  # citizens per insert transaction
CONTACT_SHARE = 0.2
GOAL_SECONDS = 10.0
GOAL_RATIO = 1.5
STAMP = '2026-01-01 00:00:00+00:00'
ORGS = ('MIA', 'DYP', 'MOJ')
DOCUMENTS = {  # kind → (issuing organisation, years of validity)
    'id_card': ('MIA', 10),
    'passport': ('MIA', 10),
    'driving_licence': ('DYP', 10),
}
Due = Counter[tuple[str, str]]  # (kind, ISO day) → documents ending that day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--citizens', type=int, default=1_000_000, help='citizens in the large registry')
    parser.add_argument('--small', type=int, default=0, help='citizens in the small one (default: a tenth)')
    parser.add_argument('--folder', type=Path, help='keep the registries here and reuse them (default: a temp folder)')
    args = parser.parse_args()
    large, small = args.citizens, args.small or args.citizens // 10
    folder = args.folder or Path(tempfile.mkdtemp(prefix='kabinet-bench-reminders-'))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        days = measured_days()
        large_path = folder / f'registry-{large}.sqlite3'
        if not large_path.exists():
            build(large_path, large, days, due=None)
        due = count_due(large_path, days)
        small_path = folder / f'registry-{small}-as-{large}.sqlite3'
        if not small_path.exists():
            build(small_path, small, days, due=due)
        assert count_due(small_path, days) == due, 'the small registry must have as many documents due'
        print(f'documents due on the measured days: {sum(due.values()):,} in each registry')
        big = asyncio.run(time_runs(large_path))
        little = asyncio.run(time_runs(small_path))
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(f'{"run":<34} {large:>12,} {small:>12,}   ratio   goal')
    for name in big:
        (seconds, made), (small_seconds, small_made) = big[name], little[name]
        ratio = seconds / small_seconds if small_seconds else float('inf')
        met = seconds <= GOAL_SECONDS and ratio <= GOAL_RATIO
        print(
            f'{name:<34} {seconds:>10.2f} s {small_seconds:>10.2f} s  {ratio:5.2f}x   '
            f'≤ {GOAL_SECONDS:.0f} s, ≤ {GOAL_RATIO}x  {"met" if met else "MISSED"}'
        )
        print(f'{"  notices created":<34} {made:>12,} {small_made:>12,}')


def measured_days() -> set[date]:
    """Every day a document may end on to be due for yesterday's or today's run."""
    days: set[date] = set()
    for today in (TODAY - timedelta(days=1), TODAY):
        for _, first, last in reminders.expiry_windows(today):
            days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def build(path: Path, citizens: int, measured: set[date], *, due: Due | None) -> None:
    """A migrated registry of ``citizens``; with ``due``, exactly that many documents end on the measured days."""
    started = time.perf_counter()
    print(f'building {path.name}: {citizens:,} citizens, {citizens * 5:,} records')
    asyncio.run(db.migrate(f'sqlite://{path}'))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute('PRAGMA journal_mode=OFF')  # a throw-away file: no rollback journal while filling it
    conn.execute('PRAGMA synchronous=OFF')
    conn.execute('PRAGMA cache_size=-1000000')
    rng = random.Random(citizens)
    orgs = {code: str(uuid.uuid4()) for code in ORGS}
    conn.executemany(
        'INSERT INTO organisations (id, code, category, kind, name_az, name_en, region, created_at) '
        "VALUES (?, ?, 'agency', 'ministry', ?, ?, NULL, ?)",
        [(org_id, code, code, code, STAMP) for code, org_id in orgs.items()],
    )
    ends = {kind: _validity_ends(rng, citizens, measured, due, kind) for kind in DOCUMENTS}
    for start in range(0, citizens, CHUNK):
        people, records, settings = [], [], []
        for i in range(start, min(start + CHUNK, citizens)):
            person = str(uuid.uuid4())
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
            people.append((person, _fin(i), f'Ad{i}', f'Soyad{i}', '', born.isoformat(), STAMP))
            records.append(_record(person, 'identity', orgs['MIA'], None, {'first_name': f'Ad{i}', 'born': str(born)}))
            records.append(_record(person, 'address', orgs['MIA'], None, {'region': 'Nəsimi', 'building': str(i)}))
            for kind, (org, years) in DOCUMENTS.items():
                end = ends[kind][i]
                records.append(_record(person, kind, orgs[org], end, _document(kind, i, end, years)))
            if rng.random() < CONTACT_SHARE:
                settings.append((f'c{i}@example.az', f'+99450{i % 10_000_000:07d}', '{}', person))
        conn.execute('BEGIN')
        conn.executemany(
            'INSERT INTO people (id, fin, role, first_name, last_name, patronymic, birth_date, created_at) '
            "VALUES (?, ?, 'citizen', ?, ?, ?, ?, ?)",
            people,
        )
        conn.executemany(
            'INSERT INTO registry_records (id, person_id, kind, ref, source_id, data, valid_until, version, '
            'created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
            records,
        )
        conn.executemany(
            'INSERT INTO notice_settings (email, phone, channels, quiet_from, quiet_until, digest, lang, updated_at, '
            f"person_id) VALUES (?, ?, ?, 22, 8, 0, 'az', '{STAMP}', ?)",
            settings,
        )
        conn.execute('COMMIT')
        done = min(start + CHUNK, citizens)
        elapsed = time.perf_counter() - started
        print(f'  {done:>10,} citizens  {elapsed:7.1f} s  ({done / elapsed:,.0f} citizens/s)', flush=True)
    conn.execute('PRAGMA journal_mode=WAL')
    conn.close()
    print(f'  built in {time.perf_counter() - started:.0f} s, {path.stat().st_size / 2**30:.2f} GiB')


def _validity_ends(rng: random.Random, citizens: int, measured: set[date], due: Due | None, kind: str) -> list[str]:
    """Each citizen's end date for one kind: uniform over ten years, or, for a registry that copies another's due
    documents, exactly those on the measured days and uniform over the other days."""
    if due is None:
        return [(FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))).isoformat() for _ in range(citizens)]
    forced = [day for (k, day), n in sorted(due.items()) if k == kind for _ in range(n)]
    if len(forced) > citizens:
        raise SystemExit(f'{citizens:,} citizens cannot hold {len(forced):,} {kind} documents due: use more')
    span = (FIRST_DAY + timedelta(days=n) for n in range(SPAN_DAYS))
    others = [d.isoformat() for d in span if d not in measured]
    ends = forced + [rng.choice(others) for _ in range(citizens - len(forced))]
    rng.shuffle(ends)
    return ends


def _record(person: str, kind: str, org: str, end: str | None, data: dict[str, str]) -> tuple[object, ...]:
    return (str(uuid.uuid4()), person, kind, '', org, json.dumps(data, ensure_ascii=False), end, STAMP, STAMP)


def _document(kind: str, i: int, end: str, years: int) -> dict[str, str]:
    issued = date.fromisoformat(end) - timedelta(days=365 * years)
    data = {'issued_on': issued.isoformat(), 'expires_on': end}
    if kind == 'id_card':
        data |= {'series': 'AZE', 'number': f'{i:08d}', 'issued_by': 'DİN'}
    elif kind == 'passport':
        data |= {'number': f'C{i:08d}', 'issued_by': 'DİN'}
    else:
        data |= {'number': f'AB{i % 1_000_000:06d}', 'categories': 'B'}
    return data


def _fin(i: int) -> str:
    digits = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'
    out = ''
    for _ in range(6):
        i, rest = divmod(i, len(digits))
        out = digits[rest] + out
    return 'B' + out


def count_due(path: Path, days: set[date]) -> Due:
    conn = sqlite3.connect(path)
    rows = []
    for kind in DOCUMENTS:
        rows += conn.execute(
            'SELECT kind, valid_until, COUNT(*) FROM registry_records WHERE kind = ? AND valid_until BETWEEN ? AND ? '
            'GROUP BY valid_until',
            (kind, min(days).isoformat(), max(days).isoformat()),
        ).fetchall()
    conn.close()
    wanted = {d.isoformat() for d in days}
    return Counter({(kind, day): n for kind, day, n in rows if day in wanted})


async def time_runs(path: Path) -> dict[str, tuple[float, int]]:
    """The three runs on one registry, from an empty outbox; (seconds, notices created) each."""
    url = f'sqlite://{path}'
    conn = sqlite3.connect(path)
    conn.execute('DELETE FROM deliveries')
    conn.execute('DELETE FROM notices')
    conn.commit()
    plan = conn.execute(
        'EXPLAIN QUERY PLAN SELECT id, person_id, data FROM registry_records WHERE kind = ? AND valid_until = ? '
        'AND id > ? ORDER BY id LIMIT 1000',
        ('passport', TODAY.isoformat(), ''),
    ).fetchall()
    conn.close()
    print(f'{path.name}: query plan {" / ".join(str(row[-1]) for row in plan)}')
    await db.open_db(url, migrate_schema=False)
    results = {}
    try:
        for name, now in (
            ('first run (yesterday, empty outbox)', NOW - timedelta(days=1)),
            ('daily run (today)', NOW),
            ('second run today (nothing new)', NOW + timedelta(minutes=5)),
        ):
            started = time.perf_counter()
            made = await reminders.document_expiry(now=now.astimezone(UTC))
            results[name] = (time.perf_counter() - started, made)
            print(f'  {name:<36} {results[name][0]:7.2f} s  {made:>8,} notices', flush=True)
    finally:
        await db.close_db()
    return results


if __name__ == '__main__':
    main()
