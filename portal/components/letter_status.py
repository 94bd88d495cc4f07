"""What every letter screen shares: the status badge, the deadline line, names of organisations and methods."""

from __future__ import annotations

from datetime import date

from nicegui import ui

from portal.i18n import _, current_language, fmt_date
from portal.store.letters import Direction, LetterStatus, LetterSummary
from portal.store.letters.models import STATUS_WORDS
from portal.store.letters.views import OrgRef

STATUS_LABELS = STATUS_WORDS
STATUS_COLORS = {
    LetterStatus.DRAFT: 'grey-7',
    LetterStatus.SENT: 'blue-8',
    LetterStatus.RECEIVED: 'indigo',
    LetterStatus.UNDER_REVIEW: 'warning',
    LetterStatus.ANSWERED: 'positive',
    LetterStatus.FORWARDED: 'purple',
    LetterStatus.REJECTED: 'negative',
}
METHOD_NAMES = {'asan': 'ASAN İmza', 'sima': 'SİMA'}


class status_badge(ui.badge):  # an element-like component
    def __init__(self, status: LetterStatus) -> None:
        super().__init__(_(STATUS_LABELS[status]), color=STATUS_COLORS[status])
        self.mark('letter-status', f'letter-status-{status.value}')

    def show(self, status: LetterStatus) -> None:
        self.set_text(_(STATUS_LABELS[status]))
        self.set_background_color(STATUS_COLORS[status])
        self.mark('letter-status', f'letter-status-{status.value}')


def deadline_line(summary: LetterSummary, investigation_reason: str = '') -> None:
    """'Answer due by <date>', the investigation and its reason, and 'overdue' when the date has passed."""
    if summary.direction is not Direction.INBOUND or summary.due_on is None:
        return
    open_letter = summary.status in (LetterStatus.SENT, LetterStatus.RECEIVED, LetterStatus.UNDER_REVIEW)
    with ui.row().classes('items-center gap-2').mark('letter-deadline'):
        ui.icon('event', color='negative' if summary.overdue else 'grey-8')
        text = _('Answer due by {date}', date=fmt_date(summary.due_on))
        ui.label(text).classes('text-negative text-weight-medium' if summary.overdue else '').mark('letter-due')
        if summary.overdue:
            ui.badge(_('overdue'), color='negative').mark('letter-overdue')
        elif not open_letter:
            ui.label(_('(closed)')).classes('text-caption text-grey-8')
    if summary.investigation and investigation_reason:
        line = _('Investigation: 30 working days — {reason}', reason=investigation_reason)
        ui.label(line).classes('text-caption text-warning').mark('letter-investigation')


def reaches_inbox(data: dict[str, object]) -> bool:
    """Whether a ``letter.updated`` event changes the citizen's inbox: a letter from an organisation (an answer too)
    arrived or was read."""
    return data.get('direction') == Direction.OUTBOUND.value


def org_name(ref: OrgRef | None) -> str:
    return ref.display_name(current_language()) if ref else '—'


def method_name(method: str) -> str:
    return METHOD_NAMES.get(method, method)


def short_date(value: date | None) -> str:
    return fmt_date(value) if value else '—'
