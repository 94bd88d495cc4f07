"""'Məlumat düzgündür / səhvdir' in the browser: the citizen reports, the agency's desk answers, both live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.components.corrections import correction_controls, preload_corrections
from portal.store import corrections, registry
from portal.store.actors import Role
from portal.store.corrections import CorrectionRequest, CorrectionState
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from tests.factories import ADDRESS, ID_CARD, NOW, make_citizen, make_org, make_record
from tests.test_ui_login import WAIT, login

LEYLA, RASHAD, TURAL, ORXAN = '5ABC123', '2HT8P4N', '4MD5R1X', '8KL4M2N'


async def officer(code: str, fin: str, first: str) -> Person:
    return await make_citizen(fin, first=first, last='Quliyev', role=Role.AGENCY_OFFICER, org=await make_org(code))


async def report(user: User, comment: str) -> None:
    user.find(marker='report').click()
    await user.should_see(marker='report-comment')
    user.find(marker='report-comment').clear().type(comment)
    user.find(marker='report-send').click()


async def test_report_accepted_on_the_desk_reaches_the_open_cabinet(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await make_citizen(LEYLA)
    record = await make_record(leyla, 'address', ADDRESS, source='MIA')
    await officer('MIA', TURAL, 'Tural')

    desk = create_user()
    await login(desk, TURAL)
    await desk.should_see(marker='queue-empty')
    await login(user, LEYLA)
    await user.should_see('Füzuli küçəsi')

    await report(user, 'Küçə səhvdir: 2024-cü ildə köçmüşəm.')
    await user.should_see('Düzəliş sorğusuna baxılır', retries=WAIT)
    await user.should_see('Küçə səhvdir: 2024-cü ildə köçmüşəm.')
    assert not user.find(kind=ui.button, marker='report').elements.pop().enabled  # one request at a time

    # the officer's open desk receives the request live, with the comment and the current values
    await desk.should_see('Küçə səhvdir: 2024-cü ildə köçmüşəm.', retries=WAIT)
    await desk.should_see('Leyla Məmmədova')
    await desk.should_see(marker='current-street')
    desk.find(marker='accept').click()
    await desk.should_see(marker='accept-street')
    desk.find(marker='accept-street').clear().type('Azadlıq prospekti')
    desk.find(marker='accept-note').type('Düzəldildi.')
    desk.find(marker='accept-send').click()
    await desk.should_see(marker='queue-empty', retries=WAIT)

    # the citizen's open cabinet shows the new value and the answer without a reload
    await user.should_see('Azadlıq prospekti', retries=WAIT)
    await user.should_see('Düzəliş sorğusu qəbul edildi', retries=WAIT)
    await user.should_see('Düzəldildi.')
    await user.should_not_see('Füzuli küçəsi')
    row = await RegistryRecord.get(id=record.id)
    assert (row.data['street'], row.version) == ('Azadlıq prospekti', 2)


async def test_rejection_with_a_reason_reaches_the_citizen(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(LEYLA)
    await make_record(leyla, 'address', ADDRESS, source='MIA')
    await officer('MIA', TURAL, 'Tural')
    await login(user, LEYLA)
    await report(user, 'Mənzil nömrəsi səhvdir.')
    await user.should_see(marker='correction-pending', retries=WAIT)

    desk = create_user()
    await login(desk, TURAL)
    await desk.should_see('Mənzil nömrəsi səhvdir.')
    desk.find(marker='reject').click()
    desk.find(marker='reject-send').click()
    await desk.should_see('Səbəbi göstərin.', retries=WAIT)  # a reason is required
    desk.find(marker='reject-reason').type('Reyestrdə <b>4</b> nömrəli mənzil qeydə alınıb.')
    desk.find(marker='reject-send').click()
    await desk.should_see(marker='queue-empty', retries=WAIT)

    await user.should_see('Düzəliş sorğusu rədd edildi', retries=WAIT)
    await user.should_see('Səbəb: Reyestrdə <b>4</b> nömrəli mənzil qeydə alınıb.')
    await user.should_see('Füzuli küçəsi')
    assert user.find(kind=ui.button, marker='report').elements.pop().enabled  # the citizen may report again


async def test_invalid_corrected_data_is_refused_on_the_desk(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(LEYLA)
    record = await make_record(leyla, 'address', ADDRESS, source='MIA')
    await officer('MIA', TURAL, 'Tural')
    await login(user, LEYLA)
    await report(user, 'Bina nömrəsi səhvdir.')
    await user.should_see(marker='correction-pending', retries=WAIT)

    desk = create_user()
    await login(desk, TURAL)
    desk.find(marker='accept').click()
    desk.find(marker='accept-street').clear()
    desk.find(marker='accept-send').click()
    await desk.should_see(marker='accept-error', retries=WAIT)
    await desk.should_see('data.street')
    await desk.should_see(marker='correction-item')
    assert (await CorrectionRequest.get()).state is CorrectionState.PENDING
    assert (await RegistryRecord.get(id=record.id)).version == 1


async def test_confirm_and_bad_comments(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    await make_record(leyla, 'address', ADDRESS, source='MIA')
    await login(user, LEYLA)

    user.find(marker='confirm').click()
    await user.should_see(marker='confirmed', retries=WAIT)
    await user.should_not_see(marker='confirm')

    await report(user, '   ')
    await user.should_see('Nəyin səhv olduğunu yazın.', retries=WAIT)
    user.find(marker='report-send').click()  # still open: the same message
    await report(user, 'x' * 1001)
    await user.should_see('Mətn çox uzundur: ən çoxu 1000 simvol.', retries=WAIT)
    assert await CorrectionRequest.all().count() == 0

    script = '<script>alert("kabinet")</script>'
    await report(user, script)
    await user.should_see(marker='correction-pending', retries=WAIT)
    shown = [e for e in user.find(marker='correction-comment').elements if isinstance(e, ui.label)]
    assert [e.text for e in shown] == [f'Şərhiniz: {script}']  # as text, never as markup
    await user.should_not_see(kind=ui.html)


async def test_citizens_and_agencies_see_only_their_own_requests(user: User, create_user: Callable[[], User]) -> None:
    leyla = await make_citizen(LEYLA)
    await make_record(leyla, 'address', ADDRESS, source='MIA')
    rashad = await make_citizen(RASHAD, first='Rəşad', last='Əliyev')
    await make_record(rashad, 'address', {**ADDRESS, 'street': 'Nizami küçəsi'}, source='MIA')
    await officer('DYP', ORXAN, 'Orxan')
    await login(user, LEYLA)
    await report(user, 'Leylanın şərhi')
    await user.should_see(marker='correction-pending', retries=WAIT)

    other = create_user()
    await login(other, RASHAD)
    await other.should_see('Nizami küçəsi')
    await other.should_not_see('Leylanın şərhi')
    await other.should_not_see(marker='correction-state')

    desk = create_user()
    await login(desk, ORXAN)  # an officer of another agency
    await desk.should_see(marker='queue-empty')
    await desk.should_not_see('Leylanın şərhi')


async def test_the_accept_form_follows_the_kinds_field_declarations(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await make_citizen(LEYLA)
    status = {'status': 'single', 'since': '2010-01-01', 'certificate_no': ''}
    record = await make_record(leyla, 'marital_status', status, source='MOJ')
    await officer('MOJ', TURAL, 'Tural')
    await login(user, LEYLA)
    await report(user, 'Evliyəm.')
    await user.should_see(marker='correction-pending', retries=WAIT)

    desk = create_user()
    await login(desk, TURAL)
    desk.find(marker='accept').click()
    choice = desk.find(kind=ui.select, marker='accept-status').elements.pop()
    assert choice.value == 'single'
    assert set(choice.options) == {'single', 'married', 'divorced', 'widowed'}
    assert desk.find(kind=ui.input, marker='accept-since').elements.pop().value == '2010-01-01'
    choice.set_value('married')
    desk.find(marker='accept-since').clear().type('2024-06-01')
    desk.find(marker='accept-certificate_no').type('NK-2024/77')
    desk.find(marker='accept-send').click()
    await desk.should_see(marker='queue-empty', retries=WAIT)

    row = await RegistryRecord.get(id=record.id)
    assert row.data == {'status': 'married', 'since': '2024-06-01', 'certificate_no': 'NK-2024/77'}
    await user.should_see('NK-2024/77', retries=WAIT)


async def test_a_cabinet_full_of_records_loads_the_corrections_once(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    leyla = await make_citizen(LEYLA)
    records = [
        await make_record(leyla, 'address', ADDRESS),
        await make_record(leyla, 'id_card', ID_CARD),
        await make_record(leyla, 'marital_status', {'status': 'single'}, source='MOJ'),
    ]
    await corrections.report_record(actor=leyla.as_actor(), record_id=records[1].id, comment='Seriya səhvdir', now=NOW)
    loads: list[object] = []
    original = corrections.list_my_corrections

    async def counted(**kwargs: Any) -> list[corrections.CorrectionView]:
        loads.append(kwargs)
        return await original(**kwargs)

    monkeypatch.setattr(corrections, 'list_my_corrections', counted)

    @ui.page('/preloaded')
    async def preloaded() -> None:
        actor = leyla.as_actor()
        await preload_corrections(actor)  # what the cabinet does before rendering its records
        for view in await registry.list_records(actor=actor, person_id=leyla.id):
            correction_controls(actor, view)

    await user.open('/preloaded')
    await user.should_see('Seriya səhvdir', retries=1)  # there at the first paint
    assert len(user.find(kind=ui.button, marker='report').elements) == 3
    assert len(loads) == 1

    await login(user, LEYLA)  # the cabinet, whether or not its page preloads
    await user.should_see('Seriya səhvdir', retries=WAIT)
    assert len(loads) == 2
