"""`flask --app wsgi attendees import SLUG FILE [--dry-run] [--no-mail]`: import an attendee list from the shell."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..events import service as events
from ..mail.soon import deliver_soon
from .import_apply import apply_plan
from .import_file import ImportFileError, read_attendee_file
from .import_plan import REFUSE, plan_import

attendees_cli = AppGroup("attendees", help="Attendees in bulk.")


@attendees_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would happen, row by row; write nothing.")
@click.option("--no-mail", is_flag=True, help="Do not mail the new attendees their link.")
def import_command(slug: str, file: Path, dry_run: bool, no_mail: bool) -> None:
    """Import attendees from a CSV or XLSX file whose first row names the columns (see the README)."""
    event = events.get_event(slug)
    if event is None:
        raise click.ClickException(f"There is no event {slug!r}.")
    try:
        attendees = read_attendee_file(file.name, file.read_bytes())
    except ImportFileError as error:
        raise click.ClickException(error.message) from error
    plan = plan_import(event, attendees)
    if attendees.ignored:
        click.echo(f"Ignored columns: {', '.join(attendees.ignored)}")
    for row in plan.rows:
        if row.action == REFUSE or dry_run:
            why = " ".join(row.reasons) or ", ".join(row.changes)
            click.echo(f"line {row.line}: {row.label}: {row.email}" + (f" ({why})" if why else ""))
    counts = plan.counts
    click.echo(f"Plan: {counts['create']} to confirm, {counts['waitlist']} to the waiting list, {counts['update']} to "
               f"update, {counts['unchanged']} unchanged, {counts['refuse']} refused.")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    with click.progressbar(length=max(len(plan.rows), 1), label="Importing", file=sys.stderr) as bar:
        last = [0]

        def advance(done: int, total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        result = apply_plan(event, plan, mail=not no_mail, progress=advance)
    click.echo(f"Imported: {result.summary()}")
    if not no_mail:
        deliver_soon()
