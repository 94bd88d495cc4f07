"""Public letter statistics against a known history: letters sent, received, answered, forwarded and rejected at
chosen moments across weekends and Azerbaijani holidays (Novruz and Eid al-Fitr in March, Victory Day and Flag Day
in November, the New Year), through the store's own use cases; and the public pages that show them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nicegui import ui
from nicegui.testing import User

from portal.store import letters
from portal.store.actors import PersonActor, Role
from portal.store.letters import LetterStatus
from portal.store.letters.stats import MonthFigures
from portal.store.workdays import add_working_days, working_days_between
from tests.factories import make_org, make_person
from tests.letters_kit import signed_letter


def baku(day: date, hour: int = 10) -> datetime:
    """A moment in Baku office hours (UTC+4, no daylight saving)."""
    return datetime(day.year, day.month, day.day, hour - 4, 0, tzinfo=UTC)


# when the statistics are read: after everything below happened
STATS_NOW = baku(date(2027, 1, 8), 12)


async def known_history() -> dict[str, PersonActor]:
    """Nine letters to MIA, one forwarded on to DYP, one to MOJ, one draft; the comments give the working days."""
    citizen, key = await make_person('5ABC123')
    officers = {}
    for code, fin in (('MIA', '4MD5R1X'), ('DYP', '8KL4M2N'), ('MOJ', '3MJ7K2P')):
        person, _ = await make_person(fin, first='Tural', role=Role.AGENCY_OFFICER, org=await make_org(code))
        officers[code] = person.as_actor()
    mia = officers['MIA']

    async def send(day: date, title: str, to: str = 'MIA') -> letters.LetterView:
        return await signed_letter(citizen, key, to=to, title=title, now=baku(day))

    async def answer(letter: letters.LetterView, day: date, actor: PersonActor = mia) -> None:
        await letters.answer_letter(actor=actor, letter_id=letter.id, text='Cavab.', uploads=[], now=baku(day, 15))

    # sent on the eve of Novruz: 20-30 March are all days off, so 31 March is the first working day after it
    l1 = await send(date(2026, 3, 19), 'Novruz')
    await answer(l1, date(2026, 3, 31))  # 1 working day
    # Friday before Victory Day (8 Nov, Sunday, observed on 10 Nov) and Flag Day (9 Nov)
    l2 = await send(date(2026, 11, 6), 'Bayram')
    await answer(l2, date(2026, 11, 13))  # 3 working days
    l3 = await send(date(2026, 11, 20), 'Son gün')
    await answer(l3, date(2026, 12, 11))  # 15 working days: on the deadline
    l4 = await send(date(2026, 11, 20), 'Gecikmiş')
    await answer(l4, date(2026, 12, 14))  # 16 working days: late
    l5 = await send(date(2026, 11, 20), 'Araşdırma')
    await letters.set_status(
        actor=mia,
        letter_id=l5.id,
        status=LetterStatus.UNDER_REVIEW,
        investigation_reason='Yerində yoxlama.',
        now=baku(date(2026, 11, 23)),
    )
    await answer(l5, date(2027, 1, 6))  # 30 working days over 31 Dec, 1-2 Jan and 4 Jan: on the extended deadline
    l6 = await send(date(2026, 11, 20), 'Yol polisinə aiddir')
    await letters.forward_letter(
        actor=mia, letter_id=l6.id, to_code='DYP', note='Aidiyyəti üzrə.', now=baku(date(2026, 11, 23))
    )
    l7 = await send(date(2026, 11, 20), 'Təkrar')
    await letters.set_status(
        actor=mia,
        letter_id=l7.id,
        status=LetterStatus.REJECTED,
        reason='Təkrar müraciət.',
        now=baku(date(2026, 11, 24)),
    )
    # still open: one under review past its deadline (25 November), one sent the day before the figures are read
    l8 = await send(date(2026, 11, 2), 'Açıq, gecikir')
    await letters.set_status(actor=mia, letter_id=l8.id, status=LetterStatus.RECEIVED, now=baku(date(2026, 11, 3)))
    await letters.set_status(actor=mia, letter_id=l8.id, status=LetterStatus.UNDER_REVIEW, now=baku(date(2026, 11, 4)))
    await send(date(2027, 1, 7), 'Təzə')
    # elsewhere: an answered letter to MOJ, and a draft addressed to MIA (not sent: not counted)
    to_moj = await send(date(2026, 11, 20), 'Ədliyyəyə', to='MOJ')
    await answer(to_moj, date(2026, 11, 23), officers['MOJ'])
    draft = await letters.open_draft(actor=citizen.as_actor(), now=STATS_NOW)
    await letters.save_draft(
        actor=citizen.as_actor(),
        letter_id=draft.id,
        organisation_code='MIA',
        title='Qaralama',
        body='...',
        now=STATS_NOW,
    )
    return officers


def test_the_history_crosses_the_holidays_as_the_comments_say() -> None:
    assert working_days_between(date(2026, 3, 19), date(2026, 3, 31)) == 1
    assert working_days_between(date(2026, 11, 6), date(2026, 11, 13)) == 3
    assert add_working_days(date(2026, 11, 20), 15) == date(2026, 12, 11)
    assert working_days_between(date(2026, 11, 20), date(2026, 12, 14)) == 16
    assert add_working_days(date(2026, 11, 20), 30) == date(2027, 1, 6)
    assert add_working_days(date(2026, 11, 2), 15) == date(2026, 11, 25)
    assert add_working_days(date(2027, 1, 7), 15) > STATS_NOW.date()


async def test_statistics_of_a_known_history(store_db: str) -> None:
    await known_history()
    stats = await letters.letter_statistics(organisation_code='mia', now=STATS_NOW)
    assert stats.organisation_code == 'MIA'
    counts = (stats.received, stats.answered, stats.forwarded, stats.rejected, stats.open, stats.overdue)
    assert counts == (9, 5, 1, 1, 2, 1)
    # answered in 1, 3, 15, 16 and 30 working days; only the 16 was after its deadline
    assert stats.median_answer_days == 15
    assert (stats.answered_late, stats.late_percent) == (1, 20.0)
    assert stats.months == [
        MonthFigures('2026-03', received=1, answered=1, answered_late=0),
        MonthFigures('2026-11', received=7, answered=1, answered_late=0),
        MonthFigures('2026-12', received=0, answered=2, answered_late=1),
        MonthFigures('2027-01', received=1, answered=1, answered_late=0),
    ]

    # the forwarded copy is DYP's to answer, with its own clock (from 23 November: due 14 December)
    dyp = await letters.letter_statistics(organisation_code='DYP', now=STATS_NOW)
    assert (dyp.received, dyp.answered, dyp.open, dyp.overdue) == (1, 0, 1, 1)
    assert (dyp.median_answer_days, dyp.late_percent) == (None, None)
    before = await letters.letter_statistics(organisation_code='DYP', now=baku(date(2026, 12, 14), 17))
    assert before.overdue == 0  # the deadline's own day is not late yet

    counts_by_org = [(c.code, c.received) for c in await letters.letters_by_organisation()]
    assert counts_by_org == [('MIA', 9), ('DYP', 1), ('MOJ', 1)]


async def test_an_organisation_without_letters_has_empty_statistics(sqlite_db: str) -> None:
    await make_org('MOJ')
    stats = await letters.letter_statistics(organisation_code='MOJ', now=STATS_NOW)
    assert (stats.received, stats.answered, stats.open, stats.median_answer_days, stats.late_percent) == (
        0,
        0,
        0,
        None,
        None,
    )
    assert stats.months == []
    assert await letters.letters_by_organisation() == []


# --- the public pages ----------------------------------------------------------------------------------------------


def text_of(user: User, marker: str) -> str:
    return ' '.join(e.text for e in user.find(marker=marker).elements if isinstance(e, ui.label))


async def test_the_public_page_of_an_organisation_shows_its_figures(user: User) -> None:
    await known_history()
    await user.open('/statistics/letters/MIA')  # no login needed
    await user.should_see('Daxili İşlər Nazirliyi')
    shown = {key: text_of(user, f'stat-{key}') for key in ('received', 'answered', 'forwarded', 'rejected', 'open')}
    assert shown == {'received': '9', 'answered': '5', 'forwarded': '1', 'rejected': '1', 'open': '2'}
    assert text_of(user, 'stat-median') == '15'
    assert text_of(user, 'stat-late') == '20 %'
    assert int(text_of(user, 'stat-overdue')) >= 1  # read at the real today, after 25 November 2026
    (chart,) = user.find(kind=ui.echart, marker='stats-monthly').elements
    received, answered, late = (series['data'] for series in chart.options['series'])
    assert (received, answered, late) == ([1, 7, 0, 1], [1, 1, 2, 1], [0, 0, 1, 0])
    assert len(chart.options['xAxis']['data']) == 4
    await user.should_not_see('Leyla')  # counts only, never a citizen


async def test_the_overview_lists_every_organisation_with_letters(user: User) -> None:
    await known_history()
    await user.open('/statistics/letters')
    await user.should_see(marker='stats-chart')
    assert [text_of(user, f'stats-count-{code}') for code in ('MIA', 'DYP', 'MOJ')] == ['9', '1', '1']
    (link,) = user.find(marker='stats-link-MIA').elements
    assert isinstance(link, ui.link) and link.props['href'] == '/statistics/letters/MIA'
    (chart,) = user.find(kind=ui.echart, marker='stats-chart').elements
    assert chart.options['yAxis']['data'][-1] == 'MIA'  # the largest on top
    await user.should_not_see(marker='stats-count-DVX')  # no letters, not listed


async def test_an_unknown_organisation_is_not_found(user: User) -> None:
    await make_org('MIA')
    await user.open('/statistics/letters/NOPE')
    await user.should_see(marker='stats-not-found')
    await user.should_not_see(marker='stat-received')
    await user.open('/statistics/letters/%3Cscript%3E')
    await user.should_see(marker='stats-not-found')
    await user.open('/statistics/letters')
    await user.should_see(marker='stats-empty')


async def test_the_login_page_links_to_the_statistics(user: User) -> None:
    await user.open('/login')
    (link,) = user.find(marker='login-letter-stats').elements
    assert isinstance(link, ui.link) and link.props['href'] == '/statistics/letters'
