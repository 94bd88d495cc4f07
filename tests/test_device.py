"""The demo phone: confirms a mobile-signature login after the right PIN, with the citizen's own key only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from portal.errors import Invalid, NotFound
from portal.store import auth, device
from portal.store.auth import ChallengeState, LoginMethod, SignatureChallenge
from portal.store.device import DemoDevice
from tests.builders import DEMO_PIN, make_device, use_fast_hashing
from tests.factories import NOW, make_person

A_FIN, B_FIN = '5ABC123', '2HT8P4N'


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


async def state_of(challenge: auth.ChallengeView) -> ChallengeState:
    return (await SignatureChallenge.get(id=challenge.id)).state


async def test_right_pin_signs_the_challenge_and_login_completes(store_db: str) -> None:
    person, _ = await make_person(A_FIN, password=None)
    await make_device(person)
    challenge = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.ASAN, now=NOW)

    on_phone = await device.pending_on_device(fin=A_FIN.lower(), now=NOW)
    assert [(c.id, c.code) for c in on_phone] == [(challenge.id, challenge.code)]

    await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin=DEMO_PIN, now=NOW + timedelta(seconds=3))
    assert await state_of(challenge) is ChallengeState.SIGNED
    assert await device.pending_on_device(fin=A_FIN, now=NOW) == []

    grant = await auth.complete_signature_login(challenge_id=challenge.id, now=NOW + timedelta(seconds=4))
    assert grant.actor.person_id == person.id
    assert grant.method is LoginMethod.ASAN
    assert (await auth.resolve_session(token=grant.token, now=NOW + timedelta(seconds=4))).person_id == person.id


@pytest.mark.usefixtures('fast_hashing')
async def test_wrong_pin_is_refused_and_the_challenge_stays_pending(store_db: str) -> None:
    person, _ = await make_person(A_FIN, password=None)
    await make_device(person)
    challenge = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.SIMA, now=NOW)

    with pytest.raises(Invalid) as exc:
        await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin='0000', now=NOW)
    assert exc.value.code == 'pin_wrong'
    assert exc.value.field == 'pin'
    assert await state_of(challenge) is ChallengeState.PENDING
    assert (await DemoDevice.get(person_id=person.id)).pin_failures == 1

    # the right PIN still works and clears the failure count
    await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin=DEMO_PIN, now=NOW)
    assert await state_of(challenge) is ChallengeState.SIGNED
    assert (await DemoDevice.get(person_id=person.id)).pin_failures == 0


@pytest.mark.usefixtures('fast_hashing')
async def test_three_wrong_pins_block_and_refuse_the_challenge(store_db: str) -> None:
    person, _ = await make_person(A_FIN, password=None)
    await make_device(person)
    challenge = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.ASAN, now=NOW)

    codes = []
    for pin in ('1111', '2222', '3333'):
        with pytest.raises(Invalid) as exc:
            await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin=pin, now=NOW)
        codes.append(exc.value.code)
    assert codes == ['pin_wrong', 'pin_wrong', 'pin_blocked']
    assert await state_of(challenge) is ChallengeState.REFUSED

    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_refused'
    # the refused request is gone from the phone; even the right PIN cannot bring it back
    assert await device.pending_on_device(fin=A_FIN, now=NOW) == []
    with pytest.raises(Invalid) as exc:
        await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin=DEMO_PIN, now=NOW)
    assert exc.value.code == 'challenge_expired'
    assert await state_of(challenge) is ChallengeState.REFUSED


async def test_another_citizens_device_cannot_confirm_the_challenge(store_db: str) -> None:
    leyla, _ = await make_person(A_FIN, password=None)
    rashad, _ = await make_person(B_FIN, first='Rəşad', last='Əliyev', password=None)
    await make_device(leyla)
    await make_device(rashad)
    challenge = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.ASAN, now=NOW)

    assert await device.pending_on_device(fin=B_FIN, now=NOW) == []
    with pytest.raises(Invalid) as exc:
        await device.confirm_on_device(fin=B_FIN, challenge_id=challenge.id, pin=DEMO_PIN, now=NOW)
    assert exc.value.code == 'challenge_expired'
    with pytest.raises(Invalid):
        await device.refuse_on_device(fin=B_FIN, challenge_id=challenge.id, now=NOW)
    assert await state_of(challenge) is ChallengeState.PENDING
    with pytest.raises(Invalid) as exc:
        await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_pending'

    # the owner's phone still can
    await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin=DEMO_PIN, now=NOW)
    grant = await auth.complete_signature_login(challenge_id=challenge.id, now=NOW)
    assert grant.actor.person_id == leyla.id


@pytest.mark.usefixtures('fast_hashing')
async def test_a_device_whose_key_is_not_the_registered_one_cannot_sign(store_db: str) -> None:
    person, _ = await make_person(A_FIN, password=None)
    await make_device(person)
    # the citizen re-registered another key elsewhere: the old phone's signatures no longer verify
    other, _ = await make_person(B_FIN, password=None)
    person.public_key = other.public_key
    await person.save(update_fields=['public_key'])
    challenge = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.ASAN, now=NOW)
    with pytest.raises(Invalid) as exc:
        await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin=DEMO_PIN, now=NOW)
    assert exc.value.code == 'signature_invalid'
    assert await state_of(challenge) is ChallengeState.PENDING


@pytest.mark.usefixtures('fast_hashing')
async def test_refuse_on_device(store_db: str) -> None:
    person, _ = await make_person(A_FIN, password=None)
    await make_device(person)
    challenge = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.ASAN, now=NOW)
    await device.refuse_on_device(fin=A_FIN, challenge_id=challenge.id, now=NOW)
    assert await state_of(challenge) is ChallengeState.REFUSED
    with pytest.raises(Invalid) as exc:
        await device.refuse_on_device(fin=A_FIN, challenge_id=challenge.id, now=NOW)
    assert exc.value.code == 'challenge_expired'


@pytest.mark.usefixtures('fast_hashing')
async def test_expired_challenge_cannot_be_confirmed_on_the_device(store_db: str) -> None:
    person, _ = await make_person(A_FIN, password=None)
    await make_device(person)
    challenge = await auth.start_signature_login(fin=A_FIN, method=LoginMethod.ASAN, now=NOW)
    late = NOW + timedelta(seconds=121)
    assert await device.pending_on_device(fin=A_FIN, now=late) == []
    with pytest.raises(Invalid) as exc:
        await device.confirm_on_device(fin=A_FIN, challenge_id=challenge.id, pin=DEMO_PIN, now=late)
    assert exc.value.code == 'challenge_expired'
    assert await state_of(challenge) is ChallengeState.PENDING


async def test_no_device_for_the_fin(store_db: str) -> None:
    await make_person(A_FIN, password=None)
    for fin in (A_FIN, '9ZZZ999'):
        with pytest.raises(NotFound) as exc:
            await device.pending_on_device(fin=fin, now=NOW)
        assert exc.value.code == 'device_not_found'
    with pytest.raises(Invalid) as invalid:
        await device.pending_on_device(fin='ABC', now=NOW)
    assert invalid.value.code == 'fin_malformed'


def test_public_key_of_matches_the_private_key() -> None:
    private = Ed25519PrivateKey.generate()
    public = device.public_key_of(private.private_bytes_raw())
    assert len(public) == 32
    Ed25519PublicKey.from_public_bytes(public).verify(private.sign(b'hello'), b'hello')
