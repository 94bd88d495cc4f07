"""Extra test builders (on top of tests/factories.py): demo devices, keys with arbitrary scopes, signatures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal import live
from portal.store import auth, device
from portal.store.apikeys import ApiClient, create_api_key
from portal.store.auth import hash_password
from portal.store.device import DemoDevice, public_key_of
from portal.store.people import Person
from tests.factories import NOW, make_org

DEMO_PIN = '2468'


async def make_device(person: Person, pin: str = DEMO_PIN) -> DemoDevice:
    """A demo phone holding a fresh private key; the person's registered public key is set to match it."""
    private = Ed25519PrivateKey.generate().private_bytes_raw()
    person.public_key = public_key_of(private)
    await person.save(update_fields=['public_key'])
    return await DemoDevice.create(person_id=person.id, private_key=private, pin_hash=hash_password(pin))


async def make_key_with_scopes(code: str, scopes: list[str]) -> str:
    """A working key whose stored scopes are exactly ``scopes`` (create_api_key refuses empty/unknown scopes)."""
    await make_org(code)
    client, key = await create_api_key(organisation_code=code, scopes=['registry:write'], now=NOW)
    await ApiClient.filter(id=client.id).update(scopes=scopes)
    return key


def sign(challenge: auth.ChallengeView, key: Ed25519PrivateKey) -> bytes:
    return key.sign(challenge.message)


@contextmanager
def collect_events(topic: str) -> Iterator[list[live.Event]]:
    """Subscribe to one topic of the global hub for the duration of the block and collect what arrives."""
    events: list[live.Event] = []
    sub = live.hub.subscribe(topic, events.append)
    try:
        yield events
    finally:
        live.hub.unsubscribe(sub)


def use_fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2 with tiny cost parameters, for tests that need many password or PIN checks.

    Tests that do not ask for it run with the production hasher.
    """
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, '_hasher', hasher)
    monkeypatch.setattr(auth, '_DUMMY_HASH', hasher.hash('dummy'))
    monkeypatch.setattr(device, '_hasher', hasher)
