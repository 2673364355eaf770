"""`flask mail ...`: see what is queued, deliver what is due, retry what did not go."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..models import MailStatus

mail_cli = AppGroup("mail", help="Outgoing mail: list it, deliver it, retry it.")


def _echo_report(report) -> None:
    click.echo(f"Sent {report.sent}, failed {report.failed} ({report.gave_up} for good).")
    if report.stopped:
        click.echo(f"Stopped early: {report.stopped} The rest stay queued.", err=True)
    elif report.errors:
        click.echo(f"Last error: {report.errors[-1]}", err=True)


@mail_cli.command("retry")
@click.option("--include-failed", is_flag=True, help="Also try again the mail that was given up on (FAILED).")
@click.option("--limit", type=click.IntRange(1), help="Send at most this many.")
def retry_command(include_failed: bool, limit: int | None) -> None:
    """Deliver everything pending now, without waiting for each mail's next scheduled attempt."""
    from . import service

    changed = service.retry_now(include_failed=include_failed)
    if changed:
        click.echo(f"{changed} mail{'s' if changed != 1 else ''} brought forward to now.")
    _echo_report(service.deliver_pending(limit=limit))


@mail_cli.command("deliver")
@click.option("--limit", type=click.IntRange(1), help="Send at most this many.")
def deliver_command(limit: int | None) -> None:
    """Deliver the mail that is due, respecting retry back-off: the command to run from cron."""
    from . import service

    _echo_report(service.deliver_pending(limit=limit))


@mail_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in MailStatus]), help="Only mail in this state.")
@click.option("--limit", type=click.IntRange(1), help="Show at most this many (oldest first).")
def list_command(status: str | None, limit: int | None) -> None:
    """One line per mail: id, status, attempts, created, recipient, subject, last error."""
    from . import service

    mails = service.list_mail(MailStatus(status) if status else None, limit=limit)
    for m in mails:
        error = f"\t{m.last_error}" if m.last_error else ""
        click.echo(f"{m.id}\t{m.status.value}\t{m.attempts}\t{m.created_at:%Y-%m-%d %H:%M}Z\t"
                   f"{m.recipient}\t{m.subject}{error}")
    if not mails:
        click.echo("No mail" + (f" with status {status}." if status else "."), err=True)
