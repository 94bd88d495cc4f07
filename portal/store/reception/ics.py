"""A scheduled meeting as an iCalendar file (RFC 5545), for the citizen's own calendar application.

One VEVENT in a VCALENDAR: a stable UID (the request's), DTSTAMP, DTSTART and DTEND in UTC, SUMMARY, LOCATION and
DESCRIPTION; a SEQUENCE that grows when the meeting moves, so calendars replace the old time. Text values are escaped
(backslash, semicolon, comma, line breaks) and lines are folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from portal.errors import N_, Invalid
from portal.i18n import translate
from portal.store.actors import Actor
from portal.store.reception.common import TOPICS, RequestView, is_desk, load, may_read, not_found, utc
from portal.store.reception.models import ReceptionEventKind, ReceptionRequest, ReceptionState

PRODID = '-//Kabinet//Citizen reception//AZ'
LINE_OCTETS = 75
CONTENT_TYPE = 'text/calendar'


async def meeting_calendar(*, actor: Actor, request_id: UUID, now: datetime, lang: str = 'az') -> tuple[str, bytes]:
    """The file name and the calendar of a scheduled meeting, for its citizen or its executive."""
    request = await ReceptionRequest.get_or_none(id=request_id)
    if request is None or not may_read(actor, request):
        raise not_found()
    if request.state is not ReceptionState.SCHEDULED:
        raise Invalid('not_scheduled', N_('Only a scheduled meeting can be added to a calendar.'))
    view = await load(request.id, for_desk=is_desk(actor))
    return f'{view.number}.ics', render(view, now=now, lang=lang).encode()


def render(view: RequestView, *, now: datetime, lang: str) -> str:
    assert view.starts_at is not None and view.ends_at is not None
    sequence = sum(1 for s in view.steps if s.kind is ReceptionEventKind.RESCHEDULED)
    summary = translate(N_('Citizen reception: {executive}'), lang, executive=view.executive_name)
    description = '\n'.join(
        (
            translate(N_('Request No. {number}'), lang, number=view.number),
            translate(N_('Topic: {topic}'), lang, topic=translate(TOPICS.get(view.topic, view.topic), lang)),
            translate(
                N_('Received by: {name}, {position}'), lang, name=view.official_name, position=view.official_position
            ),
        )
    )
    lines = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        f'PRODID:{PRODID}',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'BEGIN:VEVENT',
        f'UID:{view.id}@reception.kabinet',
        f'DTSTAMP:{_utc(now)}',
        f'DTSTART:{_utc(view.starts_at)}',
        f'DTEND:{_utc(view.ends_at)}',
        f'SEQUENCE:{sequence}',
        f'SUMMARY:{escape(summary)}',
        f'LOCATION:{escape(view.place)}',
        f'DESCRIPTION:{escape(description)}',
        'STATUS:CONFIRMED',
        'TRANSP:OPAQUE',
        'END:VEVENT',
        'END:VCALENDAR',
    ]
    return ''.join(fold(line) + '\r\n' for line in lines)


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11)."""
    return (
        text.replace('\\', '\\\\')
        .replace(';', '\\;')
        .replace(',', '\\,')
        .replace('\r\n', '\n')
        .replace('\r', '\n')
        .replace('\n', '\\n')
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets go on in continuation lines that start with a space (RFC 5545 §3.1)."""
    parts: list[str] = []
    current, size = '', 0
    limit = LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append(current)
            current, size = '', 0
            limit = LINE_OCTETS - 1  # the leading space counts
        current += char
        size += octets
    parts.append(current)
    return '\r\n '.join(parts)


def _utc(moment: datetime) -> str:
    return utc(moment).strftime('%Y%m%dT%H%M%SZ')
