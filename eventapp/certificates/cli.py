"""`flask --app wsgi certificates SLUG -o FILE`: one page per checked-in attendee, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("certificates")
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where to write the PDF.")
def certificates_command(slug: str, output: Path) -> None:
    """Certificates of attendance of event SLUG, one page per checked-in attendee, into one PDF."""
    from ..events import service as events
    from . import service

    event = events.get_event(slug)
    if event is None:
        raise click.ClickException(f"There is no event {slug!r}.")
    with click.progressbar(length=1, label="Making certificates", file=sys.stderr, show_pos=True) as bar:
        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            data, count = service.render_batch(event, progress=advance)
        except service.CertificateError as error:
            raise click.ClickException(str(error)) from error
    output.write_bytes(data)
    click.echo(f"Wrote {count} certificates to {output}.")
