"""The demo's citizen reception: the Nəsimi executive's hours and officials, requests in every state, Leyla's meeting
in a few days and her request waiting elsewhere — all made through the real use cases."""

from __future__ import annotations

from portal.store.notices.models import Notice
from portal.store.people import Person
from portal.store.reception import calendar, desk, requests
from portal.store.reception.models import ReceptionState
from tests.test_demo import LEYLA, SEED_NOW, demo_db, seeded

__all__ = ['demo_db', 'seeded']  # the demo database, seeded once for this module too


async def test_the_nesimi_executive_receives_and_leyla_has_a_meeting_and_a_request_waiting(demo_db: str) -> None:
    officer = (await Person.get(fin='6NS2K8V')).as_actor()
    hours = await calendar.my_calendar(actor=officer)
    assert hours.configured and hours.place and len([o for o in hours.officials if o.active]) == 3
    figures = await desk.reception_statistics(actor=officer)
    assert {state for state, n in figures.by_state.items() if n} == {s.value for s in ReceptionState}
    assert figures.no_show_rate is not None and figures.median_days is not None

    leyla = (await Person.get(fin=LEYLA)).as_actor()
    mine = await requests.list_my_requests(actor=leyla)
    assert sorted((r.executive_code, r.state.value) for r in mine) == [
        ('IH-BAKI-SHAHAR', 'requested'),
        ('IH-NESIMI', 'scheduled'),
    ]
    (meeting,) = [r for r in mine if r.state is ReceptionState.SCHEDULED]
    assert meeting.starts_at is not None and meeting.starts_at > SEED_NOW and meeting.official_name
    assert await Notice.filter(person_id=leyla.person_id, type='appointment').count() == 1
    # the desk's open requests: waiting ones first, then the meetings
    page = await desk.list_desk(actor=officer)
    assert [r.state for r in page.items] == sorted((r.state for r in page.items), key=lambda s: s.value)
    assert ReceptionState.REQUESTED in {r.state for r in page.items}
