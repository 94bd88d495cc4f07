"""What the demo letters say: citizens' letters by organisation, the answers, and the organisations' own letters.

Placeholders filled by ``demo_letters``: {name} (the citizen), {district}, {street}, {date} (a day before the letter),
{homeland}, {year} (with its suffix), {amount}, {notary}, {court}, {month} (the month after the answer), {later} (a
day some weeks after the letter).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    title: str
    body: str
    answer: str
    # the organisation a letter on this topic is sometimes forwarded to, as not being the addressee's business
    forward_to: str | None = None
    # how often the matter needs an investigation (30 working days instead of 15)
    investigation: float = 0.04


@dataclass(frozen=True)
class Notice:
    title: str
    body: str


T = Topic
# the organisation's code -> what citizens write to it about
TOPICS: dict[str, tuple[Topic, ...]] = {
    'MLSPP': (
        T(
            'Ünvanlı dövlət sosial yardımının təyin edilməsi',
            'Ailəmiz beş nəfərdən ibarətdir, {district} rayonunda yaşayırıq. {date} tarixində e-sosial portalı '
            'vasitəsilə ünvanlı dövlət sosial yardımı üçün müraciət etmişəm, lakin indiyədək heç bir cavab '
            'almamışam. Xahiş edirəm, müraciətimin hansı mərhələdə olduğunu bildirəsiniz.',
            'Müraciətiniz əsasında ailənizin orta aylıq gəliri yoxlanılmış və {month} ayından etibarən ailənizə '
            'ünvanlı dövlət sosial yardımı təyin edilmişdir. Yardımın məbləği barədə məlumatı e-sosial.gov.az '
            'portalındakı şəxsi kabinetinizdən əldə edə bilərsiniz.',
        ),
        T(
            'Əmək pensiyasının yenidən hesablanması',
            '{year} ildən yaşa görə əmək pensiyası alıram. Son iş yerimdən əlavə staj arayışı təqdim etməyimə '
            'baxmayaraq, pensiyamın məbləği dəyişməyib. Xahiş edirəm, pensiyamın yenidən hesablanmasına baxasınız.',
            'Təqdim etdiyiniz staj arayışı əsasında əmək pensiyanızın sığorta hissəsi yenidən hesablanmışdır. '
            'Fərq məbləği {month} ayının ödənişi ilə birlikdə bank kartınıza köçürüləcəkdir.',
            forward_to='DSMF',
        ),
        T(
            'Əlilliyin müəyyən edilməsi ilə bağlı',
            'Atam {date} tarixində tibbi-sosial ekspert komissiyasına müraciət edib, lakin qərar barədə ona hələ '
            'də məlumat verilməyib. Atamın səhhəti ağırdır, təkrar gəlməsi çətindir. Xahiş edirəm, qərarın nə '
            'vaxt veriləcəyini bildirəsiniz.',
            'Sənədlərə Tibbi-Sosial Ekspertiza və Reabilitasiya Agentliyi tərəfindən baxılmış, atanıza ikinci '
            'qrup əlillik müəyyən edilmişdir. Arayışı e-sosial.gov.az portalından elektron qaydada əldə etmək '
            'mümkündür; müavinət {month} ayından ödəniləcəkdir.',
            investigation=0.15,
        ),
        T(
            'Uşağın doğulmasına görə birdəfəlik müavinət',
            '{date} tarixində övladım dünyaya gəlib. Doğum qeydə alınandan sonra birdəfəlik müavinət avtomatik '
            'təyin edilməli idi, lakin ödəniş hələ də edilməyib. Xahiş edirəm, səbəbini araşdırasınız.',
            'Müavinət təyin edilmiş və {amount} manat məbləğində vəsait bank kartınıza köçürülmüşdür. '
            'Gecikmə bank hesabınızın rekvizitlərinin yenilənməməsi ilə bağlı olmuşdur.',
        ),
        T(
            'İşsizlikdən sığorta ödənişi',
            '{date} tarixində ştat ixtisarı ilə əlaqədar işdən azad edilmişəm. İşsizlikdən sığorta ödənişinin '
            'təyin edilməsi üçün {district} rayon məşğulluq mərkəzinə sənədlərimi təqdim etmişəm. Ödənişin nə '
            'vaxt başlanacağı barədə məlumat verməyinizi xahiş edirəm.',
            'Sizə işsiz statusu verilmiş və altı ay müddətinə işsizlikdən sığorta ödənişi təyin edilmişdir. '
            'İlk ödəniş {month} ayında bank kartınıza köçürüləcəkdir. Eyni zamanda, uyğun vakansiyalar barədə '
            'məşğulluq mərkəzi sizinlə əlaqə saxlayacaqdır.',
        ),
        T(
            'Özünüməşğulluq proqramına qoşulmaq',
            '{district} rayonunda arıçılıq təsərrüfatı yaratmaq istəyirəm. Özünüməşğulluq proqramına qoşulmaq üçün '
            'hansı sənədlərin tələb olunduğunu və növbəti təlimlərin nə vaxt başlanacağını bildirməyinizi xahiş '
            'edirəm.',
            'Özünüməşğulluq proqramına qoşulmaq üçün {district} rayon məşğulluq mərkəzində qeydiyyatdan keçməyiniz '
            'kifayətdir; biznes planınız təlim zamanı birlikdə hazırlanacaq. Növbəti təlim qrupu {month} ayında '
            'formalaşdırılacaq və sizin adınız siyahıya daxil edilmişdir.',
        ),
        T(
            'Əmək müqaviləsinin qeydiyyata alınmaması',
            'İki ildir {street} ünvanında yerləşən müəssisədə işləyirəm, lakin işəgötürən əmək müqaviləmi elektron '
            'informasiya sistemində qeydiyyata almayıb, buna görə stajım hesablanmır. Xahiş edirəm, işəgötürənin bu '
            'hərəkətini yoxlayasınız.',
            'Dövlət Əmək Müfəttişliyi Xidməti tərəfindən işəgötürəndə yoxlama aparılmış, əmək müqaviləniz elektron '
            'informasiya sistemində qeydiyyata alınmış və işlədiyiniz dövr stajınıza daxil edilmişdir. İşəgötürən '
            'barəsində qanunla nəzərdə tutulmuş tədbir görülmüşdür.',
            investigation=0.4,
        ),
        T(
            'Şəhid ailəsinə Prezident təqaüdü',
            'Qardaşım Vətən müharibəsində şəhid olub. Anama Prezident təqaüdünün təyin edilməsi üçün {date} '
            'tarixində sənədlər təqdim edilib, lakin təqaüd hələ də ödənilmir. Köməyinizi xahiş edirəm.',
            'Ananıza {month} ayından etibarən Prezident təqaüdü təyin edilmişdir; sənədlərin təqdim edildiyi '
            'tarixdən ötən dövrə düşən məbləğ də ödəniləcəkdir. Başınız sağ olsun.',
        ),
        T(
            'Evdə sosial xidmət göstərilməsi',
            'Anam 84 yaşındadır, {district} rayonunda təkbaşına yaşayır. Ona evdə sosial xidmət göstərilməsi üçün '
            'hansı qaydada müraciət etməliyəm?',
            'Müraciətiniz {district} rayon sosial xidmət mərkəzinə çatdırılmışdır. Sosial işçi yaxın günlərdə '
            'ananıza baş çəkəcək, ehtiyaclarını qiymətləndirəcək və xidmət həftədə iki dəfə göstəriləcəkdir.',
        ),
        T(
            'Əmək stajı barədə arayış',
            'Xaricdə işə düzəlmək üçün əmək stajım barədə arayış tələb olunur. Arayışı elektron qaydada necə əldə '
            'edə bilərəm və onun ingilis dilində verilməsi mümkündürmü?',
            'Əmək stajınız barədə arayışı e-gov.az portalında "Əmək müqaviləsi bildirişləri" xidməti vasitəsilə '
            'dərhal əldə edə bilərsiniz. Arayışın tərcüməsi notariat qaydasında təsdiq edilməlidir.',
        ),
    ),
    'MOJ': (
        T(
            'Etibarnamənin ləğv edilməsi',
            '{date} tarixində {notary} tərəfindən təsdiq edilmiş etibarnaməni ləğv etmək istəyirəm. Bunu elektron '
            'qaydada etmək mümkündürmü, yoxsa notariusa şəxsən gəlməliyəm?',
            'Etibarnamənin ləğvi barədə ərizəni istənilən notariusa təqdim edə bilərsiniz; ləğv elektron notariat '
            'sistemində dərhal qeydə alınır və etibarnamənin statusu e-notariat.gov.az portalında yoxlanıla bilər.',
        ),
        T(
            'Doğum haqqında şəhadətnamənin təkrar verilməsi',
            'Doğum haqqında şəhadətnaməmi itirmişəm. Təkrar şəhadətnamə almaq üçün hara müraciət etməliyəm və '
            'hansı sənədlər tələb olunur?',
            'Təkrar şəhadətnamə almaq üçün şəxsiyyət vəsiqənizlə istənilən ASAN xidmət mərkəzinə və ya qeydiyyat '
            'şöbəsinə müraciət edə bilərsiniz. Şəhadətnamə müraciət günü verilir.',
        ),
        T(
            'Məhkəmə qərarının icra edilməməsi',
            '{court}nin {date} tarixli qətnaməsi ilə keçmiş həyat yoldaşımdan uşağın saxlanması üçün aliment '
            'tutulmalıdır, lakin üç aydır ki, aliment ödənilmir. İcra məmurunun hərəkətsizliyindən şikayət edirəm.',
            'Şikayətiniz araşdırılmış, icra məmuru tərəfindən borclunun iş yerinə icra sənədi göndərilmiş və '
            'əməkhaqqından aliment tutulmasına başlanılmışdır. Yaranmış borc {month} ayında tam ödəniləcəkdir.',
            investigation=0.45,
        ),
        T(
            'Nikahda olmamaq barədə arayış',
            'Xaricdə nikah bağlamaq üçün nikahda olmamağım barədə arayış tələb olunur. Arayışı necə əldə edə '
            'bilərəm və o, apostil ilə təsdiqlənirmi?',
            'Arayışı e-gov.az portalında "Qeydiyyat şöbəsindən arayış" xidməti vasitəsilə sifariş edə bilərsiniz; '
            'apostil ASAN xidmət mərkəzlərində eyni gün qoyulur.',
        ),
        T(
            'Soyadının dəyişdirilməsi',
            'Nikahdan sonra həyat yoldaşımın soyadını götürmək istəyirəm. Bunun üçün hansı qaydada müraciət '
            'etməliyəm və şəxsiyyət vəsiqəmi də dəyişməliyəmmi?',
            'Soyadınızın dəyişdirilməsi nikahın qeydiyyatı zamanı və ya sonradan qeydiyyat şöbəsinə verilən ərizə '
            'ilə həyata keçirilir. Dəyişiklikdən sonra bir ay ərzində şəxsiyyət vəsiqəniz dəyişdirilməlidir.',
        ),
        T(
            'Vərəsəlik hüququ haqqında şəhadətnamə',
            'Atam {date} tarixində vəfat edib. Mənzilə vərəsəlik hüququ haqqında şəhadətnamə almaq üçün notarius '
            'əlavə sənədlər tələb edir. Hansı sənədlərin tələb olunması qanunidir?',
            'Vərəsəlik işinin açılması üçün ölüm haqqında şəhadətnamə, qohumluğu təsdiq edən sənəd və əmlak '
            'üzərində hüququ təsdiq edən çıxarış kifayətdir. Notariusa izahat verilmişdir.',
        ),
    ),
    'ASAN': (
        T(
            'ASAN xidmət mərkəzində növbə',
            '{date} tarixində {district} ASAN xidmət mərkəzində elektron növbə götürməyimə baxmayaraq, üç saatdan '
            'çox gözləməli oldum. Növbənin daha yaxşı təşkil edilməsini xahiş edirəm.',
            'Müraciətinizə görə təşəkkür edirik. Mərkəzdə həmin gün texniki nasazlıq olmuşdur; hazırda əlavə '
            'operatorlar cəlb edilib və onlayn növbə sistemi yenilənib.',
        ),
        T(
            'ASAN İmza sertifikatının yenilənməsi',
            'ASAN İmza sertifikatımın müddəti bitir. Sertifikatı mərkəzə gəlmədən onlayn yeniləmək mümkündürmü?',
            'Sertifikatın müddəti bitməmişdən əvvəl onu asanimza.az portalında onlayn yeniləyə bilərsiniz; '
            'müddəti bitmiş sertifikat üçün mərkəzə gəlmək tələb olunur.',
        ),
        T(
            'Səyyar ASAN xidmətin kəndimizə gəlməsi',
            '{district} rayonunun ucqar kəndində yaşayırıq, yaşlı sakinlərin rayon mərkəzinə getməsi çətindir. '
            'Səyyar ASAN xidmətin kəndimizə gəlməsini xahiş edirik.',
            'Kəndiniz səyyar ASAN xidmətin {month} ayının qrafikinə daxil edilmişdir. Dəqiq tarix barədə sakinlərə '
            'bələdiyyə vasitəsilə məlumat veriləcəkdir.',
        ),
        T(
            'Şəxsiyyət vəsiqəsinin hazırlanmasının gecikməsi',
            '{date} tarixində şəxsiyyət vəsiqəsi üçün müraciət etmişəm, lakin vəsiqə hələ də hazır deyil. '
            'Səbəbini bildirməyinizi xahiş edirəm.',
            'Vəsiqəniz hazırdır və müraciət etdiyiniz mərkəzdən təqdim olunması barədə SMS göndərilmişdir.',
            forward_to='MIA',
        ),
        T(
            'Əməkdaşa təşəkkür',
            '{date} tarixində {district} ASAN xidmət mərkəzində mənə xidmət göstərən əməkdaşa həssas münasibətinə '
            'görə təşəkkür edirəm. Xahiş edirəm, bu təşəkkürü ona çatdırasınız.',
            'Xoş sözlərinizə görə təşəkkür edirik; təşəkkürünüz əməkdaşa və mərkəzin rəhbərliyinə çatdırılmışdır.',
        ),
    ),
    'MIA': (
        T(
            'Yaşayış yeri üzrə qeydiyyat',
            '{street} ünvanında mənzil almışam. Yaşayış yeri üzrə qeydiyyata düşmək üçün hara müraciət etməliyəm '
            'və bunu elektron qaydada etmək mümkündürmü?',
            'Yaşayış yeri üzrə qeydiyyatı e-gov.az portalında elektron ərizə ilə və ya ASAN xidmət mərkəzində '
            'rəsmiləşdirə bilərsiniz; mülkiyyət çıxarışı kifayətdir.',
        ),
        T(
            'İtirilmiş şəxsiyyət vəsiqəsi',
            '{date} tarixində şəxsiyyət vəsiqəmi itirmişəm. Vəsiqənin etibarsız sayılması və yenisinin alınması '
            'üçün nə etməliyəm?',
            'İtirilmiş vəsiqə etibarsız sayılmışdır. Yeni vəsiqə almaq üçün dövlət rüsumunu ödəyib ASAN xidmət '
            'mərkəzinə müraciət edə bilərsiniz.',
        ),
        T(
            'Sahə polis inspektoruna müraciət',
            '{street} ünvanında yerləşən binamızın həyətində gecələr səs-küy salınır, sakinlər narahatdır. '
            'Sahə polis inspektorunun tədbir görməsini xahiş edirik.',
            'Müraciətiniz üzrə yerində araşdırma aparılmış, səs-küy salan şəxslərlə profilaktik söhbət edilmiş və '
            'ərazidə gecə patrulu gücləndirilmişdir.',
            investigation=0.35,
        ),
        T(
            'Ümumvətəndaş pasportunun verilməsi',
            'Müalicə üçün xaricə getməliyəm. Pasportun sürətləndirilmiş qaydada verilməsi mümkündürmü?',
            'Pasportu sürətləndirilmiş qaydada, artırılmış rüsum ödəməklə 3 iş günü ərzində ala bilərsiniz.',
        ),
        T(
            'Məhkumluq haqqında arayış',
            'İşə qəbul üçün məhkumluğun olmaması barədə arayış tələb olunur. Arayışı elektron qaydada necə əldə '
            'edə bilərəm?',
            'Arayış e-gov.az portalında sifariş edilir və elektron imza ilə təsdiqlənmiş formada 2 iş günü '
            'ərzində şəxsi kabinetinizə göndərilir.',
        ),
        T(
            'Yol hərəkəti qaydalarının pozulmasına görə cərimə',
            '{date} tarixində sürət həddini aşmağa görə barəmdə protokol tərtib edilib, lakin həmin gün avtomobilim '
            'başqa şəhərdə idi. Xahiş edirəm, araşdırasınız.',
            'Müraciətiniz araşdırılmış, foto-qeydiyyat məlumatı yoxlanılmış və protokol ləğv edilmişdir.',
            forward_to='DYP',
        ),
    ),
    'DYP': (
        T(
            'Cərimə ilə razı deyiləm',
            '{date} tarixində {street} ərazisində dayanma qaydalarını pozduğuma görə cərimə yazılıb, lakin həmin '
            'yerdə qadağan nişanı yoxdur. Cərimənin ləğvini xahiş edirəm.',
            'Ərazidə yoxlama aparılmış, yol nişanının quraşdırılmadığı təsdiq edilmiş və cərimə ləğv edilmişdir.',
            investigation=0.3,
        ),
        T(
            'Sürücülük vəsiqəsinin dəyişdirilməsi',
            'Sürücülük vəsiqəmin müddəti bitir. Tibbi arayışı elektron qaydada təqdim etməklə vəsiqəni dəyişmək '
            'mümkündürmü?',
            'Tibbi arayış elektron sistemə daxil edildikdən sonra vəsiqəni ASAN xidmət mərkəzində imtahansız '
            'dəyişdirə bilərsiniz.',
        ),
    ),
    'DSMF': (
        T(
            'Pensiya ödənişinin gecikməsi',
            'Bu ay pensiyam kartıma köçürülməyib. Xahiş edirəm, səbəbini bildirəsiniz.',
            'Ödəniş bankın texniki səbəbindən bir gün gecikmişdir; məbləğ kartınıza köçürülmüşdür.',
        ),
        T(
            'Sığorta stajı barədə məlumat',
            '{year} ildə işlədiyim dövr fərdi hesabımda əks olunmayıb. Xahiş edirəm, sığorta stajımın '
            'düzəldilməsinə baxasınız.',
            'Arxiv sənədləri əsasında həmin dövr fərdi hesabınıza əlavə edilmiş və sığorta stajınız yenilənmişdir.',
            investigation=0.3,
        ),
    ),
    'QMIDK': (
        T(
            'Məcburi köçkün statusu haqqında arayış',
            'Ailəmlə birlikdə {homeland} rayonundan məcburi köçkünük. Bankda təqdim etmək üçün məcburi köçkün '
            'statusu haqqında arayış lazımdır.',
            'Məcburi köçkün statusu haqqında arayışı mygov platformasında "Arayışlar" bölməsindən elektron qaydada '
            'yükləyə bilərsiniz.',
        ),
        T(
            'Mənzillə təminat növbəsi',
            'Ailəmiz {year} ildən yataqxanada yaşayır. Yeni salınan yaşayış kompleksində mənzillə təmin '
            'olunmaq üçün növbəmizin hansı yerdə olduğunu bildirməyinizi xahiş edirəm.',
            'Ailəniz mənzillə təminat siyahısındadır və {month} ayında nəzərdə tutulan köçürülmə mərhələsinə daxil '
            'edilmişdir.',
            investigation=0.3,
        ),
        T(
            'Doğma yurda qayıdış',
            'Ailəmizlə birlikdə azad edilmiş {homeland} rayonuna köçmək istəyirik. Böyük Qayıdış proqramı üzrə '
            'qeydiyyat qaydası barədə məlumat verməyinizi xahiş edirəm.',
            'Ailəniz Böyük Qayıdış proqramı üzrə ilkin siyahıya daxil edilmişdir; köçürülmə mərhələləri barədə '
            'sizə əlavə məlumat veriləcəkdir.',
        ),
    ),
    'MSE': (
        T(
            'Xarici diplomun tanınması',
            'Magistr təhsilimi xaricdə almışam. Diplomumun tanınması üçün sənədlərimi {date} tarixində təqdim '
            'etmişəm. Qərarın nə vaxt veriləcəyini bildirməyinizi xahiş edirəm.',
            'Diplomunuz tanınmış, tanınma haqqında şəhadətnamə elektron qaydada şəxsi kabinetinizə göndərilmişdir.',
            investigation=0.2,
        ),
        T(
            'Uşağın məktəbə qəbulu',
            'Övladımı yaşadığımız ərazidəki məktəbə qəbul etdirmək istəyirəm, lakin məktəb yer olmadığını bildirir. '
            'Köməyinizi xahiş edirəm.',
            'Övladınız yaşayış yerinə görə təhkim olunmuş məktəbə qəbul edilmişdir; məktəb rəhbərliyinə izahat '
            'verilmişdir.',
            forward_to='IH-NESIMI',
        ),
    ),
    'MOH': (
        T(
            'Poliklinikada xidmətdən narazılıq',
            '{date} tarixində {district} rayonundakı poliklinikada həkim qəbuluna yazıldığım halda qəbul '
            'edilmədim. Xahiş edirəm, tədbir görəsiniz.',
            'Müraciətiniz araşdırılmış, poliklinikanın rəhbərliyinə qəbul qrafikinə əməl edilməsi tapşırılmışdır.',
            forward_to='TABIB',
        ),
        T(
            'Güzəştli dərman təminatı',
            'Şəkərli diabet xəstəsiyəm. Güzəştli insulin təminatı üçün hara müraciət etməliyəm?',
            'Güzəştli dərman təminatı üçün yaşadığınız ərazidəki ailə həkiminə müraciət etməyiniz kifayətdir; '
            'adınız endokrinoloji reyestrə daxil edilmişdir.',
        ),
    ),
    'TABIB': (
        T(
            'İcbari tibbi sığorta xidmətləri',
            'MRT müayinəsinin icbari tibbi sığorta zərfinə daxil olub-olmadığını və bunun üçün göndərişin necə '
            'alındığını bildirməyinizi xahiş edirəm.',
            'MRT müayinəsi həkimin göndərişi ilə icbari tibbi sığorta zərfi çərçivəsində ödənişsiz aparılır.',
        ),
    ),
    'DVX': (
        T(
            'Vergi borcu barədə yanlış bildiriş',
            'Mənə əmlak vergisi üzrə {amount} manat borc barədə bildiriş gəlib, lakin vergini vaxtında ödəmişəm. '
            'Qəbzi əlavə edirəm. Xahiş edirəm, yoxlayasınız.',
            'Ödənişiniz şəxsi hesab vərəqəsində əks etdirilmiş və borc silinmişdir.',
        ),
        T(
            'VÖEN-in ləğv edilməsi',
            'Fərdi sahibkar kimi fəaliyyətimi dayandırmışam. VÖEN-in ləğvi üçün hansı sənədlər tələb olunur?',
            'VÖEN-in ləğvi üçün e-taxes.gov.az portalında ərizə və son bəyannamə təqdim edilməlidir.',
        ),
    ),
    'DMX': (
        T(
            'Həyat yoldaşımın müvəqqəti yaşama icazəsi',
            'Həyat yoldaşım əcnəbidir. Onun ölkədə müvəqqəti yaşama icazəsinin uzadılması üçün sənədləri {date} '
            'tarixində təqdim etmişik. Qərarın nə vaxt veriləcəyini bildirməyinizi xahiş edirəm.',
            'Həyat yoldaşınızın müvəqqəti yaşama icazəsinin müddəti bir il uzadılmışdır.',
        ),
    ),
    'EMDX': (
        T(
            'Daşınmaz əmlakın reyestrindən çıxarış',
            '{street} ünvanındakı mənzil üzrə çıxarış almaq üçün {date} tarixində müraciət etmişəm, lakin çıxarış '
            'hələ verilməyib.',
            'Çıxarış hazırlanmış və elektron formada şəxsi kabinetinizə göndərilmişdir.',
            investigation=0.2,
        ),
    ),
    'AZERISIQ': (
        T(
            'Elektrik enerjisi üzrə yanlış hesab',
            'Bu ay elektrik enerjisi üzrə {amount} manat hesab gəlib, halbuki sayğacın göstəricisi çox azdır. '
            'Sayğacın yoxlanılmasını xahiş edirəm.',
            'Sayğac yoxlanılmış, göstəricinin səhv oxunduğu müəyyən edilmiş və hesab yenidən hesablanmışdır.',
        ),
    ),
    'AZERSU': (
        T(
            'Su təchizatında fasilələr',
            '{street} ərazisində bir həftədir su gündə cəmi iki saat verilir. Vəziyyətin düzəldilməsini xahiş edirik.',
            'Ərazidəki magistral xəttdə təmir işləri başa çatmış, su təchizatı fasiləsiz rejimə keçirilmişdir.',
        ),
    ),
    'AZERIQAZ': (
        T(
            'Qaz sayğacının dəyişdirilməsi',
            'Qaz sayğacım nasazdır. Onun dəyişdirilməsi üçün hara müraciət etməliyəm və bu ödənişlidirmi?',
            'Sayğacınız ödənişsiz dəyişdirilmişdir; yeni sayğacın məlumatları abonent kartınıza daxil edilib.',
        ),
    ),
    'SHXCDX': (
        T(
            'Hərbi xidmətə çağırışın təxirə salınması',
            'Magistraturada əyani təhsil alıram. Hərbi xidmətə çağırışın təxirə salınması üçün sənədlərimi {date} '
            'tarixində təqdim etmişəm. Qərar barədə məlumat verməyinizi xahiş edirəm.',
            'Təhsilinizlə əlaqədar hərbi xidmətə çağırışınız təhsil müddətinin sonunadək təxirə salınmışdır.',
        ),
    ),
    'AQUPDK': (
        T(
            'Çoxuşaqlı ailəyə dəstək',
            'Beş övladımız var. Çoxuşaqlı ailələrə göstərilən dəstək tədbirləri barədə məlumat verməyinizi xahiş '
            'edirəm.',
            'Ailəniz çoxuşaqlı ailələrin reyestrinə daxil edilmiş, dəstək tədbirləri barədə məlumat göndərilmişdir.',
        ),
    ),
    'DIM': (
        T(
            'İmtahan nəticəsinə etiraz',
            'Övladımın {date} tarixində keçirilən qəbul imtahanındakı nəticəsi ilə razı deyilik. Cavab vərəqəsinin '
            'yenidən yoxlanılmasını xahiş edirəm.',
            'Apellyasiya komissiyası cavab vərəqəsini yenidən yoxlamış, nəticə dəyişməz qalmışdır.',
        ),
    ),
}

# what citizens write to a local executive (any of them)
EXECUTIVE_TOPICS: tuple[Topic, ...] = (
    T(
        'Həyətin abadlaşdırılması',
        '{street} ünvanındakı binamızın həyəti uzun müddətdir abadlaşdırılmayıb, uşaq meydançası yararsız '
        'vəziyyətdədir. Həyətin abadlaşdırılmasını xahiş edirik.',
        'Həyətiniz {month} ayında başlanacaq abadlaşdırma proqramına daxil edilmişdir; uşaq meydançası yenilənəcək.',
        investigation=0.3,
    ),
    T(
        'Küçənin işıqlandırılması',
        '{street} küçəsində axşamlar işıq yanmır, sakinlər, xüsusilə uşaqlar qaranlıqda yol gedir. Küçə '
        'işıqlandırmasının bərpasını xahiş edirik.',
        'Küçə işıqlandırma dirəkləri təmir edilmiş və işıqlandırma bərpa olunmuşdur.',
    ),
    T(
        'Yolun təmiri',
        '{street} küçəsinin asfalt örtüyü tamamilə dağılıb, yağışdan sonra maşınlar keçə bilmir. Yolun təmirini '
        'xahiş edirik.',
        'Küçənin asfalt örtüyünün təmiri {month} ayında görüləcək işlərin siyahısına daxil edilmişdir.',
        investigation=0.25,
    ),
    T(
        'Vətəndaş qəbuluna yazılmaq',
        'Torpaq sahəsi ilə bağlı məsələ üzrə icra başçısının vətəndaş qəbuluna yazılmaq istəyirəm.',
        'Siz {month} ayında keçiriləcək vətəndaş qəbuluna yazılmısınız; qəbulun vaxtı barədə SMS göndəriləcək.',
    ),
    T(
        'Məişət tullantılarının daşınması',
        '{street} ünvanında zibil qutuları bir həftədir boşaldılmır, ətrafa pis qoxu yayılır.',
        'Tullantıların daşınması qrafiki bərpa edilmiş, əraziyə əlavə zibil qutuları qoyulmuşdur.',
    ),
    T(
        'Su kəsintisi',
        '{street} küçəsində üç gündür su yoxdur. Səbəbini və suyun nə vaxt veriləcəyini bildirməyinizi xahiş edirik.',
        'Qəza xətti təmir edilmiş və su təchizatı bərpa olunmuşdur.',
        forward_to='AZERSU',
    ),
    T(
        'Elektrik kəsintiləri',
        '{street} ərazisində gündə bir neçə dəfə elektrik enerjisi kəsilir, məişət texnikası sıradan çıxır.',
        'Ərazidəki transformator dəyişdirilmiş, elektrik təchizatı sabitləşmişdir.',
        forward_to='AZERISIQ',
    ),
)

GREETINGS = {
    'ministry': 'Hörmətli nazirlik!',
    'executive': 'Hörmətli icra başçısı!',
}
DEFAULT_GREETING = 'Hörmətli rəhbərlik!'

ANSWER_OPENING = 'Hörmətli {name}!\n\n{received} tarixli müraciətinizə baxılmışdır.'
ANSWER_CLOSING = 'Əlavə sualınız olarsa, 108 Məlumat Mərkəzinə və ya bu məktuba cavab olaraq müraciət edə bilərsiniz.'

REJECTIONS = (
    'Müraciətdə məsələnin mahiyyəti aydın göstərilməyib. Məsələni konkretləşdirərək yenidən müraciət etməyiniz '
    'xahiş olunur.',
    'Eyni məsələ ilə bağlı əvvəlki müraciətinizə cavab verilib, yeni hal göstərilmədiyi üçün müraciətə yenidən '
    'baxılmır.',
    'Qaldırılan məsələ üzrə məhkəmə icraatı gedir; qanuna görə məhkəmənin səlahiyyətinə aid məsələyə baxılmır.',
)
INVESTIGATIONS = (
    'Məsələnin araşdırılması üçün əlavə sənədlər sorğulanıb.',
    'Yerində yoxlama aparılması tələb olunur.',
    'Digər qurumlardan məlumat sorğusu göndərilib.',
)
FORWARD_NOTE = 'Məsələ {target} səlahiyyətinə aid olduğundan müraciət aidiyyəti üzrə göndərilir.'

# organisations' own letters to citizens ("Gələn")
NOTICES: dict[str, tuple[Notice, ...]] = {
    'MLSPP': (
        Notice(
            'Ünvanlı sosial yardımın müddətinin bitməsi barədə',
            'Hörmətli {name}!\n\nAilənizə təyin olunmuş ünvanlı dövlət sosial yardımının müddəti {later} tarixində '
            'başa çatır. Yardımın yenidən təyin edilməsi üçün e-sosial.gov.az portalı vasitəsilə müraciət edə '
            'bilərsiniz.',
        ),
        Notice(
            'Məşğulluq proqramına dəvət',
            'Hörmətli {name}!\n\n{district} rayon məşğulluq mərkəzi sizi ixtisasınıza uyğun peşə hazırlığı '
            'kursuna dəvət edir. Kurs ödənişsizdir, iştirak üçün mərkəzə müraciət edin.',
        ),
    ),
    'DSMF': (
        Notice(
            'Pensiyanın indeksləşdirilməsi barədə',
            'Hörmətli {name}!\n\nƏmək pensiyanız qanunvericiliyə uyğun olaraq indeksləşdirilmişdir. Yeni məbləğ '
            '{amount} manatdır və növbəti ödənişdən tətbiq olunacaq.',
        ),
    ),
    'MIA': (
        Notice(
            'Şəxsiyyət vəsiqənizin etibarlılıq müddəti bitir',
            'Hörmətli {name}!\n\nŞəxsiyyət vəsiqənizin etibarlılıq müddəti {later} tarixində bitir. Vəsiqəni vaxtında '
            'dəyişdirmək üçün ASAN xidmət mərkəzinə müraciət etməyiniz xahiş olunur.',
        ),
    ),
    'DVX': (
        Notice(
            'Əmlak vergisi üzrə bildiriş',
            'Hörmətli {name}!\n\nCari il üzrə əmlak vergisinin məbləği {amount} manatdır. Vergini ilin sonunadək '
            'e-taxes.gov.az portalında və ya bank kartı ilə ödəyə bilərsiniz.',
        ),
    ),
    'ASAN': (
        Notice(
            'Sənədiniz hazırdır',
            'Hörmətli {name}!\n\n{date} tarixində müraciət etdiyiniz sənəd hazırdır. Sənədi şəxsiyyət vəsiqənizlə '
            '{district} ASAN xidmət mərkəzindən ala bilərsiniz.',
        ),
    ),
    'TABIB': (
        Notice(
            'Profilaktik müayinəyə dəvət',
            'Hörmətli {name}!\n\nİcbari tibbi sığorta çərçivəsində illik profilaktik müayinədən ödənişsiz keçə '
            'bilərsiniz. Qeydiyyat üçün ailə həkiminizə müraciət edin.',
        ),
    ),
    'IH-NESIMI': (
        Notice(
            'Vətəndaş qəbulu barədə məlumat',
            'Hörmətli {name}!\n\nBakı şəhəri Nəsimi rayon İcra Hakimiyyətinin başçısı {later} tarixində vətəndaşları '
            'qəbul edəcək. Qəbula mygov platformasının "Vətəndaş qəbulu" bölməsindən yazıla bilərsiniz.',
        ),
    ),
}

DISTRICTS = ('Nəsimi', 'Yasamal', 'Binəqədi', 'Xətai', 'Nərimanov', 'Sabunçu', 'Sumqayıt', 'Gəncə', 'Şəki', 'Quba')
HOMELANDS = ('Ağdam', 'Füzuli', 'Laçın', 'Kəlbəcər', 'Şuşa', 'Zəngilan', 'Qubadlı', 'Cəbrayıl')
STREETS = (
    'Füzuli küçəsi 12',
    'Azadlıq prospekti 84',
    'Nizami küçəsi 5',
    'Həsən bəy Zərdabi küçəsi 41',
    'Ziya Bünyadov prospekti 7',
    'Şərifzadə küçəsi 160',
    'Tbilisi prospekti 23',
    'Mirzə İbrahimov küçəsi 18',
)
NOTARIES = (
    'Bakı şəhəri 3 saylı Dövlət notariat kontoru',
    'Sumqayıt şəhəri 1 saylı Dövlət notariat kontoru',
    'Bakı şəhəri 12 saylı Dövlət notariat kontoru',
)
COURTS = ('Bakı şəhəri Nəsimi Rayon Məhkəməsi', 'Bakı şəhəri Yasamal Rayon Məhkəməsi', 'Sumqayıt Şəhər Məhkəməsi')
MONTHS_AZ = (
    'yanvar',
    'fevral',
    'mart',
    'aprel',
    'may',
    'iyun',
    'iyul',
    'avqust',
    'sentyabr',
    'oktyabr',
    'noyabr',
    'dekabr',
)
# years with their Azerbaijani ordinal suffix
YEARS = ('2012-ci', '2015-ci', '2016-cı', '2017-ci', '2018-ci', '2020-ci', '2021-ci')
