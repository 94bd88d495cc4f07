"""Logging in and staying logged in: passwords, mobile-signature challenges, throttling and sessions."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from portal import live
from portal.db import in_list, select, uuid_of
from portal.errors import N_, Invalid, Unauthorized
from portal.store import throttle
from portal.store.actors import PersonActor, Role
from portal.store.audit import HistoryKind, record_event
from portal.store.grouping import Call, Grouped
from portal.store.people import Person, find_person, normalise_fin
from portal.store.throttle import Policy

SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
SESSION_TOUCH_EVERY = timedelta(seconds=60)
CHALLENGE_LIFETIME = timedelta(minutes=2)
# wrong passwords per FIN before each further attempt has to wait; the wait doubles up to five minutes
FIN_POLICY = Policy(free=5, cap_seconds=300)
# failed attempts from one network address (across FINs) before that address is slowed down
ADDRESS_POLICY = Policy(free=20, cap_seconds=60)
PASSWORD_MAX = 256

_hasher = PasswordHasher()
# verified against when the FIN is unknown, so timing does not tell whether a FIN exists
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginMethod(StrEnum):
    PASSWORD = 'password'
    ASAN = 'asan'
    SIMA = 'sima'


class ChallengePurpose(StrEnum):
    LOGIN = 'login'
    # signing a document (an official letter): the device signs the document's SHA-256 digest
    DOCUMENT = 'document'


class ChallengeState(StrEnum):
    PENDING = 'pending'
    SIGNED = 'signed'
    REFUSED = 'refused'
    USED = 'used'


class Session(Model):
    id = fields.UUIDField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        'portal.Person', related_name='sessions', on_delete=fields.CASCADE
    )
    person_id: UUID
    method = fields.CharEnumField(LoginMethod, max_length=16)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'sessions'


class SignatureChallenge(Model):
    id = fields.UUIDField(primary_key=True)
    # null when the FIN is unknown: the challenge then simply expires, revealing nothing
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        'portal.Person', related_name='challenges', null=True, on_delete=fields.CASCADE
    )
    person_id: UUID | None
    method = fields.CharEnumField(LoginMethod, max_length=16)
    purpose = fields.CharEnumField(ChallengePurpose, max_length=16, default=ChallengePurpose.LOGIN)
    code = fields.CharField(max_length=4)
    nonce = fields.CharField(max_length=64)
    # the SHA-256 (hex) of the document being signed
    digest = fields.CharField(max_length=64, null=True)
    state = fields.CharEnumField(ChallengeState, max_length=16, default=ChallengeState.PENDING)
    signature = fields.BinaryField(null=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = 'signature_challenges'

    @property
    def topic(self) -> str:
        return f'challenge:{self.id}'

    def message(self) -> bytes:
        """The exact bytes the citizen's device signs."""
        if self.purpose is ChallengePurpose.DOCUMENT:
            return f'KABINET-SIGN\n{self.id}\n{self.nonce}\n{self.code}\n{self.digest}'.encode()
        return f'KABINET-LOGIN\n{self.id}\n{self.nonce}\n{self.code}'.encode()


@dataclass(frozen=True)
class SessionGrant:
    token: str
    actor: PersonActor
    method: LoginMethod


@dataclass(frozen=True)
class ChallengeView:
    id: UUID
    code: str
    method: LoginMethod
    expires_at: datetime
    message: bytes
    purpose: ChallengePurpose = ChallengePurpose.LOGIN
    digest: str | None = None


@dataclass(frozen=True)
class SignedDocument:
    """A document signature the device gave, checked against the citizen's registered key."""

    challenge_id: UUID
    method: LoginMethod
    digest: str
    message: bytes
    signature: bytes
    public_key: bytes


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def login_with_password(
    *, fin: str, password: str, address: str, now: datetime, previous_token: str | None = None
) -> SessionGrant:
    """Check FIN and password; never tells whether the FIN exists, and slows down guessing."""
    fin = normalise_fin(fin)
    if not password or len(password) > PASSWORD_MAX:
        raise Unauthorized('invalid_credentials', N_('The FIN or the password is wrong.'))
    # every attempt is counted before the password is checked, so parallel guesses cannot share a free window
    fin_key, address_key = _throttle_key('fin', fin), _throttle_key('addr', address)
    await throttle.claim(address_key, ADDRESS_POLICY, now)
    await throttle.claim(fin_key, FIN_POLICY, now)
    person = await find_person(fin)
    stored = person.password_hash if person and person.password_hash else _DUMMY_HASH
    if not await asyncio.to_thread(_verify, stored, password) or person is None or not person.password_hash:
        raise Unauthorized('invalid_credentials', N_('The FIN or the password is wrong.'))
    await throttle.forgive(fin_key)
    await throttle.refund(address_key)
    return await _open_session(person, LoginMethod.PASSWORD, now, previous_token)


async def start_signature_login(*, fin: str, method: LoginMethod, now: datetime) -> ChallengeView:
    """Start an ASAN İmza / SİMA login: a fresh challenge with a 4-digit code to compare on the phone."""
    fin = normalise_fin(fin)
    if method is LoginMethod.PASSWORD:
        raise Invalid('invalid_method', N_('Choose ASAN İmza or SİMA.'))
    person = await find_person(fin)
    return await _new_challenge(person.id if person and person.public_key else None, method, now)


async def pending_challenges(*, person_id: UUID, now: datetime) -> list[ChallengeView]:
    """The challenges a person's own device may sign now (the device asks with its owner's id)."""
    rows = await SignatureChallenge.filter(
        person_id=person_id, state=ChallengeState.PENDING, expires_at__gt=now
    ).order_by('-created_at')
    return [_challenge_view(c) for c in rows]


async def submit_signature(*, challenge_id: UUID, signature: bytes, now: datetime) -> None:
    """The device's answer: a signature over the challenge, checked against the registered public key."""
    challenge = await _live_challenge(challenge_id, now, ChallengeState.PENDING)
    person = await Person.get(id=challenge.person_id) if challenge.person_id else None
    if person is None or person.public_key is None:
        raise Invalid('signature_invalid', N_('The signature is not valid.'))
    if not verify_signature(public_key=bytes(person.public_key), message=challenge.message(), signature=signature):
        raise Invalid('signature_invalid', N_('The signature is not valid.'))
    updated = await SignatureChallenge.filter(id=challenge.id, state=ChallengeState.PENDING).update(
        state=ChallengeState.SIGNED, signature=signature
    )
    if not updated:
        raise Invalid('challenge_used', N_('This confirmation request was already used. Start again.'))
    live.publish(live.Event(challenge.topic, 'challenge.signed', {}))


async def refuse_challenge(*, challenge_id: UUID, now: datetime) -> None:
    challenge = await _live_challenge(challenge_id, now, ChallengeState.PENDING)
    await SignatureChallenge.filter(id=challenge.id, state=ChallengeState.PENDING).update(state=ChallengeState.REFUSED)
    live.publish(live.Event(challenge.topic, 'challenge.refused', {}))


async def complete_signature_login(
    *, challenge_id: UUID, now: datetime, previous_token: str | None = None
) -> SessionGrant:
    """Turn a signed challenge into a session, exactly once."""
    challenge = await _live_challenge(challenge_id, now, ChallengeState.SIGNED)
    if challenge.purpose is not ChallengePurpose.LOGIN:
        raise Invalid('challenge_expired', N_('The confirmation request has expired. Start again.'))
    updated = await SignatureChallenge.filter(id=challenge.id, state=ChallengeState.SIGNED).update(
        state=ChallengeState.USED
    )
    if not updated or challenge.person_id is None:
        raise Invalid('challenge_used', N_('This confirmation request was already used. Start again.'))
    person = await Person.get(id=challenge.person_id)
    return await _open_session(person, challenge.method, now, previous_token)


async def start_document_signing(*, person_id: UUID, method: LoginMethod, digest: str, now: datetime) -> ChallengeView:
    """Ask the person's device to sign a document's digest (ASAN İmza / SİMA), with a code to compare."""
    if method is LoginMethod.PASSWORD:
        raise Invalid('invalid_method', N_('Choose ASAN İmza or SİMA.'))
    person = await Person.get_or_none(id=person_id)
    if person is None or person.public_key is None:
        raise Invalid('no_signature_key', N_('No mobile signature is registered for you.'))
    return await _new_challenge(person.id, method, now, purpose=ChallengePurpose.DOCUMENT, digest=digest)


async def claim_document_signature(*, challenge_id: UUID, person_id: UUID, now: datetime) -> SignedDocument:
    """Take a signed document challenge of this person, exactly once; call inside the transaction that uses it."""
    challenge = await _live_challenge(challenge_id, now, ChallengeState.SIGNED)
    if challenge.purpose is not ChallengePurpose.DOCUMENT or challenge.person_id != person_id:
        raise Invalid('challenge_expired', N_('The confirmation request has expired. Start again.'))
    person = await Person.get(id=person_id)
    updated = await SignatureChallenge.filter(id=challenge.id, state=ChallengeState.SIGNED).update(
        state=ChallengeState.USED
    )
    if not updated or challenge.signature is None or challenge.digest is None or person.public_key is None:
        raise Invalid('challenge_used', N_('This confirmation request was already used. Start again.'))
    return SignedDocument(
        challenge_id=challenge.id,
        method=challenge.method,
        digest=challenge.digest,
        message=challenge.message(),
        signature=bytes(challenge.signature),
        public_key=bytes(person.public_key),
    )


def verify_signature(*, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether an Ed25519 signature over the message is valid for the key."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


async def resolve_session(*, token: str | None, now: datetime, touch: bool = True) -> PersonActor:
    """The actor behind a session token, if the session is still open; extends the idle window."""
    if not token:
        raise Unauthorized('not_logged_in', N_('Please log in.'))
    session = await _look_up(_digest(token))
    if session is None or session.ended_at is not None or _expired(session, now):
        raise Unauthorized('session_expired', N_('Your session has ended. Please log in again.'))
    if touch and now - session.last_seen_at >= SESSION_TOUCH_EVERY:
        await Session.filter(id=session.id).update(last_seen_at=now)
    return session.actor


@dataclass(frozen=True)
class _Open:
    """What a request needs of its session: read as plain values, without building the session's and person's rows."""

    id: UUID
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    actor: PersonActor


async def _look_up_group(group: list[Call[str, _Open | None]]) -> None:
    hashes = list({c.item for c in group})
    rows = await select(_LOOK_UP.format(hashes=in_list(len(hashes))), hashes)
    moment = Session._meta.fields_map['created_at'].to_python_value  # as the ORM reads a moment
    found = {}
    for row in rows:
        organisation_id = row['organisation_id']
        found[row['token_hash']] = _Open(
            id=uuid_of(row['id']),
            created_at=moment(row['created_at']),
            last_seen_at=moment(row['last_seen_at']),
            ended_at=None if row['ended_at'] is None else moment(row['ended_at']),
            actor=PersonActor(
                person_id=uuid_of(row['person_id']),
                role=Role(row['role']),
                full_name=f'{row["first_name"]} {row["last_name"]}',
                organisation_id=None if organisation_id is None else uuid_of(organisation_id),
            ),
        )
    for call in group:
        call.answer(found.get(call.item))


# every request of a logged-in person looks up its session: written out, since assembling the statement through the
# ORM cost more than running it
_LOOK_UP = (
    'SELECT s.token_hash, s.id, s.created_at, s.last_seen_at, s.ended_at, s.person_id, '
    'p.role, p.first_name, p.last_name, p.organisation_id '
    f'FROM {Session._meta.db_table} s JOIN {Person._meta.db_table} p ON p.id = s.person_id '
    'WHERE s.token_hash IN ({hashes})'
)


# every request of a logged-in person looks up its session: those arriving together share one query
_look_up: Grouped[str, _Open | None] = Grouped(_look_up_group, name='session look-up', largest=500)


async def logout(*, token: str | None, now: datetime) -> None:
    """End the session on the server; the token is worthless afterwards."""
    if not token:
        return
    session = await Session.get_or_none(token_hash=_digest(token), ended_at=None)
    if session is None:
        return
    async with in_transaction():
        ended = await Session.filter(id=session.id, ended_at=None).update(ended_at=now)
        if ended:
            await record_event(person_id=session.person_id, kind=HistoryKind.LOGOUT, now=now, method=session.method)
    if ended:
        live.publish(live.Event(f'citizen:{session.person_id}', 'history.added', {}))
        # the other tabs of this browser, still showing pages of the session, leave them
        live.publish(live.Event(_session_topic(session.token_hash), 'session.ended', {}))


def session_topic(token: str) -> str:
    """The live topic told when the session of this token is ended by logout."""
    return _session_topic(_digest(token))


async def purge_expired(*, now: datetime) -> dict[str, int]:
    """Housekeeping: drop old challenges, closed or timed-out sessions and stale throttles."""
    challenges = await SignatureChallenge.filter(expires_at__lt=now).delete()
    idle_cut, absolute_cut = now - SESSION_IDLE, now - SESSION_ABSOLUTE
    async with in_transaction():
        # locked, so that a twin run (two schedulers) waits, then finds them gone: each expiry is recorded once
        timed_out = await Session.select_for_update().filter(
            Q(last_seen_at__lt=idle_cut) | Q(created_at__lt=absolute_cut), ended_at=None
        )
        for session in timed_out:
            await record_event(person_id=session.person_id, kind=HistoryKind.SESSION_EXPIRED, now=now)
        await Session.filter(id__in=[s.id for s in timed_out]).delete()
        ended = await Session.filter(ended_at__not_isnull=True).delete()
    throttles = await throttle.purge(now, FIN_POLICY.window)
    for session in timed_out:
        live.publish(live.Event(f'citizen:{session.person_id}', 'history.added', {}))
    return {'challenges': challenges, 'sessions': len(timed_out) + ended, 'throttles': throttles}


async def _open_session(person: Person, method: LoginMethod, now: datetime, previous_token: str | None) -> SessionGrant:
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        if previous_token:
            await Session.filter(token_hash=_digest(previous_token), ended_at=None).update(ended_at=now)
        await Session.create(
            token_hash=_digest(token), person_id=person.id, method=method, created_at=now, last_seen_at=now
        )
        await record_event(person_id=person.id, kind=HistoryKind.LOGIN, now=now, method=method.value)
    live.publish(live.Event(person.topic, 'history.added', {}))
    return SessionGrant(token=token, actor=person.as_actor(), method=method)


async def _new_challenge(
    person_id: UUID | None,
    method: LoginMethod,
    now: datetime,
    *,
    purpose: ChallengePurpose = ChallengePurpose.LOGIN,
    digest: str | None = None,
) -> ChallengeView:
    """A fresh challenge: a random nonce, a 4-digit code to compare on the phone, a short life."""
    challenge = await SignatureChallenge.create(
        person_id=person_id,
        method=method,
        purpose=purpose,
        digest=digest,
        code=f'{secrets.randbelow(10_000):04d}',
        nonce=secrets.token_hex(32),
        created_at=now,
        expires_at=now + CHALLENGE_LIFETIME,
    )
    return _challenge_view(challenge)


async def _live_challenge(challenge_id: UUID, now: datetime, expected: ChallengeState) -> SignatureChallenge:
    challenge = await SignatureChallenge.get_or_none(id=challenge_id)
    if challenge is None or challenge.expires_at <= now:
        raise Invalid('challenge_expired', N_('The confirmation request has expired. Start again.'))
    if challenge.state is ChallengeState.REFUSED:
        raise Invalid('challenge_refused', N_('The confirmation was refused on the phone.'))
    if challenge.state is not expected:
        if challenge.state is ChallengeState.PENDING:
            raise Invalid('challenge_pending', N_('Confirm the request on your phone first.'))
        raise Invalid('challenge_used', N_('This confirmation request was already used. Start again.'))
    return challenge


def _challenge_view(challenge: SignatureChallenge) -> ChallengeView:
    return ChallengeView(
        id=challenge.id,
        code=challenge.code,
        method=challenge.method,
        expires_at=challenge.expires_at,
        message=challenge.message(),
        purpose=challenge.purpose,
        digest=challenge.digest,
    )


def _expired(session: Session | _Open, now: datetime) -> bool:
    return now - session.last_seen_at > SESSION_IDLE or now - session.created_at > SESSION_ABSOLUTE


def _session_topic(token_hash: str) -> str:
    return f'session:{token_hash[:32]}'


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _throttle_key(kind: str, value: str) -> str:
    return f'{kind}:{hashlib.sha256(value.encode()).hexdigest()[:64]}'


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
