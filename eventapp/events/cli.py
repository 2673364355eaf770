"""`flask events import FILE.yaml` and `flask events export SLUG`: an event as a file, both ways."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

events_cli = AppGroup("events", help="Set up events from files and write them out.")


@events_cli.command("import")
@click.argument("path", type=click.File("r", encoding="utf-8"))
def import_command(path) -> None:
    """Create the event FILE describes, or update the one with its slug (importing twice changes nothing)."""
    from .programme import SetupRefused
    from .setup import import_event
    from .spec import SpecError, parse_event_file

    try:
        result = import_event(parse_event_file(path.read()))
    except SpecError as error:
        _refuse(path.name, [str(p) for p in error.problems])
    except SetupRefused as error:
        _refuse(path.name, error.problems)
    event = result.event
    if result.created:
        click.echo(f"Created {event.slug} ({event.state.value}): {len(event.time_slots)} slots, "
                   f"{len(event.themed_sessions)} themed sessions, {len(event.partner_links)} partners.")
    elif result.changed:
        click.echo(f"Updated {event.slug}: {', '.join(result.changed)}.")
    else:
        click.echo(f"{event.slug} is already as the file describes: nothing changed.")


def _refuse(name: str, problems: list[str]) -> None:
    click.echo(f"{name} was not imported; nothing was changed. {len(problems)} problem(s):", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@events_cli.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write the file (standard output by default).")
def export_command(slug: str, output) -> None:
    """Write the event SLUG in the format `events import` reads."""
    from .dump import dump_event_file
    from .service import get_event
    from .setup import export_spec

    event = get_event(slug)
    if event is None:
        raise click.ClickException(f"No event has the slug {slug!r}.")
    output.write(dump_event_file(export_spec(event)))
