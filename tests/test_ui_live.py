"""Live cabinet: a registry change made through the store reaches the open page; subscriptions die with it."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui.testing import User

from portal.live import hub
from portal.store import apikeys, registry
from tests.factories import ADDRESS, make_citizen, make_key, make_record
from tests.test_ui_login import WAIT, login


async def test_open_cabinet_and_history_follow_an_agency_update(user: User) -> None:
    leyla = await make_citizen('5ABC123')
    await make_record(leyla, 'address', ADDRESS)
    actor = await apikeys.authenticate(key=await make_key('MIA'), now=datetime.now(UTC))
    await login(user, '5ABC123')
    await user.should_see('Füzuli küçəsi')
    topic = f'citizen:{leyla.id}'
    assert hub.subscriber_count(topic) >= 3  # one per record section

    await registry.upsert_record(
        actor=actor,
        fin='5ABC123',
        kind='address',
        data={**ADDRESS, 'street': 'Azadlıq prospekti'},
        now=datetime.now(UTC),
    )
    await user.should_see('Azadlıq prospekti', retries=WAIT)
    await user.should_see(marker='updated-address')
    await user.should_not_see(marker='updated-id_card')

    await user.open('/history')
    await user.should_see(marker='history-data_updated')
    await user.should_see('Daxili İşlər Nazirliyi')


async def test_subscriptions_are_removed_with_the_client(user: User) -> None:
    leyla = await make_citizen('5ABC123')
    await login(user, '5ABC123')
    await user.should_see(marker='welcome')
    topic = f'citizen:{leyla.id}'
    assert hub.subscriber_count(topic) > 0
    assert user.client is not None
    user.client.delete()
    assert hub.subscriber_count(topic) == 0
