"""Live fan-out: how soon a letter's new status reaches its citizen's open page, with 2,000 other tabs idle.

Run by hand: `.venv/bin/python bench/live_fanout.py [--idle 2000] [--cabinets 200] [--changes 30]` (needs Debian's
chromium for the logins). The portal runs as its own process (`python main.py`, jobs off) on a fresh SQLite file with
the demo data; the bench sends letters from the demo citizen Leyla (5ZK2M7R) to MIA through the store's use cases
(draft, signing challenge, her demo device's Ed25519 signature, send) and makes MIA an API key.

Chromium logs in once for Leyla and once for each of a few other demo citizens, only to get their session cookies;
every tab is then emulated by one asyncio process the way `bench/poll_viewers.py` does it (GET the page, then the
socket.io websocket NiceGUI's page script opens, with the client id from the page; pongs to the server's pings,
acknowledgements every 3 s). The watched tab is Leyla's page of one letter (`/letters/{id}`). The idle tabs are the
login page (anonymous) and the cabinets of the other citizens (`/cabinet`, each subscribed to its own citizen's
topic), connected and doing nothing.

MIA's system then moves Leyla's letters through the API, one change at a time: received, under review, answered
(`POST /api/v1/letters/{id}/status`, then `/answer`), each letter while its page is open in the watched tab. Each
change is timed to the moment the watched tab's socket handed over the update that shows the new status (the badge's
text): from the start of the API call (what the citizen waits for after the officer's click), and from the moment the
store published the event (the fan-out alone: the server is `main.py` run by this file with `--serve`, which only
writes the wall-clock time of each letter event to a file right before the hub gets it, as
`bench/poll_viewers_server.py` does). The same is measured first with no idle tab, then with all of them connected;
meanwhile the server's memory (RSS) and its CPU while nothing happens are read.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from poll_viewers import CLIENT_ID, Viewer, cpu_seconds, percentile, rss_kib  # noqa: E402  (the emulated tab)

from portal.i18n import translate  # noqa: E402
from portal.store.letters.models import STATUS_WORDS, LetterStatus  # noqa: E402

GOAL_MS = 50
MEMORY_GOAL_KIB = 250
CONNECTING_AT_ONCE = 16
# a cabinet's page is heavier, and it builds its other sections once connected: more at once keep page answers
# waiting for seconds on a busy machine
CABINETS_AT_ONCE = 4
LEYLA, PASSWORD, AGENCY = '5ZK2M7R', 'Kabinet-2026', 'MIA'
IDLE_PAGE = '/login'
# what MIA's system does to each letter, in order: the API call and the status the citizen's page then shows
STEPS: tuple[tuple[str, dict[str, str], LetterStatus], ...] = (
    ('status', {'status': 'received'}, LetterStatus.RECEIVED),
    ('status', {'status': 'under_review'}, LetterStatus.UNDER_REVIEW),
    ('answer', {'text': 'Müraciətinizə baxıldı, arayış kabinetinizə göndərildi.'}, LetterStatus.ANSWERED),
)


@dataclass
class Prepared:
    key: str
    letters: list[str]
    others: list[str]  # FINs of the citizens whose cabinets are open in idle tabs


@dataclass
class Change:
    to_page: float  # seconds from the API call's start to the watched tab's socket
    from_publish: float  # seconds from the store's publication of the event to the watched tab's socket
    api: float  # seconds the API call took


@dataclass
class Figures:
    idle: int = 0
    cabinets: int = 0
    quiet: list[Change] = field(default_factory=list)  # with no idle tab
    busy: list[Change] = field(default_factory=list)  # with the idle tabs connected
    connecting: float = 0.0
    rss_before: int = 0  # KiB, before the idle tabs
    rss_public: int = 0  # after the login-page tabs
    rss_after: int = 0  # after the cabinets too
    idle_share: float = 0.0  # of a core, with every tab connected and nothing happening
    still_open: int = 0  # idle tabs whose socket was still open at the end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--idle', type=int, default=2000, help='idle tabs in all')
    parser.add_argument('--cabinets', type=int, default=200, help="of which on other citizens' cabinets")
    parser.add_argument('--citizens', type=int, default=4, help='the other citizens those cabinets belong to')
    parser.add_argument('--changes', type=int, default=30, help='status changes timed, with and without idle tabs')
    parser.add_argument('--serve', metavar='PUBLISHED_FILE', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    args.cabinets = min(args.cabinets, args.idle)
    letters_per_round = math.ceil(args.changes / len(STEPS))
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            'PORTAL_DB_URL': f'sqlite://{folder}/bench.sqlite3',
            'PORTAL_DEMO': '1',
            'PORTAL_SCHEDULER': '0',
            'PORTAL_SECURE_COOKIES': '0',
            'PORTAL_FILES_DIR': f'{folder}/files',
            'PORTAL_TALLY_KEY_FILE': f'{folder}/tally.key',
            'PORTAL_MAILBOX_DIR': f'{folder}/mailbox',
            'PORTAL_SMS_LOG': f'{folder}/sms.log',
            'PORTAL_PORT': str(free_port()),
            'PYTHONUNBUFFERED': '1',
        }
        published = Path(folder) / 'published.txt'
        os.environ.update(env)  # the bench's own store calls use the same settings as the server
        started = time.perf_counter()
        prepared = asyncio.run(prepare_db(env['PORTAL_DB_URL'], 1 + 2 * letters_per_round, args.citizens))
        took = time.perf_counter() - started
        print(f'demo data, {len(prepared.letters)} letters to {AGENCY} and its key made in {took:.0f} s')
        base = f'http://127.0.0.1:{env["PORTAL_PORT"]}'
        with open(f'{folder}/portal.log', 'wb') as log:
            command = [sys.executable, __file__, '--serve', str(published)]
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            try:
                wait_until_up(base, server)
                cookies = log_in(base, [LEYLA, *prepared.others])
                figures = Figures(idle=args.idle, cabinets=args.cabinets)
                run = measure(
                    base, server.pid, published, prepared=prepared, cookies=cookies, figures=figures, args=args
                )
                asyncio.run(run)
            except BaseException:
                log.flush()
                print(Path(f'{folder}/portal.log').read_text()[-3000:], file=sys.stderr)
                raise
            finally:
                server.terminate()
                try:
                    server.wait(20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    report(figures, args)


# --- the data -------------------------------------------------------------------------------------------------------


async def prepare_db(url: str, letters: int, others: int) -> Prepared:
    """The demo data; Leyla's signed letters to MIA, each just sent; MIA's key; the other citizens to log in."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from portal import db
    from portal.store import apikeys, auth
    from portal.store import letters as store
    from portal.store.actors import Role
    from portal.store.auth import LoginMethod
    from portal.store.demo import seed_demo
    from portal.store.device import DemoDevice
    from portal.store.letters import files
    from portal.store.people import Person

    files.use_folder(Path(os.environ['PORTAL_FILES_DIR']))
    await db.open_db(url)
    try:
        now = datetime.now(UTC)
        await seed_demo(now=now)
        leyla = await Person.get(fin=LEYLA)
        device = await DemoDevice.get(person_id=leyla.id)
        signer = Ed25519PrivateKey.from_private_bytes(bytes(device.private_key))
        me, sent = leyla.as_actor(), []
        for n in range(letters):
            draft = await store.open_draft(actor=me, now=now)
            await store.save_draft(
                actor=me,
                letter_id=draft.id,
                organisation_code=AGENCY,
                title=f'Yaşayış yeri üzrə qeydiyyat haqqında arayış ({n + 1})',
                body='Hörmətli nazirlik, yaşayış yeri üzrə qeydiyyatım haqqında arayış verməyinizi xahiş edirəm.',
                now=now,
            )
            challenge = await store.start_signing(actor=me, letter_id=draft.id, method=LoginMethod.SIMA, now=now)
            await auth.submit_signature(challenge_id=challenge.id, signature=signer.sign(challenge.message), now=now)
            await store.send_signed(actor=me, letter_id=draft.id, challenge_id=challenge.id, now=now)
            sent.append(str(draft.id))
        _client, key = await apikeys.create_api_key(
            organisation_code=AGENCY, scopes=['letters:read', 'letters:write'], now=now, name='Bench desk'
        )
        citizens = (
            await Person.filter(role=Role.CITIZEN, password_hash__isnull=False)
            .exclude(fin=LEYLA)
            .order_by('fin')
            .limit(others)
            .values_list('fin', flat=True)
        )
    finally:
        await db.close_db()
    return Prepared(key=key, letters=sent, others=[str(fin) for fin in citizens])


def log_in(base: str, fins: list[str]) -> dict[str, str]:
    """Each citizen logs in once in Chromium; their session cookies, as a `Cookie` header, by FIN."""
    from playwright.sync_api import sync_playwright

    args = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
    ]
    cookies = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path='/usr/bin/chromium', args=args)
        try:
            for fin in fins:
                context = browser.new_context()
                page = context.new_page()
                page.goto(f'{base}/login')
                page.locator('input[autocomplete=username]').fill(fin)
                page.locator('input[type=password]').fill(PASSWORD)
                page.keyboard.press('Enter')
                page.wait_for_url('**/cabinet', timeout=30_000)
                cookies[fin] = '; '.join(f'{c["name"]}={c["value"]}' for c in context.cookies())
                context.close()
        finally:
            browser.close()
    return cookies


# --- the tabs -------------------------------------------------------------------------------------------------------


@dataclass
class Tab:
    viewer: Viewer
    tasks: list[asyncio.Task[None]]

    async def close(self) -> None:
        await self.viewer.ws.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def open_tab(http: aiohttp.ClientSession, base: str, path: str, cookie: str = '') -> Tab:
    """A browser tab: the page (with the browser's cookies), then its socket.io connection."""
    jar = dict(part.split('=', 1) for part in cookie.split('; ') if part)
    async with http.get(f'{base}{path}', headers={'Cookie': cookie} if cookie else {}, allow_redirects=False) as r:
        assert r.status == 200, f'{path}: {r.status} {r.headers.get("location", "")}'
        html = await r.text()
        jar.update({c.key: c.value for c in r.cookies.values()})
    match = CLIENT_ID.search(html)
    assert match is not None, 'no client id in the page'
    query = (
        f'client_id={match.group(1)}&next_message_id=0&implicit_handshake=true'
        f'&document_id={uuid.uuid4()}&tab_id={uuid.uuid4()}&EIO=4&transport=websocket'
    )
    headers = {'Cookie': '; '.join(f'{k}={v}' for k, v in jar.items())}
    ws = await http.ws_connect(f'{base.replace("http", "ws", 1)}/_nicegui_ws/socket.io/?{query}', headers=headers)
    opened = await ws.receive_str()
    assert opened.startswith('0{'), opened  # Engine.IO open
    await ws.send_str('40')  # Socket.IO connect: the server's implicit handshake runs
    connected = await ws.receive_str()
    assert connected.startswith('40{'), connected
    viewer = Viewer(ws, match.group(1))
    return Tab(viewer, [asyncio.create_task(viewer.listen()), asyncio.create_task(viewer.acknowledge())])


def shows_status(raw: str, word: str) -> bool:
    """Whether an update message carries the letter's status badge with this word."""
    data: dict[str, Any] = orjson.loads(raw[2:])[1]
    return any(
        isinstance(element, dict) and element.get('tag') == 'q-badge' and element.get('text') == word
        for element in data.values()
    )


# --- measuring ------------------------------------------------------------------------------------------------------


async def measure(
    base: str,
    pid: int,
    published: Path,
    prepared: Prepared,
    *,
    cookies: dict[str, str],
    figures: Figures,
    args: argparse.Namespace,
) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as http:
        for _ in range(3):  # the first pages warm caches (templates, translations, imports)
            async with http.get(f'{base}{IDLE_PAGE}') as response:
                await response.read()
        warm, *letters = prepared.letters
        half = len(letters) // 2
        watched = Watched(http, base, published, prepared.key, cookies[LEYLA], args.changes)
        await watched.change([warm], [])  # the first change of each kind runs code paths for the first time: not timed
        await watched.change(letters[:half], figures.quiet)

        await asyncio.sleep(2)
        figures.rss_before = rss_kib(pid)
        started = time.monotonic()
        public = figures.idle - figures.cabinets
        idle = await open_tabs(http, base, [(IDLE_PAGE, '')] * public)
        await asyncio.sleep(3)
        figures.rss_public = rss_kib(pid)
        owners = [cookies[fin] for fin in prepared.others][: figures.cabinets]
        if figures.cabinets and not owners:
            raise SystemExit('no other citizen to open cabinets for (--citizens 0?)')
        # NiceGUI drops a browser's server-side storage 10 s after its last tab closed and reads it back from its file
        # on the next request; requests arriving together meanwhile find it empty (and go to the login page): the
        # first tab of each browser is opened alone
        idle += [await open_tab(http, base, '/cabinet', owner) for owner in owners]
        rest = [('/cabinet', owners[n % len(owners)]) for n in range(len(owners), figures.cabinets)]
        idle += await open_tabs(http, base, rest, CABINETS_AT_ONCE)
        figures.connecting = time.monotonic() - started
        await asyncio.sleep(5)  # the cabinets build their other sections right after connecting
        figures.rss_after = rss_kib(pid)
        cpu = cpu_seconds(pid)
        await asyncio.sleep(10)
        figures.idle_share = (cpu_seconds(pid) - cpu) / 10

        await watched.change(letters[half:], figures.busy)
        figures.still_open = sum(not tab.viewer.ws.closed for tab in idle)
        await asyncio.gather(*(tab.close() for tab in idle), return_exceptions=True)


async def open_tabs(
    http: aiohttp.ClientSession, base: str, pages: list[tuple[str, str]], at_once: int = CONNECTING_AT_ONCE
) -> list[Tab]:
    gate = asyncio.Semaphore(at_once)

    async def one(path: str, cookie: str) -> Tab:
        async with gate:
            return await open_tab(http, base, path, cookie)

    return list(await asyncio.gather(*(one(path, cookie) for path, cookie in pages)))


@dataclass
class Watched:
    """Leyla's tab on the page of the letter MIA's system is moving, and the server's record of publications."""

    http: aiohttp.ClientSession
    base: str
    published: Path
    key: str
    cookie: str
    changes: int

    async def change(self, letters: list[str], found: list[Change]) -> None:
        """Each letter's page is opened in the watched tab, then MIA's system moves the letter, one step at a time."""
        headers = {'Authorization': f'Bearer {self.key}'}
        for letter in letters:
            tab = await open_tab(self.http, self.base, f'/letters/{letter}', self.cookie)
            await asyncio.sleep(1)  # settled: the page's first messages are out
            try:
                for action, body, status in STEPS:
                    if len(found) >= self.changes:
                        return
                    word = translate(STATUS_WORDS[status], 'az')
                    seen = len(tab.viewer.inbox)
                    start = time.time()
                    url = f'{self.base}/api/v1/letters/{letter}/{action}'
                    async with self.http.post(url, json=body, headers=headers) as r:
                        answer = await r.read()
                        assert r.status == 200, f'{action} {body}: {r.status} {answer[:300]!r}'
                    api = time.time() - start
                    at = await until_shown(tab.viewer, seen, word)
                    publication = self.publication(letter, status, start)
                    found.append(Change(to_page=at - start, from_publish=at - publication, api=api))
                    await asyncio.sleep(0.5)  # the page's reload is done before the next step
            finally:
                await tab.close()

    def publication(self, letter: str, status: LetterStatus, since: float) -> float:
        """When the server published this letter's new status to its citizen's topic (wall clock)."""
        for line in self.published.read_text().splitlines():
            at, letter_id, new = line.split()
            if letter_id == letter and new == status.value and float(at) >= since:
                return float(at)
        raise RuntimeError(f'the server recorded no publication of {letter} as {status.value}')


async def until_shown(viewer: Viewer, seen: int, word: str, timeout: float = 15) -> float:
    """The moment the tab's socket handed over the first update, after `seen` ones, that shows `word`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for at, raw in viewer.inbox[seen:]:
            if shows_status(raw, word):
                return at
        seen = len(viewer.inbox)
        await asyncio.sleep(0.002)
    raise RuntimeError(f'the watched page never showed the status {word!r}')


# --- the report -----------------------------------------------------------------------------------------------------


def report(figures: Figures, args: argparse.Namespace) -> None:
    print(f"live fan-out: a letter status changed through the API -> its citizen's open page ({args.changes} changes)")
    for name, changes in (('no idle tabs', figures.quiet), (f'{figures.idle:,} idle tabs', figures.busy)):
        ms = [1000 * c.to_page for c in changes]
        fan = [1000 * c.from_publish for c in changes]
        api = statistics.median(1000 * c.api for c in changes)
        print(
            f'  with {name}: from the API call p50 {percentile(ms, 0.5):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, '
            f'max {max(ms):.0f} ms (the API call itself: median {api:.0f} ms); from the publication p50 '
            f'{percentile(fan, 0.5):.0f} ms, p95 {percentile(fan, 0.95):.0f} ms, max {max(fan):.0f} ms'
        )
    public, cabinets = figures.idle - figures.cabinets, figures.cabinets
    print(
        f'  idle tabs: {public:,} on {IDLE_PAGE}, {cabinets:,} on the cabinets of {args.citizens} other citizens; '
        f'connected in {figures.connecting:.0f} s ({CONNECTING_AT_ONCE} login pages, {CABINETS_AT_ONCE} cabinets '
        'at a time); '
        f'{figures.still_open:,} still connected at the end'
    )
    per_client = (figures.rss_after - figures.rss_before) / max(figures.idle, 1)
    per_public = (figures.rss_public - figures.rss_before) / max(public, 1)
    per_cabinet = (figures.rss_after - figures.rss_public) / max(cabinets, 1)
    print(
        f'  server memory (RSS): {figures.rss_before / 1024:.0f} MiB before the idle tabs, '
        f'{figures.rss_after / 1024:.0f} MiB with them -> {per_client:.0f} KiB per tab '
        f'({per_public:.0f} KiB per login page, {per_cabinet:.0f} KiB per cabinet)'
    )
    print(f'  server CPU with every tab connected and nothing happening: {100 * figures.idle_share:.0f}% of a core')
    for name, p95 in (
        ('from the API call', percentile([1000 * c.to_page for c in figures.busy], 0.95)),
        ('from the publication', percentile([1000 * c.from_publish for c in figures.busy], 0.95)),
    ):
        verdict = 'met' if p95 <= GOAL_MS else 'NOT met'
        print(
            f'  goal: p95 at most {GOAL_MS} ms with the idle tabs, {name} -> {verdict} '
            f'(p95 / goal = {p95 / GOAL_MS:.2f})'
        )
    for name, kib in (('tab, all of them', per_client), (f'tab on {IDLE_PAGE}', per_public), ('cabinet', per_cabinet)):
        verdict = 'met' if kib <= MEMORY_GOAL_KIB else 'NOT met'
        print(f'  goal: at most {MEMORY_GOAL_KIB} KiB per connected {name} -> {verdict} ({kib:.0f} KiB)')
    if figures.still_open < figures.idle:
        raise SystemExit(f'{figures.idle - figures.still_open} idle tabs lost their connection')


# --- the server -----------------------------------------------------------------------------------------------------


def serve(published: str) -> None:
    """`main.py` as it runs, with each letter event to a citizen's topic written down (wall clock, letter, status)
    right before the hub gets it."""
    import runpy

    from portal import live

    deliver = live.hub.publish
    record = Path(published).open('a', buffering=1)

    def recording(event: live.Event) -> None:
        if event.kind == 'letter.updated' and event.topic.startswith('citizen:'):
            record.write(f'{time.time():.6f} {event.data["letter_id"]} {event.data["status"]}\n')
        deliver(event)

    live.hub.publish = recording  # type: ignore[method-assign]
    runpy.run_path(str(ROOT / 'main.py'), run_name='__main__')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f'the portal exited with {server.returncode}')
        try:
            if httpx.get(f'{base}/api/v1/health', timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError('the portal did not start within 120 s')


if __name__ == '__main__':
    main()
