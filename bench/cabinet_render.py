"""Cabinet first render: server time to build and serve /cabinet for a citizen with 100 registry records.

Run by hand: `.venv/bin/python bench/cabinet_render.py`. Uses NiceGUI's in-process user simulation (the page is
built and rendered to HTML by the server exactly as for a browser, without network), on a fresh SQLite file.
Prints the median and p95 over repeated opens, and the share spent loading data through the store.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault('PORTAL_DEMO', '1')
os.environ.setdefault('PORTAL_SCHEDULER', '0')
os.environ['NICEGUI_STORAGE_PATH'] = tempfile.mkdtemp(prefix='kabinet-bench-storage-')

from tortoise import Tortoise  # noqa: E402

from portal import db  # noqa: E402
from portal.store import auth, registry  # noqa: E402
from portal.store.auth import hash_password  # noqa: E402
from portal.store.orgs import Organisation, reference_organisations  # noqa: E402
from portal.store.people import Person  # noqa: E402
from portal.store.registry import RegistryRecord, validate_data  # noqa: E402
from portal.store.registry_kinds import KINDS  # noqa: E402

RECORDS = 100
OPENS = 30
FIN, PASSWORD = '5BENCH1', 'bench-password'


def hundred_records() -> list[tuple[str, str, dict[str, Any]]]:
    day = date(2026, 1, 1)
    rows: list[tuple[str, str, dict[str, Any]]] = [
        (
            'identity',
            'MOJ',
            {
                'first_name': 'Leyla',
                'last_name': 'Məmmədova',
                'patronymic': 'Rauf qızı',
                'birth_date': '1990-05-17',
                'birth_place': 'Bakı',
                'gender': 'F',
            },
        ),
        (
            'address',
            'MIA',
            {
                'region': 'Nəsimi',
                'city': 'Bakı',
                'street': 'Füzuli küçəsi',
                'building': '12',
                'apartment': '4',
                'registered_on': '2015-03-01',
            },
        ),
        (
            'id_card',
            'MIA',
            {
                'series': 'AZE',
                'number': '12345678',
                'issued_on': '2018-01-10',
                'expires_on': '2028-01-10',
                'issued_by': 'Daxili İşlər Nazirliyi',
            },
        ),
        (
            'passport',
            'DMX',
            {
                'number': 'C12345678',
                'issued_on': '2019-01-10',
                'expires_on': '2029-01-10',
                'issued_by': 'Dövlət Miqrasiya Xidməti',
            },
        ),
    ]
    for i in range(RECORDS - len(rows)):
        when = (day - timedelta(days=i * 7)).isoformat()
        match i % 4:
            case 0:
                rows.append(
                    (
                        'fine',
                        'DYP',
                        {
                            'protocol_no': f'DYP-{i:08d}',
                            'issued_on': when,
                            'article': 'İXM 327.1',
                            'description': 'Sürət həddinin aşılması',
                            'plate': '10-AB-123',
                            'amount': '40',
                            'due_on': '2026-12-31',
                            'status': 'unpaid',
                        },
                    )
                )
            case 1:
                rows.append(
                    (
                        'utility_debt',
                        'AZERISIQ',
                        {
                            'subscriber_no': f'E{i:09d}',
                            'service': 'electricity',
                            'period': '2026-10',
                            'amount': '23.40',
                            'due_on': '2026-12-01',
                            'status': 'unpaid',
                        },
                    )
                )
            case 2:
                rows.append(
                    (
                        'employment',
                        'MLSPP',
                        {
                            'contract_no': f'EM-{i:07d}',
                            'employer': 'Azərsu ASC',
                            'position': 'mühəndis',
                            'started_on': when,
                        },
                    )
                )
            case _:
                rows.append(
                    (
                        'power_of_attorney',
                        'MOJ',
                        {
                            'register_no': f'EV-{i:08d}',
                            'direction': 'given',
                            'counterpart': 'Rəşad Əliyev',
                            'scope': 'Avtomobilin idarə edilməsi',
                            'notary': 'Bakı şəhəri 3 saylı Dövlət notariat kontoru',
                            'issued_on': when,
                            'expires_on': '2029-01-01',
                            'status': 'active',
                        },
                    )
                )
    return rows


async def prepare(path: Path) -> None:
    await db.open_db(f'sqlite://{path}')
    await Organisation.bulk_create(
        [
            Organisation(**{k: r[k] for k in ('code', 'category', 'kind', 'name_az', 'name_en', 'region')})
            for r in reference_organisations()
        ]
    )
    orgs = {o.code: o for o in await Organisation.all()}
    person = await Person.create(
        fin=FIN,
        first_name='Leyla',
        last_name='Məmmədova',
        birth_date=date(1990, 5, 17),
        password_hash=hash_password(PASSWORD),
    )
    now = datetime.now(UTC)
    await RegistryRecord.bulk_create(
        [
            RegistryRecord(
                person_id=person.id,
                kind=kind,
                ref=str(clean.get(KINDS[kind].ref_field or '', '')),
                source_id=orgs[source].id,
                data=clean,
                created_at=now,
                updated_at=now,
            )
            for kind, source, data in hundred_records()
            for clean in [validate_data(KINDS[kind], data)]
        ]
    )


async def main() -> None:
    from nicegui.testing.user_simulation import user_simulation

    with tempfile.TemporaryDirectory() as folder:
        await prepare(Path(folder) / 'bench.sqlite3')
        person = await Person.get(fin=FIN)
        actor = person.as_actor()
        loads = []
        for _ in range(OPENS):
            start = time.perf_counter()
            await registry.list_records(actor=actor, person_id=person.id)
            loads.append(time.perf_counter() - start)
        async with user_simulation(main_file=ROOT / 'tests' / 'ui_main.py') as user:
            await user.open('/login')
            user.find(marker='fin').type(FIN)
            user.find(marker='password').type(PASSWORD)
            user.find(marker='login').click()
            await user.should_see(marker='welcome', retries=100)
            times = []
            for _ in range(OPENS):
                start = time.perf_counter()
                await user.open('/cabinet')
                times.append(time.perf_counter() - start)
        await auth.purge_expired(now=datetime.now(UTC))
        await Tortoise.close_connections()
    count = await_count = RECORDS
    median, p95 = statistics.median(times) * 1000, sorted(times)[int(0.95 * len(times)) - 1] * 1000
    load = statistics.median(loads) * 1000
    print(f'cabinet first render, {count} records, {OPENS} opens: median {median:.1f} ms, p95 {p95:.1f} ms')
    print(f'  of which loading the {await_count} records through the store: median {load:.1f} ms')
    print(f'  goal: under 150 ms -> {"met" if p95 < 150 else "NOT met"} (ratio p95/goal {p95 / 150:.2f})')


if __name__ == '__main__':
    asyncio.run(main())
