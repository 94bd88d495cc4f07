"""The registered place of residence: the region of a citizen's registered address (the ``address`` record the
Ministry of Internal Affairs keeps), and the local executive whose region it is.

One rule, read both ways: a citizen's local executive (the local e-services that only the executive of the place of
residence provides) and an executive's residents (the notices of a new poll in its district). Residents are found
through an index on the address's region (migration 0009), a page at a time, so a district of hundreds of thousands
costs its own size, never a scan of the registry.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.connection import connections

from portal.store.actors import Role
from portal.store.orgs import Organisation, OrgCategory
from portal.store.people import Person
from portal.store.registry import RegistryRecord

ADDRESS_KIND = 'address'
PAGE = 2000
_FIRST = UUID(int=0)


async def executive_of_region(region: str | None) -> Organisation | None:
    """The local executive of a region (None for no region, or one no executive serves)."""
    if not region:
        return None
    return await Organisation.get_or_none(category=OrgCategory.EXECUTIVE, region=region)


async def residents(*, executive: Organisation, after: UUID | None = None, limit: int = PAGE) -> list[UUID]:
    """The citizens (not officers) whose registered address lies in the executive's region, in id order: a page of at
    most ``limit`` after the id ``after`` (keyset paging, so no page is read twice)."""
    if executive.category is not OrgCategory.EXECUTIVE or not executive.region:
        return []
    conn = connections.get('default')
    records, people = RegistryRecord._meta.db_table, Person._meta.db_table
    postgres = conn.capabilities.dialect == 'postgres'
    # the region's expression is the residence index's (migration 0009), so the database reads the district alone
    region = "r.data ->> 'region'" if postgres else "json_extract(r.data, '$.region')"
    marks = ('$1', '$2', '$3', '$4') if postgres else ('?', '?', '?', '?')
    sql = (
        f'SELECT r.person_id FROM {records} r JOIN {people} p ON p.id = r.person_id '
        f"WHERE r.kind = '{ADDRESS_KIND}' AND r.ref = '' AND {region} = {marks[0]} AND p.role = {marks[1]} "
        f'AND r.person_id > {marks[2]} ORDER BY r.person_id LIMIT {marks[3]}'
    )
    start: Any = after or _FIRST
    params = [executive.region, Role.CITIZEN.value, start if postgres else str(start), limit]
    rows = await conn.execute_query_dict(sql, params)
    return [_uuid(row['person_id']) for row in rows]


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
