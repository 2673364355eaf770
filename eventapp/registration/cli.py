"""`flask --app wsgi waitlist process [SLUG]`: let lapsed offers go and offer free places (run it from cron);
`flask --app wsgi waitlist recount`: count every event's confirmed registrations afresh."""

import click
from flask.cli import AppGroup

from ..events import service as events
from . import service

waitlist_cli = AppGroup("waitlist", help="The waiting list.")


@waitlist_cli.command("process")
@click.argument("slug", required=False)
def process_command(slug: str | None) -> None:
    """Offer free places to the next people waiting, for one event or every event."""
    chosen = [events.get_event(slug)] if slug else events.list_events()
    if slug and chosen[0] is None:
        raise click.ClickException(f"There is no event {slug!r}.")
    for event in chosen:
        offered = service.process_waitlist(event)
        click.echo(f"{event.slug}: {len(offered)} offer(s) made.")


@waitlist_cli.command("recount")
def recount_command() -> None:
    """Count each event's confirmed registrations afresh. The database keeps the count itself (triggers); run
    this after anything that bypasses triggers, such as a restore made with them disabled or a TRUNCATE."""
    for event in events.list_events():
        before, after = service.recount_confirmed(event)
        click.echo(f"{event.slug}: {after} confirmed" + (f" (the count said {before})" if before != after else ""))
