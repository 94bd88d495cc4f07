"""Hash chains that make append-only logs tamper-evident (the access log, the operation history).

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical content (sorted JSON); the chain's
head (``ChainHead``: the newest hash and the count) is locked while an entry is appended, so entries link one by one
even when two processes append at once. Verifying walks the entries in order and recomputes every hash: a changed,
removed or inserted row breaks the chain at that row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from portal.store.consent.models import ChainHead

GENESIS = '0' * 64
BATCH = 1000


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers: sorted JSON, UUIDs and times as text (times in UTC)."""
    return json.dumps(content, sort_keys=True, separators=(',', ':'), ensure_ascii=False, default=_plain).encode()


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec='microseconds')
    if isinstance(value, (UUID, date)):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    raise TypeError(f'not part of a chained entry: {type(value).__name__}')


def link(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b'\n' + canonical(content)).hexdigest()


@dataclass
class Links:
    """The next positions of a chain, handed out inside the transaction that holds its head."""

    head: ChainHead

    def next(self, content: dict[str, Any]) -> tuple[int, str, str]:
        """(sequence number, previous hash, this entry's hash) for the next entry."""
        prev = self.head.hash
        self.head.count += 1
        self.head.hash = link(prev, content)
        return int(self.head.count), prev, self.head.hash


async def hold(name: str) -> Links:
    """Lock a chain's head for the rest of the caller's transaction (the head rows are created by the migration)."""
    head = await ChainHead.select_for_update().get_or_none(name=name)
    if head is None:  # a database emptied by hand: start the chain again (a twin may create it at the same moment)
        await ChainHead.bulk_create([ChainHead(name=name, hash=GENESIS, count=0)], ignore_conflicts=True)
        head = await ChainHead.select_for_update().get(name=name)
    return Links(head)


async def release(links: Links) -> None:
    """Write the head back (still inside the caller's transaction)."""
    await ChainHead.filter(name=links.head.name).update(hash=links.head.hash, count=links.head.count)


@dataclass(frozen=True)
class Verdict:
    chain: str
    checked: int
    # the sequence number of the first entry that does not match (None when the whole chain holds)
    broken_at: int | None = None
    reason: str = ''

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def verify(name: str, rows: Callable[[int, int], AsyncIterator[tuple[int, str, str, dict[str, Any]]]]) -> Verdict:
    """Walk a chain: ``rows(after_seq, limit)`` yields (seq, prev_hash, hash, content) in order of seq."""
    prev, expected_seq, checked, after = GENESIS, 1, 0, 0
    while True:
        batch = [row async for row in rows(after, BATCH)]
        if not batch:
            break
        for seq, prev_hash, stored, content in batch:
            if seq != expected_seq:
                return Verdict(name, checked, expected_seq, 'an entry is missing')
            if prev_hash != prev:
                return Verdict(name, checked, seq, 'the link to the previous entry is broken')
            if link(prev, content) != stored:
                return Verdict(name, checked, seq, 'the entry was changed')
            prev, expected_seq, checked, after = stored, seq + 1, checked + 1, seq
    head = await ChainHead.get_or_none(name=name)
    if head is not None and (head.count != checked or head.hash != prev):
        return Verdict(name, checked, checked + 1, 'entries after the last one were removed or added')
    return Verdict(name, checked)
