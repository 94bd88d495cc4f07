"""Operator commands: ``python -m portal …`` (API keys, migrations, demo data, jobs)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from portal import db
from portal.config import get_settings
from portal.errors import DomainError

T = TypeVar('T')
cli = typer.Typer(help='Kabinet operator commands.', no_args_is_help=True, add_completion=False)
api_key = typer.Typer(help='API keys of integrators.', no_args_is_help=True)
jobs_cli = typer.Typer(help='Scheduled jobs.', no_args_is_help=True)
cli.add_typer(api_key, name='api-key')
cli.add_typer(jobs_cli, name='jobs')


@api_key.command('create')
def api_key_create(
    agency: Annotated[str, typer.Option(help='Code of the agency or local executive, e.g. MIA')],
    scope: Annotated[list[str], typer.Option(help='A scope; repeat for several, e.g. registry:write')],
    name: Annotated[str, typer.Option(help='A name for the integration')] = '',
) -> None:
    """Create a key. It is printed once, as the last line; only its hash is stored."""
    from portal.store import apikeys

    client, key = _run(
        lambda: apikeys.create_api_key(organisation_code=agency, scopes=scope, name=name, now=datetime.now(UTC))
    )
    typer.echo(
        f'API key for {agency.upper()} ({", ".join(client.scopes)}), id {client.lookup}. '
        'Store it now; it cannot be shown again:'
    )
    typer.echo(key)


@api_key.command('revoke')
def api_key_revoke(key_id: Annotated[str, typer.Argument(help='The id printed when the key was created')]) -> None:
    """Revoke a key at once."""
    from portal.store import apikeys

    if not _run(lambda: apikeys.revoke_api_key(lookup=key_id, now=datetime.now(UTC))):
        typer.echo('No active key has this id.', err=True)
        raise typer.Exit(1)
    typer.echo('Revoked.')


@cli.command('migrate')
def migrate() -> None:
    """Bring the database schema up to date."""
    asyncio.run(db.migrate(get_settings().db_url))
    typer.echo('Database is up to date.')


@cli.command('seed-demo')
def seed_demo() -> None:
    """Fill an empty database with the demo data."""
    from portal.store.demo import seed_demo as seed

    created = _run(lambda: seed(now=datetime.now(UTC)))
    typer.echo('Demo data created.' if created else 'The database already has data; nothing done.')


@cli.command('catalogue-load')
def catalogue_load(
    paths: Annotated[
        list[Path] | None, typer.Argument(help='JSON files of services (default: the shipped catalogue)')
    ] = None,
) -> None:
    """Load the e-service catalogue: every entry is checked first, then all are written in one transaction."""
    from portal.store.services.catalogue import load_catalogue

    entries = None
    if paths:
        entries = []
        for path in paths:
            entries += json.loads(path.read_text(encoding='utf-8'))
    count = _run(lambda: load_catalogue(entries=entries))
    typer.echo(f'{count} services loaded.')


@jobs_cli.command('run')
def jobs_run(
    name: Annotated[str, typer.Argument(help='The job id from the schedule table')],
    now: Annotated[str | None, typer.Option(help='Run as if it were this ISO time')] = None,
) -> None:
    """Run one scheduled job once."""
    from jobs.scheduler import SCHEDULE, run_job

    if name not in {job.id for job in SCHEDULE}:
        typer.echo(f'Unknown job {name!r}. Jobs: {", ".join(job.id for job in SCHEDULE)}', err=True)
        raise typer.Exit(2)
    moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    result = _run(lambda: run_job(name, moment))
    typer.echo(f'{name}: {result}')


@jobs_cli.command('list')
def jobs_list() -> None:
    """List the schedule table."""
    from jobs.scheduler import SCHEDULE

    for job in SCHEDULE:
        typer.echo(f'{job.id:22} {job.trigger}  {job.description}')


def _run(action: Callable[[], Awaitable[T]]) -> T:
    async def main() -> Any:
        await db.open_db(get_settings().db_url)
        try:
            return await action()
        finally:
            await db.close_db()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        message = exc.message.format(**exc.params) if exc.params else exc.message
        typer.echo(f'Error: {message}', err=True)
        raise typer.Exit(1) from exc
