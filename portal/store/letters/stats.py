"""Public statistics of an organisation's letters: received, answered, median answer time, share answered late.

Everyone may read them (no actor): they hold counts only, never a letter or a citizen.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.functions import Count

from portal.store.letters.models import OPEN_STATUSES, Direction, Letter, LetterStatus
from portal.store.orgs import Organisation, get_organisation
from portal.store.workdays import local_date, working_days_between

MONTHS = 12


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    received: int
    answered: int
    answered_late: int


@dataclass(frozen=True)
class LetterStatistics:
    organisation_code: str
    organisation_name_az: str
    organisation_name_en: str | None
    received: int
    answered: int
    forwarded: int
    rejected: int
    open: int
    overdue: int
    # median working days from receipt to answer, over answered letters (None without any)
    median_answer_days: float | None
    answered_late: int
    # share of answered letters answered after their deadline, in percent (None without any)
    late_percent: float | None
    months: list[MonthFigures]


@dataclass(frozen=True)
class OrganisationCount:
    code: str
    name_az: str
    name_en: str | None
    received: int


async def letter_statistics(*, organisation_code: str, now: datetime) -> LetterStatistics:
    org = await get_organisation(code=organisation_code)
    today = local_date(now)
    query = Letter.filter(organisation_id=org.id, direction=Direction.INBOUND, status__not=LetterStatus.DRAFT)
    rows = await query.values('status', 'delivered_at', 'closed_at', 'due_on')
    answered_days: list[int] = []
    late = overdue = 0
    by_status = dict.fromkeys(LetterStatus, 0)
    months: dict[str, list[int]] = {}
    for row in rows:
        status = LetterStatus(row['status'])
        by_status[status] += 1
        delivered: datetime = row['delivered_at']
        due: date | None = row['due_on']
        received_day = local_date(delivered)
        figures = months.setdefault(received_day.strftime('%Y-%m'), [0, 0, 0])
        figures[0] += 1
        if status is LetterStatus.ANSWERED and row['closed_at'] is not None:
            answered_day = local_date(row['closed_at'])
            answered_days.append(working_days_between(received_day, answered_day))
            was_late = due is not None and answered_day > due
            late += was_late
            answered_month = months.setdefault(answered_day.strftime('%Y-%m'), [0, 0, 0])
            answered_month[1] += 1
            answered_month[2] += was_late
        if status in OPEN_STATUSES and due is not None and today > due:
            overdue += 1
    answered = by_status[LetterStatus.ANSWERED]
    recent = sorted(months)[-MONTHS:]
    return LetterStatistics(
        organisation_code=org.code,
        organisation_name_az=org.name_az,
        organisation_name_en=org.name_en,
        received=len(rows),
        answered=answered,
        forwarded=by_status[LetterStatus.FORWARDED],
        rejected=by_status[LetterStatus.REJECTED],
        open=sum(by_status[s] for s in OPEN_STATUSES),
        overdue=overdue,
        median_answer_days=float(statistics.median(answered_days)) if answered_days else None,
        answered_late=late,
        late_percent=round(100 * late / answered, 1) if answered else None,
        months=[MonthFigures(m, *months[m]) for m in recent],
    )


async def letters_by_organisation() -> list[OrganisationCount]:
    """Organisations by the letters they received, most first (those with none are left out)."""
    rows = (
        await Letter.filter(direction=Direction.INBOUND, status__not=LetterStatus.DRAFT)
        .annotate(n=Count('id'))
        .group_by('organisation_id')
        .values('organisation_id', 'n')
    )
    orgs = {o.id: o for o in await Organisation.filter(id__in=[r['organisation_id'] for r in rows])}
    counts = [
        OrganisationCount(code=o.code, name_az=o.name_az, name_en=o.name_en, received=r['n'])
        for r in rows
        if (o := orgs.get(r['organisation_id'])) is not None
    ]
    return sorted(counts, key=lambda c: (-c.received, c.name_az))
