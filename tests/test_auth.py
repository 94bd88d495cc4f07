"""Logging in and staying logged in: passwords, throttling, mobile signature, sessions and housekeeping."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal.errors import Invalid, Throttled, Unauthorized
from portal.store import auth
from portal.store.actors import Role
from portal.store.audit import HistoryEvent, HistoryKind
from portal.store.auth import (
    ChallengeState,
    LoginMethod,
    Session,
    SessionGrant,
    SignatureChallenge,
)
from portal.store.people import Person
from portal.store.throttle import Throttle
from tests.builders import collect_events, sign, use_fast_hashing
from tests.factories import NOW, PASSWORD, make_citizen, make_person

WRONG = 'not the password'
ADDRESS = '198.51.100.7'
UNKNOWN_FIN = '9ZZZ999'


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


async def signature_login(
    fin: str,
    key: Ed25519PrivateKey,
    *,
    at: timedelta = timedelta(0),
    method: LoginMethod = LoginMethod.ASAN,
    previous_token: str | None = None,
) -> SessionGrant:
    """A complete mobile-signature login (cheap: no password hashing)."""
    now = NOW + at
    challenge = await auth.start_signature_login(fin=fin, method=method, now=now)
    await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=now)
    return await auth.complete_signature_login(challenge_id=challenge.id, now=now, previous_token=previous_token)


async def history(person: Person) -> list[tuple[HistoryKind, str | None]]:
    events = await HistoryEvent.filter(person_id=person.id).order_by('created_at', 'id')
    return [(e.kind, e.method) for e in events]


async def fail_password(fin: str, times: int, *, at: timedelta = timedelta(0), address: str = ADDRESS) -> None:
    for _ in range(times):
        with pytest.raises(Unauthorized) as exc:
            await auth.login_with_password(fin=fin, password=WRONG, address=address, now=NOW + at)
        assert exc.value.code == 'invalid_credentials'


# --- passwords ---------------------------------------------------------------------------------------------------


async def test_password_login_resolves_to_the_right_actor(store_db: str) -> None:
    leyla = await make_citizen('5ABC123')
    other = await make_citizen('7QW3E9D', first='Rəşad', last='Əliyev', password=None)

    grant = await auth.login_with_password(fin='  5abc123 \t', password=PASSWORD, address=ADDRESS, now=NOW)

    assert grant.method is LoginMethod.PASSWORD
    assert grant.actor.person_id == leyla.id
    actor = await auth.resolve_session(token=grant.token, now=NOW)
    assert actor.person_id == leyla.id != other.id
    assert actor.role is Role.CITIZEN
    assert actor.full_name == 'Leyla Məmmədova'
    assert await history(leyla) == [(HistoryKind.LOGIN, 'password')]
    assert await history(other) == []


async def test_password_login_session_token_is_random_and_only_hashed_in_db(store_db: str) -> None:
    await make_citizen('5ABC123')
    grant = await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW)
    session = await Session.get()
    assert len(grant.token) >= 32
    assert session.token_hash != grant.token
    assert grant.token not in session.token_hash


async def test_resolve_session_without_or_with_bogus_token(store_db: str) -> None:
    with pytest.raises(Unauthorized) as exc:
        await auth.resolve_session(token=None, now=NOW)
    assert exc.value.code == 'not_logged_in'
    with pytest.raises(Unauthorized) as exc:
        await auth.resolve_session(token='', now=NOW)
    assert exc.value.code == 'not_logged_in'
    with pytest.raises(Unauthorized) as exc:
        await auth.resolve_session(token='made-up-token', now=NOW)
    assert exc.value.code == 'session_expired'


async def test_wrong_password_and_unknown_fin_give_the_same_error(store_db: str) -> None:
    await make_citizen('5ABC123')
    await make_citizen('2HT8P4N', password=None)  # a person without any password
    errors: list[Unauthorized] = []
    attempts = [
        ('5ABC123', WRONG),
        (UNKNOWN_FIN, PASSWORD),
        ('2HT8P4N', PASSWORD),
        ('5ABC123', ''),
        ('5ABC123', 'x' * 257),
    ]
    for fin, password in attempts:
        with pytest.raises(Unauthorized) as exc:
            await auth.login_with_password(fin=fin, password=password, address=ADDRESS, now=NOW)
        errors.append(exc.value)

    assert {(type(e), e.code, e.message, e.field, tuple(e.params)) for e in errors} == {
        (Unauthorized, 'invalid_credentials', errors[0].message, None, ())
    }
    assert await Session.all().count() == 0
    assert await HistoryEvent.all().count() == 0


@pytest.mark.parametrize('fin', ['12345', '12345678', 'ABC-123', 'ƏBC1234', '', '   '])
async def test_malformed_fin_is_invalid(store_db: str, fin: str) -> None:
    with pytest.raises(Invalid) as exc:
        await auth.login_with_password(fin=fin, password=PASSWORD, address=ADDRESS, now=NOW)
    assert exc.value.code == 'fin_malformed'
    assert exc.value.field == 'fin'
    with pytest.raises(Invalid) as exc:
        await auth.start_signature_login(fin=fin, method=LoginMethod.ASAN, now=NOW)
    assert exc.value.code == 'fin_malformed'
    # a malformed FIN costs nothing and is not counted against anyone
    assert await Throttle.all().count() == 0
    assert await SignatureChallenge.all().count() == 0


# --- throttling --------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('fast_hashing')
async def test_sixth_attempt_is_throttled_even_with_the_right_password_then_works_after_waiting(store_db: str) -> None:
    await make_citizen('5ABC123')
    await fail_password('5ABC123', 5)

    with pytest.raises(Throttled) as exc:
        await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW)
    assert exc.value.code == 'too_many_attempts'
    assert exc.value.status == 429
    retry_after = exc.value.retry_after
    assert retry_after > 0
    assert exc.value.params == {'seconds': retry_after}
    assert await Session.all().count() == 0

    later = NOW + timedelta(seconds=retry_after)
    grant = await auth.login_with_password(fin='5abc123', password=PASSWORD, address=ADDRESS, now=later)
    assert (await auth.resolve_session(token=grant.token, now=later)).full_name == 'Leyla Məmmədova'

    # the success reset the counter: one more failure does not throttle the next (correct) attempt
    await fail_password('5ABC123', 1, at=timedelta(seconds=retry_after))
    await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=later)


@pytest.mark.usefixtures('fast_hashing')
async def test_throttle_is_forgotten_after_the_window(store_db: str) -> None:
    await make_citizen('5ABC123')
    await fail_password('5ABC123', 5)
    with pytest.raises(Throttled):
        await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW)
    # long after the last failure, the old failures no longer count
    await auth.login_with_password(
        fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW + auth.FIN_POLICY.window + timedelta(seconds=1)
    )


@pytest.mark.usefixtures('fast_hashing')
async def test_unknown_fin_is_throttled_exactly_like_a_known_one(store_db: str) -> None:
    await make_citizen('5ABC123')
    await fail_password('5ABC123', 5, address='203.0.113.1')
    await fail_password(UNKNOWN_FIN, 5, address='203.0.113.2')

    caught: list[Throttled] = []
    for fin, address in (('5ABC123', '203.0.113.1'), (UNKNOWN_FIN, '203.0.113.2')):
        with pytest.raises(Throttled) as exc:
            await auth.login_with_password(fin=fin, password=PASSWORD, address=address, now=NOW)
        caught.append(exc.value)
    known, unknown = caught
    assert (known.code, known.message, known.retry_after) == (unknown.code, unknown.message, unknown.retry_after)
    assert unknown.code == 'too_many_attempts'


@pytest.mark.usefixtures('fast_hashing')
async def test_fin_throttle_does_not_block_mobile_signature_login(store_db: str) -> None:
    person, key = await make_person('5ABC123')
    await fail_password('5ABC123', 5)
    with pytest.raises(Throttled):
        await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW)

    grant = await signature_login('5ABC123', key)
    assert grant.actor.person_id == person.id
    assert (await auth.resolve_session(token=grant.token, now=NOW)).person_id == person.id


@pytest.mark.usefixtures('fast_hashing')
async def test_address_is_throttled_after_twenty_failures_across_different_fins(store_db: str) -> None:
    await make_citizen('5ABC123')
    for i in range(auth.ADDRESS_POLICY.free):
        await fail_password(f'9XY{i:04d}', 1)  # each FIN fails once only: far from its own limit

    # the 21st attempt from that address is slowed down, even for a different FIN with the right password
    with pytest.raises(Throttled) as exc:
        await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW)
    assert exc.value.code == 'too_many_attempts'
    assert exc.value.retry_after > 0

    # another address is not affected, and the throttled address works again after the wait
    await auth.login_with_password(fin='5ABC123', password=PASSWORD, address='192.0.2.55', now=NOW)
    later = NOW + timedelta(seconds=exc.value.retry_after)
    await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=later)


@pytest.mark.usefixtures('fast_hashing')
async def test_colleagues_behind_one_address_log_in_at_the_same_moment(store_db: str) -> None:
    """Parallel attempts within the free ones must not collide with each other: an office behind one address."""
    people = [await make_citizen(f'5OF{n:04d}') for n in range(8)]
    results = await asyncio.gather(
        *(auth.login_with_password(fin=p.fin, password=PASSWORD, address=ADDRESS, now=NOW) for p in people),
        return_exceptions=True,
    )
    assert [getattr(r, 'code', 'ok') for r in results] == ['ok'] * len(people)


@pytest.mark.usefixtures('fast_hashing')
async def test_concurrent_failures_are_all_counted(store_db: str) -> None:
    """Five wrong passwords sent at once (a guessing burst) must count as five failures, not one."""
    await make_citizen('5ABC123')
    results = await asyncio.gather(
        *(
            auth.login_with_password(fin='5ABC123', password=WRONG, address=f'203.0.113.{i}', now=NOW)
            for i in range(auth.FIN_POLICY.free)
        ),
        return_exceptions=True,
    )
    assert [getattr(r, 'code', r) for r in results] == ['invalid_credentials'] * auth.FIN_POLICY.free

    with pytest.raises(Throttled):
        await auth.login_with_password(fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW)


@pytest.mark.usefixtures('fast_hashing')
async def test_a_burst_of_simultaneous_guesses_is_throttled_too(store_db: str) -> None:
    """Ten wrong passwords sent at the same moment must not all be tried: only the free ones may be checked.

    Otherwise an attacker gets as many guesses per waiting period as requests it can send in parallel.
    """
    await make_citizen('5ABC123')
    attempts = 2 * auth.FIN_POLICY.free
    results = await asyncio.gather(
        *(
            auth.login_with_password(fin='5ABC123', password=WRONG, address=f'203.0.113.{i}', now=NOW)
            for i in range(attempts)
        ),
        return_exceptions=True,
    )
    codes = sorted(str(getattr(r, 'code', r)) for r in results)
    assert codes.count('invalid_credentials') <= auth.FIN_POLICY.free, codes
    assert codes.count('too_many_attempts') >= attempts - auth.FIN_POLICY.free, codes


# --- mobile signature --------------------------------------------------------------------------------------------


@pytest.mark.parametrize('method', [LoginMethod.ASAN, LoginMethod.SIMA])
async def test_valid_signature_opens_a_session(store_db: str, method: LoginMethod) -> None:
    person, key = await make_person('5ABC123', password=None)
    challenge = await auth.start_signature_login(fin=' 5abc123 ', method=method, now=NOW)

    assert challenge.method is method
    assert len(challenge.code) == 4
    assert challenge.code.isdigit()
    assert challenge.expires_at == NOW + timedelta(seconds=120)
    assert str(challenge.id).encode() in challenge.message
    assert [c.id for c in await auth.pending_challenges(person_id=person.id, now=NOW)] == [challenge.id]

    with collect_events(f'challenge:{challenge.id}') as events:
        await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=NOW)
    assert [e.kind for e in events] == ['challenge.signed']
    assert await auth.pending_challenges(person_id=person.id, now=NOW) == []

    grant = await auth.complete_signature_login(challenge_id=challenge.id, now=NOW + timedelta(seconds=5))
    assert grant.method is method
    assert grant.actor.person_id == person.id
    actor = await auth.resolve_session(token=grant.token, now=NOW + timedelta(seconds=5))
    assert actor.person_id == person.id
    assert await history(person) == [(HistoryKind.LOGIN, method.value)]


async def test_password_is_not_a_signature_method(store_db: str) -> None:
    await make_person('5ABC123', password=None)
    with pytest.raises(Invalid) as exc:
        await auth.start_signature_login(fin='5ABC123', method=LoginMethod.PASSWORD, now=NOW)
    assert exc.value.code == 'invalid_method'


async def test_signature_with_the_wrong_key_is_invalid(store_db: str) -> None:
    await make_person('5ABC123', password=None)
    challenge = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    for bad in (sign(challenge, Ed25519PrivateKey.generate()), b'', b'\x00' * 64, b'garbage'):
        with pytest.raises(Invalid) as exc:
            await auth.submit_signature(challenge_id=challenge.id, signature=bad, now=NOW)
        assert exc.value.code == 'signature_invalid'
    assert (await SignatureChallenge.get(id=challenge.id)).state is ChallengeState.PENDING
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_pending'
    assert await Session.all().count() == 0


async def test_signature_over_a_tampered_message_is_invalid(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    challenge = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    other_code = f'{(int(challenge.code) + 1) % 10_000:04d}'
    tampered = challenge.message.replace(f'\n{challenge.code}'.encode(), f'\n{other_code}'.encode())
    assert tampered != challenge.message
    with pytest.raises(Invalid) as exc:
        await auth.submit_signature(challenge_id=challenge.id, signature=key.sign(tampered), now=NOW)
    assert exc.value.code == 'signature_invalid'

    # a signature made for another challenge of the same person does not fit this one either
    second = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    with pytest.raises(Invalid) as exc:
        await auth.submit_signature(challenge_id=second.id, signature=sign(challenge, key), now=NOW)
    assert exc.value.code == 'signature_invalid'


async def test_expired_challenge_can_neither_be_signed_nor_completed(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    late = NOW + timedelta(seconds=121)

    unsigned = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    with pytest.raises(Invalid) as exc:
        await auth.submit_signature(challenge_id=unsigned.id, signature=sign(unsigned, key), now=late)
    assert exc.value.code == 'challenge_expired'

    signed = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.SIMA, now=NOW)
    await auth.submit_signature(challenge_id=signed.id, signature=sign(signed, key), now=NOW + timedelta(seconds=60))
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=signed.id, now=late)
    assert exc.value.code == 'challenge_expired'
    assert await Session.all().count() == 0
    assert await auth.pending_challenges(person_id=(await Person.get(fin='5ABC123')).id, now=late) == []


async def test_unknown_challenge_id_is_expired(store_db: str) -> None:
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=uuid4(), now=NOW)
    assert exc.value.code == 'challenge_expired'
    with pytest.raises(Invalid) as exc:
        await auth.submit_signature(challenge_id=uuid4(), signature=b'x' * 64, now=NOW)
    assert exc.value.code == 'challenge_expired'


async def test_challenge_is_completed_only_once(store_db: str) -> None:
    person, key = await make_person('5ABC123', password=None)
    challenge = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=NOW)
    with pytest.raises(Invalid) as exc:
        await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=NOW)
    assert exc.value.code == 'challenge_used'

    await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_used'
    assert await Session.filter(person_id=person.id).count() == 1


async def test_completing_before_signing_is_pending(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    challenge = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_pending'
    # still usable once signed
    await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=NOW)
    await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)


async def test_refused_challenge(store_db: str) -> None:
    person, key = await make_person('5ABC123', password=None)
    challenge = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    with collect_events(f'challenge:{challenge.id}') as events:
        await auth.refuse_challenge(challenge_id=challenge.id, now=NOW)
    assert [e.kind for e in events] == ['challenge.refused']

    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_refused'
    with pytest.raises(Invalid) as exc:
        await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=NOW)
    assert exc.value.code == 'challenge_refused'
    assert await auth.pending_challenges(person_id=person.id, now=NOW) == []
    assert await Session.all().count() == 0


@pytest.mark.parametrize('fin', [UNKNOWN_FIN, '2HT8P4N'])
async def test_unknown_fin_or_person_without_key_gets_a_challenge_that_never_completes(store_db: str, fin: str) -> None:
    without_key = await make_citizen('2HT8P4N', password=None)
    without_key.public_key = None
    await without_key.save(update_fields=['public_key'])
    _, someone_elses_key = await make_person('5ABC123', password=None)

    challenge = await auth.start_signature_login(fin=fin, method=LoginMethod.ASAN, now=NOW)
    # it looks like any other challenge: nothing tells whether the FIN exists
    assert len(challenge.code) == 4
    assert challenge.expires_at == NOW + timedelta(seconds=120)

    for key in (someone_elses_key, Ed25519PrivateKey.generate()):
        with pytest.raises(Invalid) as exc:
            await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=NOW)
        assert exc.value.code == 'signature_invalid'
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_pending'
    assert await auth.pending_challenges(person_id=without_key.id, now=NOW) == []
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW + timedelta(seconds=121))
    assert exc.value.code == 'challenge_expired'
    assert await Session.all().count() == 0


async def test_pending_challenges_belong_to_their_person_only(store_db: str) -> None:
    leyla, _ = await make_person('5ABC123', password=None)
    rashad, _ = await make_person('2HT8P4N', password=None)
    first = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=NOW)
    second = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.SIMA, now=NOW + timedelta(seconds=1))
    pending = await auth.pending_challenges(person_id=leyla.id, now=NOW + timedelta(seconds=2))
    assert [c.id for c in pending] == [second.id, first.id]  # newest first
    assert await auth.pending_challenges(person_id=rashad.id, now=NOW) == []


# --- sessions ----------------------------------------------------------------------------------------------------


async def test_session_idle_timeout(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    grant = await signature_login('5ABC123', key)
    assert await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=30), touch=False)
    with pytest.raises(Unauthorized) as exc:
        await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=31))
    assert exc.value.code == 'session_expired'


async def test_activity_within_thirty_minutes_keeps_the_session_alive(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    grant = await signature_login('5ABC123', key)
    await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=20))
    await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=45))
    await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=74))
    with pytest.raises(Unauthorized) as exc:
        await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=104, seconds=1))
    assert exc.value.code == 'session_expired'


async def test_touch_writes_only_after_a_minute(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    grant = await signature_login('5ABC123', key)

    await auth.resolve_session(token=grant.token, now=NOW + timedelta(seconds=30))
    assert (await Session.get()).last_seen_at == NOW  # under a minute: not written
    await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=5), touch=False)
    assert (await Session.get()).last_seen_at == NOW  # touch=False: not written
    # so the idle window still counts from the login
    with pytest.raises(Unauthorized):
        await auth.resolve_session(token=grant.token, now=NOW + timedelta(minutes=30, seconds=10))

    other = await signature_login('5ABC123', key, at=timedelta(hours=1))
    await auth.resolve_session(token=other.token, now=NOW + timedelta(hours=1, seconds=60))
    touched = await Session.get(created_at=NOW + timedelta(hours=1))
    assert touched.last_seen_at == NOW + timedelta(hours=1, seconds=60)


async def test_absolute_timeout_of_twelve_hours_despite_activity(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    grant = await signature_login('5ABC123', key)
    moment = timedelta(0)
    while moment + timedelta(minutes=25) < timedelta(hours=12):
        moment += timedelta(minutes=25)
        await auth.resolve_session(token=grant.token, now=NOW + moment)
    assert await auth.resolve_session(token=grant.token, now=NOW + timedelta(hours=12))
    with pytest.raises(Unauthorized) as exc:
        await auth.resolve_session(token=grant.token, now=NOW + timedelta(hours=12, minutes=1))
    assert exc.value.code == 'session_expired'


async def test_logout_ends_the_session_on_the_server(store_db: str) -> None:
    person, key = await make_person('5ABC123', password=None)
    grant = await signature_login('5ABC123', key, method=LoginMethod.SIMA)
    later = NOW + timedelta(minutes=3)

    with collect_events(f'citizen:{person.id}') as events:
        await auth.logout(token=grant.token, now=later)
    assert [e.kind for e in events] == ['history.added']

    with pytest.raises(Unauthorized) as exc:
        await auth.resolve_session(token=grant.token, now=later)
    assert exc.value.code == 'session_expired'
    assert (await Session.get()).ended_at == later
    assert await history(person) == [(HistoryKind.LOGIN, 'sima'), (HistoryKind.LOGOUT, 'sima')]

    # logging out again, or without a token, changes nothing
    await auth.logout(token=grant.token, now=later)
    await auth.logout(token=None, now=later)
    await auth.logout(token='unknown', now=later)
    assert await history(person) == [(HistoryKind.LOGIN, 'sima'), (HistoryKind.LOGOUT, 'sima')]


async def test_logout_does_not_touch_other_sessions(store_db: str) -> None:
    _, key = await make_person('5ABC123', password=None)
    phone = await signature_login('5ABC123', key)
    laptop = await signature_login('5ABC123', key)
    await auth.logout(token=phone.token, now=NOW)
    assert await auth.resolve_session(token=laptop.token, now=NOW)


async def test_login_with_previous_token_renews_the_session(store_db: str) -> None:
    person, key = await make_person('5ABC123')
    old = await signature_login('5ABC123', key)

    new = await auth.login_with_password(
        fin='5ABC123', password=PASSWORD, address=ADDRESS, now=NOW + timedelta(minutes=1), previous_token=old.token
    )
    assert new.token != old.token
    with pytest.raises(Unauthorized):
        await auth.resolve_session(token=old.token, now=NOW + timedelta(minutes=1))
    assert (await auth.resolve_session(token=new.token, now=NOW + timedelta(minutes=1))).person_id == person.id

    newest = await signature_login('5ABC123', key, at=timedelta(minutes=2), previous_token=new.token)
    with pytest.raises(Unauthorized):
        await auth.resolve_session(token=new.token, now=NOW + timedelta(minutes=2))
    assert await auth.resolve_session(token=newest.token, now=NOW + timedelta(minutes=2))
    assert await Session.filter(ended_at=None).count() == 1


# --- housekeeping ------------------------------------------------------------------------------------------------


async def test_purge_expired_removes_old_challenges_and_closed_or_timed_out_sessions(store_db: str) -> None:
    purge_at = NOW + timedelta(hours=1)
    ended_person, ended_key = await make_person('1AAAAAA', password=None)
    idle_person, idle_key = await make_person('2BBBBBB', password=None)
    old_person, old_key = await make_person('3CCCCCC', password=None)
    active_person, active_key = await make_person('4DDDDDD', password=None)

    await auth.start_signature_login(fin='1AAAAAA', method=LoginMethod.ASAN, now=NOW)  # expired by purge time
    live_challenge = await auth.start_signature_login(
        fin='1AAAAAA', method=LoginMethod.ASAN, now=purge_at - timedelta(seconds=30)
    )
    ended = await signature_login('1AAAAAA', ended_key)
    await auth.logout(token=ended.token, now=NOW + timedelta(minutes=1))
    await signature_login('2BBBBBB', idle_key)  # never used again: idle for an hour
    await signature_login('3CCCCCC', old_key, at=timedelta(hours=-11, minutes=-30))  # busy, but over 12 h
    await Session.filter(person_id=old_person.id).update(last_seen_at=purge_at - timedelta(minutes=5))
    active = await signature_login('4DDDDDD', active_key, at=timedelta(minutes=50))
    await Throttle.create(key='fin:stale', attempts=3, last_at=NOW, next_allowed_at=NOW)
    await Throttle.create(
        key='fin:fresh', attempts=3, last_at=purge_at - timedelta(minutes=1), next_allowed_at=purge_at
    )

    with collect_events(f'citizen:{idle_person.id}') as idle_events:
        purged = await auth.purge_expired(now=purge_at)

    # expired: the unused one at NOW plus the (used) challenges of the four logins
    assert purged == {'challenges': 5, 'sessions': 3, 'throttles': 1}
    assert [c.id for c in await SignatureChallenge.all()] == [live_challenge.id]
    assert [s.person_id for s in await Session.all()] == [active_person.id]
    assert await auth.resolve_session(token=active.token, now=purge_at)
    assert [t.key for t in await Throttle.all()] == ['fin:fresh']
    assert (HistoryKind.SESSION_EXPIRED, None) in await history(idle_person)
    assert (HistoryKind.SESSION_EXPIRED, None) in await history(old_person)
    assert HistoryKind.SESSION_EXPIRED not in [k for k, _ in await history(ended_person)]
    assert HistoryKind.SESSION_EXPIRED not in [k for k, _ in await history(active_person)]
    assert [e.kind for e in idle_events] == ['history.added']

    expired_events = await HistoryEvent.filter(kind=HistoryKind.SESSION_EXPIRED).count()
    assert await auth.purge_expired(now=purge_at) == {'challenges': 0, 'sessions': 0, 'throttles': 0}
    assert await HistoryEvent.filter(kind=HistoryKind.SESSION_EXPIRED).count() == expired_events == 2
