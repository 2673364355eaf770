"""`flask assign <slug> [--apply]`: run the session assignment from the command line and print its summary."""

from __future__ import annotations

import click

from ..events import service as events
from . import service


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def describe(report: service.AssignmentReport) -> str:
    """The summary an organiser reads: per slot, how many got which choice, then each session's fill."""
    lines = [f"{report.event.name} ({report.event.slug}): {report.confirmed} confirmed attendees"]
    for slot in report.slots:
        choices = ", ".join(f"{_ordinal(c)} choice {n}" for c, n in slot.by_choice.items())
        lines.append(f"{slot.time_slot.label}: {choices}, unranked session {slot.unranked}, no session {slot.none}")
        for line in slot.sessions:
            state = f"over capacity by {line.over}" if line.over else ("full" if not line.free else f"{line.free} free")
            pinned = f", {line.pinned} pinned" if line.pinned else ""
            room = f" [{line.themed_session.room}]" if line.themed_session.room else ""
            lines.append(f"  {line.assigned:>4}/{line.capacity:<4} {line.themed_session.title}{room} ({state}{pinned})")
    return "\n".join(lines)


@click.command("assign")
@click.argument("slug")
@click.option("--apply", "write", is_flag=True, help="Write the assignment (without it, only show what it would be).")
def assign_command(slug: str, write: bool) -> None:
    """Assign the confirmed attendees of event SLUG to its themed sessions, keeping pinned attendees."""
    event = events.get_event(slug)
    if event is None:
        raise click.ClickException(f"There is no event with the slug {slug!r}.")
    try:
        if write:
            applied = service.apply(event)
        else:
            plan = service.preview(event)
    except service.AssignmentError as error:
        raise click.ClickException(error.message) from error
    if write:
        click.echo(describe(applied.report))
        click.echo(f"Applied: {applied.changes} attendee(s) got a new or different session.")
    else:
        click.echo(describe(plan.report))
        click.echo(f"Preview only, nothing written: applying would change {plan.changes} attendee(s)' sessions. "
                   "Run again with --apply to save it.")
