"""Letters in the store at scale: sending signed letters, the desk's queue, the folders, statistics, signature checks.

Run by hand: `.venv/bin/python bench/letters_store.py [LETTERS]` (default 20,000 letters to one agency, on a fresh
SQLite file with the portal's pragmas). Letters are sent through the real use cases (draft, signing challenge,
Ed25519 signature by the citizen's key, send) for the write figures; the bulk of the history is then inserted
directly, shaped like the store writes it, so the read figures see a large table. Each figure prints next to its goal.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402
from tortoise import Tortoise  # noqa: E402

from portal import db  # noqa: E402
from portal.store import auth, letters  # noqa: E402
from portal.store.actors import Role  # noqa: E402
from portal.store.auth import LoginMethod  # noqa: E402
from portal.store.letters import LetterFilter, LetterStatus, Upload, files  # noqa: E402
from portal.store.letters.citizen import close, start_clock  # noqa: E402
from portal.store.letters.models import (  # noqa: E402
    ActorKind,
    Direction,
    EventKind,
    Letter,
    LetterEvent,
    search_key,
)
from portal.store.orgs import Organisation, OrgCategory  # noqa: E402
from portal.store.people import Person  # noqa: E402

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SENDS = 200
REPEAT = 30
PDF = b'%PDF-1.4\n' + b'%' * (1024 * 1024)  # a 1 MB attachment


async def main(total: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix='kabinet-bench-'))
    files.use_folder(folder / 'files')
    url = f'sqlite://{folder}/bench.sqlite3'
    await db.open_db(url)
    mia = await Organisation.create(code='MIA', category=OrgCategory.AGENCY, kind='ministry', name_az='DİN')
    officer = await Person.create(
        fin='4MD5R1X', role=Role.AGENCY_OFFICER, first_name='Tural', last_name='Quliyev', organisation_id=mia.id
    )
    key = Ed25519PrivateKey.generate()
    citizen = await Person.create(
        fin='5BENCH1',
        first_name='Leyla',
        last_name='Məmmədova',
        public_key=key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )
    me, desk = citizen.as_actor(), officer.as_actor()

    async def send_one(upload: bool) -> None:
        draft = await letters.open_draft(actor=me, now=NOW)
        await letters.save_draft(
            actor=me, letter_id=draft.id, organisation_code='MIA', title='Pensiya', body='Mətn ' * 200, now=NOW
        )
        if upload:
            await letters.add_attachment(actor=me, letter_id=draft.id, upload=Upload('a.pdf', PDF), now=NOW)
        challenge = await letters.start_signing(actor=me, letter_id=draft.id, method=LoginMethod.SIMA, now=NOW)
        await auth.submit_signature(challenge_id=challenge.id, signature=key.sign(challenge.message), now=NOW)
        await letters.send_signed(actor=me, letter_id=draft.id, challenge_id=challenge.id, now=NOW)

    started = time.perf_counter()
    for _ in range(SENDS):
        await send_one(upload=False)
    per_send = (time.perf_counter() - started) / SENDS * 1000
    started = time.perf_counter()
    for _ in range(20):
        await send_one(upload=True)
    per_send_file = (time.perf_counter() - started) / 20 * 1000

    await _bulk_history(mia.id, total - SENDS - 20)
    count = await Letter.filter(organisation_id=mia.id).count()
    later = NOW + timedelta(days=20)
    queue = await _time(lambda: letters.list_incoming(actor=desk, now=later, limit=50))
    overdue = await _time(lambda: letters.list_incoming(actor=desk, now=later, where=LetterFilter(overdue=True)))
    search = await _time(lambda: letters.list_incoming(actor=desk, now=later, where=LetterFilter(query='Pensiya')))
    folder_page = await _time(lambda: letters.list_sent(actor=me, now=later, limit=20))
    one = (await letters.list_incoming(actor=desk, now=later, limit=1)).items[0].id
    opened = await _time(lambda: letters.get_letter(actor=desk, letter_id=one, now=later))
    with_file = await Letter.filter(organisation_id=mia.id).order_by('-created_at').first()
    assert with_file is not None
    verify = await _time(lambda: letters.verify_letter(actor=desk, letter_id=with_file.id))
    stats = await _time(lambda: letters.letter_statistics(organisation_code='MIA', now=later), repeat=5)

    print(f'letters to one agency: {count:,}; the measured citizen wrote {SENDS + 20} of them')
    rows = [
        ('send a signed letter (draft, challenge, signature, send)', per_send, 100),
        ('  … with a 1 MB PDF attached', per_send_file, 100),
        ('desk queue, first 50 by deadline', queue, 50),
        ('desk queue, overdue only', overdue, 100),
        ('desk queue, text search', search, 250),
        ("citizen's folder, 20 newest", folder_page, 50),
        ('open one letter (view with timeline)', opened, 50),
        ('check a signature with a 1 MB file', verify, 50),
        ('public statistics of the agency', stats, 1000),
    ]
    for name, ms, goal in rows:
        print(f'{name:<58} {ms:8.1f} ms   goal < {goal} ms   {"met" if ms < goal else "MISSED"}')
    await Tortoise.close_connections()


async def _time(call: Callable[[], Awaitable[Any]], repeat: int = REPEAT) -> float:
    await call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def _bulk_history(org_id: uuid.UUID, n: int) -> None:
    """Older letters in every state from 2,000 citizens, as the store leaves them (signature fields left out: not
    read here)."""
    people = [Person(id=uuid.uuid4(), fin=f'9{i:06d}', first_name='Vətəndaş', last_name=str(i)) for i in range(2000)]
    await Person.bulk_create(people)
    statuses = [LetterStatus.ANSWERED] * 6 + [LetterStatus.SENT, LetterStatus.RECEIVED, LetterStatus.UNDER_REVIEW]
    batch: list[Letter] = []
    events: list[LetterEvent] = []
    for i in range(n):
        sent = NOW - timedelta(hours=i % 3000)
        letter = Letter(
            id=uuid.uuid4(),
            direction=Direction.INBOUND,
            person_id=people[i % len(people)].id,
            organisation_id=org_id,
            title=f'Müraciət {i}',
            body='Hörmətli nazirlik, ' * 20,
            search_text=search_key(f'Müraciət {i}', 'Hörmətli nazirlik, ' * 20),
            status=statuses[i % len(statuses)],
            created_at=sent,
            updated_at=sent,
        )
        start_clock(letter, sent)
        if letter.status is LetterStatus.ANSWERED:
            close(letter, sent + timedelta(days=i % 25))
        batch.append(letter)
        events.append(
            LetterEvent(
                id=uuid.uuid4(), letter_id=letter.id, kind=EventKind.SENT, actor_kind=ActorKind.CITIZEN, created_at=sent
            )
        )
    for start in range(0, n, 2000):
        await Letter.bulk_create(batch[start : start + 2000])
        await LetterEvent.bulk_create(events[start : start + 2000])


if __name__ == '__main__':
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
