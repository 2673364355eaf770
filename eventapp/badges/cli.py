"""`flask --app wsgi badges SLUG -o badges.pdf`: all of an event's badges, with a progress bar."""

import sys

import click

from ..events import service as events
from . import service


@click.command("badges")
@click.argument("slug")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--layout", type=click.Choice(list(service.LAYOUTS)), default="a4-4up", show_default=True)
@click.option("--order", type=click.Choice(list(service.ORDERS)), default="surname", show_default=True)
@click.option("--only-new-or-changed", is_flag=True, help="Only badges new or changed since they were last printed.")
@click.option("--mark-printed/--no-mark-printed", default=True, show_default=True,
              help="Record these badges as printed (for a later --only-new-or-changed).")
def badges_command(slug, output, layout, order, only_new_or_changed, mark_printed):
    """Render an event's badges into one PDF."""
    event = events.get_event(slug)
    if event is None:
        raise click.ClickException(f"There is no event {slug!r}.")
    request = service.BatchRequest(event_id=event.id, layout=layout, order=order,
                                   only_new_or_changed=only_new_or_changed)
    with click.progressbar(length=1, label="Rendering badges", file=sys.stderr, show_pos=True) as bar:
        def advance(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            printed = service.render_batch(request, output, progress=advance)
        except service.BadgeError as error:
            raise click.ClickException(str(error)) from error
    if mark_printed:
        service.mark_printed(printed)
    click.echo(f"Wrote {len(printed)} badges to {output}.")
