"""The executive's participation over time, on its desk: for one of its polls (the first on the desk until another is
chosen), how many citizens voted in each hour or day, the running total, and how many took part in all. Counts only,
never a voter or a choice.

The poll's choice sits outside the redrawn chart, so a reload of the desk redraws the counts and keeps the choice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import accumulate
from uuid import UUID

from babel.dates import format_date, format_datetime
from nicegui import ui

from portal.components.errors import show_error
from portal.errors import DomainError
from portal.i18n import TIMEZONE, _, current_language
from portal.store.actors import PersonActor
from portal.store.participation import voting
from portal.store.participation.voting import ParticipationOverTime, PollView


async def load_over_time(
    actor: PersonActor, polls: list[PollView], poll_id: UUID | None = None
) -> ParticipationOverTime | None:
    """The counts of the chosen poll while it is among the desk's polls, else of the first one (None without polls)."""
    ids = [p.id for p in polls]
    chosen = poll_id if poll_id in ids else next(iter(ids), None)
    if chosen is None:
        return None
    return await voting.participation_over_time(actor=actor, poll_id=chosen, now=datetime.now(UTC))


class participation_chart(ui.card):  # an element-like component
    def __init__(self, *, actor: PersonActor, polls: list[PollView], first: ParticipationOverTime | None) -> None:
        super().__init__()
        self.actor, self.polls, self.data = actor, polls, first
        self.classes('w-full').mark('participation-chart')
        with self:
            ui.label(_('Participation over time')).classes('text-h6')
            self.choice = ui.select(self._options(), value=self._value(), label=_('Poll'), on_change=self._chosen)
            self.choice.classes('w-full').mark('chart-poll')
            self.choice.set_visibility(bool(polls))
            self.render = ui.refreshable(self._chart)
            self.render()

    @property
    def poll_id(self) -> UUID | None:
        return self.data.poll_id if self.data else None

    def show(self, polls: list[PollView], data: ParticipationOverTime | None) -> None:
        """The desk reloaded: its polls, and the counts of the chosen one."""
        self.polls, self.data = polls, data
        if self.is_deleted:
            return
        self.choice.set_options(self._options(), value=self._value())
        self.choice.set_visibility(bool(polls))
        self.render.refresh()

    def _options(self) -> dict[str, str]:
        return {str(p.id): p.question for p in self.polls}

    def _value(self) -> str | None:
        return str(self.data.poll_id) if self.data else None

    async def _chosen(self) -> None:
        value = self.choice.value
        if not value or value == self._value():
            return
        try:
            data = await load_over_time(self.actor, self.polls, UUID(str(value)))
        except DomainError as exc:
            show_error(exc)
            return
        self.data = data
        if not self.is_deleted:
            self.render.refresh()

    def _chart(self) -> None:
        data = self.data
        if data is None:
            ui.label(_('No polls yet.')).classes('text-grey-8').mark('chart-empty')
            return
        ui.label(_('Participants: {count}', count=data.participants)).mark('chart-participants')
        if not data.points:
            ui.label(_('This poll has not opened yet.')).classes('text-grey-8').mark('chart-empty')
            return
        counts = [n for _at, n in data.points]
        per = _('Votes per hour') if data.unit == 'hour' else _('Votes per day')
        ui.echart(
            {
                'tooltip': {'trigger': 'axis'},
                'legend': {'top': 0},
                'grid': {'left': 8, 'right': 8, 'top': 32, 'bottom': 8, 'containLabel': True},
                'xAxis': {'type': 'category', 'data': [_when(at, data.unit) for at, _n in data.points]},
                'yAxis': [
                    {'type': 'value', 'minInterval': 1},
                    {'type': 'value', 'minInterval': 1, 'splitLine': {'show': False}},
                ],
                'series': [
                    {'name': per, 'type': 'bar', 'data': counts},
                    {
                        'name': _('Participants so far'),
                        'type': 'line',
                        'yAxisIndex': 1,
                        'showSymbol': False,
                        'data': list(accumulate(counts)),
                    },
                ],
            }
        ).classes('w-full h-72').mark('chart-votes')


def _when(at: datetime, unit: str) -> str:
    """An hour as its day and time in Baku, a day as its date, in the reader's language."""
    local = at.astimezone(TIMEZONE)
    if unit == 'hour':
        return format_datetime(local, 'dd.MM HH:mm', locale=current_language())
    return format_date(local.date(), 'dd.MM', locale=current_language())
