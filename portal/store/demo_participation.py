"""Demo e-participation: the Nəsimi executive's polls, made through the same use cases a citizen, an officer and the
jobs use, on the demo's clock, so the desk's participation chart shows a real curve.

- a poll of the executive's own that closed weeks ago, its results frozen;
- a project of the executive's own, open, its results shown only after it closes;
- Rəşad's proposal approved into a poll, open since yesterday, with live results counted from the votes of Baku
  residents hour by hour (Leyla has not voted, so a visitor can vote as her);
- Leyla's proposal and a neighbour's, waiting for moderation.

The district is told of each poll when it opens (the ``poll-opening`` job, run at that moment), and the tally job
counts what was cast.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from typing import Any

from portal.store import residence
from portal.store.demo_services import HOME_EXECUTIVE, HOME_PERSONA
from portal.store.orgs import Organisation, OrgCategory
from portal.store.participation import opening, proposals, voting
from portal.store.people import Person
from portal.store.workdays import TIMEZONE

SEED = 20261301
EXECUTIVE_OFFICER = '6NS2K8V'
PROPOSER = '2HT8P4N'  # Rəşad
# votes are cast in Baku's waking hours, more of them soon after a poll opens
WAKING = range(8, 23)


async def seed_participation(*, now: datetime) -> dict[str, int]:
    """Returns the polls made and the votes cast."""
    rng = random.Random(SEED)
    officer = await Person.get(fin=EXECUTIVE_OFFICER)
    desk = officer.as_actor()
    leyla, proposer = await Person.get(fin=HOME_PERSONA), await Person.get(fin=PROPOSER)
    voters = await _baku_residents(exclude=leyla.id)
    neighbours = [p for p in await _home_residents() if p.id != leyla.id]

    # the executive's own poll, closed at its time weeks ago
    opened = now - timedelta(days=40)
    closed = await voting.create_poll(
        actor=desk, now=opened, opens_at=opened, closes_at=opened + timedelta(days=14), **_YARDS
    )
    await opening.notify_opened(now=opened)
    cast = await _vote(rng, closed, voters=voters, count=18, weights=(5, 3, 2), start=opened, end=closed.closes_at)
    await voting.close_due(now=closed.closes_at)

    # the executive's own project: open, results after closing
    opened = now - timedelta(days=5)
    project = await voting.create_poll(
        actor=desk, now=opened, opens_at=opened, closes_at=opened + timedelta(days=21), live_results=False, **_STREET
    )
    await opening.notify_opened(now=opened)

    # Rəşad's proposal, approved into a poll with live results
    made = await proposals.propose(actor=proposer.as_actor(), now=now - timedelta(days=4), **_GARDEN)
    opened = now - timedelta(hours=30)
    garden = await proposals.approve(
        actor=desk,
        proposal_id=made.id,
        question='Füzuli küçəsindəki boş sahədə nə salınsın?',
        options=['İctimai bağ və skamyalar', 'Uşaq meydançası', 'Avtomobil dayanacağı'],
        opens_at=opened,
        closes_at=opened + timedelta(days=10),
        now=opened,
    )
    await opening.notify_opened(now=opened)
    cast += await _vote(rng, project, voters=voters, count=12, weights=(9, 7, 4), start=project.opens_at, end=now)
    cast += await _vote(rng, garden, voters=voters, count=24, weights=(11, 6, 3), start=garden.opens_at, end=now)
    await voting.tally(now=now)

    # waiting for moderation: Leyla's, and a neighbour's
    await proposals.propose(actor=leyla.as_actor(), now=now - timedelta(days=1), **_LIGHTS)
    if neighbours:
        await proposals.propose(actor=neighbours[0].as_actor(), now=now - timedelta(hours=6), **_BINS)
    return {'polls': 3, 'votes': cast}


async def _vote(
    rng: random.Random,
    poll: voting.PollView,
    *,
    voters: list[Person],
    count: int,
    weights: tuple[float, ...],
    start: datetime,
    end: datetime,
) -> int:
    """Votes of ``count`` residents between ``start`` and ``end``, cast together (the ballot box writes them as one
    group), each at its own moment."""
    chosen = rng.sample(voters, min(count, len(voters)))
    votes = [
        voting.cast_vote(
            actor=person.as_actor(),
            poll_id=poll.id,
            option_id=rng.choices(poll.options, weights=weights)[0].id,
            now=_moment(rng, start, end),
        )
        for person in chosen
    ]
    await asyncio.gather(*votes)
    return len(votes)


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in Baku's waking hours, more likely soon after ``start``."""
    span = end - start - timedelta(minutes=1)
    while True:
        moment = start + span * rng.random() ** 1.7
        if moment.astimezone(TIMEZONE).hour in WAKING:
            return moment


async def _baku_residents(*, exclude: object) -> list[Person]:
    """The adult citizens living in Baku's districts, who vote in the demo's polls."""
    ids = []
    for executive in await Organisation.filter(category=OrgCategory.EXECUTIVE, kind='baku_district'):
        ids += await residence.residents(executive=executive, limit=10_000)
    adults = Person.filter(id__in=ids, password_hash__isnull=False).exclude(id=exclude)
    return await adults.order_by('fin')


async def _home_residents() -> list[Person]:
    executive = await Organisation.get(code=HOME_EXECUTIVE)
    ids = await residence.residents(executive=executive, limit=10_000)
    return await Person.filter(id__in=ids, password_hash__isnull=False).order_by('fin')


_YARDS: dict[str, Any] = {
    'question': 'Həyətlərin abadlaşdırılmasına hansı məhəllədən başlanılsın?',
    'options': ['Kubinka məhəlləsi', '28 May qəsəbəsi', 'Dilarə Əliyeva küçəsi ətrafı'],
    'description': (
        'Nəsimi rayon İcra Hakimiyyəti həyətlərin abadlaşdırılması proqramına başlayır: yeni asfalt örtüyü, '
        'işıqlandırma, uşaq meydançaları və yaşıllıq. İlk mərhələnin hansı məhəllədə aparılacağını sakinlərlə '
        'birlikdə seçmək istəyirik.'
    ),
}
_STREET: dict[str, Any] = {
    'question': 'Bakıxanov küçəsi piyada küçəsinə çevrilsinmi?',
    'options': ['Bəli, tam piyada küçəsi olsun', 'Yalnız həftəsonları piyadalar üçün', 'Xeyr, nəqliyyat saxlanılsın'],
    'description': (
        'Layihəyə görə Bakıxanov küçəsinin Rəşid Behbudov və Süleyman Rəhimov küçələri arasındakı hissəsində '
        'nəqliyyatın hərəkəti dayandırılacaq, səkilər genişləndiriləcək, skamyalar və yaşıllıq əlavə olunacaq. '
        'Sorğunun nəticələri sorğu başa çatdıqdan sonra açıqlanacaq.'
    ),
}
_GARDEN: dict[str, Any] = {
    'executive_code': HOME_EXECUTIVE,
    'direction': 'environment',
    'title': 'Füzuli küçəsindəki boş sahədə ictimai bağ salınsın',
    'description': (
        'Füzuli və Səməd Vurğun küçələrinin kəsişməsindəki boş sahə illərdir baxımsız qalıb, ora zibil atılır. '
        'Burada ağaclar əkilməsini, skamyalar qoyulmasını və uşaqlar üçün kiçik meydança qurulmasını təklif edirəm.'
    ),
}
_LIGHTS: dict[str, Any] = {
    'executive_code': HOME_EXECUTIVE,
    'direction': 'roads',
    'title': 'Məktəbin qarşısındakı piyada keçidində svetofor quraşdırılsın',
    'description': (
        'Səməd Vurğun küçəsindəki məktəbin qarşısında piyada keçidi var, amma svetofor yoxdur. Səhərlər və dərsdən '
        'sonra uşaqlar yolu maşınların arasından keçir. Keçiddə svetofor və sürəti azaldan maneə quraşdırılmasını '
        'xahiş edirəm.'
    ),
}
_BINS: dict[str, Any] = {
    'executive_code': HOME_EXECUTIVE,
    'direction': 'utilities',
    'title': 'Həyətlərdə zibil konteynerlərinin sayı artırılsın',
    'description': (
        'Şərifzadə küçəsindəki yaşayış binalarının həyətində cəmi iki zibil konteyneri var, onlar gün ərzində '
        'dolub-daşır. Əlavə konteynerlər qoyulmasını və zibilin gündə iki dəfə daşınmasını təklif edirik.'
    ),
}
