"""Official letters between citizens and state organisations (a package: models, files, signing, the two sides)."""

from portal.store.letters.agency import answer_letter, forward_letter, send_to_citizen, set_status
from portal.store.letters.citizen import (
    add_attachment,
    discard_draft,
    get_letter,
    mark_read,
    open_draft,
    read_attachment,
    remove_attachment,
    save_draft,
    send_signed,
    start_signing,
    verify_letter,
)
from portal.store.letters.common import SignatureReport, purge_orphan_files
from portal.store.letters.files import Upload
from portal.store.letters.listing import (
    LetterFilter,
    LetterPage,
    count_unread,
    list_inbox,
    list_incoming,
    list_outgoing,
    list_sent,
)
from portal.store.letters.models import Direction, LetterStatus
from portal.store.letters.signing import SignatureState
from portal.store.letters.stats import LetterStatistics, letter_statistics, letters_by_organisation
from portal.store.letters.views import AttachmentView, EventView, LetterSummary, LetterView

__all__ = [
    'AttachmentView',
    'Direction',
    'EventView',
    'LetterFilter',
    'LetterPage',
    'LetterStatistics',
    'LetterStatus',
    'LetterSummary',
    'LetterView',
    'SignatureReport',
    'SignatureState',
    'Upload',
    'add_attachment',
    'answer_letter',
    'count_unread',
    'discard_draft',
    'forward_letter',
    'get_letter',
    'letter_statistics',
    'letters_by_organisation',
    'list_inbox',
    'list_incoming',
    'list_outgoing',
    'list_sent',
    'mark_read',
    'open_draft',
    'purge_orphan_files',
    'read_attachment',
    'remove_attachment',
    'save_draft',
    'send_signed',
    'send_to_citizen',
    'set_status',
    'start_signing',
    'verify_letter',
]
