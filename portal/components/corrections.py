"""'Məlumat düzgündür / səhvdir' under a registry record: confirm it, or report it wrong to the agency that keeps it.

The controls of all records on a page share one per-client ``_Board``: it holds the latest correction request of
every record (loaded with one query per page, not one per record), subscribes once to the citizen's topic and
refreshes only the controls of the record an event is about. A page that shows many records calls
``await preload_corrections(actor)`` before rendering them, so the state is there at the first paint; without
it, the first controls on the page start the same single query in the background.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from nicegui import app, background_tasks, context, ui

from portal.components.errors import show_error
from portal.components.live import subscribe
from portal.errors import DomainError
from portal.i18n import TIMEZONE, _, fmt_date
from portal.live import Event
from portal.store import corrections
from portal.store.actors import PersonActor
from portal.store.corrections import COMMENT_MAX, Confirmation, CorrectionState, CorrectionView
from portal.store.registry import RecordView

_BOARD = 'corrections.board'


def correction_controls(actor: PersonActor, record: RecordView) -> None:
    """Confirm / report buttons, the confirmation date and the state of the latest correction request."""
    correction_row(_board(actor), record)


async def preload_corrections(actor: PersonActor) -> None:
    """Load the citizen's correction requests for this page with one query; call before rendering the records."""
    await _board(actor).load()


class correction_row(ui.column):
    def __init__(self, board: _Board, record: RecordView) -> None:
        super().__init__()
        self.board, self.record = board, record
        self.dialog: ui.dialog | None = None
        self.classes('w-full gap-1').mark('correction-controls')
        with self:
            self.body = ui.column().classes('w-full gap-1')
        self.refresh()
        board.register(self)

    def refresh(self) -> None:
        self.body.clear()
        with self.body:
            self._render()

    def _render(self) -> None:
        record, kind = self.record, self.record.kind
        latest = self.board.latest.get(record.id)
        pending = latest is not None and latest.state is CorrectionState.PENDING
        with ui.row().classes('items-center gap-2'):
            confirmed_at = self.board.confirmed_at(record)
            if confirmed_at is not None:
                day = fmt_date(confirmed_at.astimezone(TIMEZONE).date())
                ui.icon('verified', color='positive')
                ui.label(_('You confirmed this data as correct on {date}', date=day)).classes(
                    'text-caption text-positive'
                ).mark('confirmed', f'confirmed-{kind}')
            else:
                ui.button(_('The data is correct'), icon='check', on_click=self._confirm).props(
                    'flat dense no-caps color=positive'
                ).mark('confirm', f'confirm-{kind}')
            report = ui.button(_('The data is wrong'), icon='report', on_click=self._open_report).props(
                'flat dense no-caps color=negative'
            )
            report.mark('report', f'report-{kind}')
            if pending:
                report.disable()
        if latest is not None:
            _state_line(latest, kind)

    async def _confirm(self) -> None:
        try:
            done = await corrections.confirm_record(
                actor=self.board.actor, record_id=self.record.id, now=datetime.now(UTC)
            )
        except DomainError as exc:
            show_error(exc)
            return
        self.board.confirm(done)
        ui.notify(_('Thank you: the data is confirmed as correct.'), type='positive')

    def _open_report(self) -> None:
        if self.dialog is None:
            with self:
                self.dialog = _report_dialog(self)
        self.dialog.open()


def _report_dialog(row: correction_row) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-lg'):
        ui.label(_('What is wrong in this record?')).classes('text-h6')
        ui.label(
            _('Your comment goes to the agency that keeps the record; it will correct the record or explain why not.')
        ).classes('text-body2')
        comment = (
            ui.textarea(_('Comment'))
            .props(f'maxlength={COMMENT_MAX} counter autogrow')
            .classes('w-full')
            .mark('report-comment')
        )
        error = ui.label().classes('text-negative').mark('report-error')
        error.set_visibility(False)

        async def send() -> None:
            error.set_visibility(False)
            try:
                view = await corrections.report_record(
                    actor=row.board.actor, record_id=row.record.id, comment=comment.value, now=datetime.now(UTC)
                )
            except DomainError as exc:
                show_error(exc, error)
                return
            comment.value = ''
            dialog.close()
            row.board.update(view)
            ui.notify(_('Your correction request has been sent.'), type='positive')

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat').mark('report-cancel')
            ui.button(_('Send'), icon='send', on_click=send).mark('report-send')
    return dialog


def _state_line(latest: CorrectionView, kind: str) -> None:
    marks = ('correction-state', f'correction-{latest.state.value}', f'correction-{kind}')
    with ui.column().classes('gap-0 text-caption'):
        if latest.state is CorrectionState.PENDING:
            ui.label(_('Correction request under review')).classes('text-warning text-weight-medium').mark(*marks)
            ui.label(_('Your comment: {comment}', comment=latest.comment)).classes('text-grey-8').mark(
                'correction-comment'
            )
        elif latest.state is CorrectionState.ACCEPTED:
            ui.label(_('Correction request accepted')).classes('text-positive text-weight-medium').mark(*marks)
            if latest.reason:
                ui.label(_('Answer: {answer}', answer=latest.reason)).classes('text-grey-8').mark('correction-reason')
        else:
            ui.label(_('Correction request rejected')).classes('text-negative text-weight-medium').mark(*marks)
            ui.label(_('Reason: {reason}', reason=latest.reason)).classes('text-grey-8').mark('correction-reason')


class _Board:
    """One per client: the latest request per record and the controls that show them."""

    def __init__(self, actor: PersonActor) -> None:
        self.actor = actor
        self.latest: dict[UUID, CorrectionView] = {}
        # confirmations made since the records were loaded (here or in another tab): record id -> (version, when)
        self.confirmations: dict[UUID, tuple[int, datetime]] = {}
        self.rows: dict[UUID, list[correction_row]] = {}
        self.loaded = False
        self.loading = False
        self.client = context.client
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    async def load(self) -> None:
        """Read the latest request of every record (one query) and redraw the controls whose state changed."""
        self.loading = True
        try:
            mine = await corrections.list_my_corrections(actor=self.actor, person_id=self.actor.person_id)
        finally:
            self.loading = False
        old, self.latest, self.loaded = self.latest, corrections.latest_by_record(mine), True
        self._redraw({rid for rid in old.keys() | self.latest.keys() if old.get(rid) != self.latest.get(rid)})

    def register(self, row: correction_row) -> None:
        rows = [r for r in self.rows.get(row.record.id, []) if not r.is_deleted]
        self.rows[row.record.id] = [*rows, row]
        if not self.loaded and not self.loading:
            self.loading = True
            background_tasks.create(self._load_in_client(), name='load corrections')

    def confirmed_at(self, record: RecordView) -> datetime | None:
        known = self.confirmations.get(record.id)
        if known is not None and known[0] == record.version:
            return known[1]
        if record.confirmed_version == record.version:
            return record.confirmed_at
        return None

    def confirm(self, done: Confirmation) -> None:
        self.confirmations[done.record_id] = (done.version, done.confirmed_at)
        self._redraw({done.record_id})

    def update(self, view: CorrectionView) -> None:
        self.latest[view.record_id] = view
        self._redraw({view.record_id})

    def _redraw(self, record_ids: set[UUID]) -> None:
        for record_id in record_ids:
            rows = [r for r in self.rows.get(record_id, []) if not r.is_deleted]
            self.rows[record_id] = rows
            for row in rows:
                row.refresh()

    async def _load_in_client(self) -> None:
        with self.client:
            await self.load()

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'record.confirmed':
            record_id = UUID(str(event.data['record_id']))
            when = datetime.fromisoformat(str(event.data['confirmed_at']))
            self.confirm(Confirmation(record_id=record_id, version=int(event.data['version']), confirmed_at=when))
        elif event.kind == 'correction.updated':
            await self.load()


def _board(actor: PersonActor) -> _Board:
    board = app.storage.client.get(_BOARD)
    if not isinstance(board, _Board) or board.actor.person_id != actor.person_id:
        board = _Board(actor)
        app.storage.client[_BOARD] = board
    return board
