"""The portal as `main.py` builds it, plus two routes that only `bench/poll_viewers.py` uses (never the portal's).

`POST /bench/prepare` makes a poll with ten counted votes and the citizens who will vote next; `POST /bench/refresh`
casts ten votes together (one group commit, so one `poll.participation` event), waits until the poll's feed is quiet
again, counts the batch (one `poll.results` event), and answers with the wall-clock time of each publication, taken
right before the store handed the event to the hub, and the figures the viewers should then see.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import uvicorn
from fastapi import APIRouter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import live  # noqa: E402
from portal.app import create_app  # noqa: E402
from portal.components import poll_feed  # noqa: E402
from portal.config import get_settings  # noqa: E402
from portal.store.actors import Role  # noqa: E402
from portal.store.orgs import Organisation, OrgCategory  # noqa: E402
from portal.store.participation import voting  # noqa: E402
from portal.store.people import Person  # noqa: E402

BATCH = 10  # votes per refresh: the least the tally counts
OPTIONS = ['Bəli', 'Xeyr', 'Fikrim yoxdur']

settings = get_settings()
app = create_app(settings)
published: dict[str, float] = {}
_deliver = live.hub.publish


def _recording(event: live.Event) -> None:
    published[event.kind] = time.time()  # wall clock: the viewers' process compares its receipts with it
    _deliver(event)


live.hub.publish = _recording  # type: ignore[method-assign]


class Bench:
    poll: voting.PollView
    citizens: list[Person]
    votes: list[int]  # per option, in the poll's order
    cast = 0


bench = Bench()
router = APIRouter(prefix='/bench')


@router.post('/prepare')
async def prepare(voters: int) -> dict[str, Any]:
    executive = await Organisation.filter(category=OrgCategory.EXECUTIVE).order_by('code').first()
    assert executive is not None
    officer = await Person.create(
        fin='9BENCH9', role=Role.EXECUTIVE_OFFICER, first_name='Tural', last_name='Əliyev', organisation=executive
    )
    await Person.bulk_create(
        [
            Person(fin=f'B{i:06d}', first_name='Səs', last_name='Verən', birth_date=date(1990, 1, 1))
            for i in range(voters + BATCH)
        ]
    )
    bench.citizens = await Person.filter(fin__startswith='B').order_by('fin')
    now = datetime.now(UTC)
    bench.poll = await voting.create_poll(
        actor=officer.as_actor(),
        question='Parkda yeni uşaq meydançası tikilsin?',
        options=OPTIONS,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        now=now,
    )
    bench.votes = [0] * len(OPTIONS)
    await _vote(0)
    await voting.tally(now=datetime.now(UTC))
    return {'poll_id': str(bench.poll.id), 'bars': _bars()}


@router.post('/refresh')
async def refresh(option: int) -> dict[str, Any]:
    await _vote(option)
    participation = published['poll.participation']
    await asyncio.sleep(poll_feed.INTERVAL + 0.2)  # the feed is quiet again: the counted batch is read at once
    await voting.tally(now=datetime.now(UTC))
    return {
        't_participation': participation,
        'participants': bench.cast,
        't_results': published['poll.results'],
        'bars': _bars(),
    }


async def _vote(option: int) -> None:
    """Ten citizens vote together, as a crowd does: their votes are written in one group."""
    people, poll_id = bench.citizens[bench.cast : bench.cast + BATCH], bench.poll.id
    option_id: UUID = bench.poll.options[option].id
    now = datetime.now(UTC)
    await asyncio.gather(
        *(voting.cast_vote(actor=p.as_actor(), poll_id=poll_id, option_id=option_id, now=now) for p in people)
    )
    bench.cast += len(people)
    bench.votes[option] += len(people)


def _bars() -> list[int]:
    return list(reversed(bench.votes))  # as the results page draws them: the first option at the top


_before = len(app.router.routes)
app.include_router(router)
# moved before NiceGUI's catch-all mount, which would otherwise answer these paths with a page
_added = app.router.routes[_before:]
del app.router.routes[_before:]
app.router.routes[:0] = _added

if __name__ == '__main__':
    uvicorn.run(app, host=settings.host, port=settings.port, log_level='warning')
