"""Operator commands: ``python -m portal …`` (API keys, migrations, demo data, jobs, audit chains)."""

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
webhook_cli = typer.Typer(help="Webhooks: where organisations hear of their requests' decisions.", no_args_is_help=True)
org_cli = typer.Typer(help='Organisations that ask citizens for data.', no_args_is_help=True)
audit_cli = typer.Typer(help='The hash-chained logs (operation history, data access log).', no_args_is_help=True)
cli.add_typer(api_key, name='api-key')
cli.add_typer(jobs_cli, name='jobs')
cli.add_typer(webhook_cli, name='webhook')
cli.add_typer(org_cli, name='org')
cli.add_typer(audit_cli, name='audit')


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


@webhook_cli.command('add')
def webhook_add(
    org: Annotated[str, typer.Option(help='Code of the organisation, e.g. AZERSU')],
    url: Annotated[str, typer.Option(help='The http(s) address the calls are posted to')],
) -> None:
    """Register a webhook. Its signing secret is printed once, as the last line."""
    from portal.store.consent import webhooks

    hook, secret = _run(lambda: webhooks.register_webhook(organisation_code=org, url=url, now=datetime.now(UTC)))
    typer.echo(
        f'Webhook {hook.id} for {org.strip().upper()} at {hook.url}. Calls are signed in the '
        f'{webhooks.SIGNATURE_HEADER} header with this secret; store it now, it cannot be shown again:'
    )
    typer.echo(secret)


@webhook_cli.command('list')
def webhook_list() -> None:
    """List the webhooks, newest first."""
    from portal.store.consent import webhooks

    for hook in _run(webhooks.list_webhooks):
        state = 'active' if hook.active else 'removed'
        typer.echo(
            f'{hook.id}  {hook.organisation_code:12} {state:8} {hook.created_at.isoformat(timespec="seconds")}  '
            f'{hook.url}  (waiting {hook.pending}, failed {hook.failed})'
        )


@webhook_cli.command('remove')
def webhook_remove(webhook_id: Annotated[str, typer.Argument(help='The id printed when it was added')]) -> None:
    """Stop a webhook: no more calls go to it."""
    from portal.store.consent import webhooks

    if not _run(lambda: webhooks.remove_webhook(webhook_id)):
        typer.echo('No active webhook has this id.', err=True)
        raise typer.Exit(1)
    typer.echo('Removed.')


@org_cli.command('add')
def org_add(
    code: Annotated[str, typer.Option(help='A unique code, upper-case, e.g. KAPITALBANK')],
    name: Annotated[str, typer.Option(help='The name in Azerbaijani')],
    kind: Annotated[str, typer.Option(help='The kind of organisation: company')] = 'company',
    name_en: Annotated[str | None, typer.Option(help='The name in English')] = None,
) -> None:
    """Register a company that asks citizens for their data (agencies and local executives come from the lists)."""
    from portal.store.consent import webhooks

    if kind != webhooks.COMPANY_KIND:
        typer.echo(f'Only companies are added here (--kind {webhooks.COMPANY_KIND}).', err=True)
        raise typer.Exit(2)
    organisation = _run(lambda: webhooks.register_company(code=code, name_az=name, name_en=name_en))
    typer.echo(f'Organisation {organisation.code} ({organisation.name_az}) registered.')


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


@audit_cli.command('verify')
def audit_verify() -> None:
    """Recompute every hash of the history and access chains; exit code 1 when one is broken."""
    from portal.store import chain
    from portal.store.audit import verify_history
    from portal.store.consent.permissions import verify_access_log

    async def both() -> list[chain.Verdict]:
        return [await verify_history(), await verify_access_log()]

    verdicts = _run(both)
    for verdict in verdicts:
        if verdict.ok:
            typer.echo(f'{verdict.chain}: ok: {verdict.checked} entries')
        else:
            typer.echo(f'{verdict.chain}: BROKEN at entry #{verdict.broken_at}: {verdict.reason}')
    if not all(verdict.ok for verdict in verdicts):
        raise typer.Exit(1)


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
