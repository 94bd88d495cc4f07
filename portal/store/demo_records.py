"""Registry records of the demo people: every cabinet section is filled for most of them (fixed seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker

from portal.store.people import Person
from portal.store.registry_kinds import KINDS
from portal.store.vaccination_schedule import NATIONAL_SCHEDULE

# the demo world's "today": dates are fixed so the data is the same on every first start
ANCHOR = date(2026, 11, 1)
Row = tuple[str, str, dict[str, Any]]  # kind, source agency code, data

EMPLOYERS = (
    'Azərbaycan Dəmir Yolları QSC',
    'SOCAR',
    'Azərenerji ASC',
    'Kapital Bank ASC',
    'Bakı Metropoliteni QSC',
    'ASAN Xidmət',
    'Azərsu ASC',
    'Bakı Dövlət Universiteti',
    'Respublika Klinik Xəstəxanası',
    'Azercell',
)
POSITIONS = ('mühəndis', 'mühasib', 'müəllim', 'həkim', 'hüquqşünas', 'proqramçı', 'menecer', 'sürücü', 'operator')
UNIVERSITIES = (
    'Bakı Dövlət Universiteti',
    'Azərbaycan Dövlət İqtisad Universiteti',
    'ADA Universiteti',
    'Azərbaycan Texniki Universiteti',
    'Azərbaycan Tibb Universiteti',
    'Gəncə Dövlət Universiteti',
)
SPECIALITIES = ('İqtisadiyyat', 'Hüquqşünaslıq', 'Kompüter elmləri', 'Müalicə işi', 'Filologiya', 'Mühəndislik')
CARS = (
    ('Toyota', 'Camry'),
    ('Hyundai', 'Elantra'),
    ('Kia', 'Rio'),
    ('Lada', 'Vesta'),
    ('Mercedes-Benz', 'E 200'),
    ('Chevrolet', 'Cobalt'),
    ('Nissan', 'Qashqai'),
)
# (article of the Code of Administrative Offences, what happened, fine in AZN)
FINE_ARTICLES = (
    ('327.1', 'Sürət həddinin 10-20 km/saat aşılması', 40),
    ('328.1', 'Svetoforun qadağanedici siqnalı', 100),
    ('343.1', 'Dayanma qaydalarının pozulması', 40),
    ('333', 'Təhlükəsizlik kəmərindən istifadə edilməməsi', 40),
    ('327.2', 'Sürət həddinin 20-40 km/saat aşılması', 100),
)
FEES = (
    'Şəxsiyyət vəsiqəsinin verilməsi',
    'Nikahın dövlət qeydiyyatı',
    'Sürücülük vəsiqəsinin dəyişdirilməsi',
    'Notariat hərəkəti',
    'Pasportun verilməsi',
)
NOTARIES = (
    'Bakı şəhəri 3 saylı Dövlət notariat kontoru',
    'Sumqayıt şəhəri 1 saylı Dövlət notariat kontoru',
    'Bakı şəhəri 12 saylı Dövlət notariat kontoru',
)
COURTS = ('Bakı şəhəri Nəsimi Rayon Məhkəməsi', 'Bakı şəhəri Yasamal Rayon Məhkəməsi', 'Sumqayıt Şəhər Məhkəməsi')
CLINICS = ('1 saylı uşaq poliklinikası', '7 saylı uşaq poliklinikası', 'Mərkəzi rayon xəstəxanası, uşaq şöbəsi')
ORIGINS = ('Ağdam', 'Füzuli', 'Laçın', 'Kəlbəcər', 'Şuşa', 'Zəngilan', 'Qubadlı', 'Cəbrayıl', 'Xocalı')


@dataclass
class Demo:
    rng: random.Random
    fake: Faker

    def day(self, back_from: int, back_to: int) -> date:
        return ANCHOR - timedelta(days=self.rng.randint(back_from, back_to))

    def code(self, prefix: str, digits: int) -> str:
        return f'{prefix}{self.rng.randint(0, 10**digits - 1):0{digits}d}'

    def money(self, low: int, high: int) -> str:
        return str(Decimal(self.rng.randint(low * 100, high * 100)) / 100)


def adult_rows(person: Person, sex: str, region: str, demo: Demo) -> list[Row]:
    """Everything the registries know of one adult, most sections filled for most people."""
    rng, fake = demo.rng, demo.fake
    assert person.birth_date is not None
    age = (ANCHOR - person.birth_date).days // 365
    rows: list[Row] = [identity(person, sex, fake), *_personal(region, demo)]
    if rng.random() < 0.75 and age < 66:
        for _ in range(rng.randint(1, 2)):
            started = demo.day(60, min(age - 18, 30) * 365 + 60)
            rows.append(
                (
                    'employment',
                    'MLSPP',
                    {
                        'contract_no': demo.code('EM-', 7),
                        'employer': rng.choice(EMPLOYERS),
                        'position': rng.choice(POSITIONS),
                        'started_on': started.isoformat(),
                    },
                )
            )
    if age >= 63:
        rows.append(
            (
                'social_benefit',
                'DSMF',
                {
                    'benefit_no': demo.code('PN-', 7),
                    'benefit': 'old_age_pension',
                    'monthly_amount': demo.money(280, 900),
                    'since': (person.birth_date + timedelta(days=365 * 63 + 30)).isoformat(),
                },
            )
        )
    elif rng.random() < 0.08:
        rows.append(
            (
                'social_benefit',
                'MLSPP',
                {
                    'benefit_no': demo.code('SB-', 7),
                    'benefit': rng.choice(['targeted_aid', 'disability_pension']),
                    'monthly_amount': demo.money(90, 400),
                    'since': demo.day(100, 2000).isoformat(),
                },
            )
        )
    if rng.random() < 0.6:
        tin = demo.code('', 10)
        for year in (2024, 2025):
            income = rng.randint(6_000, 60_000)
            rows.append(
                (
                    'tax',
                    'DVX',
                    {
                        'year': year,
                        'tin': tin,
                        'declared_income': str(income),
                        'tax_paid': str(round(income * 0.14, 2)),
                    },
                )
            )
    rows += _financial(demo)
    if rng.random() < 0.6:
        rows.append(
            (
                'diploma',
                'MSE',
                {
                    'diploma_no': demo.code('BD-', 7),
                    'institution': rng.choice(UNIVERSITIES),
                    'speciality': rng.choice(SPECIALITIES),
                    'degree': rng.choice(['bachelor', 'bachelor', 'master']),
                    'issued_on': (person.birth_date + timedelta(days=365 * 22 + rng.randint(150, 200))).isoformat(),
                },
            )
        )
    if age < 25 and rng.random() < 0.6:
        rows.append(
            (
                'student_record',
                'MSE',
                {
                    'student_no': demo.code('ST-', 8),
                    'institution': rng.choice(UNIVERSITIES),
                    'faculty': rng.choice(SPECIALITIES),
                    'year_of_study': max(min(age - 17, 4), 1),
                    'admitted_on': date(ANCHOR.year - max(min(age - 17, 4), 1) + 1, 9, 15).isoformat(),
                    'status': 'studying',
                },
            )
        )
    rows += _transport(demo)
    rows += _military(person, sex, age, demo)
    rows += _legal(demo)
    if rng.random() < 0.1:
        issued = demo.day(100, 2500)
        rows.append(
            (
                'idp_status',
                'QMIDK',
                {
                    'status': 'idp',
                    'card_series': 'MK',
                    'card_number': demo.code('', 7),
                    'origin': rng.choice(ORIGINS),
                    'issued_on': issued.isoformat(),
                    'expires_on': (issued + timedelta(days=365 * 5)).isoformat(),
                },
            )
        )
    return rows


def child_rows(child: Person, sex: str, demo: Demo) -> list[Row]:
    """A minor: identity and the vaccinations given so far by the national calendar."""
    assert child.birth_date is not None
    rows: list[Row] = [identity(child, sex, demo.fake)]
    clinic = demo.rng.choice(CLINICS)
    for dose in NATIONAL_SCHEDULE:
        given = child.birth_date + timedelta(days=dose.age_days + demo.rng.randint(0, 20))
        if given <= ANCHOR:
            rows.append(
                (
                    'vaccination',
                    'MOH',
                    {
                        'record_no': demo.code('VX-', 8),
                        'vaccine': dose.vaccine,
                        'dose': dose.dose,
                        'given_on': given.isoformat(),
                        'clinic': clinic,
                    },
                )
            )
    return rows


def identity(person: Person, sex: str, fake: Faker) -> Row:
    assert person.birth_date is not None
    return (
        'identity',
        'MOJ',
        {
            'first_name': person.first_name,
            'last_name': person.last_name,
            'patronymic': person.patronymic,
            'birth_date': person.birth_date.isoformat(),
            'birth_place': fake.city(),
            'gender': sex,
        },
    )


def plate(rng: random.Random, region: int) -> str:
    letters = 'ABCDEHKMNPRS'
    return f'{region:02d}-{rng.choice(letters)}{rng.choice(letters)}-{rng.randint(100, 999)}'


def valid_until(kind: str, data: dict[str, Any]) -> date | None:
    field = KINDS[kind].valid_until_field
    return date.fromisoformat(data[field]) if field else None


def ref_of(kind: str, data: dict[str, Any]) -> str:
    field = KINDS[kind].ref_field
    return str(data[field]) if field else ''


def stamp(now: datetime, demo: Demo, data: dict[str, Any]) -> datetime:
    """When the registry last wrote the record: after the latest event it records, before now."""
    dates = [date.fromisoformat(v) for v in data.values() if isinstance(v, str) and _is_date(v)]
    latest = max((d for d in dates if d <= ANCHOR), default=ANCHOR - timedelta(days=900))
    days = max((now.date() - latest).days, 1)
    return now - timedelta(days=demo.rng.randint(0, days - 1), minutes=demo.rng.randint(1, 1440))


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _personal(region: str, demo: Demo) -> list[Row]:
    rng = demo.rng
    issued = demo.day(30, 3600)
    rows: list[Row] = [
        (
            'address',
            'MIA',
            {
                'region': region,
                'city': region,
                'street': demo.fake.street_name(),
                'building': str(rng.randint(1, 180)),
                'apartment': str(rng.randint(1, 120)) if rng.random() < 0.7 else '',
                'registered_on': demo.day(100, 8000).isoformat(),
            },
        ),
        (
            'id_card',
            'MIA',
            {
                'series': 'AZE' if issued.year >= 2015 else 'AA',
                'number': demo.code('', 8),
                'issued_on': issued.isoformat(),
                'expires_on': (issued + timedelta(days=365 * 10)).isoformat(),
                'issued_by': 'Daxili İşlər Nazirliyi',
            },
        ),
    ]
    if rng.random() < 0.6:
        issued = demo.day(30, 3600)
        rows.append(
            (
                'passport',
                'DMX',
                {
                    'number': demo.code('C', 8),
                    'issued_on': issued.isoformat(),
                    'expires_on': (issued + timedelta(days=365 * 10)).isoformat(),
                    'issued_by': 'Dövlət Miqrasiya Xidməti',
                },
            )
        )
    return rows


def _financial(demo: Demo) -> list[Row]:
    rng, rows = demo.rng, list[Row]()
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        article, text, amount = rng.choice(FINE_ARTICLES)
        issued = demo.day(3, 400)
        rows.append(
            (
                'fine',
                'DYP',
                {
                    'protocol_no': demo.code('DYP-', 8),
                    'issued_on': issued.isoformat(),
                    'article': f'İXM {article}',
                    'description': text,
                    'plate': plate(rng, rng.randint(10, 99)),
                    'amount': str(amount),
                    'due_on': (issued + timedelta(days=30)).isoformat(),
                    'status': 'paid' if rng.random() < 0.4 else 'unpaid',
                },
            )
        )
    if rng.random() < 0.2:
        issued = demo.day(3, 100)
        rows.append(
            (
                'state_fee',
                'ASAN',
                {
                    'fee_no': demo.code('RS-', 8),
                    'purpose': rng.choice(FEES),
                    'amount': demo.money(5, 60),
                    'due_on': (issued + timedelta(days=20)).isoformat(),
                    'status': 'unpaid',
                },
            )
        )
    for service, source, prefix in (
        ('electricity', 'AZERISIQ', 'E'),
        ('water', 'AZERSU', 'W'),
        ('gas', 'AZERIQAZ', 'G'),
    ):
        if rng.random() < 0.45:
            rows.append(
                (
                    'utility_debt',
                    source,
                    {
                        'subscriber_no': demo.code(prefix, 9),
                        'service': service,
                        'period': f'{ANCHOR.year}-{ANCHOR.month - 1:02d}',
                        'amount': demo.money(4, 120),
                        'due_on': (ANCHOR + timedelta(days=rng.randint(5, 25))).isoformat(),
                        'status': 'unpaid',
                    },
                )
            )
    return rows


def _transport(demo: Demo) -> list[Row]:
    rng = demo.rng
    if rng.random() >= 0.55:
        return []
    issued = demo.day(30, 3600)
    rows: list[Row] = [
        (
            'driving_licence',
            'DYP',
            {
                'number': f'{rng.choice(["AZ", "AB", "AC"])}{rng.randint(0, 999999):06d}',
                'categories': rng.choice(['B', 'B,C', 'A,B', 'B,BE']),
                'issued_on': issued.isoformat(),
                'expires_on': (issued + timedelta(days=365 * 10)).isoformat(),
            },
        )
    ]
    if rng.random() < 0.7:
        make, model = rng.choice(CARS)
        rows.append(
            (
                'vehicle',
                'DYP',
                {
                    'plate': plate(rng, rng.choice([10, 77, 90, 99, 50, 20])),
                    'make': make,
                    'model': model,
                    'year': rng.randint(2005, 2025),
                    'registered_on': demo.day(30, 3000).isoformat(),
                    'certificate_no': demo.code('AZ', 7),
                },
            )
        )
    return rows


def _military(person: Person, sex: str, age: int, demo: Demo) -> list[Row]:
    if sex != 'M' or age > 55:
        return []
    assert person.birth_date is not None
    rng = demo.rng
    rows: list[Row] = [
        (
            'military_registration',
            'SHXCDX',
            {
                'status': 'reserve' if age > 20 else 'conscript',
                'office': f'{rng.choice((*ORIGINS, "Bakı", "Gəncə"))} '
                'rayon Səfərbərlik və Hərbi Xidmətə Çağırış şöbəsi',
                'registered_on': (person.birth_date + timedelta(days=365 * 17 + 30)).isoformat(),
            },
        )
    ]
    if age > 20 and rng.random() < 0.7:
        started = person.birth_date + timedelta(days=365 * 18 + rng.randint(100, 300))
        rows.append(
            (
                'military_service',
                'MOD',
                {
                    'service_no': demo.code('HX-', 7),
                    'unit': f'N saylı hərbi hissə ({rng.randint(1000, 9999)})',
                    'rank': rng.choice(['əsgər', 'kiçik çavuş', 'çavuş']),
                    'started_on': started.isoformat(),
                    'ended_on': (started + timedelta(days=rng.choice([365, 548]))).isoformat(),
                },
            )
        )
    return rows


def _legal(demo: Demo) -> list[Row]:
    rng, rows = demo.rng, list[Row]()
    if rng.random() < 0.2:
        issued = demo.day(10, 1000)
        rows.append(
            (
                'power_of_attorney',
                'MOJ',
                {
                    'register_no': demo.code('EV-', 8),
                    'direction': rng.choice(['given', 'received']),
                    'counterpart': demo.fake.name(),
                    'scope': rng.choice(
                        [
                            'Avtomobilin idarə edilməsi və sərəncam verilməsi',
                            'Bank hesablarının idarə edilməsi',
                            'Dövlət orqanlarında təmsilçilik',
                        ]
                    ),
                    'notary': rng.choice(NOTARIES),
                    'issued_on': issued.isoformat(),
                    'expires_on': (issued + timedelta(days=365 * rng.choice([1, 3]))).isoformat(),
                    'status': 'active',
                },
            )
        )
    if rng.random() < 0.06:
        rows.append(
            (
                'court_case',
                'MOJ',
                {
                    'case_no': f'2-{rng.randint(1, 9)}({rng.randint(100, 999)})-{rng.randint(1000, 9999)}'
                    f'/{ANCHOR.year}',
                    'court': rng.choice(COURTS),
                    'kind': rng.choice(['civil', 'administrative']),
                    'role': rng.choice(['plaintiff', 'defendant']),
                    'started_on': demo.day(10, 300).isoformat(),
                    'status': rng.choice(['open', 'closed']),
                },
            )
        )
    if rng.random() < 0.04:
        rows.append(
            (
                'travel_restriction',
                'MOJ',
                {
                    'order_no': demo.code('İC-', 7).replace('İ', 'I'),
                    'reason': 'Alimentin ödənilməməsi üzrə borc',
                    'imposed_on': demo.day(30, 700).isoformat(),
                    'status': 'active',
                },
            )
        )
    return rows
