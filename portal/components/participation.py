"""E-iştirakçılıq: open polls by executive (a citizen votes once, never shown which option afterwards), proposals
(new, mine, the public ones to report), a poll's public results (live, at most once a second) and the executive's
desk (moderating proposals into polls, new polls, closing early).

Forms and dialogs are built once beside the lists, so a live redraw never wipes what someone is typing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from nicegui import ui

from portal.components import poll_feed
from portal.components.errors import error_text, show_error, show_problem
from portal.components.live import FoldedReload, subscribe
from portal.components.participation_chart import load_over_time, participation_chart
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor, Role
from portal.store.participation import outcomes, proposals, voting
from portal.store.participation.models import REASON_MAX, TEXT_MAX, TITLE_MAX, PollState, ProposalState
from portal.store.participation.proposals import ProposalView
from portal.store.participation.voting import OptionView, ParticipationOverTime, PollView, Results
from portal.store.workdays import TIMEZONE, local_date

PROPOSAL_STATES = {
    ProposalState.PENDING: (N_('pending'), 'primary'),
    ProposalState.APPROVED: (N_('approved'), 'positive'),
    ProposalState.REJECTED: (N_('rejected'), 'negative'),
    ProposalState.HIDDEN: (N_('hidden'), 'grey-7'),
}
WITHHELD = {
    'too_few': N_('Results appear once 10 votes are counted.'),
    'after_closing': N_('Results appear after the poll closes.'),
}
DEFAULT_DAYS = 14


def direction_name(code: str) -> str:
    return _(proposals.DIRECTIONS[code]) if code in proposals.DIRECTIONS else code


def source_text(poll: PollView) -> str:
    return _("A citizen's proposal") if poll.from_proposal else _("The executive's project")


def poll_period(poll: PollView) -> str:
    return _('From {start} until {end}', start=fmt_datetime(poll.opens_at), end=fmt_datetime(poll.closes_at))


def poll_state(poll: PollView, now: datetime) -> tuple[str, str]:
    if poll.is_open(now):
        return _('open'), 'positive'
    if poll.state is PollState.OPEN and now < poll.opens_at:
        return _('not open yet'), 'primary'
    return _('closed'), 'grey-7'


class FieldErrors:
    """Error lines under a form's fields; the store names the refused field."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.lines: dict[str, ui.label] = {}

    def line(self, field: str) -> None:
        label = (
            ui.label().classes('text-negative text-caption').props('role=alert').mark(f'{self.prefix}-error-{field}')
        )
        label.set_visibility(False)
        self.lines[field] = label

    def clear(self) -> None:
        for label in self.lines.values():
            label.set_visibility(False)

    def show(self, exc: DomainError, *, aliases: dict[str, str] | None = None) -> None:
        field = (aliases or {}).get(exc.field or '', exc.field or '')
        under = self.lines.get(field)
        if under is None:
            show_error(exc)
            return
        under.set_text(error_text(exc))
        under.set_visibility(True)
        show_problem(error_text(exc))


# -- the public list, voting and proposals --------------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    polls: list[PollView]
    voted: set[UUID]
    public: list[ProposalView]
    mine: list[ProposalView]


async def load_participation(actor: PersonActor | None) -> Participation:
    polls = await voting.list_polls(open_only=True)
    citizen = actor is not None and actor.role is Role.CITIZEN
    voted: set[UUID] = set()
    mine: list[ProposalView] = []
    if citizen:
        assert actor is not None
        voted = {p.id for p in polls if await voting.has_voted(actor=actor, poll_id=p.id)}
        mine = await proposals.list_mine(actor=actor)
    return Participation(polls, voted, await proposals.list_public(), mine)


class participation_board(ui.column):  # an element-like component
    def __init__(
        self, *, actor: PersonActor | None, first: Participation, executives: dict[str, str], directions: dict[str, str]
    ) -> None:
        super().__init__()
        self.actor, self.data = actor, first
        self.citizen = actor is not None and actor.role is Role.CITIZEN
        self.choices: dict[UUID, str | None] = {}  # the option picked on each poll, kept across redraws
        self.classes('w-full gap-4').mark('participation')
        with self:
            with ui.card().classes('w-full').mark('polls'):
                ui.label(_('Open polls')).classes('text-h6')
                self.render_polls = ui.refreshable(self._polls)
                self.render_polls()
            if self.citizen:
                assert actor is not None
                proposal_form(actor=actor, executives=executives, directions=directions, on_sent=self.reload_now)
                with ui.card().classes('w-full').mark('my-proposals'):
                    ui.label(_('My proposals')).classes('text-h6')
                    self.render_mine = ui.refreshable(self._mine)
                    self.render_mine()
            with ui.card().classes('w-full').mark('public-proposals'):
                ui.label(_("Citizens' proposals")).classes('text-h6')
                self.render_public = ui.refreshable(self._public)
                self.render_public()
        self.reload = FoldedReload(self._reload)
        if self.citizen:
            assert actor is not None
            subscribe(f'citizen:{actor.person_id}', self._on_event)

    # -- polls ----------------------------------------------------------------------------------------------------

    def _polls(self) -> None:
        if not self.data.polls:
            ui.label(_('No poll is open.')).classes('text-grey-8').mark('polls-empty')
        now = _now()
        by_executive: dict[str, list[PollView]] = {}
        for poll in self.data.polls:
            by_executive.setdefault(poll.executive_name, []).append(poll)
        for name, polls in sorted(by_executive.items()):
            ui.label(name).classes('text-subtitle1 text-weight-bold').mark('polls-executive')
            for poll in polls:
                self._poll(poll, now)

    def _poll(self, poll: PollView, now: datetime) -> None:
        with ui.card().classes('w-full').props('flat bordered').mark('poll', f'poll-{poll.id}'):
            ui.link(poll.question, f'/participation/polls/{poll.id}').classes('text-weight-bold').mark('poll-link')
            ui.label(', '.join(o.label for o in poll.options)).classes('text-body2').mark('poll-options')
            ui.label(_('Closes on {time}', time=fmt_datetime(poll.closes_at))).classes('text-caption').mark(
                'poll-closes'
            )
            ui.label(source_text(poll)).classes('text-caption text-grey-8').mark('poll-source')
            if not self.citizen:
                return
            if poll.id in self.data.voted:
                ui.label(_('You have voted')).classes('text-positive').mark('poll-voted')
            elif poll.is_open(now):
                self._ballot(poll)

    def _ballot(self, poll: PollView) -> None:
        options = {str(o.id): o.label for o in poll.options}
        radio = ui.radio(options, value=self.choices.get(poll.id)).mark('poll-choice')
        radio.on_value_change(lambda e, p=poll.id: self.choices.__setitem__(p, e.value))
        error = ui.label().classes('text-negative text-caption').props('role=alert').mark('poll-error')
        error.set_visibility(False)
        ui.button(_('Vote'), icon='how_to_vote', on_click=lambda p=poll: self._vote(p, error)).mark('poll-vote')

    async def _vote(self, poll: PollView, error: ui.label) -> None:
        assert self.actor is not None
        chosen = self.choices.get(poll.id)
        if not chosen:
            show_problem(_('Choose an option.'), error)
            return
        try:
            await voting.cast_vote(actor=self.actor, poll_id=poll.id, option_id=UUID(chosen), now=_now())
        except DomainError as exc:
            show_error(exc, error)
            await self.reload()
            return
        self.choices.pop(poll.id, None)
        ui.notify(_('Your vote is counted anonymously.'), type='positive')
        await self.reload()

    # -- proposals ------------------------------------------------------------------------------------------------

    def _mine(self) -> None:
        if not self.data.mine:
            ui.label(_('You have made no proposals.')).classes('text-grey-8').mark('mine-empty')
        for proposal in self.data.mine:
            label, color = PROPOSAL_STATES[proposal.state]
            with ui.card().classes('w-full').props('flat bordered').mark('mine', f'mine-{proposal.id}'):
                with ui.row().classes('items-center gap-2'):
                    ui.label(proposal.title).classes('text-weight-bold').mark('mine-title')
                    ui.badge(_(label), color=color).mark('mine-state', f'mine-{proposal.state.value}')
                ui.label(f'{proposal.executive_name} · {direction_name(proposal.direction)}').classes('text-caption')
                if proposal.state is ProposalState.APPROVED and proposal.poll_id is not None:
                    ui.link(_('See the poll'), f'/participation/polls/{proposal.poll_id}').mark('mine-poll')
                if proposal.state is ProposalState.REJECTED:
                    ui.label(_('Reason: {reason}', reason=proposal.reason)).mark('mine-reason')
                if proposal.state is ProposalState.HIDDEN:
                    ui.label(_('Hidden after reports, until the executive reviews it.')).classes(
                        'text-caption text-grey-8'
                    )

    def _public(self) -> None:
        if not self.data.public:
            ui.label(_('No proposals yet.')).classes('text-grey-8').mark('public-empty')
        mine = {p.id for p in self.data.mine}
        for proposal in self.data.public:
            with ui.card().classes('w-full').props('flat bordered').mark('public', f'public-{proposal.id}'):
                with ui.row().classes('w-full items-center gap-2'):
                    ui.label(proposal.title).classes('text-weight-bold').mark('public-title')
                    ui.space()
                    if self.citizen and proposal.id not in mine:
                        ui.button(_('Report'), icon='flag', on_click=lambda p=proposal: self._report(p)).props(
                            'flat color=negative no-caps'
                        ).mark('public-report', f'report-{proposal.id}')
                ui.label(f'{proposal.executive_name} · {direction_name(proposal.direction)}').classes('text-caption')
                ui.label(proposal.description).classes('whitespace-pre-wrap text-body2')

    async def _report(self, proposal: ProposalView) -> None:
        assert self.actor is not None
        try:
            await proposals.report(actor=self.actor, proposal_id=proposal.id, now=_now())
        except DomainError as exc:
            show_error(exc)
            return
        ui.notify(_('Thank you: the executive will review this proposal.'), type='positive')
        await self.reload()

    # -- live -----------------------------------------------------------------------------------------------------

    async def reload_now(self) -> None:
        await self.reload()

    async def _reload(self) -> None:
        self.data = await load_participation(self.actor)
        if self.is_deleted:
            return
        self.render_polls.refresh()
        self.render_public.refresh()
        if self.citizen:
            self.render_mine.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'proposal.changed':
            await self.reload()


class proposal_form(ui.card):  # an element-like component
    """Yeni müraciət: the executive, the direction, a title and a description."""

    def __init__(
        self,
        *,
        actor: PersonActor,
        executives: dict[str, str],
        directions: dict[str, str],
        on_sent: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__()
        self.actor, self.on_sent = actor, on_sent
        self.errors = FieldErrors('proposal')
        self.classes('w-full').mark('proposal-form')
        with self:
            ui.label(_('New proposal')).classes('text-h6')
            self.executive = ui.select(executives, label=_('Local executive'), with_input=True, clearable=True)
            self.executive.classes('w-full max-w-xl').mark('proposal-executive')
            self.errors.line('executive')
            self.direction = ui.select(directions, label=_('Direction'), clearable=True)
            self.direction.classes('w-full max-w-xl').mark('proposal-direction')
            self.errors.line('direction')
            self.title = ui.input(_('Title')).props(f'maxlength={TITLE_MAX} counter')
            self.title.classes('w-full max-w-xl').mark('proposal-title')
            self.errors.line('title')
            self.description = ui.textarea(_('Description')).props(f'maxlength={TEXT_MAX} counter autogrow')
            self.description.classes('w-full max-w-xl').mark('proposal-description')
            self.errors.line('description')
            self.button = ui.button(_('Send the proposal'), icon='send', on_click=self.send).mark('proposal-send')

    async def send(self) -> None:
        self.errors.clear()
        self.button.disable()
        try:
            await proposals.propose(
                actor=self.actor,
                executive_code=str(self.executive.value or ''),
                direction=str(self.direction.value or ''),
                title=self.title.value or '',
                description=self.description.value or '',
                now=_now(),
            )
        except DomainError as exc:
            self.errors.show(exc)
            return
        finally:
            self.button.enable()
        for field in (self.executive, self.direction):
            field.set_value(None)
        self.title.set_value('')
        self.description.set_value('')
        ui.notify(_('Your proposal is sent to the executive.'), type='positive')
        await self.on_sent()


# -- one poll's public page -----------------------------------------------------------------------------------------


# the results pages' script: applies a reading sent to all of a poll's pages at once (``poll_feed.Broadcast``) to
# this page's figures and chart, as NiceGUI's own element updates would; registered again whenever the board is
# rebuilt (its elements are new then), and ignoring elements that are gone
_BOARD_SCRIPT = """
(() => {
  const boards = (window.kabinetPollBoards ??= {});
  boards[%(poll)s] = %(board)s;
  if (window.kabinetPollBoardsListen) return;
  window.kabinetPollBoardsListen = true;
  window.socket.on(%(event)s, (reading) => {
    const board = window.kabinetPollBoards[reading.poll];
    const texts = board && reading.texts[board.language];
    if (!texts) return;
    const elements = mounted_app.elements;
    if (elements[board.participants]) elements[board.participants].text = texts[0];
    if (board.counted !== null && elements[board.counted]) elements[board.counted].text = texts[1];
    if (board.chart !== null && elements[board.chart]) {
      elements[board.chart].props.options.series[0].data = reading.bars;
      mounted_app.$nextTick(() => getElement(board.chart)?.update_chart());
    }
  });
})();
"""
_BOARD_EVENT = 'kabinet_poll_reading'


class poll_board(ui.column):  # an element-like component
    """The poll and its results, live from the poll's shared feed (at most one reading a second). A reading changes
    the figures in place (labels, the chart's data); the board is rebuilt only when its shape changes (results shown
    or withheld, the poll's state or details). The figures of a reading go to all of the poll's pages in one
    broadcast that the page's script applies; the server's copy of the figures is kept current without sending it
    again, and a page that reconnects is sent its figures anew."""

    def __init__(self, *, poll: PollView, first: Results) -> None:
        super().__init__()
        self.poll, self.results = poll, first
        self.shape = self._shape(poll, first)
        self.participants: ui.label | None = None  # the figures changed in place, set by each render
        self.counted: ui.label | None = None
        self.chart: ui.echart | None = None
        self.classes('w-full gap-4').mark('poll-page')
        with self:
            self.render = ui.refreshable(self._render)
            self.render()
        self.client.on_connect(self._resend)
        poll_feed.join(poll.id, self._apply)

    def _render(self) -> None:
        poll, results, now = self.poll, self.results, _now()
        label, color = poll_state(poll, now)
        with ui.card().classes('w-full').mark('poll-info'):
            with ui.row().classes('items-center gap-2'):
                ui.label(poll.executive_name).classes('text-subtitle1').mark('poll-executive')
                ui.badge(label, color=color).mark('poll-state')
            if poll.description:
                ui.label(poll.description).classes('whitespace-pre-wrap')
            ui.label(_('Options: {options}', options=', '.join(o.label for o in poll.options))).mark('poll-options')
            ui.label(poll_period(poll)).classes('text-caption').mark('poll-period')
            ui.label(source_text(poll)).classes('text-caption text-grey-8').mark('poll-source')
            if poll.closed_reason:
                ui.label(_('Closed early: {reason}', reason=poll.closed_reason)).mark('poll-closed-reason')
            if poll.outcome:
                outcome_line(poll)
        with ui.card().classes('w-full').mark('poll-results'):
            ui.label(_('Results')).classes('text-h6')
            self.participants = ui.label(_('Participants: {count}', count=results.participants))
            self.participants.mark('poll-participants')
            self.counted = self.chart = None
            if results.counts is None:
                ui.label(_(WITHHELD.get(results.withheld, WITHHELD['too_few']))).classes('text-grey-8').mark(
                    'poll-withheld'
                )
            else:
                self.counted = ui.label(_('Votes counted: {count}', count=results.counted))
                self.counted.classes('text-caption').mark('poll-counted')
                labels, votes = self._bars(results.counts)
                self.chart = ui.echart(
                    {
                        'tooltip': {'trigger': 'axis', 'axisPointer': {'type': 'shadow'}},
                        'grid': {'left': 8, 'right': 24, 'top': 8, 'bottom': 8, 'containLabel': True},
                        'xAxis': {'type': 'value', 'minInterval': 1},
                        'yAxis': {'type': 'category', 'data': labels},
                        'series': [{'name': _('Votes'), 'type': 'bar', 'data': votes}],
                    }
                )
                self.chart.classes('w-full h-72').mark('poll-chart')
        board = {
            'language': current_language(),
            'participants': self.participants.id,
            'counted': None if self.counted is None else self.counted.id,
            'chart': None if self.chart is None else self.chart.id,
        }
        ui.run_javascript(
            _BOARD_SCRIPT
            % {'poll': json.dumps(str(poll.id)), 'board': json.dumps(board), 'event': json.dumps(_BOARD_EVENT)}
        )

    def _apply(self, reading: poll_feed.Reading) -> None:
        """A new reading from the feed, inside this board's client: a new shape rebuilds the board, new figures go out
        in the reading's broadcast."""
        if self.is_deleted:
            return
        self.poll, self.results = reading.poll, reading.results
        shape, participants, counted, votes = self._figures(reading)
        if shape != self.shape:
            self.shape = shape
            self.render.refresh()
            return
        changed = False
        if self.participants is not None and self.participants.text != participants:
            _set_quietly(self.participants, participants)
            changed = True
        if self.counted is not None and self.chart is not None:
            if self.counted.text != counted:
                _set_quietly(self.counted, counted)
                changed = True
            bars = self.chart.options['series'][0]['data']
            if bars != votes:
                # the categories belong to the shape: only the bars change, in place and without sending the chart
                # (the options are observed: a change would send the whole chart to this page on its own)
                with self.chart.props.suspend_updates():
                    bars[:] = votes
                changed = True
        if changed and self.client.has_socket_connection:
            self._broadcast(reading, participants, counted, votes).add(self.client)

    def _resend(self) -> None:
        """The figures as the server has them, to a page that (re)connected: a broadcast it missed meanwhile is not
        sent again."""
        for element in (self.participants, self.counted, self.chart):
            if element is not None and not element.is_deleted:
                element.update()

    @staticmethod
    def _broadcast(
        reading: poll_feed.Reading, participants: str, counted: str, votes: list[int]
    ) -> poll_feed.Broadcast:
        """The reading's broadcast to the poll's pages, with the texts in this page's language."""
        broadcast: poll_feed.Broadcast | None = reading.shared.get(('poll_board', 'broadcast'))
        if broadcast is None:
            payload = {'poll': str(reading.poll.id), 'texts': {}, 'bars': votes}
            broadcast = reading.shared[('poll_board', 'broadcast')] = poll_feed.Broadcast(_BOARD_EVENT, payload)
            reading.broadcasts.append(broadcast)
        broadcast.payload['texts'].setdefault(current_language(), [participants, counted])
        return broadcast

    def _figures(self, reading: poll_feed.Reading) -> tuple[tuple[object, ...], str, str, list[int]]:
        """The shape, texts and bars of a reading in this board's language: worked out once per reading and language,
        however many boards of the poll are open."""
        key = ('poll_board', current_language())
        if key not in reading.shared:
            poll, results = reading.poll, reading.results
            reading.shared[key] = (
                self._shape(poll, results),
                _('Participants: {count}', count=results.participants),
                _('Votes counted: {count}', count=results.counted),
                self._bars(results.counts)[1] if results.counts is not None else [],
            )
        figures: tuple[tuple[object, ...], str, str, list[int]] = reading.shared[key]
        return figures

    @staticmethod
    def _shape(poll: PollView, results: Results) -> tuple[object, ...]:
        """What a reading can change only by rebuilding the board."""
        return poll, poll_state(poll, _now()), results.withheld

    @staticmethod
    def _bars(counts: tuple[tuple[OptionView, int], ...]) -> tuple[list[str], list[int]]:
        """The chart's categories and bars: the first option at the top."""
        return [o.label for o, _n in reversed(counts)], [n for _o, n in reversed(counts)]


def _set_quietly(label: ui.label, text: str) -> None:
    """The label's text on the server, without sending it (a broadcast carries it to the page): set where its
    bindable property keeps it, past the change handler that would send it."""
    setattr(label, '___text', text)
    label._text_to_model_text(text)


# -- the executive's desk -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    waiting: list[ProposalView]
    polls: list[PollView]
    participants: dict[UUID, int]
    over_time: ParticipationOverTime | None  # the participation chart's poll


async def load_desk(actor: PersonActor, executive_code: str, chart_poll: UUID | None = None) -> Desk:
    waiting = await proposals.list_for_moderation(actor=actor)
    polls = await voting.list_polls(executive_code=executive_code)
    now = _now()
    participants = {p.id: (await voting.results(poll_id=p.id, now=now)).participants for p in polls}
    polls.sort(key=lambda p: (p.state is not PollState.OPEN, p.closes_at))
    return Desk(waiting, polls, participants, await load_over_time(actor, polls, chart_poll))


class desk_board(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, executive_code: str, topic: str, first: Desk) -> None:
        super().__init__()
        self.actor, self.code, self.data = actor, executive_code, first
        self.classes('w-full gap-4').mark('participation-desk')
        with self:
            with ui.card().classes('w-full').mark('moderation'):
                ui.label(_('Proposals to moderate')).classes('text-h6')
                self.render_waiting = ui.refreshable(self._waiting)
                self.render_waiting()
            poll_form(actor=actor, on_created=self.reload_now)
            with ui.card().classes('w-full').mark('desk-polls'):
                ui.label(_('Our polls')).classes('text-h6')
                self.render_polls = ui.refreshable(self._polls)
                self.render_polls()
            self.chart = participation_chart(actor=actor, polls=first.polls, first=first.over_time)
            self.approve_dialog = approve_dialog(actor=actor, on_done=self.reload_now)
            self.reject_dialog = reason_dialog(
                title=_('Reject the proposal'), button=_('Reject'), prefix='reject', on_confirm=self._reject
            )
            self.close_dialog = reason_dialog(
                title=_('Close the poll early'), button=_('Close early'), prefix='close', on_confirm=self._close
            )
            self.outcome_dialog = outcome_dialog(on_confirm=self._outcome)
        self.reload = FoldedReload(self._reload)
        subscribe(topic, self._on_event)

    def _waiting(self) -> None:
        if not self.data.waiting:
            ui.label(_('No proposal waits for a decision.')).classes('text-grey-8').mark('moderation-empty')
        for proposal in self.data.waiting:
            hidden = proposal.state is ProposalState.HIDDEN
            with ui.card().classes('w-full').props('flat bordered').mark('waiting', f'waiting-{proposal.id}'):
                with ui.row().classes('items-center gap-2'):
                    ui.label(proposal.title).classes('text-weight-bold').mark('waiting-title')
                    label, color = PROPOSAL_STATES[proposal.state]
                    ui.badge(_(label), color=color).mark('waiting-state', f'waiting-{proposal.state.value}')
                ui.label(direction_name(proposal.direction)).classes('text-caption')
                ui.label(proposal.description).classes('whitespace-pre-wrap text-body2')
                if proposal.reports:
                    ui.label(_('Reports: {count}', count=proposal.reports)).classes('text-caption').mark(
                        'waiting-reports'
                    )
                with ui.row().classes('gap-2'):
                    ui.button(
                        _('Approve into a poll'),
                        icon='how_to_vote',
                        on_click=lambda p=proposal: self.approve_dialog.ask(p),
                    ).mark('waiting-approve')
                    ui.button(
                        _('Reject'), icon='block', on_click=lambda p=proposal: self.reject_dialog.ask(p.id, p.title)
                    ).props('outline color=negative').mark('waiting-reject')
                    if hidden:
                        ui.button(_('Restore'), icon='visibility', on_click=lambda p=proposal: self._restore(p)).props(
                            'outline'
                        ).mark('waiting-restore')

    def _polls(self) -> None:
        if not self.data.polls:
            ui.label(_('No polls yet.')).classes('text-grey-8').mark('desk-polls-empty')
        now = _now()
        for poll in self.data.polls:
            label, color = poll_state(poll, now)
            with ui.card().classes('w-full').props('flat bordered').mark('desk-poll', f'desk-poll-{poll.id}'):
                with ui.row().classes('w-full items-center gap-2'):
                    ui.link(poll.question, f'/participation/polls/{poll.id}').classes('text-weight-bold')
                    ui.badge(label, color=color).mark('desk-poll-state')
                    ui.space()
                    if poll.state is PollState.OPEN:
                        ui.button(
                            _('Close early'),
                            icon='stop',
                            on_click=lambda p=poll: self.close_dialog.ask(p.id, p.question),
                        ).props('flat color=negative no-caps').mark('desk-poll-close')
                    else:
                        ui.button(
                            _('Mark the outcome'),
                            icon='flag',
                            on_click=lambda p=poll: self.outcome_dialog.ask(p),
                        ).props('flat no-caps').mark('desk-poll-outcome')
                ui.label(poll_period(poll)).classes('text-caption')
                ui.label(_('Participants: {count}', count=self.data.participants.get(poll.id, 0))).mark(
                    'desk-poll-participants'
                )
                if poll.closed_reason:
                    ui.label(_('Closed early: {reason}', reason=poll.closed_reason)).classes('text-caption')
                if poll.outcome:
                    outcome_line(poll)

    async def _outcome(self, poll_id: UUID, outcome: str, note: str) -> None:
        await outcomes.mark_outcome(actor=self.actor, poll_id=poll_id, outcome=outcome, note=note, now=_now())
        ui.notify(_('The outcome is published with the results.'), type='positive')
        await self.reload()

    async def _restore(self, proposal: ProposalView) -> None:
        try:
            await proposals.restore(actor=self.actor, proposal_id=proposal.id, now=_now())
        except DomainError as exc:
            show_error(exc)
        else:
            ui.notify(_('The proposal is visible again.'), type='positive')
        await self.reload()

    async def _reject(self, proposal_id: UUID, reason: str) -> None:
        await proposals.reject(actor=self.actor, proposal_id=proposal_id, reason=reason, now=_now())
        ui.notify(_('The proposal is rejected; its author is told.'), type='positive')
        await self.reload()

    async def _close(self, poll_id: UUID, reason: str) -> None:
        await voting.close_early(actor=self.actor, poll_id=poll_id, reason=reason, now=_now())
        ui.notify(_('The poll is closed.'), type='positive')
        await self.reload()

    async def reload_now(self) -> None:
        await self.reload()

    async def _reload(self) -> None:
        self.data = await load_desk(self.actor, self.code, self.chart.poll_id)
        if not self.is_deleted:
            self.render_waiting.refresh()
            self.render_polls.refresh()
            self.chart.show(self.data.polls, self.data.over_time)

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'proposal.changed':
            await self.reload()


class _poll_fields:
    """Question, options (one per line), opening and closing days, and whether results show while it is open."""

    def build(self, prefix: str) -> None:
        self.errors = FieldErrors(prefix)
        self.question = ui.input(_('Question')).props(f'maxlength={TITLE_MAX} counter')
        self.question.classes('w-full').mark(f'{prefix}-question')
        self.errors.line('question')
        self.options = ui.textarea(_('Options, one per line')).props('autogrow').classes('w-full')
        self.options.mark(f'{prefix}-options')
        self.errors.line('options')
        today = local_date(_now())
        with ui.row().classes('gap-4'):
            self.opens = ui.input(_('Opens on'), value=today.isoformat()).props('type=date').mark(f'{prefix}-opens')
            self.closes = ui.input(_('Closes after'), value=(today + timedelta(days=DEFAULT_DAYS)).isoformat())
            self.closes.props('type=date').mark(f'{prefix}-closes')
        self.errors.line('closes_at')
        self.live = ui.switch(_('Show results while the poll is open'), value=True).mark(f'{prefix}-live')

    def reset(self) -> None:
        today = local_date(_now())
        self.question.set_value('')
        self.options.set_value('')
        self.opens.set_value(today.isoformat())
        self.closes.set_value((today + timedelta(days=DEFAULT_DAYS)).isoformat())
        self.live.set_value(True)

    def values(self) -> dict[str, object] | None:
        """The poll's fields for the store, or None (with the error shown) for a day that is not a date."""
        now = _now()
        opens, closes = _day(self.opens.value), _day(self.closes.value)
        if opens is None or closes is None:
            under = self.errors.lines['closes_at']
            show_problem(_('Give a date like 2027-01-31.'), under)
            return None
        opens_at = max(now, datetime.combine(opens, time(), TIMEZONE).astimezone(UTC))
        closes_at = datetime.combine(closes + timedelta(days=1), time(), TIMEZONE).astimezone(UTC)
        return {
            'question': self.question.value or '',
            'options': [line.strip() for line in str(self.options.value or '').splitlines() if line.strip()],
            'opens_at': opens_at,
            'closes_at': closes_at,
            'live_results': bool(self.live.value),
            'now': now,
        }


class poll_form(ui.card, _poll_fields):  # an element-like component
    """The executive's own poll."""

    def __init__(self, *, actor: PersonActor, on_created: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.actor, self.on_created = actor, on_created
        self.classes('w-full').mark('poll-form')
        with self:
            ui.label(_('New poll')).classes('text-h6')
            self.build('new-poll')
            self.description = ui.textarea(_('Description')).props(f'maxlength={TEXT_MAX} counter autogrow')
            self.description.classes('w-full').mark('new-poll-description')
            self.errors.line('description')
            ui.button(_('Open the poll'), icon='how_to_vote', on_click=self.send).mark('new-poll-send')

    async def send(self) -> None:
        self.errors.clear()
        values = self.values()
        if values is None:
            return
        try:
            await voting.create_poll(actor=self.actor, description=self.description.value or '', **values)  # type: ignore[arg-type]
        except DomainError as exc:
            self.errors.show(exc, aliases={'opens_at': 'closes_at'})
            return
        self.reset()
        self.description.set_value('')
        ui.notify(_('The poll is open.'), type='positive')
        await self.on_created()


class approve_dialog(ui.dialog, _poll_fields):  # an element-like component
    """A proposal into a poll: the question starts as the proposal's title."""

    def __init__(self, *, actor: PersonActor, on_done: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.actor, self.on_done = actor, on_done
        self.target: ProposalView | None = None
        with self, ui.card().classes('w-full max-w-xl').mark('approve-dialog'):
            ui.label(_('Approve into a poll')).classes('text-h6')
            self.build('approve')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.close).props('flat').mark('approve-cancel')
                ui.button(_('Open the poll'), icon='how_to_vote', on_click=self._confirm).mark('approve-send')

    def ask(self, proposal: ProposalView) -> None:
        self.target = proposal
        self.errors.clear()
        self.reset()
        self.question.set_value(proposal.title)
        self.open()

    async def _confirm(self) -> None:
        if self.target is None:
            return
        self.errors.clear()
        values = self.values()
        if values is None:
            return
        try:
            await proposals.approve(actor=self.actor, proposal_id=self.target.id, **values)  # type: ignore[arg-type]
        except DomainError as exc:
            self.errors.show(exc, aliases={'opens_at': 'closes_at'})
            return
        self.target = None
        self.close()
        ui.notify(_('The poll is open; the author is told.'), type='positive')
        await self.on_done()


class reason_dialog(ui.dialog):  # an element-like component
    """Asks for a reason (rejecting a proposal, closing a poll early); the store's refusal shows under the field."""

    def __init__(
        self, *, title: str, button: str, prefix: str, on_confirm: Callable[[UUID, str], Awaitable[None]]
    ) -> None:
        super().__init__()
        self.on_confirm = on_confirm
        self.target: UUID | None = None
        self.errors = FieldErrors(prefix)
        with self, ui.card().classes('w-full max-w-lg').mark(f'{prefix}-dialog'):
            ui.label(title).classes('text-h6')
            self.subject = ui.label().classes('text-body2').mark(f'{prefix}-subject')
            self.reason = ui.textarea(_('Reason')).props(f'maxlength={REASON_MAX} counter autogrow')
            self.reason.classes('w-full').mark(f'{prefix}-reason')
            self.errors.line('reason')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.close).props('flat').mark(f'{prefix}-cancel')
                ui.button(button, on_click=self._confirm).props('color=negative').mark(f'{prefix}-send')

    def ask(self, target: UUID, subject: str) -> None:
        self.target = target
        self.subject.set_text(subject)
        self.reason.set_value('')
        self.errors.clear()
        self.open()

    async def _confirm(self) -> None:
        if self.target is None:
            return
        self.errors.clear()
        try:
            await self.on_confirm(self.target, self.reason.value or '')
        except DomainError as exc:
            self.errors.show(exc)
            return
        self.target = None
        self.close()


def outcome_line(poll: PollView) -> None:
    """What came of a closed poll, as its executive marked it."""
    with ui.column().classes('gap-0').mark('poll-outcome'):
        ui.label(_(outcomes.OUTCOMES.get(poll.outcome, poll.outcome))).classes('text-weight-medium')
        ui.label(poll.outcome_note).classes('text-body2 whitespace-pre-wrap').mark('poll-outcome-note')


class outcome_dialog(ui.dialog):  # an element-like component
    """The executive marks a closed poll's outcome with a note; the store's refusal shows under its field."""

    def __init__(self, *, on_confirm: Callable[[UUID, str, str], Awaitable[None]]) -> None:
        super().__init__()
        self.on_confirm = on_confirm
        self.target: UUID | None = None
        self.errors = FieldErrors('outcome')
        with self, ui.card().classes('w-full max-w-lg').mark('outcome-dialog'):
            ui.label(_('What came of the poll')).classes('text-h6')
            self.subject = ui.label().classes('text-body2').mark('outcome-subject')
            self.choice = ui.radio({code: _(label) for code, label in outcomes.OUTCOMES.items()}).mark('outcome-choice')
            self.errors.line('outcome')
            self.note = ui.textarea(_('Note, published with the results')).props(f'maxlength={REASON_MAX} counter')
            self.note.classes('w-full').mark('outcome-note')
            self.errors.line('note')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.close).props('flat').mark('outcome-cancel')
                ui.button(_('Publish'), on_click=self._confirm).mark('outcome-send')

    def ask(self, poll: PollView) -> None:
        self.target = poll.id
        self.subject.set_text(poll.question)
        self.choice.set_value(poll.outcome or None)
        self.note.set_value(poll.outcome_note)
        self.errors.clear()
        self.open()

    async def _confirm(self) -> None:
        if self.target is None:
            return
        self.errors.clear()
        try:
            await self.on_confirm(self.target, self.choice.value or '', self.note.value or '')
        except DomainError as exc:
            self.errors.show(exc)
            return
        self.target = None
        self.close()


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value or ''))
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(UTC)
