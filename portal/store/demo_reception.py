"""Demo citizen reception: the Nəsimi executive's reception hours and three officials, and requests in every state,
made through the same use cases citizens and officers use, on the demo's clock.

- Rəşad's meeting a month ago, held; Günel's, missed; a neighbour's request declined, another's cancelled by the
  neighbour, another's meeting held last week, another's in a few days, another's waiting;
- Leyla's meeting with the Nəsimi executive in a few days (with its notice), and her request to the Baku City
  executive, waiting.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from portal.store.actors import Role
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.reception import calendar, desk, requests
from portal.store.reception.calendar import CalendarView
from portal.store.reception.requests import NewRequest
from portal.store.workdays import local_date

EXECUTIVE, OFFICER, LEYLA = 'IH-NESIMI', '6NS2K8V', '5ZK2M7R'
RASHAD, GUNEL = '2HT8P4N', '7QW3E9D'
CITY_EXECUTIVE = 'IH-BAKI-SHAHAR'
PLACE = 'Nəsimi rayon İcra Hakimiyyətinin inzibati binası, 1-ci mərtəbə, vətəndaşların qəbulu otağı'
MORNING, AFTERNOON = (time(10), time(13)), (time(14), time(17))
HOURS = {1: [MORNING, AFTERNOON], 2: [MORNING], 3: [MORNING, AFTERNOON], 4: [MORNING], 5: [MORNING]}
OFFICIALS = (
    ('Elnur Məmmədov', 'İcra hakimiyyəti başçısının birinci müavini'),
    ('Aynur Qasımova', 'Sosial-iqtisadi inkişaf şöbəsinin müdiri'),
    ('Rauf Həsənov', 'Mənzil-kommunal təsərrüfatı məsələləri üzrə sektorun müdiri'),
)
# (topic, summary)
ASKS = {
    'roof': (
        'housing',
        'Yaşadığım binanın damı axır, iki ildir təmir olunmur. Təmir üçün növbəyə salınmağı xahiş edirəm.',
    ),
    'water': (
        'utilities',
        'Həyətimizdə su borusu tez-tez partlayır, su kəsilir. Borunun dəyişdirilməsini xahiş edirik.',
    ),
    'land': ('land_property', 'Həyətyanı sahənin sərhədləri ilə bağlı qonşu ilə mübahisəni müzakirə etmək istəyirəm.'),
    'job': ('employment', 'Uzun müddətdir işsizəm. Rayonda açılan iş yerləri barədə məsləhət almaq istəyirəm.'),
    'school': ('education', 'Uşağımın yaxın məktəbə köçürülməsi məsələsini müzakirə etmək istəyirəm.'),
    'road': ('roads_transport', 'Küçəmizdə asfalt örtüyü dağılıb, yağışda keçmək olmur.'),
    'support': (
        'social_support',
        'Ünvanlı sosial yardım almaq üçün hansı sənədlərin lazım olduğunu öyrənmək istəyirəm.',
    ),
    'light': ('utilities', 'Məhəllədə küçə işıqları bir aydır yanmır.'),
}


async def seed_reception(*, now: datetime) -> int:
    """Returns the requests made."""
    officer = (await Person.get(fin=OFFICER)).as_actor()
    await calendar.set_calendar(actor=officer, hours=HOURS, slot_minutes=20, place=PLACE, now=now - timedelta(days=60))
    officials = [
        await calendar.add_official(actor=officer, name=name, position=position, now=now - timedelta(days=60))
        for name, position in OFFICIALS
    ]
    view = await calendar.my_calendar(actor=officer)
    executive = await Organisation.get(code=EXECUTIVE)
    people = {p.fin: p for p in await Person.filter(fin__in=[LEYLA, RASHAD, GUNEL])}
    neighbours = (
        await Person.filter(role=Role.CITIZEN, password_hash__isnull=False)
        .exclude(fin__in=[LEYLA, RASHAD, GUNEL])
        .order_by('fin')
        .limit(5)
    )
    made = 0

    async def ask(person: Person, what: str, at: datetime, code: str = EXECUTIVE) -> requests.RequestView:
        nonlocal made
        topic, summary = ASKS[what]
        hours = (
            view
            if code == EXECUTIVE
            else await calendar.get_calendar(executive_id=(await Organisation.get(code=code)).id)
        )
        days = _reception_days(hours, local_date(at), 2 if code == EXECUTIVE else 1)
        made += 1
        new = NewRequest(code, topic, summary, days, [])
        return await requests.request_meeting(actor=person.as_actor(), new=new, now=at)

    async def give(request: requests.RequestView, at: datetime, official: int) -> datetime:
        day = request.preferred_days[0]
        slots = await calendar.slots_of(executive_id=executive.id, first=day, last=day, now=at)
        starts = slots[(official * 3) % len(slots)].starts_at
        await desk.schedule_meeting(
            actor=officer, request_id=request.id, official_id=officials[official].id, starts_at=starts, now=at
        )
        return starts

    held = await ask(people[RASHAD], 'water', now - timedelta(days=32))
    starts = await give(held, now - timedelta(days=31), 2)
    await desk.mark_done(actor=officer, request_id=held.id, now=starts + timedelta(minutes=25))

    missed = await ask(people[GUNEL], 'school', now - timedelta(days=21))
    starts = await give(missed, now - timedelta(days=20), 1)
    await desk.mark_no_show(actor=officer, request_id=missed.id, now=starts + timedelta(minutes=30))

    if len(neighbours) == 5:
        declined = await ask(neighbours[0], 'land', now - timedelta(days=12))
        await desk.decline_request(
            actor=officer,
            request_id=declined.id,
            reason='Torpaq mübahisələrinə məhkəmə qaydasında baxılır. Hüquqi məsləhət üçün ASAN xidmətə müraciət edin.',
            now=now - timedelta(days=11),
        )
        withdrawn = await ask(neighbours[1], 'road', now - timedelta(days=9))
        await give(withdrawn, now - timedelta(days=8), 0)
        await requests.cancel_request(
            actor=neighbours[1].as_actor(), request_id=withdrawn.id, now=now - timedelta(days=8, hours=-1)
        )
        done = await ask(neighbours[2], 'job', now - timedelta(days=6))
        starts = await give(done, now - timedelta(days=5), 1)
        await desk.mark_done(actor=officer, request_id=done.id, now=starts + timedelta(minutes=20))
        soon = await ask(neighbours[3], 'support', now - timedelta(days=1))
        await give(soon, now - timedelta(hours=3), 1)
        await ask(neighbours[4], 'light', now - timedelta(hours=20))

    leyla = people[LEYLA]
    mine = await ask(leyla, 'roof', now - timedelta(days=1))
    await give(mine, now - timedelta(hours=2), 0)
    await ask(leyla, 'road', now - timedelta(hours=5), code=CITY_EXECUTIVE)
    return made


def _reception_days(view: CalendarView, today: date, count: int) -> list[date]:
    """The first days the executive receives on, from the third day after ``today`` on (a few days' notice)."""
    days: list[date] = []
    day = today + timedelta(days=3)
    while len(days) < count:
        if view.receives_on(day):
            days.append(day)
        day += timedelta(days=1)
    return days
