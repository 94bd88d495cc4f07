"""Votes per second through the API on SQLite.

Run by hand: `.venv/bin/python bench/votes.py [--citizens 200] [--polls 50] [--connections 64] [--processes 1]`.
The portal runs as its own process (`python main.py`; with `--processes 2`, two of them on one SQLite file, each on
its own port, the connections spread over both as a proxy would), on SQLite with its usual pragmas (WAL,
`synchronous=FULL`, so every commit is fsynced); the jobs are off, so nothing but votes is written meanwhile. Each
citizen logs in once through `POST /api/v1/sessions`, then every citizen votes once in every poll through
`POST /api/v1/polls/{id}/vote`, from many keep-alive connections at once (plain HTTP/1.1 over loopback from one
asyncio process, cheap enough to leave most of this 2-core machine to the server). The figure is accepted votes
divided by the wall time from the first request to the last answer; afterwards the database must hold exactly one
participation and one sealed ballot per vote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import db  # noqa: E402
from portal.store.actors import Role  # noqa: E402
from portal.store.auth import hash_password  # noqa: E402
from portal.store.orgs import Organisation, reference_organisations  # noqa: E402
from portal.store.participation import voting  # noqa: E402
from portal.store.people import Person  # noqa: E402

PASSWORD = 'bench-password'
GOAL = 2000


async def prepare_db(url: str, citizens: int, polls: int) -> list[tuple[str, list[str]]]:
    await db.open_db(url)
    await Organisation.bulk_create(
        [
            Organisation(**{k: r[k] for k in ('code', 'category', 'kind', 'name_az', 'name_en', 'region')})
            for r in reference_organisations()
        ]
    )
    nesimi = await Organisation.get(code='IH-NESIMI')
    hashed = hash_password(PASSWORD)  # one hash for all: the bench measures votes, not password hashing
    officer = await Person.create(
        fin='6BENCH0', role=Role.EXECUTIVE_OFFICER, first_name='Bench', last_name='Officer', organisation_id=nesimi.id
    )
    await Person.bulk_create(
        [
            Person(fin=f'B{n:06d}', role=Role.CITIZEN, first_name='Səs', last_name=f'Verən {n}', password_hash=hashed)
            for n in range(citizens)
        ]
    )
    now = datetime.now(UTC)
    made = []
    for n in range(polls):
        poll = await voting.create_poll(
            actor=officer.as_actor(),
            question=f'Sorğu {n + 1}: parkda yeni meydança tikilsin?',
            options=['Bəli', 'Xeyr', 'Bitərəfəm'],
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            now=now,
        )
        made.append((str(poll.id), [str(o.id) for o in poll.options]))
    await db.close_db()
    return made


async def log_in_all(base: str, citizens: int) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        gate = asyncio.Semaphore(4)

        async def one(n: int) -> str:
            async with gate:
                response = await client.post('/api/v1/sessions', json={'fin': f'B{n:06d}', 'password': PASSWORD})
                assert response.status_code == 201, response.text
                return str(response.json()['token'])

        return list(await asyncio.gather(*(one(n) for n in range(citizens))))


async def vote_all(
    ports: list[int], tokens: list[str], polls: list[tuple[str, list[str]]], connections: int
) -> tuple[float, list[float], dict[int, int]]:
    jobs = [(token, poll_id, random.choice(options)) for token in tokens for poll_id, options in polls]
    random.shuffle(jobs)
    requests = [_request(token, poll_id, option) for token, poll_id, option in jobs]
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    cursor = iter(requests)

    async def connection(port: int) -> None:
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        for request in cursor:
            start = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection(ports[n % len(ports)]) for n in range(connections)))
    return time.perf_counter() - start, latencies, statuses


def _request(token: str, poll_id: str, option: str) -> bytes:
    body = json.dumps({'option': option}).encode()
    head = (
        f'POST /api/v1/polls/{poll_id}/vote HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n'
        f'Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n'
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b'\r\n\r\n')
    lines = head.split(b'\r\n')
    status = int(lines[0].split()[1])
    length = next(int(line.split(b':', 1)[1]) for line in lines if line.lower().startswith(b'content-length:'))
    await reader.readexactly(length)
    return status


def wait_until_up(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f'{base}/api/v1/health', timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f'the portal at {base} did not start')


def cpu_seconds(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--citizens', type=int, default=200)
    parser.add_argument('--polls', type=int, default=50)
    parser.add_argument('--connections', type=int, default=64)
    parser.add_argument('--processes', type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f'sqlite://{folder}/bench.sqlite3'
        env = {
            **os.environ,
            'PORTAL_DB_URL': url,
            'PORTAL_DEMO': '1',
            'PORTAL_SCHEDULER': '0',
            'PORTAL_TALLY_KEY_FILE': f'{folder}/tally.key',
            'PORTAL_FILES_DIR': f'{folder}/files',
        }
        os.environ.update(env)  # the bench's own store calls use the same settings as the server
        polls = asyncio.run(prepare_db(url, args.citizens, args.polls))
        ports, servers = [], []
        try:
            for _ in range(args.processes):
                with socket.socket() as s:
                    s.bind(('127.0.0.1', 0))
                    port = s.getsockname()[1]
                server = subprocess.Popen(
                    [sys.executable, 'main.py'],
                    cwd=ROOT,
                    env={**env, 'PORTAL_PORT': str(port)},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                ports.append(port)
                servers.append(server)
                wait_until_up(f'http://127.0.0.1:{port}')
            tokens = asyncio.run(log_in_all(f'http://127.0.0.1:{ports[0]}', args.citizens))
            print(f'{len(tokens)} citizens logged in; voting', file=sys.stderr, flush=True)
            before = sum(cpu_seconds(s.pid) for s in servers)
            elapsed, latencies, statuses = asyncio.run(vote_all(ports, tokens, polls, args.connections))
            server_cpu = sum(cpu_seconds(s.pid) for s in servers) - before
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)
        with sqlite3.connect(url.removeprefix('sqlite://')) as con:
            participations = con.execute('SELECT COUNT(*) FROM participations').fetchone()[0]
            sealed = con.execute('SELECT COUNT(*) FROM sealed_ballots').fetchone()[0]
    accepted = statuses.get(201, 0)
    rate = accepted / elapsed
    latencies.sort()
    print(
        f'{accepted} votes ({args.citizens} citizens x {args.polls} polls) over {args.connections} connections to '
        f'{args.processes} process(es) in '
        f'{elapsed:.2f} s: {rate:,.0f} votes/s'
    )
    print(
        f'  per vote: median {statistics.median(latencies) * 1000:.1f} ms, '
        f'p95 {latencies[int(0.95 * len(latencies)) - 1] * 1000:.1f} ms; server CPU {server_cpu:.2f} s '
        f'({server_cpu / max(accepted, 1) * 1e6:.0f} µs per vote)'
    )
    print(f'  answers: {statuses}; in the database: {participations} participations, {sealed} sealed ballots')
    assert participations == sealed == accepted, 'every accepted vote must be written exactly once'
    print(
        f'  goal: at least {GOAL:,} votes/s -> {"met" if rate >= GOAL else "NOT met"} '
        f'(figure / goal = {rate / GOAL:.2f})'
    )


if __name__ == '__main__':
    main()
