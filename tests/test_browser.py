"""Real-browser tests (Debian Chromium via Playwright) against the portal running as its own process."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser_kit import CHROMIUM, CHROMIUM_ARGS, ROOT, Portal

if TYPE_CHECKING:
    from playwright.sync_api import Page

SMALL_PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
# citizens of the demo data vote in a poll (argv: poll id, option id, and which citizens: from, to in FİN order)
CAST_VOTES = """
import asyncio, sys
from datetime import UTC, datetime
from uuid import UUID
from portal import db
from portal.config import get_settings
from portal.store.actors import Role
from portal.store.participation import voting
from portal.store.people import Person

async def main(poll_id: str, option_id: str, start: int, stop: int) -> None:
    await db.open_db(get_settings().db_url, migrate_schema=False)
    try:
        people = await Person.filter(role=Role.CITIZEN).order_by('fin').offset(start).limit(stop - start)
        now = datetime.now(UTC)
        await asyncio.gather(*(
            voting.cast_vote(actor=p.as_actor(), poll_id=UUID(poll_id), option_id=UUID(option_id), now=now)
            for p in people
        ))
    finally:
        await db.close_db()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
"""
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f'browser tests need Debian chromium at {CHROMIUM}'),
]


def test_cabinet_shows_an_address_changed_through_the_api_without_reload(portal: Portal) -> None:
    from playwright.sync_api import expect, sync_playwright

    key = _api_key(portal, 'MIA', 'registry:write')

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f'{portal.url}/login')
        page.get_by_label('FİN').first.fill('5ZK2M7R')
        page.get_by_label('Şifrə').fill('Kabinet-2026')
        page.get_by_role('button', name='Daxil ol').click()
        page.wait_for_url('**/cabinet')
        expect(page.get_by_text('Leyla Məmmədova').first).to_be_visible()
        page.evaluate('window.__kabinet_marker = "same page"')

        response = httpx.post(
            f'{portal.url}/api/v1/registry/records',
            headers={'Authorization': f'Bearer {key}'},
            json={
                'fin': '5ZK2M7R',
                'kind': 'address',
                'data': {
                    'region': 'Nəsimi',
                    'city': 'Bakı',
                    'street': 'Azadlıq prospekti',
                    'building': '27',
                    'apartment': '15',
                    'registered_on': '2026-11-20',
                },
            },
        )
        assert response.status_code == 200, response.text

        expect(page.get_by_text('Azadlıq prospekti')).to_be_visible(timeout=5000)
        expect(page.locator('.q-badge', has_text='yeniləndi')).to_be_visible()
        assert page.evaluate('window.__kabinet_marker') == 'same page', 'the page was reloaded'
        browser.close()


def test_a_letter_signed_on_the_phone_moves_live_on_the_citizens_page(portal: Portal) -> None:
    """Three browsers: the citizen writes and signs, the demo phone confirms, the officer works the letter."""
    from playwright.sync_api import expect, sync_playwright

    title = 'Qeydiyyat ünvanı haqqında sorğu'
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        citizen = browser.new_context().new_page()
        _login(citizen, portal.url, '5ZK2M7R')
        citizen.goto(f'{portal.url}/letters/new')
        agency = citizen.get_by_label('Qurum və ya yerli icra hakimiyyəti')
        agency.click()
        agency.fill('Daxili İşlər')
        citizen.get_by_role('option', name='Daxili İşlər Nazirliyi', exact=True).click()
        citizen.get_by_label('Başlıq', exact=True).fill(title)
        citizen.get_by_label('Məktub', exact=True).fill('Hörmətli nazirlik, <b>yeni</b> ünvanımı təsdiq edin.')
        citizen.locator('input[type=file]').set_input_files(
            {'name': 'ərizə.pdf', 'mimeType': 'application/pdf', 'buffer': SMALL_PDF}
        )
        # attached to the draft: listed with the draft's files (the uploader shows the name meanwhile, too)
        attached = citizen.locator('div:not(.q-uploader__title)').filter(has_text=re.compile(r'^ərizə\.pdf$'))
        expect(attached.first).to_be_visible(timeout=10_000)
        citizen.get_by_role('button', name='Nəzərdən keçir').click()
        citizen.get_by_role('button', name='SİMA ilə imzala').click()
        code = citizen.locator('.tracking-widest')
        expect(code).to_have_text(re.compile(r'^\d{4}$'), timeout=10_000)

        phone = browser.new_context().new_page()
        phone.goto(f'{portal.url}/device')
        phone.get_by_label('Telefon sahibinin FİN-i').fill('5ZK2M7R')
        phone.get_by_role('button', name='Telefonu aç').click()
        expect(phone.locator('.tracking-widest', has_text=code.inner_text())).to_be_visible(timeout=10_000)
        phone.get_by_label('PIN kod').fill('2468')
        phone.get_by_role('button', name='Təsdiq et').click()

        # signed on the phone: the letter is sent and its page opens by itself
        citizen.wait_for_url(re.compile(r'/letters/[0-9a-f-]{36}$'), timeout=15_000)
        expect(citizen.get_by_text('imza etibarlıdır')).to_be_visible()
        expect(citizen.get_by_text('Hörmətli nazirlik, <b>yeni</b> ünvanımı təsdiq edin.')).to_be_visible()
        letter_url = citizen.url
        citizen.evaluate('window.__kabinet_marker = "same page"')

        officer = browser.new_context().new_page()
        _login(officer, portal.url, '4MD5R1X')
        officer.wait_for_url('**/desk')
        officer.get_by_text(title).first.click()  # the desk's queue links to the letter
        officer.wait_for_url(letter_url)
        officer.get_by_role('button', name='Qəbul edildi kimi qeyd et').click()
        expect(citizen.locator('.q-badge', has_text='qəbul edildi')).to_be_visible(timeout=5000)

        officer.get_by_role('button', name='Cavabla').click()
        officer.locator('.q-dialog textarea').fill('Ünvanınız təsdiqləndi.')
        officer.locator('.q-dialog button').last.click()
        expect(citizen.get_by_text('Ünvanınız təsdiqləndi.')).to_be_visible(timeout=5000)
        expect(citizen.locator('.q-badge', has_text='cavablandırıldı')).to_be_visible()
        assert citizen.evaluate('window.__kabinet_marker') == 'same page', 'the page was reloaded'
        browser.close()


def test_a_certificate_is_issued_downloaded_signed_and_verified_by_its_qr_link(portal: Portal) -> None:
    """The citizen gets a signed certificate and downloads it; a stranger follows the QR link and checks the file."""
    from playwright.sync_api import expect, sync_playwright

    from portal.documents import signing

    code_pattern = re.compile(r'^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$')
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        citizen = browser.new_context(accept_downloads=True).new_page()
        _login(citizen, portal.url, '5ZK2M7R')
        citizen.goto(f'{portal.url}/services/qmidk-idp-status-certificate')
        expect(citizen.get_by_text('0412957')).to_be_visible(timeout=10_000)  # the preview: her IDP card number
        citizen.get_by_role('button', name='Arayışı al').click()
        citizen.wait_for_url(re.compile(r'/documents/certificates/[0-9a-f-]{36}$'), timeout=15_000)
        code = citizen.get_by_text(code_pattern).first
        expect(code).to_be_visible()
        number = code.inner_text()
        expect(citizen.locator('svg').filter(has=citizen.locator('path')).first).to_be_visible()  # the QR code
        with citizen.expect_download() as download:
            citizen.get_by_role('button', name='Yüklə').click()
        content = Path(download.value.path()).read_bytes()
        root = httpx.get(f'{portal.url}/pki/root.crt').content
        check = signing.validate_pdf(content, root_pem=root)
        assert check.valid and check.trusted and 'Qaçqınların' in (check.signer or '')

        stranger = browser.new_context().new_page()
        stranger.goto(f'{portal.url}/verify/{number}')
        expect(stranger.get_by_text('Həqiqidir: bu arayış portal tərəfindən verilib.')).to_be_visible(timeout=10_000)
        expect(stranger.get_by_text('L. M.')).to_be_visible()
        stranger.locator('input[type=file]').set_input_files(
            {'name': f'arayis-{number}.pdf', 'mimeType': 'application/pdf', 'buffer': content}
        )
        expect(stranger.get_by_text('Fayl portalın verdiyi PDF faylı ilə bayt-bayt eynidir.')).to_be_visible(
            timeout=10_000
        )
        browser.close()


def test_the_bell_counts_an_agencys_notice_live_and_the_delivery_job_sends_it(portal: Portal) -> None:
    """Leyla's open cabinet: an agency's system sends a notice through the API; the bell's count goes up without a
    reload, and the scheduler's delivery job hands her e-mail and SMS to the demo outbox."""
    from playwright.sync_api import expect, sync_playwright

    key = _api_key(portal, 'MIA', 'notifications:write')
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        _login(page, portal.url, '5ZK2M7R')
        # the count is read once the page is connected; the demo gave Leyla notices of her applications
        bell = page.get_by_role('button', name=re.compile(r'^Bildirişlər, [1-9]\d* oxunmamış$'))
        expect(bell).to_be_visible(timeout=10_000)
        before = int(re.findall(r'\d+', bell.get_attribute('aria-label') or '')[0])
        page.evaluate('window.__kabinet_marker = "same page"')

        sent = httpx.post(
            f'{portal.url}/api/v1/notifications',
            headers={'Authorization': f'Bearer {key}', 'Idempotency-Key': 'browser-test-1'},
            json={
                'fin': '5ZK2M7R',
                'type': 'document_expiry',
                'link': '/cabinet',
                'params': {'document': 'Identity card', 'number': 'AZE 12345678', 'expires_on': '2027-02-18'},
            },
        )
        assert sent.status_code == 201, sent.text
        expect(page.get_by_role('button', name=f'Bildirişlər, {before + 1} oxunmamış')).to_be_visible(timeout=10_000)
        assert page.evaluate('window.__kabinet_marker') == 'same page', 'the page was reloaded'
        page.goto(f'{portal.url}/notifications')
        expect(page.get_by_text('18.02.2027').first).to_be_visible(timeout=10_000)
        browser.close()

    # the scheduler's delivery job (every 5 s) hands the e-mail to the demo mailbox
    mailbox = Path(portal.env['PORTAL_MAILBOX_DIR'])

    def mailed() -> list[str]:
        return [f.read_text(errors='replace') for f in mailbox.glob('*.eml')]

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any('AZE 12345678' in m for m in mailed()):
        time.sleep(0.5)
    assert any('AZE 12345678' in m and 'leyla.memmedova@example.az' in m for m in mailed())


def test_the_app_process_runs_the_scheduler_and_serves_the_api_docs(portal: Portal) -> None:
    log = portal.log.read_text(encoding='utf-8')
    assert 'Added job "purge expired login challenges' in log
    assert 'Scheduler started' in log
    assert httpx.get(f'{portal.url}/api/v1/docs').status_code == 200
    schema = httpx.get(f'{portal.url}/api/v1/openapi.json').json()
    assert '/registry/records' in schema['paths']
    # API errors are the API's JSON, not a NiceGUI page
    missing = httpx.get(f'{portal.url}/api/v1/nothing-here')
    assert missing.status_code == 404
    assert missing.json()['error']['code'] == 'not_found'


def test_an_anonymous_viewer_sees_votes_counted_on_the_results_page_without_reload(portal: Portal) -> None:
    """A poll's public results page, open in a browser nobody logged into: citizens vote meanwhile, the portal's tally
    counts their ballots, and the counted figure and the chart change in place."""
    from playwright.sync_api import expect, sync_playwright

    key = _api_key(portal, 'IH-NESIMI', 'participation:write')
    now = datetime.now(UTC)
    made = httpx.post(
        f'{portal.url}/api/v1/polls',
        headers={'Authorization': f'Bearer {key}'},
        json={
            'question': 'Həyətdə yeni skamyalar qoyulsun?',
            'options': ['Bəli', 'Xeyr'],
            'opens_at': (now - timedelta(minutes=1)).isoformat(),
            'closes_at': (now + timedelta(days=7)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    poll = made.json()
    yes, no = (o['id'] for o in poll['options'])
    _cast_votes(portal, poll['id'], yes, voters=range(10))
    _until_counted(portal, poll['id'], 10)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        page.goto(f'{portal.url}/participation/polls/{poll["id"]}')
        expect(page.get_by_text('Sayılmış səslər: 10')).to_be_visible(timeout=10_000)
        bars = 'getElement(document.querySelector(".nicegui-echart")).chart.getOption().series[0].data'
        page.wait_for_function(f'JSON.stringify({bars}) == "[0,10]"', timeout=10_000)  # Xeyr, Bəli
        page.evaluate('window.__kabinet_marker = "same page"')

        _cast_votes(portal, poll['id'], no, voters=range(10, 22))  # twelve more; the tally counts them in a second
        expect(page.get_by_text('Sayılmış səslər: 22')).to_be_visible(timeout=10_000)
        expect(page.get_by_text('İştirakçılar: 22')).to_be_visible()
        page.wait_for_function(f'JSON.stringify({bars}) == "[12,10]"', timeout=5_000)
        assert page.evaluate('window.__kabinet_marker') == 'same page', 'the page was reloaded'
        browser.close()


def _api_key(portal: Portal, agency: str, scope: str) -> str:
    """A key made the way an operator makes one: the CLI prints it on its last line."""
    created = subprocess.run(
        [sys.executable, '-m', 'portal', 'api-key', 'create', '--agency', agency, '--scope', scope],
        cwd=ROOT,
        env=portal.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


def _login(page: Page, url: str, fin: str) -> None:
    page.goto(f'{url}/login')
    page.get_by_label('FİN').first.fill(fin)
    page.get_by_label('Şifrə').fill('Kabinet-2026')
    page.get_by_role('button', name='Daxil ol').click()
    page.wait_for_url(re.compile(r'/(cabinet|desk)$'))


def _cast_votes(portal: Portal, poll_id: str, option_id: str, *, voters: range) -> None:
    """Demo citizens vote, written into the portal's database by a process of their own (the way the tally job of the
    running portal then finds them)."""
    subprocess.run(
        [sys.executable, '-c', CAST_VOTES, poll_id, option_id, str(voters.start), str(voters.stop)],
        cwd=ROOT,
        env=portal.env,
        check=True,
        capture_output=True,
    )


def _until_counted(portal: Portal, poll_id: str, counted: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if httpx.get(f'{portal.url}/api/v1/polls/{poll_id}/results').json()['counted'] == counted:
            return
        time.sleep(0.2)
    raise AssertionError(f'{counted} votes were not counted within 15 s')
