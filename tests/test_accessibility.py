"""Accessibility in a real browser (Debian Chromium): every page passes axe-core's WCAG 2.1 A and AA rules without a
serious or critical violation, a citizen reaches a new letter's submit button by keyboard alone, and the main pages
fit a 360 px wide phone without scrolling sideways. How to run it and what it checks: docs/accessibility.md."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser_kit import CHROMIUM, CHROMIUM_ARGS, Portal

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f'browser tests need Debian chromium at {CHROMIUM}'),
]

PASSWORD = 'Kabinet-2026'
PAGES = Path(__file__).resolve().parent.parent / 'portal' / 'pages'
AXE_OPTIONS = {
    'runOnly': {'type': 'tag', 'values': ['wcag2a', 'wcag2aa', 'wcag21aa']},
    'resultTypes': ['violations'],
}
BLOCKING = frozenset({'serious', 'critical'})
UUID = r'[0-9a-f-]{36}'
SAMPLE_ID = '00000000-0000-0000-0000-000000000000'
# Vue leaves this comment where an element could not be drawn (e.g. a component that overwrote its own tag)
UNRENDERED = "document.body.innerHTML.includes('<!--[object Object]-->')"
# the focused element draws an outline or a ring (a box shadow spread by 2 px or more) around or inside itself
FOCUS_SHOWN = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
    && !/transparent|rgba\\(.*, 0\\)$/.test(style.outlineColor);
  return outline || / 0px 0px 0px ([2-9]|\\d{2,})(\\.\\d+)?px/.test(style.boxShadow);
}"""
# the elements that reach past the right edge of the screen, the innermost first
OVERFLOWING = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.')
    + ' "' + (e.innerText || '').trim().slice(0, 40) + '"')"""
# pairs of texts drawn over each other (a row too narrow for what it holds), icons left aside
OVERLAPPING = """() => {
  const lines = e => [...e.childNodes].filter(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
    .flatMap(n => {
      const range = document.createRange();
      range.selectNodeContents(n);
      return [...range.getClientRects()];
    });
  const texts = [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.q-icon, [aria-hidden=true]') && getComputedStyle(e).visibility !== 'hidden')
    .map(e => [e, lines(e)]).filter(([e, rects]) => rects.length);
  const cross = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
  const found = [];
  texts.forEach(([a, ra], i) => texts.slice(i + 1).forEach(([b, rb]) => {
    if (!a.contains(b) && !b.contains(a) && ra.some(x => rb.some(y => cross(x, y))))
      found.push(`"${a.textContent.trim().slice(0, 30)}" over "${b.textContent.trim().slice(0, 30)}"`);
  }));
  return found.slice(0, 5);
}"""
CERTIFICATE_CODE = re.compile(r'^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$')


@dataclass(frozen=True)
class Found:
    """A page whose address holds a demo object's id: the first link on page `on` whose address matches `link`."""

    on: str
    link: str

    def sample(self) -> str:
        """An address of the kind the link has (for matching it to its route)."""
        return self.link.replace(UUID, SAMPLE_ID).strip('^$')


Visit = str | Found
# every page route, as each persona sees it; the public pages once anonymously
ANONYMOUS: tuple[Visit, ...] = (
    '/login',
    '/services',
    '/services/agency/QMIDK',
    '/services/category/social',
    '/services/qmidk-idp-status-certificate',
    '/news',
    '/news/IH-NESIMI',
    Found('/news/IH-NESIMI', rf'^/news/item/{UUID}$'),
    '/statistics/letters',
    '/statistics/letters/MIA',
    '/participation',
    Found('/participation', rf'^/participation/polls/{UUID}$'),
    '/verify',
    '/device',
)
CITIZEN: tuple[Visit, ...] = (
    '/cabinet',
    '/history',
    '/letters',
    '/letters?folder=inbox',
    Found('/letters', rf'^/letters/{UUID}$'),
    '/letters/new',
    '/documents',
    Found('/documents', rf'^/documents/certificates/{UUID}$'),
    Found('/documents', rf'^/applications/{UUID}$'),
    '/services/qmidk-idp-status-certificate',
    '/notifications',
    '/notifications/settings',
    '/permissions',
    '/permissions/tracker',
    '/participation',
    '/reception',
    '/news',
)
AGENCY_OFFICER: tuple[Visit, ...] = (
    '/desk',
    Found('/desk', rf'^/letters/{UUID}$'),
    '/desk/letters/new',
    '/desk/certificates',
)
EXECUTIVE_OFFICER: tuple[Visit, ...] = (
    '/desk',
    '/desk/applications',
    Found('/desk/applications', rf'^/desk/applications/{UUID}$'),
    '/desk/participation',
    '/desk/reception',
    '/desk/news',
)
ADMIN: tuple[Visit, ...] = ('/admin', '/admin/consent', '/admin/outbox')
PERSONAS: dict[str, tuple[str | None, tuple[Visit, ...]]] = {
    'anonymous': (None, ANONYMOUS),
    'citizen Leyla': ('5ZK2M7R', CITIZEN),
    'MIA officer': ('4MD5R1X', AGENCY_OFFICER),
    'Nəsimi executive officer': ('6NS2K8V', EXECUTIVE_OFFICER),
    'admin': ('1AD9M3N', ADMIN),
}
# the citizen's pages audited on the way of a payment and of a certificate's public check
ON_THE_WAY = ('/payments', '/sandbox-gateway/a-token', f'/payments/{SAMPLE_ID}', '/verify/K7QD-2M9X-P4TR-8ZHW')
# the main pages that must fit a 360 px wide screen, by persona
NARROW: dict[str, tuple[str, ...]] = {
    'anonymous': ('/login', '/services', '/news', '/participation', '/statistics/letters', '/verify'),
    '5ZK2M7R': ('/cabinet', '/letters', '/letters/new', '/documents', '/payments', '/history', '/notifications'),
    '4MD5R1X': ('/desk',),
    '6NS2K8V': ('/desk', '/desk/applications', '/desk/reception'),
}


@pytest.fixture(scope='module')
def browser() -> Iterator[Browser]:
    """One Chromium for the module; each persona gets a context of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_audit_visits_every_page_route() -> None:
    """A page added to the portal is added to the audit too."""
    routes = set(re.findall(r"\bpage\('([^']+)'\)", ''.join(f.read_text() for f in PAGES.glob('*.py'))))
    assert len(routes) > 40, 'the page routes were not found where the portal registers them'
    samples = [v if isinstance(v, str) else v.sample() for _, visits in PERSONAS.values() for v in visits]
    audited = {_route(path.split('?')[0], routes) for path in [*samples, *ON_THE_WAY]}
    assert routes - {'/'} <= audited, f'pages the audit does not visit: {sorted(routes - {"/"} - audited)}'


@pytest.mark.parametrize('persona', list(PERSONAS))
def test_every_page_passes_the_axe_audit(portal: Portal, browser: Browser, persona: str) -> None:
    """Every page as each persona sees it (the landing `/` only redirects) has no serious or critical violation."""
    fin, visits = PERSONAS[persona]
    context = browser.new_context()
    page = context.new_page()
    if fin:
        login(page, portal.url, fin)
    axe = Axe()
    problems: list[str] = []
    for visit in visits:
        path = visit if isinstance(visit, str) else follow(page, portal.url, visit)
        problems += audit(page, axe, portal.url, path)
    if fin == '5ZK2M7R':
        problems += _audit_certificate_check(page, axe, portal.url)
        problems += _audit_payment(page, axe, portal.url)
    context.close()
    assert not problems, f'{persona}: axe-core found serious or critical violations:\n' + '\n'.join(problems)


def test_a_citizen_reaches_a_new_letters_review_by_keyboard_alone(portal: Portal, browser: Browser) -> None:
    """Tab, Shift+Tab, Enter and typing only: log in, open the letters from the header, start a new letter, fill it in
    and review it. Every control the Tab key stops at has a name and shows a focus ring."""
    context = browser.new_context()
    page = context.new_page()
    keys = Keyboard(page)
    open_page(page, portal.url, '/login')
    keys.tab_to('textbox', 'FİN')
    page.keyboard.type('5ZK2M7R')
    keys.tab_to('textbox', 'Şifrə')
    page.keyboard.type(PASSWORD)
    page.keyboard.press('Enter')
    page.wait_for_url(re.compile(r'/cabinet$'))
    settle(page)

    keys.tab_to('link', 'Məktublar')
    page.keyboard.press('Enter')
    page.wait_for_url(re.compile(r'/letters(\?folder=inbox)?$'))
    settle(page)
    keys.tab_to('button', 'Yeni müraciət')
    page.keyboard.press('Enter')
    page.wait_for_url(re.compile(r'/letters/new$'))
    settle(page)

    keys.tab_to('link', 'Əsas məzmuna keç')  # past the header's dozen links at once
    page.keyboard.press('Enter')
    assert keys.tab_to('combobox', 'Qurum və ya yerli icra hakimiyyəti') == 1, 'the skip link did not skip the header'
    page.keyboard.type('Daxili İşlər')
    page.get_by_role('option', name='Daxili İşlər Nazirliyi', exact=True).wait_for()
    page.keyboard.press('ArrowDown')
    page.keyboard.press('Enter')
    keys.tab_to('textbox', 'Başlıq')
    page.keyboard.type('Qeydiyyat ünvanı haqqında sorğu')
    keys.tab_to('textbox', 'Məktub')
    page.keyboard.type('Hörmətli nazirlik, yeni ünvanımı təsdiq edin.')
    keys.tab_to('button', 'Nəzərdən keçir')
    keys.back_to('textbox', 'Məktub')  # Shift+Tab returns to the text
    keys.tab_to('button', 'Nəzərdən keçir')
    page.keyboard.press('Enter')
    page.get_by_role('button', name='SİMA ilə imzala').wait_for()
    keys.tab_to('button', 'SİMA ilə imzala')
    context.close()
    assert not keys.problems, 'by keyboard:\n' + '\n'.join(keys.problems)


@pytest.mark.parametrize('persona', list(NARROW))
def test_the_main_pages_fit_a_360_px_wide_screen(portal: Portal, browser: Browser, persona: str) -> None:
    """A phone's width: nothing scrolls sideways and no text is drawn over another."""
    context = browser.new_context(viewport={'width': 360, 'height': 740})
    page = context.new_page()
    if persona != 'anonymous':
        login(page, portal.url, persona)
    wide: list[str] = []
    for path in NARROW[persona]:
        assert open_page(page, portal.url, path) < 400, f'{path} did not open'
        width = page.evaluate('document.scrollingElement.scrollWidth')
        if width > 360 + 1:
            wide.append(f'{path}: {width} px wide, past the edge: {page.evaluate(OVERFLOWING)}')
        if overlaps := page.evaluate(OVERLAPPING):
            wide.append(f'{path}: texts drawn over each other: {overlaps}')
    context.close()
    assert not wide, 'at 360 px:\n' + '\n'.join(wide)


class Keyboard:
    """Moves the focus with Tab and Shift+Tab only, and notes every stop without a name or a visible focus ring."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []

    def tab_to(self, role: str, name: str) -> int:
        """Press Tab until this control has the focus; how many presses it took."""
        return self._move('Tab', role, name)

    def back_to(self, role: str, name: str) -> int:
        return self._move('Shift+Tab', role, name)

    def _move(self, key: str, role: str, name: str) -> int:
        stops: list[str] = []
        for presses in range(1, 81):
            self.page.keyboard.press(key)
            found = self._focused()
            if found is None:  # the focus left the page (past its last control): go round again
                continue
            stops.append(f'{found[0]} "{found[1]}"')
            if found[0] == role and found[1] == name:
                return presses
        raise AssertionError(f'{key} never reached {role} "{name}" on {self.page.url}; it stopped at: {stops}')

    def _focused(self) -> tuple[str, str] | None:
        """The focused element's role and accessible name (as the browser's accessibility tree has them)."""
        focused = self.page.locator(':focus')
        if focused.count() == 0:
            return None
        snapshot = focused.aria_snapshot(timeout=2000).splitlines()[0]
        parsed = re.match(r'^- ([\w-]+)(?: "((?:[^"\\]|\\.)*)")?', snapshot)
        role, name = (parsed.group(1), parsed.group(2) or '') if parsed else (snapshot, '')
        where = f'{role} "{name}" on {self.page.url}'
        if not name.strip():
            self.problems.append(f'{where}: no accessible name ({snapshot})')
        if not self.page.evaluate(FOCUS_SHOWN):
            self.problems.append(f'{where}: no visible focus ring')
        return role, name


def login(page: Page, url: str, fin: str) -> None:
    page.goto(f'{url}/login')
    page.get_by_label('FİN').first.fill(fin)
    page.get_by_label('Şifrə').fill(PASSWORD)
    page.get_by_role('button', name='Daxil ol').click()
    page.wait_for_url(re.compile(r'/(cabinet|desk|admin)$'))


def open_page(page: Page, url: str, path: str) -> int:
    """Open a page and wait until it is connected and its sections have loaded; its HTTP status."""
    response = page.goto(f'{url}{path}')
    status = response.status if response else 0
    if status < 400:
        settle(page)
    return status


def settle(page: Page) -> None:
    page.wait_for_function('window.did_handshake === true')
    page.wait_for_load_state('networkidle')
    page.wait_for_timeout(300)  # Quasar's enter transitions (colours fade in) take a few frames


def follow(page: Page, url: str, found: Found) -> str:
    assert open_page(page, url, found.on) < 400, f'{found.on} did not open'
    hrefs: list[str] = page.eval_on_selector_all('a[href]', 'links => links.map(a => a.getAttribute("href"))')
    matching = [h for h in hrefs if re.match(found.link, h)]
    assert matching, f'no link matching {found.link} on {found.on}'
    return matching[0]


def audit(page: Page, axe: Axe, url: str, path: str, *, opened: bool = False) -> list[str]:
    """The page's serious and critical axe-core violations, one line per rule and its targets."""
    if not opened and (status := open_page(page, url, path)) >= 400:
        return [f'{path}: HTTP {status}']
    problems = [f'{path}: a part of the page failed to render'] if page.evaluate(UNRENDERED) else []
    if (lang := page.evaluate('document.documentElement.lang')) != 'az':  # the demo's people read Azerbaijani
        problems.append(f'{path}: <html lang="{lang}">, not the reader\'s language "az"')
    results: dict[str, Any] = axe.run(page, options=AXE_OPTIONS).response
    return problems + [
        f'{path}: {v["id"]} ({v["impact"]}): {v["help"]} at {", ".join(_target(n) for n in v["nodes"])}'
        for v in results['violations']
        if v['impact'] in BLOCKING
    ]


def _route(path: str, routes: set[str]) -> str:
    """The route that serves this address: of those that match it, the one with the fewest parameters."""
    matching = [r for r in routes if re.fullmatch(re.sub(r'\{[^}]+\}', '[^/]+', r), path)]
    return min(matching, key=lambda r: r.count('{'), default=path)


def _target(node: dict[str, Any]) -> str:
    return ' > '.join(str(t) for t in node['target'])


def _audit_certificate_check(page: Page, axe: Axe, url: str) -> list[str]:
    """The public check of the certificate's code, the page its QR code leads to."""
    open_page(page, url, follow(page, url, Found('/documents', rf'^/documents/certificates/{UUID}$')))
    code = page.get_by_text(CERTIFICATE_CODE).first.inner_text()
    return audit(page, axe, url, f'/verify/{code}')


def _audit_payment(page: Page, axe: Axe, url: str) -> list[str]:
    """The debts to pay, the sandbox gateway's card page and a payment's result page."""
    problems = audit(page, axe, url, '/payments')
    page.get_by_role('button', name='Ödə').first.click()
    page.wait_for_url(re.compile(r'/sandbox-gateway/'))
    settle(page)
    problems += audit(page, axe, url, '/sandbox-gateway/<token>', opened=True)
    page.get_by_label('Kartın nömrəsi').fill('4242 4242 4242 4242')
    page.get_by_label(re.compile('Etibarlılıq')).fill('12/40')
    page.get_by_label('CVV').fill('123')
    page.get_by_role('button', name=re.compile(' ödə$')).click()
    page.wait_for_url(re.compile(rf'/payments/{UUID}$'))
    settle(page)
    return problems + audit(page, axe, url, '/payments/<id>', opened=True)
