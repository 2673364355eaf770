"""Flask commands: demo data and staff users (later features add theirs here)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import or_

from .extensions import db
from .models import StaffRole

users_cli = AppGroup("users", help="Staff accounts.")


@click.command("demo")
@click.option("--attendees", default=0, show_default=True, type=click.IntRange(0, 100_000),
              help="How many synthetic registrations the demo conference should have.")
def demo_command(attendees: int) -> None:
    """Create the demo conference from the brief (london-p2p-2018); running it again duplicates nothing."""
    from .demo.service import seed_demo

    with click.progressbar(length=max(attendees, 1), label="Seeding attendees", file=sys.stderr) as bar:
        last = [0]

        def advance(done: int, total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        summary = seed_demo(attendees=attendees, progress=advance)
    verb = "Created" if summary.created_event else "Found"
    click.echo(
        f"{verb} {summary.event.slug}: {len(summary.event.themed_sessions)} themed sessions; "
        f"{summary.attendees_added} attendees added, {summary.attendees_total} registered."
    )


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in StaffRole]))
@click.option("--organisation", help="For a report editor: the partner organisation they draft for.")
@click.option("--name", "display_name", help="The name shown to colleagues.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, organisation: str | None, display_name: str | None,
                        password_stdin: bool) -> None:
    """Create a staff account; the password is generated and printed once unless read from stdin."""
    from sqlalchemy import func, select

    from .auth.passwords import generate_password
    from .auth.service import StaffAccountError, create_staff_user
    from .models import Organisation

    org = None
    if organisation:
        org = db.session.execute(
            select(Organisation).where(func.lower(Organisation.name).contains(organisation.lower()))
        ).scalars().all()
        if len(org) != 1:
            names = ", ".join(o.name for o in org) or "none"
            raise click.UsageError(
                f"--organisation {organisation!r} must match exactly one organisation (matched: {names})."
            )
        org = org[0]
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        user = create_staff_user(email, password, role, organisation=org, display_name=display_name)
    except StaffAccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}" + (f" for {org.name}" if org else "") + ".")
    if not password_stdin:
        click.echo(f"Password (shown once): {password}")


@users_cli.command("invite")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in StaffRole]))
@click.option("--organisation", help="For a report editor: the partner organisation they draft for.")
def invite_user_command(email: str, role: str, organisation: str | None) -> None:
    """Invite someone: they choose their password at a single-use link (72 hours). Mailed when a mail server is
    set (MAIL_SERVER); printed here otherwise, for you to pass on."""
    from .auth.mails import mail_server_configured
    from .auth.service import StaffAccountError
    from .auth.staff import invite

    org = _organisation_or_fail(organisation) if organisation else None
    mailed = mail_server_configured()
    try:
        invitation = invite(email, role, organisation=org, send_mail=mailed)
    except StaffAccountError as error:
        raise click.ClickException(str(error)) from error
    who = f"{invitation.user.role.value} {invitation.user.email}" + (f" for {org.name}" if org else "")
    if mailed:
        from .mail.service import deliver_pending

        deliver_pending()
        click.echo(f"Invited {who}; the link is mailed (it works once, for 72 hours).")
    else:
        click.echo(f"Invited {who}. No mail server is set: give them this link (it works once, for 72 hours):")
        click.echo(invitation.url)


def _organisation_or_fail(organisation: str):
    from sqlalchemy import func, select

    from .models import Organisation

    found = db.session.execute(select(Organisation).where(or_(
        func.lower(Organisation.short_name) == organisation.lower(),
        func.lower(Organisation.name).contains(organisation.lower())))).scalars().all()
    exact = [o for o in found if (o.short_name or "").lower() == organisation.lower()]
    found = exact or found
    if len(found) != 1:
        names = ", ".join(o.name for o in found) or "none"
        raise click.UsageError(
            f"--organisation {organisation!r} must match exactly one organisation (matched: {names}).")
    return found[0]


@users_cli.command("list")
def list_users_command() -> None:
    """List staff accounts and their roles."""
    from sqlalchemy import select

    from .models import StaffUser

    for user in db.session.execute(select(StaffUser).order_by(StaffUser.email)).scalars():
        org = f" ({user.organisation.name})" if user.organisation else ""
        state = "" if user.active else " [inactive]"
        click.echo(f"{user.email}\t{user.role.value}{org}{state}")


def _staff_or_fail(email: str):
    from .auth.service import find_staff_by_email

    user = find_staff_by_email(email)
    if user is None:
        raise click.ClickException(f"No staff account for {email}.")
    return user


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """Stop an account from logging in; every session it has ends at once."""
    from .auth.service import deactivate

    user = _staff_or_fail(email)
    deactivate(user)
    db.session.commit()
    click.echo(f"Deactivated {user.email}; every session of the account has ended.")


@users_cli.command("reactivate")
@click.argument("email")
def reactivate_user_command(email: str) -> None:
    """Let a deactivated account log in again (its old sessions stay ended)."""
    from .auth.service import reactivate

    user = _staff_or_fail(email)
    reactivate(user)
    db.session.commit()
    click.echo(f"Reactivated {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give an account a new password (printed once unless read from stdin); every session it has ends."""
    from .auth.passwords import generate_password
    from .auth.service import StaffAccountError, set_password

    user = _staff_or_fail(email)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        set_password(user, password)
    except StaffAccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"New password set for {user.email}; every session of the account has ended.")
    if not password_stdin:
        click.echo(f"Password (shown once): {password}")


@click.command("demo-admin")
def demo_admin_command() -> None:
    """Make sure the demo admin exists and print its login (the password is kept in instance/)."""
    from .auth.passwords import generate_password
    from .auth.service import create_staff_user, find_staff_by_email, set_password

    email = "admin@example.org"
    secret_file = Path(current_app.instance_path) / "demo-admin-password"
    if secret_file.exists():
        password = secret_file.read_text().strip()
    else:
        password = generate_password()
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password)
    user = find_staff_by_email(email)
    if user is None:
        create_staff_user(email, password, StaffRole.ADMIN, display_name="Demo admin")
    else:
        set_password(user, password)
    db.session.commit()
    click.echo(f"Admin login: {email} / {password}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run background jobs from the Redis queue (REDIS_URL); without Redis, jobs run in the web process."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run in a thread of the web process; no worker needed.")
    from .jobs.worker import run_worker

    run_worker(current_app._get_current_object(), burst=burst)


def register_cli(app: Flask) -> None:
    # Each feature's commands live in its own cli.py; imported here, when the app is built.
    from .assignment.cli import assign_command
    from .badges.cli import badges_command
    from .certificates.cli import certificates_command
    from .events.cli import events_cli
    from .mail.cli import mail_cli
    from .registration.cli import waitlist_cli
    from .registration.import_cli import attendees_cli
    from .report.cli import report_command
    from .retention.cli import retention_cli
    from .survey.cli import survey_cli

    for command in (demo_command, demo_admin_command, users_cli, worker_command, assign_command, badges_command,
                    mail_cli, report_command, waitlist_cli, events_cli, survey_cli, certificates_command,
                    retention_cli, attendees_cli):
        app.cli.add_command(command)
