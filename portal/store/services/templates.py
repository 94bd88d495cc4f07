"""E-certificate templates, declared as data: which registry records a certificate draws from, who issues it, how
long it holds, and what a citizen without such a record is told.

A template turns the citizen's records into sections of (label, value) rows in the citizen's language; the same
rows are shown on screen, printed in the signed PDF and kept with the issued certificate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency

from portal.errors import N_
from portal.i18n import fmt_date, translate
from portal.store.registry_kinds import KINDS, FieldSpec

Rows = tuple[tuple[str, str], ...]
RELATIONS = {'spouse': N_('spouse'), 'child': N_('child'), 'parent': N_('parent'), 'sibling': N_('brother or sister')}


@dataclass(frozen=True)
class RecordData:
    """One registry record as a template reads it."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Section:
    title: str | None
    rows: Rows


@dataclass(frozen=True)
class Template:
    code: str
    title: str  # msgid
    issuer: str  # the issuing organisation's code
    kinds: tuple[str, ...]  # the registry kinds it reads
    no_record: str  # msgid: why there is nothing to certify
    # which records count (e.g. only a current job, only an actual IDP status)
    keep: Callable[[RecordData], bool] = lambda r: True
    # a certificate of none (no fines) is itself worth certifying
    empty_text: str | None = None
    valid_days: int = 30
    # the fields left out of the certificate (e.g. a debt's status is the point of a fines certificate: kept)
    skip_fields: frozenset[str] = frozenset()

    def sections(self, records: Sequence[RecordData], lang: str) -> tuple[Section, ...]:
        """The certificate's body, or () when the citizen has no record to certify (and none is allowed)."""
        kept = [r for r in records if r.kind in self.kinds and self.keep(r)]
        if not kept:
            if self.empty_text is None:
                return ()
            return (Section(None, ((translate(N_('Records'), lang), translate(self.empty_text, lang)),)),)
        many = len(kept) > 1
        out = []
        for number, record in enumerate(kept, start=1):
            spec = KINDS[record.kind]
            title = f'{translate(spec.title, lang)} {number}' if many else None
            out.append(Section(title, self._rows(spec.fields, record.data, lang)))
        return tuple(out)

    def _rows(self, specs: tuple[FieldSpec, ...], data: dict[str, Any], lang: str) -> Rows:
        rows = []
        for spec in specs:
            value = data.get(spec.name)
            if spec.name in self.skip_fields or value in (None, '', []):
                continue
            rows.append((translate(spec.label, lang), format_value(spec, value, lang)))
        return tuple(rows)


def format_value(spec: FieldSpec, value: Any, lang: str) -> str:
    """A registry value as printed: dates, money and choices in the document's language."""
    if spec.kind == 'date':
        return fmt_date(date.fromisoformat(str(value)), lang)
    if spec.kind == 'gender':
        return translate(N_('male') if value == 'M' else N_('female'), lang)
    if spec.kind == 'money':
        return format_currency(Decimal(str(value)), 'AZN', locale=lang)
    if spec.kind == 'choice':
        return translate(spec.choices.get(str(value), str(value)), lang)
    if spec.kind == 'members':
        return '; '.join(
            f'{m["first_name"]} {m["last_name"]} ({translate(RELATIONS.get(m["relation"], m["relation"]), lang)}, '
            f'{fmt_date(date.fromisoformat(m["birth_date"]), lang)})'
            for m in value
        )
    return str(value)


def _current_job(record: RecordData) -> bool:
    return not record.data.get('ended_on')


def _displaced(record: RecordData) -> bool:
    return record.data.get('status') == 'idp'


def _has_members(record: RecordData) -> bool:
    return bool(record.data.get('members'))


TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            'idp_status',
            N_('Certificate of internally displaced person status'),
            'QMIDK',
            ('idp_status',),
            N_('The State Committee has no record of internally displaced person status for you.'),
            keep=_displaced,
        ),
        Template(
            'residence',
            N_('Certificate of place of residence'),
            'MIA',
            ('address',),
            N_('No registered address is recorded for you.'),
        ),
        Template(
            'family',
            N_('Certificate of family composition'),
            'MOJ',
            ('family',),
            N_('No family members are recorded for you.'),
            keep=_has_members,
        ),
        Template(
            'employment',
            N_('Certificate of place of work'),
            'MLSPP',
            ('employment',),
            N_('No current employment contract is recorded for you.'),
            keep=_current_job,
        ),
        Template(
            'military_registration',
            N_('Certificate of military registration'),
            'SHXCDX',
            ('military_registration',),
            N_('You are not on the military register.'),
        ),
        Template(
            'military_service',
            N_('Certificate of military service'),
            'SHXCDX',
            ('military_service',),
            N_('No military service is recorded for you.'),
        ),
        Template(
            'driving_licence',
            N_('Certificate of driving licence'),
            'DYP',
            ('driving_licence',),
            N_('No driving licence is recorded for you.'),
        ),
        Template(
            'vehicles',
            N_('Certificate of vehicles registered to the citizen'),
            'DYP',
            ('vehicle',),
            N_('No vehicle is registered to you.'),
        ),
        Template(
            'fines',
            N_('Certificate of fines'),
            'DYP',
            ('fine',),
            N_('No fines are recorded for you.'),
            empty_text=N_('No fines are recorded.'),
            valid_days=10,
        ),
        Template(
            'id_card',
            N_('Certificate of identity card data'),
            'MIA',
            ('id_card',),
            N_('No identity card is recorded for you.'),
        ),
        Template(
            'passport',
            N_('Certificate of passport data'),
            'MIA',
            ('passport',),
            N_('No passport is recorded for you.'),
        ),
        Template(
            'diploma',
            N_('Certificate of diploma'),
            'MSE',
            ('diploma',),
            N_('No diploma is recorded for you.'),
        ),
        Template(
            'power_of_attorney',
            N_('Certificate of powers of attorney issued'),
            'MOJ',
            ('power_of_attorney',),
            N_('No power of attorney issued by you is recorded.'),
            keep=lambda r: r.data.get('direction') == 'given',
        ),
    )
}
# the rows about the holder at the top of every certificate
HOLDER_LABELS = (N_('Surname'), N_('First name'), N_('Patronymic'), N_('Date of birth'))
