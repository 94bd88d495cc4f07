"""API read throughput: an agency's first 20 letters through `GET /api/v1/letters`, against a minimal floor.

Run by hand: `.venv/bin/python bench/api_read.py [--requests 5000] [--connections 32] [--rounds 3]`. A fresh SQLite
file gets the demo data (about 2,800 letters) and an API key with `letters:read` for the agency that received the
most letters. Two servers then run side by side, each as its own process under uvicorn with the same options
(httptools, one process, the same log level):

- the portal, as `python main.py` (jobs off);
- the floor: this file with `--serve-floor`, a pure Starlette app with one route that does the least the same answer
  needs. It checks the key the way `portal/store/apikeys.py` does (the row found by the key's public part, the
  secret's SHA-256 compared in constant time, the scope, `last_used_at` touched once a minute), runs the statements
  the store runs for the list with the standard `sqlite3` module (the count, then the page: its letters chosen in a
  subquery, their rows with the organisation, the citizen and a forwarded copy's previous leg joined), and writes the
  same JSON with orjson.

Before measuring, both answers are compared: they must be equal, so the floor does the same work and no less. Each
round sends the same number of requests to each server over keep-alive connections (plain HTTP/1.1 over loopback from
one asyncio process, as `bench/votes.py` does) and reads the servers' CPU time from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
PAGE = 20
GOAL = 0.25  # the portal's requests per second, as a share of the floor's
PATH = f'/api/v1/letters?limit={PAGE}'


@dataclass
class Run:
    requests: int
    seconds: float
    cpu: float  # server CPU seconds
    failed: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float:
        return 1e6 * self.cpu / self.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=5_000, help='per server and round')
    parser.add_argument('--connections', type=int, default=32)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--log-level', default='INFO', choices=['DEBUG', 'INFO', 'WARNING', 'ERROR'])
    parser.add_argument('--serve-floor', metavar='SQLITE_FILE', help=argparse.SUPPRESS)
    parser.add_argument('--port', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        serve_floor(args.serve_floor, args.port, args.log_level)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f'sqlite://{folder}/bench.sqlite3'
        env = {
            **os.environ,
            'PORTAL_DB_URL': url,
            'PORTAL_DEMO': '1',
            'PORTAL_SCHEDULER': '0',
            'PORTAL_LOG_LEVEL': args.log_level,
            'PORTAL_FILES_DIR': f'{folder}/files',
            'PORTAL_TALLY_KEY_FILE': f'{folder}/tally.key',
            'PORTAL_MAILBOX_DIR': f'{folder}/mailbox',
            'PORTAL_SMS_LOG': f'{folder}/sms.log',
        }
        os.environ.update(env)  # the bench's own store calls use the same settings as the server
        started = time.perf_counter()
        key, agency, letters = asyncio.run(prepare_db(url))
        print(f'demo data and key made in {time.perf_counter() - started:.1f} s: {letters} letters to {agency}')
        servers: list[subprocess.Popen[bytes]] = []
        try:
            portal_port, floor_port = free_port(), free_port()
            servers.append(start([sys.executable, 'main.py'], {**env, 'PORTAL_PORT': str(portal_port)}))
            floor_command = [sys.executable, __file__, '--serve-floor', url.removeprefix('sqlite://')]
            floor_command += ['--port', str(floor_port), '--log-level', args.log_level]
            servers.append(start(floor_command, env))
            portal, floor = servers
            wait_until_answering('portal', portal, portal_port, key)
            wait_until_answering('floor', floor, floor_port, key)
            same_answer(portal_port, floor_port, key)
            for port in (portal_port, floor_port):  # warm both: first requests fill caches, open connections
                asyncio.run(drive(port, key, 500, args.connections))
            runs: dict[str, list[Run]] = {'portal': [], 'floor': []}
            for _ in range(args.rounds):  # interleaved, so that other work on the machine weighs on both alike
                for name, server, port in (('portal', portal, portal_port), ('floor', floor, floor_port)):
                    runs[name].append(measure(server, port, key, args.requests, args.connections))
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        store = asyncio.run(store_alone(url, key))
    report(runs, store, args)


# --- the data -------------------------------------------------------------------------------------------------------


async def prepare_db(url: str) -> tuple[str, str, int]:
    """The demo data, and a `letters:read` key of the agency with the most letters; returns the key in clear."""
    from tortoise import Tortoise

    from portal import db
    from portal.store import apikeys
    from portal.store.demo import seed_demo
    from portal.store.letters import files

    files.use_folder(Path(os.environ['PORTAL_FILES_DIR']))
    await db.open_db(url)
    try:
        await seed_demo(now=datetime.now(UTC))
        rows = await Tortoise.get_connection('default').execute_query_dict(
            'SELECT o.code AS code, COUNT(*) AS n FROM letters l JOIN organisations o ON o.id = l.organisation_id '
            "WHERE l.direction = 'inbound' AND l.status <> 'draft' GROUP BY o.code ORDER BY n DESC LIMIT 1"
        )
        agency, letters = str(rows[0]['code']), int(rows[0]['n'])
        _client, key = await apikeys.create_api_key(
            organisation_code=agency, scopes=['letters:read'], now=datetime.now(UTC), name='Bench reader'
        )
    finally:
        await db.close_db()
    return key, agency, letters


async def store_alone(url: str, key: str, calls: int = 300) -> float:
    """CPU µs per call of what the route asks of the store (the key, then the list), in this process, no HTTP."""
    from portal import db
    from portal.store import apikeys, letters

    await db.open_db(url, migrate_schema=False)
    try:
        for n in range(calls + 30):  # the first calls warm caches
            if n == 30:
                cpu = time.process_time()
            now = datetime.now(UTC)
            actor = await apikeys.authenticate(key=key, now=now)
            await letters.list_incoming(actor=actor, now=now, limit=PAGE)
        return 1e6 * (time.process_time() - cpu) / calls
    finally:
        await db.close_db()


# --- driving the servers --------------------------------------------------------------------------------------------


def measure(server: subprocess.Popen[bytes], port: int, key: str, requests: int, connections: int) -> Run:
    cpu = cpu_seconds(server.pid)
    seconds, statuses = asyncio.run(drive(port, key, requests, connections))
    failed = requests - statuses.get(200, 0)
    return Run(requests=requests, seconds=seconds, cpu=cpu_seconds(server.pid) - cpu, failed=failed)


async def drive(port: int, key: str, requests: int, connections: int) -> tuple[float, dict[int, int]]:
    """`requests` GETs over `connections` keep-alive connections; the wall time from the first to the last answer."""
    request = f'GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n\r\n'.encode()
    statuses: dict[int, int] = {}
    left = requests

    async def connection() -> None:
        nonlocal left
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        while left > 0:
            left -= 1
            writer.write(request)
            status = await read_response(reader)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return time.perf_counter() - start, statuses


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b'\r\n\r\n')
    lines = head.split(b'\r\n')
    status = int(lines[0].split()[1])
    length = next(int(line.split(b':', 1)[1]) for line in lines if line.lower().startswith(b'content-length:'))
    await reader.readexactly(length)
    return status


def same_answer(portal_port: int, floor_port: int, key: str) -> None:
    """The floor must answer exactly what the portal answers, or the comparison means nothing."""
    headers = {'Authorization': f'Bearer {key}'}
    portal = httpx.get(f'http://127.0.0.1:{portal_port}{PATH}', headers=headers, timeout=10)
    floor = httpx.get(f'http://127.0.0.1:{floor_port}{PATH}', headers=headers, timeout=10)
    assert portal.status_code == floor.status_code == 200, (portal.status_code, floor.status_code, floor.text)
    mine, theirs = portal.json(), floor.json()
    assert len(mine['items']) == PAGE, f'the portal answered {len(mine["items"])} letters, not {PAGE}'
    if mine != theirs:
        for a, b in zip(mine['items'], theirs['items'], strict=False):
            for field in sorted(set(a) | set(b)):
                if a.get(field) != b.get(field):
                    raise SystemExit(f'the floor differs in {field}: {b.get(field)!r}, the portal: {a.get(field)!r}')
        raise SystemExit(f'the floor differs from the portal: total {theirs["total"]} != {mine["total"]}')
    wrong = httpx.get(f'http://127.0.0.1:{floor_port}{PATH}', headers={'Authorization': f'Bearer {key}x'}, timeout=10)
    assert wrong.status_code == 401, 'the floor must check the key'
    print(f'both answer the same {PAGE} letters (of {mine["total"]}), {len(portal.content):,} bytes of JSON')


def report(runs: dict[str, list[Run]], store: float, args: argparse.Namespace) -> None:
    print(
        f'GET {PATH} with an agency key, {args.requests:,} requests per server and round over {args.connections} '
        f'keep-alive connections, {args.rounds} rounds (log level {args.log_level}):'
    )
    for name in ('portal', 'floor'):
        line = ', '.join(f'{r.rate:,.0f}/s ({r.cpu_us:,.0f} µs CPU per request)' for r in runs[name])
        failed = sum(r.failed for r in runs[name])
        print(f'  {name:<6} {line}' + (f'; {failed} answers were not 200' if failed else ''))
    ratios = [p.rate / f.rate for p, f in zip(runs['portal'], runs['floor'], strict=True)]
    portal = statistics.median(r.rate for r in runs['portal'])
    floor = statistics.median(r.rate for r in runs['floor'])
    portal_cpu = statistics.median(r.cpu_us for r in runs['portal'])
    floor_cpu = statistics.median(r.cpu_us for r in runs['floor'])
    print(
        f'  median: portal {portal:,.0f} requests/s, {portal_cpu:,.0f} µs of server CPU per request; '
        f'floor {floor:,.0f} requests/s, {floor_cpu:,.0f} µs'
    )
    print(f"  of the portal's CPU, the store alone (the key, then the list; no HTTP): {store:,.0f} µs per request")
    ratio = statistics.median(ratios)
    print(
        f'  portal / floor: {", ".join(f"{r:.2f}" for r in ratios)} (median {ratio:.2f}); CPU per request '
        f"{portal_cpu / floor_cpu:.1f}x the floor's"
    )
    verdict = 'met' if ratio >= GOAL else 'NOT met'
    print(f'  goal: at least {GOAL} x the floor -> {verdict} (ratio / goal = {ratio / GOAL:.2f})')
    if any(r.failed for rs in runs.values() for r in rs):
        raise SystemExit('some answers were not 200')


# --- processes ------------------------------------------------------------------------------------------------------


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def wait_until_answering(name: str, server: subprocess.Popen[bytes], port: int, key: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f'the {name} exited with {server.returncode}')
        try:
            response = httpx.get(f'http://127.0.0.1:{port}{PATH}', headers={'Authorization': f'Bearer {key}'})
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f'the {name} did not answer within 120 s')


def cpu_seconds(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


# --- the floor ------------------------------------------------------------------------------------------------------

# The statements the store runs for the list, as its query log shows them (all written out in the store: the key in
# portal/store/apikeys.py, the list in portal/store/letters/listing.py): the key's row with its organisation's code,
# the count, then the page, its letters chosen in a subquery and their rows joined with organisation, citizen and
# previous leg.
KEY_SQL = (
    'SELECT k.id, k.key_hash, k.scopes, k.last_used_at, k.organisation_id, o.code AS organisation_code '
    'FROM api_clients k JOIN organisations o ON o.id = k.organisation_id WHERE k.lookup = ? AND k.revoked_at IS NULL'
)
TOUCH_SQL = 'UPDATE "api_clients" SET "last_used_at"=? WHERE "id"=?'
WHERE = 'WHERE "organisation_id"=? AND "direction"=? AND ("status"<>? OR "status" IS NULL)'
COUNT_SQL = f'SELECT COUNT(*) AS total FROM "letters" {WHERE}'
PAGE_SQL = (
    'SELECT l.id, l.direction, l.status, l.title, l.delivered_at, l.due_on, l.investigation_reason, l.read_at, '
    'l.reply_to_id, l.created_at, l.closed_at, l.organisation_id, o.code AS organisation_code, '
    'o.name_az AS organisation_name_az, o.name_en AS organisation_name_en, p.fin, p.first_name, p.last_name, '
    'f.organisation_id AS previous_organisation_id, fo.code AS previous_organisation_code, '
    'fo.name_az AS previous_organisation_name_az, fo.name_en AS previous_organisation_name_en '
    'FROM letters l JOIN people p ON p.id = l.person_id '
    'LEFT JOIN organisations o ON o.id = l.organisation_id '
    'LEFT JOIN letters f ON f.forwarded_to_id = l.id '
    'LEFT JOIN organisations fo ON fo.id = f.organisation_id '
    f'WHERE l.id IN (SELECT "id" FROM "letters" {WHERE} ORDER BY "due_on" ASC,"delivered_at" ASC,"id" ASC '
    'LIMIT ? OFFSET ?) ORDER BY l.due_on ASC,l.delivered_at ASC,l.id ASC'
)
OPEN = ('sent', 'received', 'under_review')
BAKU = ZoneInfo('Asia/Baku')


def serve_floor(path: str, port: int, log_level: str) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    con = sqlite3.connect(path, isolation_level=None)
    con.row_factory = sqlite3.Row
    for pragma in ('journal_mode=WAL', 'synchronous=FULL', 'busy_timeout=5000', 'foreign_keys=ON'):
        con.execute(f'PRAGMA {pragma}')

    def refused(status: int, code: str) -> Response:
        return Response(orjson.dumps({'error': {'code': code}}), status, media_type='application/json')

    async def list_letters(request: Request) -> Response:
        scheme, _, credentials = request.headers.get('authorization', '').partition(' ')
        parts = credentials.split('_', 2)
        if scheme.lower() != 'bearer' or len(parts) != 3 or parts[0] != 'kab':
            return refused(401, 'invalid_api_key')
        key = con.execute(KEY_SQL, (parts[1],)).fetchone()
        digest = hashlib.sha256(parts[2].encode()).hexdigest()
        if key is None or not hmac.compare_digest(key['key_hash'], digest):
            return refused(401, 'invalid_api_key')
        if 'letters:read' not in orjson.loads(key['scopes']):
            return refused(403, 'insufficient_scope')
        now = datetime.now(UTC)
        used = key['last_used_at']
        if used is None or now - datetime.fromisoformat(used) >= timedelta(minutes=1):
            con.execute(TOUCH_SQL, (str(now), key['id']))
        try:
            limit = min(max(int(request.query_params.get('limit', 50)), 1), 200)
            offset = max(int(request.query_params.get('offset', 0)), 0)
        except ValueError:
            return refused(422, 'validation_error')
        where = (key['organisation_id'], 'inbound', 'draft')
        total = con.execute(COUNT_SQL, where).fetchone()[0]
        rows = con.execute(PAGE_SQL, (*where, limit, offset)).fetchall()
        body = orjson.dumps({'items': _items(rows, now), 'total': total}, option=orjson.OPT_UTC_Z)
        return Response(body, media_type='application/json')

    app = Starlette(routes=[Route('/api/v1/letters', list_letters)])
    uvicorn.run(app, host='127.0.0.1', port=port, http='httptools', proxy_headers=True, log_level=log_level.lower())


def _items(rows: list[sqlite3.Row], now: datetime) -> list[dict[str, Any]]:
    today = now.astimezone(BAKU).date().isoformat()
    items = []
    for r in rows:
        inbound = r['direction'] == 'inbound'
        items.append(
            {
                'id': r['id'],
                'direction': r['direction'],
                'status': r['status'],
                'title': r['title'],
                'organisation': _org(r, 'organisation'),
                'fin': r['fin'],
                'citizen_name': f'{r["first_name"]} {r["last_name"]}',
                'delivered_at': _moment(r['delivered_at']),
                'due_on': r['due_on'],
                'overdue': inbound and r['status'] in OPEN and r['due_on'] is not None and today > r['due_on'],
                'investigation': bool(r['investigation_reason']),
                'unread': not inbound and r['read_at'] is None,
                'reply_to_id': r['reply_to_id'],
                'forwarded_from': _org(r, 'previous_organisation'),
                'created_at': _moment(r['created_at']),
                'closed_at': _moment(r['closed_at']),
            }
        )
    return items


def _org(row: sqlite3.Row, prefix: str) -> dict[str, Any] | None:
    if row[f'{prefix}_id'] is None:
        return None
    return {'code': row[f'{prefix}_code'], 'name_az': row[f'{prefix}_name_az'], 'name_en': row[f'{prefix}_name_en']}


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


if __name__ == '__main__':
    main()
