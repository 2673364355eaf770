"""`flask --app wsgi report SLUG -o report.pdf`: the report PDF from the command line, with a progress bar."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click


@click.command("report")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where to write the PDF (default: SLUG-report.pdf).")
def report_command(slug: str, output: Path | None) -> None:
    """Build the post-event report PDF of event SLUG: ready sections, figures, annex."""
    from . import pdf, service

    event = service.load_event(slug)
    if event is None:
        raise click.ClickException(f"There is no event {slug!r}.")
    output = output or Path(pdf.report_filename(event))
    started = time.monotonic()
    with click.progressbar(length=pdf.REPORT_STEPS, label="Building the report", file=sys.stderr,
                           item_show_func=lambda message: message) as bar:
        last = [0]

        def progress(done: int, total: int, message: str | None = None) -> None:
            bar.update(done - last[0], message)
            last[0] = done

        data = pdf.build_report_pdf(event, progress)
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data) / 1024:,.0f} KiB) in {time.monotonic() - started:.1f} s.")
