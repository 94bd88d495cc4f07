from portal.store import auth
from tests.factories import NOW, PASSWORD, make_citizen


async def test_password_login_opens_session(store_db: str) -> None:
    await make_citizen('5ABC123')
    grant = await auth.login_with_password(fin='5abc123', password=PASSWORD, address='1.2.3.4', now=NOW)
    actor = await auth.resolve_session(token=grant.token, now=NOW)
    assert actor.full_name == 'Leyla Məmmədova'
