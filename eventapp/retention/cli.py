"""`flask retention run`: anonymise the attendees of every event whose retention period is over."""

from __future__ import annotations

import click
from flask.cli import AppGroup

retention_cli = AppGroup("retention", help="Data retention: anonymise attendees once their event's period is over.")


@retention_cli.command("run")
def run_command() -> None:
    """Anonymise every event whose retention period (months after its end, from its settings) is over."""
    from . import service

    done = service.run_due()
    for result in done:
        click.echo(result.summary())
    if not done:
        click.echo("No event is due for anonymisation.")
