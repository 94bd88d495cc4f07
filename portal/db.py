"""Database configuration, migrations and the connection lifecycle (Tortoise ORM)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

from tortoise import Tortoise
from tortoise.connection import connections

MODEL_MODULES = [
    'portal.store.orgs',
    'portal.store.people',
    'portal.store.registry',
    'portal.store.auth',
    'portal.store.audit',
    'portal.store.apikeys',
    'portal.store.device',
    'portal.store.throttle',
    'portal.store.corrections',
    'portal.store.payments',
    'portal.store.letters.models',
    'portal.store.idempotency',
    'portal.store.services.models',
    'portal.store.notices.models',
    'portal.store.consent.models',
    'portal.store.participation.models',
    'portal.store.reception.models',
    'portal.store.news.models',
    'portal.store.heartbeat',
]
SQLITE_PRAGMAS = {'journal_mode': 'WAL', 'synchronous': 'FULL', 'busy_timeout': '5000', 'foreign_keys': 'ON'}


def normalise_url(db_url: str) -> str:
    """Add the durability pragmas to an SQLite URL (WAL, synchronous=FULL, busy timeout)."""
    parts = urlsplit(db_url)
    if parts.scheme != 'sqlite' or db_url.endswith(':memory:'):
        return db_url
    query = dict(SQLITE_PRAGMAS)
    query.update(dict(parse_qsl(parts.query)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def tortoise_config(db_url: str) -> dict[str, Any]:
    return {
        'connections': {'default': normalise_url(db_url)},
        'apps': {'portal': {'models': MODEL_MODULES, 'migrations': 'portal.migrations'}},
        'use_tz': True,
        'timezone': 'UTC',
    }


# read by ``tortoise makemigrations`` ([tool.tortoise] in pyproject.toml)
TORTOISE_ORM = tortoise_config(os.environ.get('PORTAL_DB_URL', 'sqlite://.kabinet/kabinet.sqlite3'))


async def migrate(db_url: str) -> None:
    """Bring the schema up to date through Tortoise's migrations."""
    from tortoise.migrations.api import migrate as run_migrations

    _ensure_sqlite_folder(db_url)
    await run_migrations(config=tortoise_config(db_url))
    await Tortoise.close_connections()


async def open_db(db_url: str, *, migrate_schema: bool = True) -> None:
    if migrate_schema:
        await migrate(db_url)
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        await connections.get('default').execute_query('SELECT 1')
    except Exception:
        return False
    return True


# Written-out statements, for the few hot paths where assembling a statement through the ORM costs more than running
# it. Their parameters are marked ``{}``, one per value in order; ``select`` gives them the connection's own marks.


async def select(statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of a written-out statement as plain values (convert them as the ORM would: ``uuid_of``, a field's
    ``to_python_value``). Inside a transaction it runs on the transaction's connection."""
    return await connections.get('default').execute_query_dict(
        statement.format(*parameter_marks(len(params))), list(params)
    )


def in_list(count: int) -> str:
    """The marks of an ``IN (…)`` list of this many values."""
    return ','.join('{}' for _ in range(count))


def parameter_marks(count: int) -> list[str]:
    """The marks of a written-out statement's parameters, in the default connection's style: $1, $2… on PostgreSQL,
    ? on SQLite."""
    postgres = connections.get('default').capabilities.dialect == 'postgres'
    return [f'${n}' if postgres else '?' for n in range(1, count + 1)]


def uuid_of(value: object) -> UUID:
    """A UUID column's value: PostgreSQL's driver gives a UUID, SQLite its text."""
    return value if isinstance(value, UUID) else UUID(str(value))


def _ensure_sqlite_folder(db_url: str) -> None:
    parts = urlsplit(db_url)
    if parts.scheme == 'sqlite' and not db_url.endswith(':memory:'):
        path = Path(parts.netloc + parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
