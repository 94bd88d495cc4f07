"""Public statistics of official letters (no login): every organisation's count, and one organisation's figures.

They hold counts only, never a letter or a citizen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from nicegui import ui

from portal.components.frame import frame
from portal.errors import N_, NotFound
from portal.i18n import _, current_language
from portal.pages.guard import current_actor
from portal.store import letters
from portal.store.letters import LetterStatistics

# organisations shown in the overview chart (the table lists them all)
CHART_TOP = 15
FIGURES = (
    ('received', N_('Letters received')),
    ('answered', N_('Answered')),
    ('forwarded', N_('Forwarded')),
    ('rejected', N_('Rejected')),
    ('open', N_('Open')),
    ('overdue', N_('Open and overdue')),
)


async def letters_overview_page() -> None:
    actor = await current_actor()
    counts = await letters.letters_by_organisation()
    lang = current_language()
    with frame(_('Letters to state organisations'), actor):
        ui.label(_('Letters citizens sent to agencies and local executives through the portal.')).classes('text-body1')
        if not counts:
            ui.label(_('No letters yet.')).classes('text-grey-8').mark('stats-empty')
            return
        top = list(reversed(counts[:CHART_TOP]))  # the largest at the top of a horizontal bar chart
        ui.echart(
            {
                'tooltip': {'trigger': 'axis', 'axisPointer': {'type': 'shadow'}},
                'grid': {'left': 8, 'right': 24, 'top': 8, 'bottom': 8, 'containLabel': True},
                'xAxis': {'type': 'value', 'minInterval': 1},
                'yAxis': {'type': 'category', 'data': [c.code for c in top]},
                'series': [{'name': _('Letters received'), 'type': 'bar', 'data': [c.received for c in top]}],
            }
        ).classes('w-full h-96').mark('stats-chart')
        with ui.card().classes('w-full').mark('stats-organisations'):
            for count in counts:
                name = count.name_en if lang == 'en' and count.name_en else count.name_az
                with ui.row().classes('w-full items-center no-wrap gap-3 border-b py-1'):
                    ui.link(name, f'/statistics/letters/{count.code}').classes('grow').mark(f'stats-link-{count.code}')
                    ui.label(_number(count.received)).classes('text-weight-bold').mark(f'stats-count-{count.code}')


async def organisation_letters_page(code: str) -> None:
    actor = await current_actor()
    try:
        stats: LetterStatistics | None = await letters.letter_statistics(organisation_code=code, now=datetime.now(UTC))
    except NotFound:
        stats = None
    if stats is None:
        with frame(_('Not found'), actor):
            ui.label(_('No agency or local executive has this code.')).mark('stats-not-found')
            ui.link(_('All organisations'), '/statistics/letters').mark('stats-all')
        return
    lang = current_language()
    name = stats.organisation_name_en if lang == 'en' and stats.organisation_name_en else stats.organisation_name_az
    with frame(name, actor):
        ui.label(_('Letters from citizens: public statistics')).classes('text-subtitle1').mark('stats-org')
        with ui.row().classes('w-full gap-3'):
            for key, label in FIGURES:
                _figure(key, _(label), _number(getattr(stats, key)))
            median = _number(stats.median_answer_days) if stats.median_answer_days is not None else '—'
            _figure('median', _('Median answer time, working days'), median)
            late = f'{_number(stats.late_percent)} %' if stats.late_percent is not None else '—'
            _figure('late', _('Answered late'), late)
        ui.label(_('A letter is answered within 15 working days, or 30 when an investigation is needed.')).classes(
            'text-caption text-grey-8'
        )
        months = [_month(m.month, lang) for m in stats.months]
        ui.echart(
            {
                'tooltip': {'trigger': 'axis'},
                'legend': {'top': 0},
                'grid': {'left': 8, 'right': 8, 'top': 32, 'bottom': 8, 'containLabel': True},
                'xAxis': {'type': 'category', 'data': months},
                'yAxis': {'type': 'value', 'minInterval': 1},
                'series': [
                    {'name': _('Received'), 'type': 'bar', 'data': [m.received for m in stats.months]},
                    {'name': _('Answered'), 'type': 'bar', 'data': [m.answered for m in stats.months]},
                    {'name': _('Answered late'), 'type': 'bar', 'data': [m.answered_late for m in stats.months]},
                ],
            }
        ).classes('w-full h-80').mark('stats-monthly')
        ui.link(_('All organisations'), '/statistics/letters').mark('stats-all')


def _figure(key: str, label: str, value: str) -> None:
    with ui.card().classes('min-w-40').props('flat bordered'):
        ui.label(label).classes('text-caption text-grey-8')
        ui.label(value).classes('text-h5').mark(f'stat-{key}')


def _number(value: float) -> str:
    return format_decimal(value, locale=current_language())


def _month(month: str, lang: str) -> str:
    """'2026-10' as the month's short name and year in the reader's language."""
    year, number = month.split('-')
    return format_date(date(int(year), int(number), 1), 'LLL yyyy', locale=lang)
