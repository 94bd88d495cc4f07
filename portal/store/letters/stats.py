"""Public statistics of an organisation's letters: received, answered, median answer time, share answered late.

Everyone may read them (no actor): they hold counts only, never a letter or a citizen.
"""

from __future__ import annotations

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
    """The figures of one organisation's letters. Letters are counted in groups of the same status and days, so the
    work grows with the span of days, not with the number of letters."""
    org = await get_organisation(code=organisation_code)
    today = local_date(now)
    groups = (
        await Letter.filter(organisation_id=org.id, direction=Direction.INBOUND, status__not=LetterStatus.DRAFT)
        .annotate(n=Count('id'))
        .group_by('status', 'delivered_on', 'closed_on', 'due_on')
        .values('status', 'delivered_on', 'closed_on', 'due_on', 'n')
    )
    answered_days: list[tuple[int, int]] = []  # (working days, how many letters)
    late = overdue = received = 0
    by_status = dict.fromkeys(LetterStatus, 0)
    months: dict[str, list[int]] = {}
    for group in groups:
        status, n = LetterStatus(group['status']), int(group['n'])
        delivered: date | None = group['delivered_on']
        closed: date | None = group['closed_on']
        due: date | None = group['due_on']
        by_status[status] += n
        received += n
        if delivered is not None:
            months.setdefault(f'{delivered:%Y-%m}', [0, 0, 0])[0] += n
        if status is LetterStatus.ANSWERED and closed is not None and delivered is not None:
            answered_days.append((working_days_between(delivered, closed), n))
            was_late = n if due is not None and closed > due else 0
            late += was_late
            answered_month = months.setdefault(f'{closed:%Y-%m}', [0, 0, 0])
            answered_month[1] += n
            answered_month[2] += was_late
        if status in OPEN_STATUSES and due is not None and today > due:
            overdue += n
    answered = by_status[LetterStatus.ANSWERED]
    recent = sorted(months)[-MONTHS:]
    return LetterStatistics(
        organisation_code=org.code,
        organisation_name_az=org.name_az,
        organisation_name_en=org.name_en,
        received=received,
        answered=answered,
        forwarded=by_status[LetterStatus.FORWARDED],
        rejected=by_status[LetterStatus.REJECTED],
        open=sum(by_status[s] for s in OPEN_STATUSES),
        overdue=overdue,
        median_answer_days=_weighted_median(answered_days),
        answered_late=late,
        late_percent=round(100 * late / answered, 1) if answered else None,
        months=[MonthFigures(m, *months[m]) for m in recent],
    )


def _weighted_median(values: list[tuple[int, int]]) -> float | None:
    """The median of values each counted ``n`` times (the mean of the two middle ones for an even count)."""
    total = sum(n for _, n in values)
    if not total:
        return None
    ordered = sorted(values)

    def nth(k: int) -> int:  # the k-th value (0-based) in the expanded list
        for value, n in ordered:
            if k < n:
                return value
            k -= n
        raise IndexError(k)

    return (nth((total - 1) // 2) + nth(total // 2)) / 2


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
