"""The operation history: filters by kind and by days in Baku time, paging, CSV export, and the page itself."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.components.history_list import PAGE, history_csv
from portal.errors import Invalid, NotFound
from portal.i18n import translate
from portal.store import audit
from portal.store.audit import HistoryFilter, HistoryKind, record_event
from portal.store.orgs import Organisation, OrgCategory
from portal.store.people import Person
from tests.builders import use_fast_hashing
from tests.factories import make_citizen, make_org
from tests.test_ui_login import WAIT, login

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
BAKU = ZoneInfo('Asia/Baku')  # UTC+4, no summer time


def az(msgid: str, **params: object) -> str:
    return translate(msgid, 'az', **params)


def baku(day: int, hour: int, minute: int) -> datetime:
    """A moment of November 2026 on the Baku clock, stored as the equivalent UTC datetime."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BAKU).astimezone(UTC)


# four operations around the two midnights of 20 November 2026 (Baku time)
LATE_19 = baku(19, 23, 50)  # 19:50 UTC on the 19th
EARLY_20 = baku(20, 0, 10)  # 20:10 UTC on the 19th
LATE_20 = baku(20, 23, 30)  # 19:30 UTC on the 20th
EARLY_21 = baku(21, 0, 30)  # 20:30 UTC on the 20th


async def four_operations(person: Person) -> None:
    mia = await make_org('MIA')
    await record_event(person_id=person.id, kind=HistoryKind.LOGIN, now=LATE_19, method='password')
    await record_event(
        person_id=person.id,
        kind=HistoryKind.DATA_UPDATED,
        now=EARLY_20,
        organisation_id=mia.id,
        detail={'record_kind': 'address', 'ref': ''},
    )
    await record_event(person_id=person.id, kind=HistoryKind.LOGOUT, now=LATE_20)
    await record_event(person_id=person.id, kind=HistoryKind.LOGIN, now=EARLY_21, method='asan')


async def moments(person: Person, where: HistoryFilter) -> list[datetime]:
    page = await audit.page_history(actor=person.as_actor(), person_id=person.id, where=where)
    assert page.total == len(page.events)
    return [e.created_at for e in page.events]


# --- the store ---------------------------------------------------------------------------------------------------


async def test_filter_by_kinds(store_db: str) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    await four_operations(leyla)
    assert await moments(leyla, HistoryFilter()) == [EARLY_21, LATE_20, EARLY_20, LATE_19]
    assert await moments(leyla, HistoryFilter(kinds=frozenset({HistoryKind.LOGIN}))) == [EARLY_21, LATE_19]
    both = frozenset({HistoryKind.LOGOUT, HistoryKind.DATA_UPDATED})
    assert await moments(leyla, HistoryFilter(kinds=both)) == [LATE_20, EARLY_20]
    assert await moments(leyla, HistoryFilter(kinds=frozenset({HistoryKind.PAYMENT_SUCCEEDED}))) == []


@pytest.mark.parametrize(
    ('since', 'until', 'expected'),
    [
        pytest.param(None, date(2026, 11, 20), [LATE_20, EARLY_20, LATE_19], id='until-includes-the-whole-day'),
        pytest.param(None, date(2026, 11, 19), [LATE_19], id='until-ends-at-baku-midnight'),
        pytest.param(date(2026, 11, 20), None, [EARLY_21, LATE_20, EARLY_20], id='since-starts-at-baku-midnight'),
        pytest.param(date(2026, 11, 21), None, [EARLY_21], id='since-the-next-day'),
        pytest.param(date(2026, 11, 20), date(2026, 11, 20), [LATE_20, EARLY_20], id='one-day'),
        pytest.param(date(2026, 11, 22), date(2026, 11, 30), [], id='later'),
    ],
)
async def test_filter_by_days_in_baku_time(
    store_db: str, since: date | None, until: date | None, expected: list[datetime]
) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    await four_operations(leyla)
    assert await moments(leyla, HistoryFilter(since=since, until=until)) == expected


async def test_kinds_and_days_combine(store_db: str) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    await four_operations(leyla)
    logins = frozenset({HistoryKind.LOGIN})
    assert await moments(leyla, HistoryFilter(kinds=logins, until=date(2026, 11, 20))) == [LATE_19]
    assert await moments(leyla, HistoryFilter(kinds=logins, since=date(2026, 11, 20))) == [EARLY_21]


async def test_paging_counts_every_match(store_db: str) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    start = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    for minute in range(30):
        kind = HistoryKind.LOGIN if minute % 3 == 0 else HistoryKind.DATA_UPDATED
        await record_event(person_id=leyla.id, kind=kind, now=start + timedelta(minutes=minute))
    me = leyla.as_actor()

    first = await audit.page_history(actor=me, person_id=leyla.id, limit=25)
    assert first.total == 30
    assert [e.created_at for e in first.events] == [start + timedelta(minutes=m) for m in range(29, 4, -1)]
    second = await audit.page_history(actor=me, person_id=leyla.id, limit=25, offset=25)
    assert second.total == 30
    assert [e.created_at for e in second.events] == [start + timedelta(minutes=m) for m in range(4, -1, -1)]
    beyond = await audit.page_history(actor=me, person_id=leyla.id, limit=25, offset=30)
    assert (beyond.total, beyond.events) == (30, [])

    logins = HistoryFilter(kinds=frozenset({HistoryKind.LOGIN}))
    page = await audit.page_history(actor=me, person_id=leyla.id, limit=4, offset=4, where=logins)
    assert page.total == 10
    assert [e.created_at for e in page.events] == [start + timedelta(minutes=m) for m in (15, 12, 9, 6)]


async def test_a_start_after_the_end_is_refused(store_db: str) -> None:
    with pytest.raises(Invalid) as exc:
        HistoryFilter(since=date(2026, 11, 21), until=date(2026, 11, 20))
    assert exc.value.code == 'invalid_range'
    assert exc.value.field == 'since'
    HistoryFilter(since=date(2026, 11, 20), until=date(2026, 11, 20))  # one day is a range


async def test_citizen_b_cannot_page_as_history(store_db: str) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    rashad = await make_citizen(B_FIN, password=None)
    await four_operations(leyla)
    for where in (None, HistoryFilter(kinds=frozenset({HistoryKind.LOGIN}))):
        with pytest.raises(NotFound) as exc:
            await audit.page_history(actor=rashad.as_actor(), person_id=leyla.id, where=where)
        assert exc.value.code == 'not_found'
    assert (await audit.page_history(actor=rashad.as_actor(), person_id=rashad.id)).total == 0


# --- CSV ---------------------------------------------------------------------------------------------------------


def parse_csv(text: str) -> list[list[str]]:
    assert text.startswith('\ufeff')  # a byte order mark, so spreadsheets read UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix('\ufeff'), newline='')))


def expected_rows(org_name: str) -> list[list[str]]:
    """The four operations, newest first, as the CSV shows them in Azerbaijani on the Baku clock."""
    return [
        ['21.11.2026 00:30', az('Login'), az('Method: {method}', method='ASAN İmza')],
        ['20.11.2026 23:30', az('Logout'), ''],
        [
            '20.11.2026 00:10',
            az('Data updated'),
            az('{what}, updated by {agency}', what=az('Registered address'), agency=org_name),
        ],
        ['19.11.2026 23:50', az('Login'), az('Method: {method}', method=az('password'))],
    ]


async def test_csv_outside_a_page_uses_the_default_language(sqlite_db: str) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    await four_operations(leyla)
    events = (await audit.page_history(actor=leyla.as_actor(), person_id=leyla.id)).events

    text = history_csv(events)

    assert text.encode('utf-8').startswith(b'\xef\xbb\xbf')
    rows = parse_csv(text)
    assert rows[0] == [az('Time'), az('Operation'), az('Details')]
    assert rows[1:] == expected_rows('Daxili İşlər Nazirliyi')
    assert history_csv([]).removeprefix('\ufeff').count('\n') == 1  # the header alone


async def test_csv_quotes_commas_quotes_and_line_breaks(sqlite_db: str) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    odd = await Organisation.create(
        code='ODD', category=OrgCategory.AGENCY, kind='ministry', name_az='"Azər, su"\nASC', name_en=None
    )
    await record_event(
        person_id=leyla.id,
        kind=HistoryKind.DATA_UPDATED,
        now=EARLY_20,
        organisation_id=odd.id,
        detail={'record_kind': 'address', 'ref': ''},
    )
    events = (await audit.page_history(actor=leyla.as_actor(), person_id=leyla.id)).events
    rows = parse_csv(history_csv(events))
    assert len(rows) == 2
    assert rows[1][2] == az('{what}, updated by {agency}', what=az('Registered address'), agency='"Azər, su"\nASC')


# --- the page ----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


def total_text(user: User) -> str:
    (label,) = user.find(marker='history-total').elements
    return str(getattr(label, 'text', ''))


def rows_shown(user: User) -> int:
    try:
        return len(user.find(marker='history-row').elements)
    except AssertionError:  # none
        return 0


async def test_the_page_lists_filters_and_exports(user: User) -> None:
    leyla = await make_citizen(A_FIN)
    await four_operations(leyla)
    await login(user, A_FIN)  # a fifth operation, now
    await user.open('/history')
    await user.should_see(marker='history-data_updated')
    await user.should_see(marker='history-logout')
    await user.should_see('Daxili İşlər Nazirliyi')
    assert total_text(user) == az('Operations found: {count}', count=5)
    assert rows_shown(user) == 5

    user.find(marker='history-kinds').click()  # open the options
    user.find(az('Data updated')).click()  # the select comes before the rows that show the same words
    assert user.find(kind=ui.select, marker='history-kinds').elements.pop().value == ['data_updated']
    user.find(marker='history-apply').click()
    await user.should_see(content=az('Operations found: {count}', count=1), retries=WAIT)
    assert total_text(user) == az('Operations found: {count}', count=1)
    assert rows_shown(user) == 1
    await user.should_see(marker='history-data_updated')
    await user.should_not_see(marker='history-login')

    user.find(marker='history-csv').click()
    response = await user.download.next(timeout=5)
    rows = parse_csv(response.content.decode('utf-8'))
    assert rows[0] == [az('Time'), az('Operation'), az('Details')]
    assert rows[1:] == [expected_rows('Daxili İşlər Nazirliyi')[2]]  # the export follows the filter


async def test_the_page_filters_by_days_on_the_baku_clock(user: User) -> None:
    leyla = await make_citizen(A_FIN)
    await four_operations(leyla)
    await login(user, A_FIN)
    await user.open('/history')
    user.find(marker='history-since').type('2026-11-20')
    user.find(marker='history-until').type('2026-11-20')
    user.find(marker='history-apply').click()
    await user.should_see(content=az('Operations found: {count}', count=2), retries=WAIT)
    assert rows_shown(user) == 2
    await user.should_see(marker='history-logout')  # 23:30 on the 20th
    await user.should_see(marker='history-data_updated')  # 00:10 on the 20th
    await user.should_not_see(marker='history-login')  # 23:50 on the 19th, 00:30 on the 21st


async def test_a_reversed_date_range_shows_a_message(user: User) -> None:
    await make_citizen(A_FIN)
    await login(user, A_FIN)
    await user.open('/history')
    user.find(marker='history-since').type('2026-11-21')
    user.find(marker='history-until').type('2026-11-20')
    user.find(marker='history-apply').click()
    await user.should_see(az('The start date must not be after the end date.'), retries=WAIT)
    assert total_text(user) == az('Operations found: {count}', count=1)


async def test_pages_appear_beyond_one_page(user: User) -> None:
    leyla = await make_citizen(A_FIN)
    start = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    for minute in range(PAGE - 1):
        await record_event(person_id=leyla.id, kind=HistoryKind.DATA_UPDATED, now=start + timedelta(minutes=minute))
    await login(user, A_FIN)
    await user.open('/history')
    await user.should_see(marker='history-row')
    assert total_text(user) == az('Operations found: {count}', count=PAGE)
    await user.should_not_see(marker='history-pages')  # exactly one page

    for minute in range(PAGE, PAGE + 6):
        await record_event(person_id=leyla.id, kind=HistoryKind.DATA_UPDATED, now=start + timedelta(minutes=minute))
    await user.open('/history')
    await user.should_see(marker='history-pages')
    assert total_text(user) == az('Operations found: {count}', count=PAGE + 6)
    assert rows_shown(user) == PAGE

    pages = user.find(kind=ui.pagination, marker='history-pages').elements.pop()
    assert pages.max == 2
    pages.value = 2
    for _ in range(WAIT):
        if rows_shown(user) == 6:
            break
        await asyncio.sleep(0.1)
    assert rows_shown(user) == 6
    assert total_text(user) == az('Operations found: {count}', count=PAGE + 6)


async def test_citizen_b_does_not_see_as_operations(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(A_FIN)
    await four_operations(leyla)
    await make_citizen(B_FIN, first='Rəşad', last='Əliyev')
    await login(user, B_FIN)
    await user.open('/history')
    await user.should_see(marker='history-login')
    assert total_text(user) == az('Operations found: {count}', count=1)
    await user.should_not_see(marker='history-data_updated')
    await user.should_not_see('Daxili İşlər Nazirliyi')
