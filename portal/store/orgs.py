"""Agencies and local executives, from the reference lists shipped in ``portal/data``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from portal.errors import N_, NotFound

DATA_DIR = Path(__file__).resolve().parent.parent / 'data'
_ASCII = str.maketrans('əƏıİöÖüÜşŞçÇğĞ', 'eEiIoOuUsScCgG')


class OrgCategory(StrEnum):
    AGENCY = 'agency'
    EXECUTIVE = 'executive'


class Organisation(Model):
    id = fields.UUIDField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    category = fields.CharEnumField(OrgCategory, max_length=16)
    kind = fields.CharField(max_length=32)
    name_az = fields.CharField(max_length=255)
    name_en = fields.CharField(max_length=255, null=True)
    region = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'organisations'
        ordering = ('name_az',)

    @property
    def topic(self) -> str:
        return f'{self.category.value}:{self.id}'

    def display_name(self, lang: str) -> str:
        return self.name_en if lang == 'en' and self.name_en else self.name_az


def reference_organisations() -> list[dict[str, Any]]:
    """Every agency and local executive of the shipped lists, with a stable unique code."""
    agencies = json.loads((DATA_DIR / 'agencies.json').read_text(encoding='utf-8'))
    executives = json.loads((DATA_DIR / 'local_executives.json').read_text(encoding='utf-8'))
    rows = [{**a, 'category': OrgCategory.AGENCY, 'region': None} for a in agencies]
    for e in executives:
        slug = e['region'].translate(_ASCII).upper().replace(' ', '-')
        code = f'IH-{slug}' if e['kind'] != 'city' else f'IH-{slug}-SHAHAR'
        rows.append({**e, 'code': code, 'category': OrgCategory.EXECUTIVE, 'name_en': None})
    return rows


async def ensure_reference_organisations() -> int:
    """Create the shipped agencies and local executives that the database lacks (those it has are left alone);
    returns how many were created. Run at every start outside demo mode, so a new portal has its organisations."""
    known = set(await Organisation.all().values_list('code', flat=True))
    missing = [
        Organisation(**{k: r[k] for k in ('code', 'category', 'kind', 'name_az', 'name_en', 'region')})
        for r in reference_organisations()
        if r['code'] not in known
    ]
    await Organisation.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


async def get_organisation(*, code: str) -> Organisation:
    org = await Organisation.get_or_none(code=code.strip().upper())
    if org is None:
        raise NotFound('organisation_not_found', N_('No agency or local executive has this code.'))
    return org


async def get_organisation_by_id(organisation_id: UUID) -> Organisation:
    org = await Organisation.get_or_none(id=organisation_id)
    if org is None:
        raise NotFound('organisation_not_found', N_('No agency or local executive has this code.'))
    return org


async def list_organisations(*, category: OrgCategory | None = None) -> list[Organisation]:
    query = Organisation.all() if category is None else Organisation.filter(category=category)
    return await query.order_by('name_az')
