"""`flask --app wsgi survey send SLUG` and `survey remind`: the survey by mail from the command line (or cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

survey_cli = AppGroup("survey", help="The feedback survey: send it, send the reminders that are due.")


def _event(slug: str):
    from ..events import service as events

    event = events.get_event(slug)
    if event is None:
        raise click.ClickException(f"There is no event {slug!r}.")
    return event


@survey_cli.command("send")
@click.argument("slug")
def send_command(slug: str) -> None:
    """Queue the survey mail to every checked-in attendee of SLUG who has not had it (the default survey is made
    first if the event has none); prints how many."""
    from ..mail import soon
    from . import service

    event = _event(slug)
    survey = service.get_survey(event) or service.create_default_survey(event)
    try:
        sent = service.send_survey(survey)
    except service.SurveyError as error:
        raise click.ClickException(error.message) from error
    if sent:
        soon.deliver_soon()
    click.echo(f"Queued the survey for {sent} attendee{'s' if sent != 1 else ''}.")


@survey_cli.command("remind")
@click.argument("slug", required=False)
def remind_command(slug: str | None) -> None:
    """Queue the one reminder to everyone whose reminder is due (all events, or SLUG's); run it from cron."""
    from ..mail import soon
    from . import service

    report = service.send_reminders(event=_event(slug) if slug else None)
    if report.reminded:
        soon.deliver_soon()
    click.echo(f"Queued {report.reminded} reminder{'s' if report.reminded != 1 else ''}.")
