"""Demo Məlumatlandırma: news, announcements and works done of the Nəsimi, Xətai, Yasamal and Səbail executives over the
past five weeks, published by each executive's officer through the same use case the desk and the API use, on the
demo's clock. Leyla follows Nəsimi from three weeks ago, so the Nəsimi items since then are among her notices.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from portal.store.actors import Role
from portal.store.demo_services import HOME_EXECUTIVE, HOME_PERSONA
from portal.store.news import following, publishing
from portal.store.people import Person

FOLLOWED_SINCE = timedelta(days=21)

# (executive, days ago, hour (UTC), item)
ITEMS: tuple[tuple[str, int, int, dict[str, Any]], ...] = (
    (
        'IH-NESIMI',
        34,
        7,
        {
            'kind': 'work',
            'title': 'Füzuli küçəsində asfalt örtüyü yeniləndi',
            'location': 'Füzuli küçəsi, Səməd Vurğun küçəsi ilə kəsişmədən Azadlıq prospektinədək',
            'tags': ['yol təmiri', 'abadlıq'],
            'body': (
                '<p>Nəsimi rayon İcra Hakimiyyətinin təşəbbüsü ilə Füzuli küçəsinin <b>1,2 km</b> uzunluğunda '
                'hissəsində köhnə örtük sökülərək yeni asfalt döşəndi.</p>'
                '<ul><li>yol kənarı bordürlər dəyişdirildi;</li><li>yağış suyu quyuları təmizləndi;</li>'
                '<li>piyada keçidləri yenidən rənglənib.</li></ul>'
                '<p>Sakinlərə səbirləri üçün təşəkkür edirik.</p>'
            ),
        },
    ),
    (
        'IH-XETAI',
        30,
        9,
        {
            'kind': 'announcement',
            'title': 'Xətai rayonunda səyyar vətəndaş qəbulu keçiriləcək',
            'tags': ['vətəndaş qəbulu'],
            'body': (
                '<p>Xətai rayon İcra Hakimiyyətinin başçısı ayın sonuncu şənbəsi saat <b>10:00</b>-da Əhmədli '
                'qəsəbəsindəki mədəniyyət mərkəzində sakinləri qəbul edəcək.</p>'
                '<p>Qəbula əvvəlcədən yazılmaq üçün portalın <i>Vətəndaş qəbulu</i> bölməsindən istifadə edə '
                'bilərsiniz.</p>'
            ),
        },
    ),
    (
        'IH-YASAMAL',
        27,
        8,
        {
            'kind': 'work',
            'title': 'Şərifzadə küçəsindəki həyətdə uşaq meydançası quraşdırıldı',
            'location': 'Şərifzadə küçəsi 14, 16 və 18 saylı binaların həyəti',
            'tags': ['abadlıq', 'uşaq meydançası'],
            'body': (
                '<p>Yaşayış binalarının həyətində yeni uşaq meydançası quraşdırıldı, ərazi işıqlandırıldı və '
                '<b>30</b>-dan çox ağac əkildi.</p>'
                '<p>Meydançanın örtüyü zərbəni udan rezin plitələrdən hazırlanıb.</p>'
            ),
        },
    ),
    (
        'IH-NESIMI',
        24,
        10,
        {
            'kind': 'news',
            'title': 'Nəsimi rayonunda ağacəkmə aksiyası keçirildi',
            'tags': ['ekologiya'],
            'body': (
                '<p>Rayon ərazisindəki parklarda və həyətlərdə keçirilən ağacəkmə aksiyasında <b>600</b>-dən çox '
                'sakin, könüllü və şagird iştirak etdi.</p>'
                '<blockquote>Hər bir ağac şəhərimizin gələcəyinə qoyulan sərmayədir.</blockquote>'
                '<p>Aksiya çərçivəsində <b>1 500</b> ədəd şam, çinar və akasiya tingi əkildi.</p>'
            ),
        },
    ),
    (
        'IH-SEBAIL',
        19,
        7,
        {
            'kind': 'announcement',
            'title': 'İçərişəhər ətrafında nəqliyyatın hərəkəti müvəqqəti məhdudlaşdırılır',
            'tags': ['nəqliyyat', 'yol təmiri'],
            'body': (
                '<p>Kommunal xətlərin yenilənməsi ilə əlaqədar İstiqlaliyyət küçəsinin bir hissəsində nəqliyyatın '
                'hərəkəti <b>iki həftə</b> müddətinə məhdudlaşdırılır.</p>'
                '<h4>Alternativ marşrutlar</h4>'
                '<ol><li>Neftçilər prospekti;</li><li>Azərbaycan prospekti.</li></ol>'
                '<p>Ətraflı məlumat üçün <a href="https://www.bakubus.az" rel="noopener nofollow">BakuBus</a> '
                'saytına baxın.</p>'
            ),
        },
    ),
    (
        'IH-NESIMI',
        16,
        11,
        {
            'kind': 'announcement',
            'title': 'Kubinka məhəlləsində istilik sistemi sınaqdan keçiriləcək',
            'tags': ['kommunal xidmətlər'],
            'body': (
                '<p>Payız-qış mövsümünə hazırlıq çərçivəsində Kubinka məhəlləsindəki yaşayış binalarının istilik '
                'sistemi növbəti həftənin <b>çərşənbə</b> günü sınaqdan keçiriləcək.</p>'
                '<p>Sınaq zamanı radiatorlarda sızma müşahidə etsəniz, mənzil-istismar sahəsinə məlumat verin.</p>'
            ),
        },
    ),
    (
        'IH-XETAI',
        13,
        8,
        {
            'kind': 'work',
            'title': 'Əhmədli qəsəbəsində içməli su xətti yeniləndi',
            'location': 'Əhmədli qəsəbəsi, Məhəmməd Hadi küçəsi',
            'tags': ['kommunal xidmətlər', 'su təchizatı'],
            'body': (
                '<p>Köhnəlmiş polad borular <b>2,4 km</b> uzunluğunda polietilen borularla əvəz olundu. Bununla '
                'da <b>1 800</b>-dən çox ailənin fasiləsiz su təchizatı təmin edildi.</p>'
            ),
        },
    ),
    (
        'IH-NESIMI',
        9,
        9,
        {
            'kind': 'work',
            'title': 'Dilarə Əliyeva küçəsində səkilər yenidən quruldu',
            'location': 'Dilarə Əliyeva küçəsi, Rəşid Behbudov küçəsindən Füzuli meydanınadək',
            'tags': ['abadlıq', 'səki'],
            'body': (
                '<p>Küçənin hər iki tərəfində səkilərə yeni qranit plitələr döşəndi, əlilliyi olan şəxslər üçün '
                'pandus və istiqamət göstərən zolaqlar quruldu.</p>'
                '<ul><li>22 yeni skamya;</li><li>40 işıq dirəyi;</li><li>zibil qutuları.</li></ul>'
            ),
        },
    ),
    (
        'IH-YASAMAL',
        6,
        12,
        {
            'kind': 'news',
            'title': 'Yasamalda gənclər üçün pulsuz İT kursları başlayır',
            'tags': ['təhsil', 'gənclər'],
            'body': (
                '<p>Rayon Gənclər Mərkəzində 16–25 yaşlı gənclər üçün proqramlaşdırma və dizayn üzrə <b>üç aylıq</b> '
                'pulsuz kurslar təşkil olunur.</p>'
                '<p>Qeydiyyat növbəti ayın 10-dək davam edir.</p>'
            ),
        },
    ),
    (
        'IH-SEBAIL',
        4,
        8,
        {
            'kind': 'work',
            'title': 'Bayıl qəsəbəsində yeni avtobus dayanacaqları quraşdırıldı',
            'location': 'Bayıl qəsəbəsi, Zərifə Əliyeva küçəsi',
            'tags': ['nəqliyyat'],
            'body': '<p>Örtüklü, işıqlandırılan və elektron tablolu <b>6</b> yeni dayanacaq istifadəyə verildi.</p>',
        },
    ),
    (
        'IH-NESIMI',
        2,
        7,
        {
            'kind': 'news',
            'title': 'Həyətlərin abadlaşdırılması proqramının ilk mərhələsi başa çatdı',
            'tags': ['abadlıq', 'həyət'],
            'body': (
                '<p>Proqramın ilk mərhələsində <b>18</b> həyətdə asfalt örtüyü yeniləndi, uşaq meydançaları və '
                'idman qurğuları quraşdırıldı.</p>'
                '<h3>Növbəti mərhələ</h3>'
                '<p>Sakinlərin sorğuda seçdiyi məhəllələrdə işlərə gələn ay başlanılacaq.</p>'
            ),
        },
    ),
)


async def seed_news(*, now: datetime) -> dict[str, int]:
    """Returns how many items were published."""
    officers: dict[str, Any] = {}
    for code in {code for code, *_ in ITEMS}:
        person = await Person.filter(organisation__code=code, role=Role.EXECUTIVE_OFFICER).order_by('fin').first()
        assert person is not None, code
        officers[code] = person.as_actor()
    leyla = await Person.get(fin=HOME_PERSONA)
    follows_at = now - FOLLOWED_SINCE
    followed = False
    for code, days, hour, item in ITEMS:
        at = (now - timedelta(days=days)).replace(hour=hour, minute=15 * (days % 4), second=0, microsecond=0)
        if not followed and at >= follows_at:
            await following.follow(actor=leyla.as_actor(), executive_code=HOME_EXECUTIVE, now=follows_at)
            followed = True
        await publishing.publish(actor=officers[code], now=at, **item)
    if not followed:
        await following.follow(actor=leyla.as_actor(), executive_code=HOME_EXECUTIVE, now=follows_at)
    return {'items': len(ITEMS)}
