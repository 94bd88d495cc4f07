"""The e-service catalogue ("Bütün xidmətlər"): services declared as data in ``portal/data/services/*.json``, loaded
into the ``services`` table, browsed by agency ("Qurumlar üzrə") and by category, and searched in full text.

The catalogue is public: these use cases take no actor.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from portal.errors import N_, Invalid, NotFound
from portal.store.letters.models import search_key
from portal.store.orgs import DATA_DIR, Organisation, OrgCategory
from portal.store.registry_kinds import KINDS
from portal.store.services.forms import FORMS
from portal.store.services.models import Service, ServiceKind
from portal.store.services.templates import TEMPLATES

CATALOGUE_DIR = DATA_DIR / 'services'
# a service provided by the citizen's own local executive (any of them): listed under the capital's executive
LOCAL = 'IH'
LOCAL_LISTED_UNDER = 'IH-BAKI-SHAHAR'
QUERY_MAX = 200
CATEGORIES: dict[str, str] = {
    'identity': N_('Identity documents and registration'),
    'family': N_('Family and children'),
    'social': N_('Social protection, pensions and employment'),
    'education': N_('Education and science'),
    'health': N_('Health'),
    'transport': N_('Transport and driving'),
    'property': N_('Property, land and construction'),
    'tax': N_('Taxes, fees and fines'),
    'justice': N_('Justice and notary'),
    'military': N_('Military service'),
    'business': N_('Business and licences'),
    'utilities': N_('Utilities and communications'),
    'agriculture': N_('Agriculture'),
    'culture': N_('Culture, youth and sport'),
    'environment': N_('Environment and natural resources'),
    'local': N_('Local executive services'),
}
_CODE = re.compile(r'^[a-z0-9-]{1,80}$')


class _Lines(BaseModel):
    model_config = ConfigDict(extra='forbid')
    az: list[str] = Field(default_factory=list, max_length=12)
    en: list[str] = Field(default_factory=list, max_length=12)


class Entry(BaseModel):
    """One service as the data files declare it."""

    model_config = ConfigDict(extra='forbid', str_strip_whitespace=True)
    code: str
    provider: str
    category: str
    kind: ServiceKind
    action: str = ''
    title_az: str = Field(min_length=3, max_length=255)
    title_en: str = Field(min_length=3, max_length=255)
    summary_az: str = Field(default='', max_length=2000)
    summary_en: str = Field(default='', max_length=2000)
    requirements: _Lines = Field(default_factory=_Lines)
    duration_days: int = Field(default=0, ge=0, le=365)
    url: str = Field(default='', max_length=500)

    @field_validator('code')
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.fullmatch(value):
            raise ValueError('a code is lowercase letters, digits and dashes')
        return value

    @field_validator('category')
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f'unknown category {value!r}')
        return value

    @model_validator(mode='after')
    def _action_fits_kind(self) -> Entry:
        if self.url and not self.url.startswith('https://'):
            raise ValueError('links go to https addresses only')
        if self.kind is ServiceKind.EXTERNAL:
            if self.action or not self.url:
                raise ValueError('an external service has a link to its provider and no action')
            return self
        prefix, _, target = self.action.partition(':')
        known: dict[str, Any] = {
            'certificate': TEMPLATES,
            'application': FORMS,
            'records': KINDS,
            'payment': {k for k, spec in KINDS.items() if spec.payable},
            'letter': None,
        }
        if prefix != self.kind.value or not target or (known[prefix] is not None and target not in known[prefix]):
            raise ValueError(f'the action {self.action!r} does not fit a {self.kind.value} service')
        return self


@dataclass(frozen=True)
class ServiceView:
    code: str
    kind: ServiceKind
    action: str
    category: str
    provider_code: str
    provider_name_az: str
    provider_name_en: str | None
    title_az: str
    title_en: str
    summary_az: str
    summary_en: str
    requirements: dict[str, list[str]]
    duration_days: int
    url: str
    # provided by the citizen's own local executive, whichever it is
    local: bool

    @property
    def target(self) -> str:
        """What the action works on: a template, a form, a registry kind or an organisation code."""
        return self.action.partition(':')[2]

    @property
    def working(self) -> bool:
        return self.kind is not ServiceKind.EXTERNAL

    def title(self, lang: str) -> str:
        return self.title_en if lang == 'en' and self.title_en else self.title_az

    def summary(self, lang: str) -> str:
        return self.summary_en if lang == 'en' and self.summary_en else self.summary_az

    def requirement_lines(self, lang: str) -> list[str]:
        key = 'en' if lang == 'en' and self.requirements.get('en') else 'az'
        return list(self.requirements.get(key, []))

    def provider_name(self, lang: str) -> str:
        return self.provider_name_en if lang == 'en' and self.provider_name_en else self.provider_name_az


@dataclass(frozen=True)
class ProviderSummary:
    code: str
    name_az: str
    name_en: str | None
    services: int

    def name(self, lang: str) -> str:
        return self.name_en if lang == 'en' and self.name_en else self.name_az


def shipped_entries() -> list[dict[str, Any]]:
    """Every entry of the shipped data files, in file order (files sorted by name)."""
    entries: list[dict[str, Any]] = []
    for path in sorted(CATALOGUE_DIR.glob('*.json')):
        entries += json.loads(path.read_text(encoding='utf-8'))
    return entries


async def load_catalogue(*, entries: list[dict[str, Any]] | None = None) -> int:
    """Check every entry, then write them all in one transaction (new codes created, known ones updated; nothing
    else touched). Running it twice changes nothing. Returns the number of entries."""
    raw = shipped_entries() if entries is None else entries
    checked = [_check(i, e) for i, e in enumerate(raw)]
    twice = [code for code, n in Counter(e.code for e in checked).items() if n > 1]
    if twice:
        raise Invalid('catalogue_invalid', N_('Service {service}: the code is used twice.'), service=twice[0])
    orgs = {o.code: o for o in await Organisation.all()}
    local = orgs.get(LOCAL_LISTED_UNDER) or next(
        (o for o in orgs.values() if o.category is OrgCategory.EXECUTIVE), None
    )
    for entry in checked:
        if (local if entry.provider == LOCAL else orgs.get(entry.provider)) is None:
            raise Invalid('catalogue_invalid', N_('Service {service}: unknown provider.'), service=entry.code)
    existing = {s.code: s for s in await Service.all()}
    created: list[Service] = []
    async with in_transaction():
        for position, entry in enumerate(checked):
            provider = local if entry.provider == LOCAL else orgs[entry.provider]
            assert provider is not None
            values: dict[str, Any] = {
                'provider_id': provider.id,
                'category': entry.category,
                'kind': entry.kind,
                'action': entry.action,
                'title_az': entry.title_az,
                'title_en': entry.title_en,
                'summary_az': entry.summary_az,
                'summary_en': entry.summary_en,
                'requirements': entry.requirements.model_dump(),
                'duration_days': entry.duration_days,
                'url': entry.url,
                'search_text': search_key(entry.title_az, entry.title_en, entry.summary_az, entry.summary_en),
                'position': position,
            }
            row = existing.get(entry.code)
            if row is None:
                created.append(Service(code=entry.code, **values))
            elif any(getattr(row, k) != v for k, v in values.items()):
                await Service.filter(id=row.id).update(**values)
        await Service.bulk_create(created, batch_size=200)
    return len(checked)


def _check(index: int, raw: Any) -> Entry:
    code = raw.get('code', f'#{index + 1}') if isinstance(raw, dict) else f'#{index + 1}'
    try:
        return Entry.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = '.'.join(str(p) for p in first.get('loc', ()))
        raise Invalid(
            'catalogue_invalid',
            N_('Service {service}: {problem}'),
            service=str(code),
            problem=f'{where}: {first.get("msg")}' if where else str(first.get('msg')),
        ) from None


# -- reading --------------------------------------------------------------------------------------------------------


async def get_service(*, code: str) -> ServiceView:
    row = await Service.get_or_none(code=str(code).strip().lower()[:80]).prefetch_related('provider')
    if row is None:
        raise NotFound('service_not_found', N_('There is no such service.'))
    return _view(row)


async def list_services(*, category: str | None = None, provider_code: str | None = None) -> list[ServiceView]:
    query = Service.all()
    if category is not None:
        if category not in CATEGORIES:
            raise Invalid('unknown_category', N_('There is no such category.'), field='category')
        query = query.filter(category=category)
    if provider_code is not None:
        code = provider_code.strip().upper()
        if code == LOCAL:
            query = query.filter(Q(kind=ServiceKind.APPLICATION) | Q(category='local'))
        else:
            query = query.filter(provider__code=code)
    return [_view(r) for r in await query.prefetch_related('provider').order_by('position')]


async def search_services(*, query: str, limit: int = 50) -> list[ServiceView]:
    """Every word must occur (in either language, Azerbaijani case rules); matches in the title come first."""
    words = search_key(str(query)).split()
    if not words:
        raise Invalid('empty_query', N_('Type what you are looking for.'), field='q')
    if len(query) > QUERY_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='q', limit=QUERY_MAX)
    found = Service.all()
    for word in words[:8]:
        found = found.filter(search_text__contains=word)
    rows = await found.prefetch_related('provider').order_by('position')
    views = [_view(r) for r in rows]

    def rank(view: ServiceView) -> int:
        title = search_key(view.title_az, view.title_en)
        return -sum(1 for w in words if w in title)

    return sorted(views, key=rank)[: max(1, min(limit, 200))]


async def providers_with_services() -> list[ProviderSummary]:
    """The agencies with their number of services ("Qurumlar üzrə"), by name; local executives' services as one."""
    rows = await Service.all().prefetch_related('provider')
    counts: Counter[str] = Counter()
    names: dict[str, tuple[str, str | None]] = {}
    for row in rows:
        if _is_local(row):
            counts[LOCAL] += 1
            continue
        counts[row.provider.code] += 1
        names[row.provider.code] = (row.provider.name_az, row.provider.name_en)
    summaries = [ProviderSummary(code, *names[code], counts[code]) for code in names]
    summaries.sort(key=lambda p: search_key(p.name_az))
    if counts[LOCAL]:
        summaries.append(ProviderSummary(LOCAL, 'Yerli icra hakimiyyətləri', 'Local executives', counts[LOCAL]))
    return summaries


async def category_counts() -> dict[str, int]:
    rows = await Service.all().values_list('category', flat=True)
    counts = Counter(str(c) for c in rows)
    return {category: counts[category] for category in CATEGORIES if counts[category]}


async def count_all() -> int:
    return await Service.all().count()


async def count_working() -> int:
    return await Service.exclude(kind=ServiceKind.EXTERNAL).count()


async def services_for_action(prefix: str) -> dict[str, ServiceView]:
    """Working services by what they act on, e.g. ``services_for_action('certificate:')`` → template → service."""
    rows = await Service.filter(action__startswith=prefix).prefetch_related('provider')
    return {r.action.removeprefix(prefix): _view(r) for r in rows}


def _is_local(row: Service) -> bool:
    return row.kind is ServiceKind.APPLICATION or row.category == 'local'


def _view(row: Service) -> ServiceView:
    provider = row.provider
    local = _is_local(row)
    return ServiceView(
        code=row.code,
        kind=row.kind,
        action=row.action,
        category=row.category,
        provider_code=LOCAL if local else provider.code,
        provider_name_az='Yerli icra hakimiyyəti' if local else provider.name_az,
        provider_name_en='Local executive' if local else provider.name_en,
        title_az=row.title_az,
        title_en=row.title_en,
        summary_az=row.summary_az,
        summary_en=row.summary_en,
        requirements=dict(row.requirements or {}),
        duration_days=row.duration_days,
        url=row.url,
        local=local,
    )
