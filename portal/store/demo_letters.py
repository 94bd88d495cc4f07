"""Demo letters (fixed seed): four months of citizens' signed letters, the organisations' answers and letters.

Most letters go to the labour ministry (MLSPP), then the Ministry of Justice and ASAN Xidmət, as the launch report
says; the rest go to other agencies and a few local executives. A letter's state follows its age: old letters are
mostly answered (some late), a few rejected, some forwarded to a copy that goes on at the other organisation; recent
ones are sent, received or under review. Every row is what the store's use cases would have written: the clock from
``citizen.start_clock``, a timeline step for every move, an answer as an outbound letter, the citizen's history
entries, and an inbound original signed with the citizen's demo device key over the canonical letter, so its
signature checks as valid. The README's personas get their letters on purpose (``personas``).
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal.store.actors import Role
from portal.store.audit import HistoryEvent, HistoryKind, record_events
from portal.store.auth import LoginMethod
from portal.store.demo_letter_texts import (
    ANSWER_CLOSING,
    ANSWER_OPENING,
    COURTS,
    DEFAULT_GREETING,
    DISTRICTS,
    EXECUTIVE_TOPICS,
    FORWARD_NOTE,
    GREETINGS,
    HOMELANDS,
    INVESTIGATIONS,
    MONTHS_AZ,
    NOTARIES,
    NOTICES,
    REJECTIONS,
    STREETS,
    TOPICS,
    YEARS,
    Notice,
    Topic,
)
from portal.store.device import public_key_of
from portal.store.letters import signing
from portal.store.letters.agency import ANSWER_PREFIX
from portal.store.letters.citizen import ANSWER_DAYS, FORWARD_DAYS, INVESTIGATION_DAYS
from portal.store.letters.models import (
    TITLE_MAX,
    ActorKind,
    Direction,
    EventKind,
    Letter,
    LetterEvent,
    LetterStatus,
    search_key,
)
from portal.store.orgs import Organisation, OrgCategory
from portal.store.people import Person
from portal.store.workdays import TIMEZONE, add_working_days, is_working_day, local_date

SEED = 20261104
DAYS_BACK = 122
INBOUND = 1450
NOTICE_COUNT = 140
# addressees of citizens' letters, by weight (about a third to MLSPP, then MOJ and ASAN)
WEIGHTS: dict[str, int] = {
    'MLSPP': 300,
    'MOJ': 130,
    'ASAN': 105,
    'DSMF': 50,
    'MIA': 45,
    'QMIDK': 30,
    'DYP': 28,
    'MSE': 26,
    'MOH': 24,
    'DVX': 22,
    'EMDX': 18,
    'DMX': 14,
    'TABIB': 14,
    'AZERISIQ': 14,
    'AZERSU': 12,
    'AZERIQAZ': 10,
    'SHXCDX': 8,
    'AQUPDK': 6,
    'DIM': 6,
    'IH-NESIMI': 18,
    'IH-YASAMAL': 9,
    'IH-BINEQEDI': 7,
    'IH-XETAI': 7,
    'IH-SUMQAYIT-SHAHAR': 7,
    'IH-GENCE-SHAHAR': 6,
    'IH-SEKI-SHAHAR': 3,
    'IH-QUBA': 3,
    'IH-LENKERAN-SHAHAR': 3,
}
NOTICE_WEIGHTS = {'MLSPP': 4, 'DSMF': 3, 'ASAN': 3, 'MIA': 2, 'DVX': 2, 'TABIB': 1, 'IH-NESIMI': 1}
# share of letters answered after the deadline (the busiest ministry is late more often)
LATE_SHARE = {'MLSPP': 0.14, 'ASAN': 0.04, 'MOJ': 0.08}
DEFAULT_LATE, EXECUTIVE_LATE = 0.09, 0.12
# organisations whose document system registers a letter within minutes
AUTO_RECEIPT = frozenset({'MLSPP', 'MOJ', 'ASAN'})
INTEGRATION_NAME = 'Rəqəmsal Sənəd Dövriyyəsi'
# the hours (Baku) citizens send letters at, from 7:00 to 23:00
SEND_HOURS = tuple(range(7, 24))
SEND_HOUR_WEIGHTS = (1, 3, 6, 8, 8, 7, 6, 7, 7, 6, 5, 4, 4, 4, 3, 2, 1)
PERSONA_CITIZENS = frozenset({'5ZK2M7R', '2HT8P4N', '7QW3E9D'})
LEYLA = '5ZK2M7R'
# the status a letter is in after each kind of step
STATUS_AFTER = {
    EventKind.RECEIVED: LetterStatus.RECEIVED,
    EventKind.UNDER_REVIEW: LetterStatus.UNDER_REVIEW,
    EventKind.INVESTIGATION: LetterStatus.UNDER_REVIEW,
    EventKind.ANSWERED: LetterStatus.ANSWERED,
    EventKind.FORWARDED: LetterStatus.FORWARDED,
    EventKind.REJECTED: LetterStatus.REJECTED,
}
CLOSING = frozenset({EventKind.ANSWERED, EventKind.FORWARDED, EventKind.REJECTED})
# the store's working-day arithmetic; the same few hundred days come up thousands of times here
_working_day_after = lru_cache(maxsize=8192)(add_working_days)


@dataclass
class _Step:
    kind: EventKind
    at: datetime
    note: str = ''
    other: Organisation | None = None
    by_integration: bool = False


async def seed_letters(
    *, people: list[Person], orgs: list[Organisation], now: datetime, device_key: Callable[[str], bytes]
) -> int:
    """Write the demo letters (inside the caller's transaction); returns how many letters were written.

    ``people`` are the adults with their organisations; ``device_key`` gives a citizen's demo device key by FIN.
    """
    world = _World(people=people, orgs=orgs, now=now, device_key=device_key)
    world.personas()
    for _ in range(INBOUND):
        world.random_letter()
    for _ in range(NOTICE_COUNT):
        world.random_notice()
    await world.save()
    return len(world.letters)


class _World:
    def __init__(
        self, *, people: list[Person], orgs: list[Organisation], now: datetime, device_key: Callable[[str], bytes]
    ) -> None:
        self.rng = random.Random(SEED)
        self.device_key = device_key
        self.now = now
        self.today = local_date(now)
        self.orgs = {o.code: o for o in orgs}
        self.people = {p.fin: p for p in people}
        # the letter writers: adult citizens with a signing device (children have none), the personas left aside
        self.citizens = sorted(
            (p for p in people if p.role is Role.CITIZEN and p.public_key and p.fin not in PERSONA_CITIZENS),
            key=lambda p: p.fin,
        )
        self.officers = {p.organisation_id: p.full_name for p in people if p.organisation_id}
        self.addressees = [c for c in WEIGHTS if c in self.orgs]
        self.keys: dict[str, tuple[Ed25519PrivateKey, bytes]] = {}
        self.letters: list[Letter] = []
        # answer and forwarding links, set once every letter exists (the rows point at each other)
        self.links: list[tuple[Letter, uuid.UUID | None, uuid.UUID | None]] = []
        self.events: list[LetterEvent] = []
        self.history: list[HistoryEvent] = []

    # --- stories -----------------------------------------------------------------------------------------------------

    def random_letter(self) -> None:
        rng = self.rng
        org = self.orgs[rng.choices(self.addressees, weights=[WEIGHTS[c] for c in self.addressees])[0]]
        topics = EXECUTIVE_TOPICS if org.category is OrgCategory.EXECUTIVE else TOPICS[org.code]
        topic = rng.choice(topics)
        delivered = self._sent_moment()
        self.story(rng.choice(self.citizens), org, topic, delivered, self._plan(org, topic, delivered, forward=True))

    def random_notice(self) -> None:
        rng = self.rng
        code = rng.choices(list(NOTICE_WEIGHTS), weights=list(NOTICE_WEIGHTS.values()))[0]
        at = self.now
        while at >= self.now:
            at = self._work_moment(self.today - timedelta(days=rng.randint(1, DAYS_BACK)), 0, self.now - timedelta(400))
        person = rng.choice(self.citizens)
        seen = self.now - at > timedelta(days=3) and rng.random() < 0.75
        self.notice(person, self.orgs[code], rng.choice(NOTICES[code]), at, read=seen)

    def story(
        self,
        person: Person,
        org: Organisation,
        topic: Topic,
        delivered: datetime,
        steps: list[_Step],
        *,
        read: bool | None = None,
    ) -> Letter:
        """A citizen's signed letter and everything that happened to it up to now (``read``: whether the citizen
        opened the answer; by chance when not given)."""
        values = self._values(person, delivered, steps)
        greeting = GREETINGS.get('executive' if org.category is OrgCategory.EXECUTIVE else org.kind, DEFAULT_GREETING)
        body = f'{greeting}\n\n{topic.body.format_map(values)}\n\nHörmətlə,\n{person.full_name}'
        original = self._inbound(person, org, steps, title=topic.title, body=body, delivered=delivered, origin=None)
        self._outcome(original, steps, person=person, org=org, topic=topic, values=values, read=read)
        return original

    def notice(self, person: Person, org: Organisation, notice: Notice, at: datetime, *, read: bool) -> Letter:
        values = self._values(person, at, [])
        return self._outbound(person, org, notice.title, notice.body.format_map(values), at, read=read)

    def _outcome(
        self,
        letter: Letter,
        steps: list[_Step],
        *,
        person: Person,
        org: Organisation,
        topic: Topic,
        values: dict[str, Any],
        read: bool | None = None,
    ) -> None:
        """The answer in the citizen's inbox, or the copy at the organisation the letter was forwarded to."""
        last = steps[-1] if steps else None
        if last is None or last.kind not in CLOSING:
            return
        if last.kind is EventKind.ANSWERED:
            assert letter.delivered_at is not None
            received = local_date(letter.delivered_at).strftime('%d.%m.%Y')
            text = '\n\n'.join(
                (
                    ANSWER_OPENING.format(name=person.full_name, received=received),
                    topic.answer.format_map(values),
                    ANSWER_CLOSING,
                )
            )
            title = f'{ANSWER_PREFIX}{letter.title}'[:TITLE_MAX]
            seen = (
                read if read is not None else self.rng.random() < (0.85 if self.now - last.at > timedelta(3) else 0.4)
            )
            answer = self._outbound(person, org, title, text, last.at, read=seen, reply_to=letter)
            self.links.append((letter, answer.id, None))
        elif last.kind is EventKind.FORWARDED:
            assert last.other is not None
            target, at = last.other, last.at
            plan = self._plan(target, topic, at, forward=False)
            copy = self._inbound(
                person, target, plan, title=letter.title, body=letter.body, delivered=at, origin=letter
            )
            self.links.append((letter, None, copy.id))
            self._outcome(copy, plan, person=person, org=target, topic=topic, values=values)

    # --- rows, as the use cases write them ---------------------------------------------------------------------------

    def _inbound(
        self,
        person: Person,
        org: Organisation,
        steps: list[_Step],
        *,
        title: str,
        body: str,
        delivered: datetime,
        origin: Letter | None,
    ) -> Letter:
        day = local_date(delivered)
        investigation = next((s.note for s in steps if s.kind is EventKind.INVESTIGATION), '')
        last = steps[-1] if steps else None
        closing = last if last is not None and last.kind in CLOSING else None
        letter_id = uuid.uuid4()
        signature = (
            {**self._signature(letter_id, person, org, title, body), 'signed_at': delivered} if not origin else {}
        )
        letter = Letter(
            **signature,
            id=letter_id,
            direction=Direction.INBOUND,
            person_id=person.id,
            organisation_id=org.id,
            title=title,
            body=body,
            search_text=search_key(title, body),
            status=STATUS_AFTER[last.kind] if last else LetterStatus.SENT,
            origin_id=origin.id if origin else None,
            # the clock, as ``citizen.start_clock`` and ``citizen.close`` set it
            delivered_at=delivered,
            delivered_on=day,
            forward_due_on=_working_day_after(day, FORWARD_DAYS),
            due_on=_working_day_after(day, INVESTIGATION_DAYS if investigation else ANSWER_DAYS),
            investigation_reason=investigation,
            closing_note=closing.note if closing and closing.kind is not EventKind.ANSWERED else '',
            closed_at=closing.at if closing else None,
            closed_on=local_date(closing.at) if closing else None,
            created_at=delivered,
            updated_at=last.at if last else delivered,
        )
        self.letters.append(letter)
        if origin is None:
            self._event(letter_id, EventKind.SENT, delivered, ActorKind.CITIZEN)
            method = signature['signed_method']
            self._history(
                person, org, HistoryKind.LETTER_SENT, letter_id=letter_id, title=title, at=delivered, method=method
            )
        else:  # a forwarded copy: sent on by the forwarding organisation's desk
            self._event(letter_id, EventKind.SENT, delivered, ActorKind.OFFICER)
        officer = self.officers.get(org.id, '')
        for step in steps:
            kind, name = (
                (ActorKind.INTEGRATION, INTEGRATION_NAME) if step.by_integration else (ActorKind.OFFICER, officer)
            )
            self._event(letter_id, step.kind, step.at, kind, name=name, note=step.note, other=step.other)
        return letter

    def _outbound(
        self,
        person: Person,
        org: Organisation,
        title: str,
        body: str,
        at: datetime,
        *,
        read: bool,
        reply_to: Letter | None = None,
    ) -> Letter:
        read_at = at + timedelta(minutes=self.rng.randint(30, 72 * 60)) if read else None
        if read_at is not None and read_at > self.now:
            read_at = None
        letter_id = uuid.uuid4()
        letter = Letter(
            id=letter_id,
            direction=Direction.OUTBOUND,
            person_id=person.id,
            organisation_id=org.id,
            title=title,
            body=body,
            search_text=search_key(title, body),
            status=LetterStatus.SENT,
            reply_to_id=reply_to.id if reply_to else None,
            delivered_at=at,
            read_at=read_at,
            created_at=at,
            updated_at=at,
        )
        self.letters.append(letter)
        self._event(letter_id, EventKind.SENT, at, ActorKind.OFFICER, name=self.officers.get(org.id, ''))
        if read_at is not None:
            self._event(letter_id, EventKind.READ, read_at, ActorKind.CITIZEN)
        self._history(person, org, HistoryKind.LETTER_RECEIVED, letter_id=letter_id, title=title, at=at)
        return letter

    def _event(
        self,
        letter_id: uuid.UUID,
        kind: EventKind,
        at: datetime,
        actor: ActorKind,
        *,
        name: str = '',
        note: str = '',
        other: Organisation | None = None,
    ) -> None:
        self.events.append(
            LetterEvent(
                id=uuid.uuid4(),
                letter_id=letter_id,
                kind=kind,
                actor_kind=actor,
                actor_name=name,
                note=note,
                other_organisation_id=other.id if other else None,
                created_at=at,
            )
        )

    def _history(
        self,
        person: Person,
        org: Organisation,
        kind: HistoryKind,
        *,
        letter_id: uuid.UUID,
        title: str,
        at: datetime,
        method: str | None = None,
    ) -> None:
        """The citizen's operation history, as ``audit.record_event`` writes it for sent and received letters."""
        self.history.append(
            HistoryEvent(
                id=uuid.uuid4(),
                person_id=person.id,
                kind=kind,
                method=method,
                organisation_id=org.id,
                detail={'letter_id': str(letter_id), 'title': title},
                created_at=at,
            )
        )

    def _signature(
        self, letter_id: uuid.UUID, person: Person, org: Organisation, title: str, body: str
    ) -> dict[str, Any]:
        """The signature columns of an inbound original: the canonical letter's digest inside a document challenge
        message, signed with the citizen's device key, as ``auth.claim_document_signature`` hands it over."""
        rng = self.rng
        document = signing.canonical(
            letter_id=letter_id, organisation_code=org.code, title=title, body=body, attachments=[]
        )
        digest = signing.digest(document)
        challenge = uuid.UUID(int=rng.getrandbits(128), version=4)
        nonce = rng.getrandbits(256).to_bytes(32, 'big').hex()
        message = f'KABINET-SIGN\n{challenge}\n{nonce}\n{rng.randrange(10_000):04d}\n{digest}'.encode()
        key, public = self._key(person.fin)
        return {
            'signed_method': rng.choice((LoginMethod.SIMA, LoginMethod.SIMA, LoginMethod.ASAN)).value,
            'signed_digest': digest,
            'signed_message': message,
            'signature': key.sign(message),
            'signer_key': public,
        }

    def _key(self, fin: str) -> tuple[Ed25519PrivateKey, bytes]:
        if fin not in self.keys:
            raw = self.device_key(fin)
            self.keys[fin] = (Ed25519PrivateKey.from_private_bytes(raw), public_key_of(raw))
        return self.keys[fin]

    async def save(self) -> None:
        await Letter.bulk_create(self.letters, batch_size=500)
        linked = []
        for letter, answer_id, copy_id in self.links:
            letter.answer_id, letter.forwarded_to_id = answer_id, copy_id
            linked.append(letter)
        await Letter.bulk_update(linked, fields=['answer_id', 'forwarded_to_id'], batch_size=500)
        await LetterEvent.bulk_create(self.events, batch_size=1000)
        await record_events(self.history)

    # --- the clock ---------------------------------------------------------------------------------------------------

    def _plan(self, org: Organisation, topic: Topic, delivered: datetime, *, forward: bool) -> list[_Step]:
        """What the organisation does with a letter, step by step, cut at now."""
        rng = self.rng
        day = local_date(delivered)
        steps: list[_Step] = []
        if org.code in AUTO_RECEIPT:
            steps.append(
                _Step(EventKind.RECEIVED, delivered + timedelta(minutes=rng.randint(1, 30)), by_integration=True)
            )
        elif rng.random() < 0.9:
            steps.append(_Step(EventKind.RECEIVED, self._work_moment(day, rng.choice((0, 0, 1, 1, 2)), delivered)))
        last = steps[-1].at if steps else delivered
        target = self.orgs.get(topic.forward_to or '') if forward else None
        if target is not None and target.id != org.id and rng.random() < 0.3:
            at = self._work_moment(day, rng.randint(1, FORWARD_DAYS), last)
            if local_date(at) <= _working_day_after(day, FORWARD_DAYS):
                note = FORWARD_NOTE.format(target=target.name_az)
                return self._until_now([*steps, _Step(EventKind.FORWARDED, at, note=note, other=target)])
        if rng.random() < 0.035:
            at = self._work_moment(day, rng.randint(2, 10), last)
            return self._until_now([*steps, _Step(EventKind.REJECTED, at, note=rng.choice(REJECTIONS))])
        investigating = False
        if rng.random() < 0.85:
            at = self._work_moment(day, rng.choice((0, 1, 1, 2, 3)), last)
            steps.append(_Step(EventKind.UNDER_REVIEW, at))
            if rng.random() < topic.investigation:
                investigating = True
                steps.append(_Step(EventKind.INVESTIGATION, at, note=rng.choice(INVESTIGATIONS)))
        at = self._work_moment(day, self._answer_days(org, investigating), steps[-1].at if steps else delivered)
        return self._until_now([*steps, _Step(EventKind.ANSWERED, at)])

    def _answer_days(self, org: Organisation, investigating: bool) -> int:
        rng = self.rng
        executive = org.category is OrgCategory.EXECUTIVE
        late = LATE_SHARE.get(org.code, EXECUTIVE_LATE if executive else DEFAULT_LATE)
        limit = INVESTIGATION_DAYS if investigating else ANSWER_DAYS
        if rng.random() < late:
            return rng.randint(limit + 1, limit + 8)
        if investigating:
            return rng.randint(8, limit)
        return min(limit, max(1, round(rng.triangular(1, limit, 8))))

    def _until_now(self, steps: list[_Step]) -> list[_Step]:
        return [s for s in steps if s.at <= self.now]

    def _sent_moment(self) -> datetime:
        """When a citizen sent a letter: more lately than at first, fewer on days off, mostly in the daytime."""
        rng = self.rng
        while True:
            back = rng.randint(0, DAYS_BACK) if rng.random() < 0.5 else int(DAYS_BACK * (1 - math.sqrt(rng.random())))
            day = self.today - timedelta(days=back)
            if not is_working_day(day) and rng.random() < 0.6:
                continue
            hour = rng.choices(SEND_HOURS, weights=SEND_HOUR_WEIGHTS)[0]
            at = _baku(day, hour, rng.randrange(60), rng.randrange(60))
            if at < self.now - timedelta(minutes=10):
                return at

    def _work_moment(self, start: date, days: int, after: datetime) -> datetime:
        """A moment in office hours on the ``days``-th working day after ``start`` (or later), after ``after``."""
        day = start if days <= 0 else _working_day_after(start, days)
        while True:
            if is_working_day(day):
                opens = max(_baku(day, 9), after + timedelta(minutes=5))
                closes = _baku(day, 18)
                if opens < closes:
                    return opens + timedelta(seconds=int(self.rng.random() * (closes - opens).total_seconds()))
            day += timedelta(days=1)

    def _values(self, person: Person, delivered: datetime, steps: list[_Step]) -> dict[str, Any]:
        rng = self.rng
        closed = local_date(steps[-1].at if steps else delivered)
        return {
            'name': person.full_name,
            'district': rng.choice(DISTRICTS),
            'homeland': rng.choice(HOMELANDS),
            'street': rng.choice(STREETS),
            'date': (local_date(delivered) - timedelta(days=rng.randint(5, 60))).strftime('%d.%m.%Y'),
            'year': rng.choice(YEARS),
            'amount': rng.randrange(40, 460, 5),
            'notary': rng.choice(NOTARIES),
            'court': rng.choice(COURTS),
            'month': MONTHS_AZ[closed.month % 12],
            'later': (local_date(delivered) + timedelta(days=rng.randint(10, 45))).strftime('%d.%m.%Y'),
        }

    # --- the README's personas ---------------------------------------------------------------------------------------

    def personas(self) -> None:
        """Leyla's letters in every state, and work waiting on the MIA and Nəsimi desks (one letter overdue each)."""
        leyla, mia, nesimi = self.people.get(LEYLA), self.orgs.get('MIA'), self.orgs.get('IH-NESIMI')
        if leyla is None or mia is None or nesimi is None or not self.citizens:
            return
        topic = {t.title: t for topics in (*TOPICS.values(), EXECUTIVE_TOPICS) for t in topics}
        E = EventKind
        others = self.citizens
        fixed = (
            # (who, to, topic, sent N working days ago, steps as (kind, working days after sending), answer read)
            (leyla, 'ASAN', 'Əməkdaşa təşəkkür', 40, ((E.RECEIVED, 0), (E.ANSWERED, 3)), True),
            (
                leyla,
                'MLSPP',
                'Özünüməşğulluq proqramına qoşulmaq',
                12,
                ((E.RECEIVED, 0), (E.UNDER_REVIEW, 1), (E.ANSWERED, 9)),
                False,
            ),
            (leyla, 'MOJ', 'Etibarnamənin ləğv edilməsi', 4, ((E.RECEIVED, 0), (E.UNDER_REVIEW, 1)), None),
            (others[0], 'MIA', 'Sahə polis inspektoruna müraciət', 22, ((E.RECEIVED, 1), (E.UNDER_REVIEW, 2)), None),
            (others[1], 'MIA', 'Məhkumluq haqqında arayış', 2, ((E.RECEIVED, 1),), None),
            (others[2], 'IH-NESIMI', 'Həyətin abadlaşdırılması', 19, ((E.RECEIVED, 1),), None),
            (others[3], 'IH-NESIMI', 'Yolun təmiri', 10, ((E.RECEIVED, 0), (E.INVESTIGATION, 2)), None),
            (others[4], 'IH-NESIMI', 'Küçənin işıqlandırılması', 30, ((E.RECEIVED, 1), (E.ANSWERED, 6)), True),
        )
        for person, code, title, ago, plan, read in fixed:
            org = self.orgs[code]
            delivered = _baku(self._working_days_ago(ago), 10, 20)
            self.story(person, org, topic[title], delivered, self._fixed(org, delivered, plan), read=read)
        # sent today or lately, not yet received: Leyla's to MIA, another to Nəsimi
        recent = self.now - timedelta(hours=2)
        self.story(leyla, mia, topic['Yaşayış yeri üzrə qeydiyyat'], recent, [])
        self.story(others[5], nesimi, topic['Küçənin işıqlandırılması'], recent - timedelta(hours=3), [])
        # a letter from MIA Leyla has not opened
        self.notice(leyla, mia, NOTICES['MIA'][0], self.now - timedelta(days=1), read=False)

    def _fixed(self, org: Organisation, delivered: datetime, plan: tuple[tuple[EventKind, int], ...]) -> list[_Step]:
        day = local_date(delivered)
        steps: list[_Step] = []
        for kind, days in plan:
            at = self._work_moment(day, days, steps[-1].at if steps else delivered)
            if kind is EventKind.INVESTIGATION:  # recorded with the move to "under review", as the desk does
                steps.append(_Step(EventKind.UNDER_REVIEW, at))
                steps.append(_Step(kind, at, note=INVESTIGATIONS[1]))
            else:
                steps.append(_Step(kind, at, by_integration=kind is EventKind.RECEIVED and org.code in AUTO_RECEIPT))
        return self._until_now(steps)

    def _working_days_ago(self, days: int) -> date:
        day, counted = self.today, 0
        while counted < days:
            day -= timedelta(days=1)
            counted += is_working_day(day)
        return day


def _baku(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TIMEZONE).astimezone(UTC)
