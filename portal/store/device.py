"""The demo phone: holds a citizen's private key and signs login challenges after a PIN.

Only used in demo mode. A real deployment talks to the ASAN İmza / SİMA service instead; the portal
side (challenge, verification against the registered public key) is the same either way.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from tortoise import fields
from tortoise.models import Model

from portal.errors import N_, Invalid, NotFound
from portal.store import auth
from portal.store.people import Person, find_person

PIN_ATTEMPTS = 3
_hasher = PasswordHasher()


class DemoDevice(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.OneToOneRelation[Person] = fields.OneToOneField(
        'portal.Person', related_name='device', on_delete=fields.CASCADE
    )
    person_id: UUID
    private_key = fields.BinaryField()
    pin_hash = fields.CharField(max_length=255)
    pin_failures = fields.IntField(default=0)

    class Meta:
        table = 'demo_devices'


def public_key_of(private_key: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


async def pending_on_device(*, fin: str, now: datetime) -> list[auth.ChallengeView]:
    device = await _device(fin)
    return await auth.pending_challenges(person_id=device.person_id, now=now)


async def confirm_on_device(*, fin: str, challenge_id: UUID, pin: str, now: datetime) -> None:
    """Check the PIN, sign the challenge with the device's key and send the signature to the portal."""
    device = await _device(fin)
    challenge = next(
        (c for c in await auth.pending_challenges(person_id=device.person_id, now=now) if c.id == challenge_id), None
    )
    if challenge is None:
        raise Invalid('challenge_expired', N_('The confirmation request has expired. Start again.'))
    if not await asyncio.to_thread(_verify_pin, device.pin_hash, pin):
        device.pin_failures += 1
        if device.pin_failures >= PIN_ATTEMPTS:
            device.pin_failures = 0
            await device.save(update_fields=['pin_failures'])
            await auth.refuse_challenge(challenge_id=challenge_id, now=now)
            raise Invalid('pin_blocked', N_('Wrong PIN entered too often: the request was refused.'))
        await device.save(update_fields=['pin_failures'])
        raise Invalid('pin_wrong', N_('The PIN is wrong.'), field='pin')
    if device.pin_failures:
        device.pin_failures = 0
        await device.save(update_fields=['pin_failures'])
    signature = Ed25519PrivateKey.from_private_bytes(bytes(device.private_key)).sign(challenge.message)
    await auth.submit_signature(challenge_id=challenge_id, signature=signature, now=now)


async def refuse_on_device(*, fin: str, challenge_id: UUID, now: datetime) -> None:
    device = await _device(fin)
    pending = await auth.pending_challenges(person_id=device.person_id, now=now)
    if all(c.id != challenge_id for c in pending):
        raise Invalid('challenge_expired', N_('The confirmation request has expired. Start again.'))
    await auth.refuse_challenge(challenge_id=challenge_id, now=now)


async def _device(fin: str) -> DemoDevice:
    person = await find_person(fin)
    device = await DemoDevice.get_or_none(person_id=person.id) if person else None
    if device is None:
        raise NotFound('device_not_found', N_('No mobile signature is registered for this FIN.'), field='fin')
    return device


def _verify_pin(stored: str, pin: str) -> bool:
    try:
        return _hasher.verify(stored, pin)
    except (VerificationError, InvalidHashError):
        return False
