"""The hash-chained logs: the operation history and the data access log link entry by entry, and a changed or removed
row is found at its place, on both databases and from the operator CLI."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from portal import db
from portal.store import audit, chain
from portal.store.apikeys import authenticate
from portal.store.audit import HistoryEvent, HistoryKind, record_event, record_events, verify_history
from portal.store.consent import permissions as consent
from portal.store.consent.models import AccessEntry, ChainHead
from portal.store.people import Person
from tests import test_jobs_cli
from tests.builders import make_key_with_scopes
from tests.factories import ADDRESS, make_citizen, make_org, make_record
from tests.test_jobs_cli import CliDb, invoke

# the CLI's database fixture (a copy of the migrated SQLite file, set as the CLI's PORTAL_DB_URL)
cli_db = test_jobs_cli.cli_db
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
BAKU = ZoneInfo('Asia/Baku')
CHANGED = 'the entry was changed'
MISSING = 'an entry is missing'
CUT = 'entries after the last one were removed or added'


async def write_history(person: Person, count: int = 5) -> list[HistoryEvent]:
    """Events of every shape a use case writes: a method, an organisation, a nested detail, times in another zone."""
    org = await make_org('MIA')
    events = []
    for n in range(count):
        at = (NOW + timedelta(minutes=n, microseconds=123_457 * n)).astimezone(BAKU)
        events.append(
            await record_event(
                person_id=person.id,
                kind=HistoryKind.LOGIN if n % 2 else HistoryKind.SERVICE_USED,
                now=at,
                method='asan' if n % 2 else None,
                organisation_id=None if n % 2 else org.id,
                detail={}
                if n % 2
                else {'title': f'Arayış №{n}', 'amount': 12.5, 'ids': [uuid4()], 'at': at, 'n': {'n': n}},
            )
        )
    return events


async def write_accesses(count: int = 5) -> None:
    leyla = await make_citizen('5ABC123')
    await make_record(leyla, 'address', ADDRESS)
    await make_org('MIA')
    bank = await authenticate(key=await make_key_with_scopes('MIA', ['data:read']), now=NOW)
    await consent.share_in_advance(
        actor=leyla.as_actor(),
        organisation_code='MIA',
        categories=['personal'],
        purpose='Kredit müraciətinin yoxlanılması',
        valid_until=date(2027, 5, 20),
        now=NOW,
    )
    for n in range(count):
        await consent.read_data(
            actor=bank, fin='5ABC123', categories=['personal'], now=NOW + timedelta(minutes=n, microseconds=n)
        )


async def execute(sql: str) -> None:
    await connections.get('default').execute_query(sql)


# --- the history ---------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_history_events_link_one_by_one_and_read_back_as_they_were_hashed() -> None:
    leyla = await make_citizen()
    written = await write_history(leyla)
    rows = await HistoryEvent.all().order_by('seq')
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert [r.id for r in rows] == [e.id for e in written]
    prev = chain.GENESIS
    for row, event in zip(rows, written, strict=True):
        assert row.prev_hash == prev
        assert row.hash == event.hash == chain.link(prev, audit._content(row))
        assert row.created_at == event.created_at
        assert row.detail == event.detail
        prev = row.hash
    head = await ChainHead.get(name='history')
    assert (head.count, head.hash) == (5, prev)
    assert await verify_history() == chain.Verdict('history', 5)


@pytest.mark.usefixtures('store_db')
async def test_a_time_without_a_zone_is_taken_as_utc() -> None:
    leyla = await make_citizen()
    event = await record_event(person_id=leyla.id, kind=HistoryKind.LOGIN, now=NOW.replace(tzinfo=None))
    assert event.created_at == NOW and event.created_at.tzinfo is not None
    assert (await HistoryEvent.get(id=event.id)).created_at == NOW
    assert (await verify_history()).ok


@pytest.mark.usefixtures('store_db')
async def test_an_event_rolled_back_with_its_use_case_leaves_no_gap() -> None:
    leyla = await make_citizen()
    await write_history(leyla, 2)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await record_event(person_id=leyla.id, kind=HistoryKind.LOGOUT, now=NOW)
            raise RuntimeError('the use case fails after writing history')
    await record_event(person_id=leyla.id, kind=HistoryKind.LOGOUT, now=NOW)
    assert [r.seq for r in await HistoryEvent.all().order_by('seq')] == [1, 2, 3]
    assert (await verify_history()).ok


@pytest.mark.usefixtures('store_db')
async def test_bulk_events_continue_the_chain() -> None:
    leyla = await make_citizen()
    await write_history(leyla, 2)
    bulk = [
        HistoryEvent(person_id=leyla.id, kind=HistoryKind.LETTER_SENT, detail={'title': f'Məktub {n}'}, created_at=NOW)
        for n in range(3)
    ]
    await record_events(bulk)
    await record_events([])
    await record_event(person_id=leyla.id, kind=HistoryKind.LOGOUT, now=NOW)
    rows = await HistoryEvent.all().order_by('seq')
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r.id for r in rows[2:5]] == [e.id for e in bulk]
    assert await verify_history() == chain.Verdict('history', 6)


@pytest.mark.usefixtures('store_db')
async def test_rows_from_before_the_chain_are_left_out() -> None:
    leyla = await make_citizen()
    await HistoryEvent.create(person_id=leyla.id, kind=HistoryKind.LOGIN, created_at=NOW)
    await write_history(leyla, 3)
    assert await verify_history() == chain.Verdict('history', 3)


HISTORY_TAMPERING = {
    'detail changed': ('UPDATE history_events SET detail = \'{"title": "Saxta"}\' WHERE seq = 3', 3, CHANGED),
    'time changed': ("UPDATE history_events SET created_at = '2026-11-20T08:00:00+00:00' WHERE seq = 2", 2, CHANGED),
    'last removed': ('DELETE FROM history_events WHERE seq = 5', 5, CUT),
    'middle removed': ('DELETE FROM history_events WHERE seq = 3', 3, MISSING),
}


@pytest.mark.usefixtures('store_db')
@pytest.mark.parametrize('tampering', HISTORY_TAMPERING, ids=list(HISTORY_TAMPERING))
async def test_tampering_with_the_history_is_found_at_its_row(tampering: str) -> None:
    await write_history(await make_citizen())
    assert (await verify_history()).ok
    sql, seq, reason = HISTORY_TAMPERING[tampering]
    await execute(sql)
    verdict = await verify_history()
    assert (verdict.ok, verdict.broken_at, verdict.reason) == (False, seq, reason)
    assert verdict.checked == seq - 1


@pytest.mark.usefixtures('store_db')
async def test_concurrent_appenders_keep_the_history_unbroken() -> None:
    leyla = await make_citizen()
    await write_history(leyla, 1)

    async def appender(kind: HistoryKind, count: int) -> None:
        for n in range(count):
            await record_event(person_id=leyla.id, kind=kind, now=NOW, detail={'n': n})

    # two appenders writing one event after another, and a crowd writing at once
    await asyncio.gather(appender(HistoryKind.LOGIN, 25), appender(HistoryKind.LOGOUT, 25))
    await asyncio.gather(*(record_event(person_id=leyla.id, kind=HistoryKind.SERVICE_USED, now=NOW) for _ in range(30)))
    assert [r.seq for r in await HistoryEvent.all().order_by('seq')] == list(range(1, 82))
    assert await verify_history() == chain.Verdict('history', 81)


# --- the access log ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_reads_link_one_by_one_in_the_access_log() -> None:
    await write_accesses()
    rows = await AccessEntry.all().order_by('seq')
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert [r.prev_hash for r in rows] == [chain.GENESIS, *(r.hash for r in rows[:-1])]
    assert await consent.verify_access_log() == chain.Verdict('access', 5)


ACCESS_TAMPERING = {
    'purpose changed': ("UPDATE access_log SET purpose = 'Başqa məqsəd' WHERE seq = 3", 3, CHANGED),
    'last removed': ('DELETE FROM access_log WHERE seq = 5', 5, CUT),
    'middle removed': ('DELETE FROM access_log WHERE seq = 3', 3, MISSING),
}


@pytest.mark.usefixtures('store_db')
@pytest.mark.parametrize('tampering', ACCESS_TAMPERING, ids=list(ACCESS_TAMPERING))
async def test_tampering_with_the_access_log_is_found_at_its_row(tampering: str) -> None:
    await write_accesses()
    assert (await consent.verify_access_log()).ok
    sql, seq, reason = ACCESS_TAMPERING[tampering]
    await execute(sql)
    verdict = await consent.verify_access_log()
    assert (verdict.ok, verdict.broken_at, verdict.reason) == (False, seq, reason)


@pytest.mark.usefixtures('store_db')
async def test_concurrent_reads_keep_the_access_log_unbroken() -> None:
    await write_accesses(1)
    bank = await authenticate(key=await make_key_with_scopes('MIA', ['data:read']), now=NOW)
    reads = (consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW) for _ in range(30))
    await asyncio.gather(*reads)
    assert await consent.verify_access_log() == chain.Verdict('access', 31)


# --- the operator CLI ----------------------------------------------------------------------------------------------


def in_cli_db(url: str, action: Callable[[], Awaitable[None]]) -> None:
    async def main() -> None:
        await db.open_db(url, migrate_schema=False)
        try:
            await action()
        finally:
            await db.close_db()

    asyncio.run(main())


def test_audit_verify_prints_ok_then_broken_after_tampering(cli_db: CliDb) -> None:
    async def fill() -> None:
        await write_accesses(3)
        leyla = await Person.get(fin='5ABC123')
        await write_history(leyla, 4)

    in_cli_db(cli_db.url, fill)
    # sharing in advance writes a history event too
    result = invoke('audit', 'verify')
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ['history: ok: 5 entries', 'access: ok: 3 entries']

    with sqlite3.connect(cli_db.path) as conn:
        conn.execute('UPDATE access_log SET purpose = ? WHERE seq = 2', ('Başqa məqsəd',))
    conn.close()
    result = invoke('audit', 'verify')
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ['history: ok: 5 entries', 'access: BROKEN at entry #2: the entry was changed']

    with sqlite3.connect(cli_db.path) as conn:
        conn.execute('DELETE FROM history_events WHERE seq = 5')
    conn.close()
    result = invoke('audit', 'verify')
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f'history: BROKEN at entry #5: {CUT}'


def test_the_demo_history_is_one_unbroken_chain(cli_db: CliDb) -> None:
    assert invoke('seed-demo').exit_code == 0
    with sqlite3.connect(cli_db.path) as conn:
        (rows, chained) = conn.execute('SELECT COUNT(*), COUNT(seq) FROM history_events').fetchone()
    conn.close()
    assert rows == chained > 100
    result = invoke('audit', 'verify')
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f'history: ok: {rows} entries'
