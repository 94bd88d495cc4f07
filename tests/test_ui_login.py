"""UI flows with NiceGUI's simulated user: login by password and by mobile signature, history, isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.errors import Invalid
from portal.store import auth, device
from portal.store.auth import hash_password
from portal.store.device import DemoDevice
from tests.factories import ADDRESS, ID_CARD, PASSWORD, make_citizen, make_org, make_record

PIN = '2468'
WAIT = 150  # attempts of 0.1 s for work that runs in a thread or a background task (a loaded machine is slow)


async def login(user: User, fin: str, password: str = PASSWORD, *, succeeds: bool = True) -> None:
    await user.open('/login')
    user.find(marker='fin').type(fin)
    user.find(marker='password').type(password)
    user.find(marker='login').click()
    # password hashing takes a moment: wait for the landing page, or for the error message
    await user.should_see(marker='logout' if succeeds else 'login-error', retries=WAIT)


async def test_password_login_lands_in_cabinet_with_registry_data(user: User) -> None:
    leyla = await make_citizen('5ABC123')
    await make_record(leyla, 'address', ADDRESS)
    await make_record(leyla, 'id_card', ID_CARD)
    await login(user, '5abc123')
    await user.should_see(marker='welcome')
    await user.should_see('Leyla Məmmədova')
    await user.should_see('Füzuli küçəsi')
    await user.should_see('12345678')
    await user.should_see('Daxili İşlər Nazirliyi')


async def test_wrong_password_shows_message_in_users_language(user: User) -> None:
    await make_citizen('5ABC123')
    await login(user, '5ABC123', 'wrong password', succeeds=False)
    await user.should_see('FİN və ya şifrə yanlışdır.')
    await login(user, 'bad', succeeds=False)
    await user.should_see('FİN 7 simvoldan — latın hərflərindən və ya rəqəmlərdən ibarət olmalıdır.')


async def test_unknown_fin_gets_the_same_message_as_a_wrong_password(user: User) -> None:
    await login(user, '9ZZZ999', 'whatever', succeeds=False)
    await user.should_see('FİN və ya şifrə yanlışdır.')


async def test_language_switch_to_english(user: User) -> None:
    await make_citizen('5ABC123')
    await login(user, '5ABC123')
    await user.should_see('Şəxsi kabinet')
    user.find(marker='language').click()
    user.find('English').click()
    await user.should_see('Personal cabinet')


async def test_history_shows_login_and_logout(user: User) -> None:
    await make_citizen('5ABC123')
    await login(user, '5ABC123')
    await user.should_see(marker='welcome')
    user.find(marker='logout').click()
    await user.should_see(marker='login', retries=WAIT)
    await login(user, '5ABC123')
    await user.should_see(marker='welcome')
    await user.open('/history')
    await user.should_see(marker='history-login')
    await user.should_see(marker='history-logout')


async def test_logged_out_browser_is_sent_to_login(user: User) -> None:
    await user.open('/cabinet')
    await user.should_see(marker='login')
    await user.open('/history')
    await user.should_see(marker='login')


async def test_mobile_signature_login_with_the_demo_phone(user: User) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    leyla = await make_citizen('5ABC123')
    key = Ed25519PrivateKey.generate()
    leyla.public_key = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    await leyla.save()
    await DemoDevice.create(person_id=leyla.id, private_key=key.private_bytes_raw(), pin_hash=hash_password(PIN))

    await user.open('/login')
    user.find(marker='tab-sima').click()
    user.find(marker='sima-fin').type('5ABC123')
    user.find(marker='sima-start').click()
    await user.should_see(marker='sima-code', retries=WAIT)
    code = user.find(kind=ui.label, marker='sima-code').elements.pop().text
    assert len(code) == 4

    # the phone's side through its use case: a second simulated browser would share the test harness's one global
    # ui.navigate with this one, and the login page's live handler must navigate this browser
    [challenge] = await auth.pending_challenges(person_id=leyla.id, now=datetime.now(UTC))
    assert challenge.code == code
    with pytest.raises(Invalid) as wrong:
        await device.confirm_on_device(fin='5ABC123', challenge_id=challenge.id, pin='0000', now=datetime.now(UTC))
    assert wrong.value.code == 'pin_wrong'
    await user.should_see(marker='sima-code', retries=WAIT)  # a wrong PIN on the phone changes nothing here
    await device.confirm_on_device(fin='5ABC123', challenge_id=challenge.id, pin=PIN, now=datetime.now(UTC))

    await user.should_see(marker='welcome', retries=WAIT)
    await user.open('/history')
    await user.should_see('SİMA')


async def test_citizen_b_sees_only_own_data(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen('5ABC123')
    await make_record(leyla, 'address', ADDRESS)
    rashad = await make_citizen('2HT8P4N', first='Rəşad', last='Əliyev')
    await make_record(rashad, 'address', {**ADDRESS, 'street': 'Nizami küçəsi'})
    await login(user, '2HT8P4N')
    await user.should_see('Nizami küçəsi')
    await user.should_not_see('Füzuli küçəsi')
    await user.should_not_see('Leyla')
    await user.open('/history')
    await user.should_not_see('Leyla')


async def test_officer_lands_on_desk_and_cannot_open_a_cabinet(user: User) -> None:
    from portal.store.actors import Role

    mia = await make_org('MIA')
    await make_citizen('4MD5R1X', first='Tural', last='Quliyev', role=Role.AGENCY_OFFICER, org=mia)
    await login(user, '4MD5R1X')
    await user.should_see(marker='desk-org-name')
    await user.should_see('Daxili İşlər Nazirliyi')
    await user.open('/cabinet')
    await user.should_see(marker='desk-org-name')
