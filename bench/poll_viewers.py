"""Live poll results with 1,000 viewers: the time from a refresh to every viewer, and server memory per viewer.

Run by hand: `.venv/bin/python bench/poll_viewers.py [--viewers 1000] [--refreshes 6]`. The portal runs as its own
process (`bench/poll_viewers_server.py`: the portal plus two bench-only routes) on a fresh SQLite file. One asyncio
process emulates the viewers the way a browser opens the page: GET `/participation/polls/{id}` (anonymous, keeping
the session cookie), then the socket.io connection NiceGUI's page script opens (websocket transport; the client id
and message id from the page, a new document and tab id, the implicit handshake), answering the server's pings and
acknowledging the messages every 3 s, each tab on its own timer, as the script does.

Each refresh is real: ten citizens vote together (the participants' figure changes) and, once the poll's feed is
quiet again, their batch is counted (the counted figure and the chart change). For each refresh and viewer the time
runs from the moment the store published the event in the server (wall clock, taken right before the hub got it) to
the moment the viewer's socket handed over the update carrying the new figure (a page's own element update, or the
reading sent to all of the poll's pages at once). The first refresh after the viewers
connected is reported apart: each page's first chart update also tells its browser to load the chart component.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.i18n import translate  # noqa: E402

GOAL_MS = 250
ACK_SECONDS = 3  # NiceGUI's page script acknowledges the messages it got this often
CONNECTING_AT_ONCE = 6
CLIENT_ID = re.compile(r"'client_id': '([0-9a-f-]{36})'")


@dataclass
class Viewer:
    """One browser tab on the results page, as its socket.io client speaks on the wire (Engine.IO 4, Socket.IO 5):
    the open packet, the namespace connect, pongs to the server's pings, events in, acknowledgements out. A thin
    client keeps the emulation of a thousand tabs within one process on this machine."""

    ws: aiohttp.ClientWebSocketResponse
    client_id: str
    next_message_id: int = 0
    acked: int = 0
    inbox: list[tuple[float, str]] = field(default_factory=list)  # element updates as they came, read later
    read: int = 0
    texts: list[tuple[float, str]] = field(default_factory=list)
    bars: list[tuple[float, list[int]]] = field(default_factory=list)

    async def listen(self) -> None:
        """Takes the time of each update as it comes and puts it aside: reading it now would delay the other tabs'
        clocks, which a thousand real browsers would not."""
        async for message in self.ws:
            now, data = time.time(), message.data
            if data == '2':  # the server's ping
                await self.ws.send_str('3')
            elif isinstance(data, str) and data.startswith(('42["update"', '42["kabinet_poll_reading"')):
                self.inbox.append((now, data))

    def read_inbox(self) -> None:
        for now, raw in self.inbox[self.read :]:
            event, data = orjson.loads(raw[2:])
            if event == 'kabinet_poll_reading':  # a reading sent to all of the poll's pages at once
                self.texts += [(now, text) for text in data['texts'].get('az', ())]
                self.bars.append((now, data['bars']))
                continue
            self.next_message_id = int(data.get('_id', self.next_message_id - 1)) + 1
            for key, element in data.items():
                if key == '_id' or not element:
                    continue
                if 'text' in element:
                    self.texts.append((now, element['text']))
                options = element.get('props', {}).get('options')
                if options:
                    self.bars.append((now, options['series'][0]['data']))
        self.read = len(self.inbox)

    async def acknowledge(self) -> None:
        """What the page script sends every 3 s, on its own timer from when the page loaded, when messages came in."""
        while not self.ws.closed:
            await asyncio.sleep(ACK_SECONDS)
            self.read_inbox()
            if self.next_message_id > self.acked and not self.ws.closed:
                self.acked = self.next_message_id
                ack = {'client_id': self.client_id, 'next_message_id': self.acked}
                await self.ws.send_str('42' + orjson.dumps(['ack', ack]).decode())

    def first(self, found: list[tuple[float, Any]], value: Any, since: float) -> float | None:
        return next((t for t, v in found if v == value and t >= since), None)


async def open_viewer(session: aiohttp.ClientSession, base: str, page: str) -> tuple[Viewer, list[asyncio.Task[None]]]:
    async with session.get(f'{base}{page}') as response:
        assert response.status == 200, response.status
        html = await response.text()
        cookie = '; '.join(f'{c.key}={c.value}' for c in response.cookies.values())
    match = CLIENT_ID.search(html)
    assert match is not None, 'no client id in the page'
    query = (
        f'client_id={match.group(1)}&next_message_id=0&implicit_handshake=true'
        f'&document_id={uuid.uuid4()}&tab_id={uuid.uuid4()}&EIO=4&transport=websocket'
    )
    ws = await session.ws_connect(
        f'{base.replace("http", "ws", 1)}/_nicegui_ws/socket.io/?{query}', headers={'Cookie': cookie}
    )
    opened = await ws.receive_str()
    assert opened.startswith('0{'), opened  # Engine.IO open: the session id and the ping interval
    await ws.send_str('40')  # Socket.IO connect to the default namespace: the server's implicit handshake runs
    connected = await ws.receive_str()
    assert connected.startswith('40{'), connected
    viewer = Viewer(ws, match.group(1))
    return viewer, [asyncio.create_task(viewer.listen()), asyncio.create_task(viewer.acknowledge())]


async def until_seen(viewers: list[Viewer], bars: list[int], since: float, timeout: float = 30) -> None:
    """Until every tab has the chart with these bars; its updates are read only once each tab has had one since the
    refresh, so that reading them never delays the clocks of tabs still waiting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(v.inbox and v.inbox[-1][0] >= since for v in viewers):
            for viewer in viewers:
                viewer.read_inbox()
            if all(v.first(v.bars, bars, since) is not None for v in viewers):
                return
        await asyncio.sleep(0.05)
    for viewer in viewers:
        viewer.read_inbox()
    missing = sum(v.first(v.bars, bars, since) is None for v in viewers)
    raise RuntimeError(f'{missing} viewers never saw the chart {bars}')


def rss_kib(pid: int) -> int:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    raise RuntimeError('no VmRSS')


def cpu_seconds(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Figures:
    viewers: int
    connecting: float = 0.0  # seconds to open every viewer's page and socket
    rss_before: int = 0  # KiB
    rss_after: int = 0
    idle_share: float = 0.0  # of a core, with the viewers connected and nothing happening
    to_counted: list[float] = field(default_factory=list)  # seconds, per refresh and viewer
    to_participants: list[float] = field(default_factory=list)
    slowest: list[float] = field(default_factory=list)  # the last viewer of each refresh
    first: list[float] = field(default_factory=list)  # the first refresh after connecting, apart
    cpu: list[float] = field(default_factory=list)  # server CPU seconds per refresh, above idle


async def measure(base: str, pid: int, figures: Figures, refreshes: int) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as http:
        async with http.post(f'{base}/bench/prepare', params={'voters': 10 * (1 + refreshes)}) as response:
            page = f'/participation/polls/{(await response.json())["poll_id"]}'
        for _ in range(3):  # the first pages warm caches (templates, translations, imports)
            async with http.get(f'{base}{page}') as response:
                await response.read()
        await asyncio.sleep(1)
        figures.rss_before = rss_kib(pid)

        started = time.monotonic()
        gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

        async def one() -> tuple[Viewer, list[asyncio.Task[None]]]:
            async with gate:
                return await open_viewer(http, base, page)

        opened = await asyncio.gather(*(one() for _ in range(figures.viewers)))
        viewers = [viewer for viewer, _listening in opened]
        figures.connecting = time.monotonic() - started
        await asyncio.sleep(3)
        figures.rss_after = rss_kib(pid)
        idle_cpu = cpu_seconds(pid)
        await asyncio.sleep(5)
        figures.idle_share = (cpu_seconds(pid) - idle_cpu) / 5

        for r in range(1 + refreshes):
            since, cpu_start, clock = time.time(), cpu_seconds(pid), time.monotonic()
            async with http.post(f'{base}/bench/refresh', params={'option': (r + 1) % 3}) as response:
                made = await response.json()
            await until_seen(viewers, made['bars'], made['t_results'])
            counted = [t - made['t_results'] for v in viewers if (t := v.first(v.bars, made['bars'], since))]
            if r == 0:  # each page's first chart update also tells the browser to load the chart's component
                figures.first = counted
            else:
                figures.cpu.append(cpu_seconds(pid) - cpu_start - figures.idle_share * (time.monotonic() - clock))
                people = translate('Participants: {count}', 'az', count=made['participants'])
                shown = [t - made['t_participation'] for v in viewers if (t := v.first(v.texts, people, since))]
                figures.to_counted += counted
                figures.to_participants += shown
                figures.slowest.append(max(counted))
            await asyncio.sleep(1)
        await asyncio.gather(*(v.ws.close() for v in viewers), return_exceptions=True)
        for _viewer, tasks in opened:
            for task in tasks:
                task.cancel()
        await asyncio.gather(*(task for _viewer, tasks in opened for task in tasks), return_exceptions=True)


def report(figures: Figures, refreshes: int) -> None:
    ms = [1000 * t for t in figures.to_counted]
    people = [1000 * t for t in figures.to_participants]
    p95 = percentile(ms, 0.95)
    cpu = statistics.median(figures.cpu)
    print(f'live poll results: {figures.viewers} emulated viewers of one poll, {refreshes} refreshes')
    print(f'  connecting the viewers (page, then socket; {CONNECTING_AT_ONCE} at a time): {figures.connecting:.1f} s')
    print(
        f'  votes counted -> new chart on every viewer ({len(ms)} deliveries): p50 {percentile(ms, 0.5):.0f} ms, '
        f'p95 {p95:.0f} ms, max {max(ms):.0f} ms; last viewer per refresh: '
        + ', '.join(f'{1000 * s:.0f}' for s in figures.slowest)
        + ' ms'
    )
    first = [1000 * t for t in figures.first]
    print(
        f'  the first of them after connecting, apart (each page is also told to load the chart component): '
        f'p50 {percentile(first, 0.5):.0f} ms, p95 {percentile(first, 0.95):.0f} ms, max {max(first):.0f} ms'
    )
    print(
        f'  votes cast -> new participants figure on every viewer ({len(people)} deliveries): '
        f'p50 {percentile(people, 0.5):.0f} ms, p95 {percentile(people, 0.95):.0f} ms, max {max(people):.0f} ms'
    )
    print(
        f'  server CPU per refresh (both figures to every viewer, above idle): median {1000 * cpu:.0f} ms = '
        f'{1e6 * cpu / figures.viewers:.0f} µs per viewer; idle with the viewers connected: '
        f'{100 * figures.idle_share:.0f}% of a core'
    )
    per_viewer = (figures.rss_after - figures.rss_before) / figures.viewers
    print(
        f'  server memory (RSS): {figures.rss_before / 1024:.0f} MiB before the viewers, '
        f'{figures.rss_after / 1024:.0f} MiB with them -> {per_viewer:.0f} KiB per viewer'
    )
    verdict = 'met' if p95 <= GOAL_MS else 'NOT met'
    print(f'  goal: p95 at most {GOAL_MS} ms -> {verdict} (p95 / goal = {p95 / GOAL_MS:.2f})')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--viewers', type=int, default=1000)
    parser.add_argument('--refreshes', type=int, default=6)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        socket.socket() as s,
        open(f'{tempfile.gettempdir()}/poll_viewers_server.log', 'w') as log,
    ):
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        env = {
            **os.environ,
            'PORTAL_DB_URL': f'sqlite://{folder}/bench.sqlite3',
            'PORTAL_DEMO': '0',
            'PORTAL_SECRET': 'bench-secret-' + uuid.uuid4().hex,
            'PORTAL_PAYMENT_SECRET': 'bench-payment-' + uuid.uuid4().hex,
            'PORTAL_SECURE_COOKIES': '0',
            'PORTAL_PORT': str(port),
            'PORTAL_SCHEDULER': '0',  # the bench counts the votes itself, when it means to
            'PORTAL_FILES_DIR': f'{folder}/files',
            'PORTAL_TALLY_KEY_FILE': f'{folder}/tally.key',
        }
        server = subprocess.Popen(
            [sys.executable, 'bench/poll_viewers_server.py'],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f'http://127.0.0.1:{port}'
            _wait_until_up(base, server)
            figures = Figures(args.viewers)
            asyncio.run(measure(base, server.pid, figures, args.refreshes))
        finally:
            server.terminate()
            server.wait(20)
        report(figures, args.refreshes)


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f'the portal exited with {server.returncode}')
        try:
            if httpx.get(f'{base}/api/v1/health', timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError('the portal did not start within 90 s')


if __name__ == '__main__':
    main()
