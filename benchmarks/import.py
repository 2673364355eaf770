"""Attendee import and group mail at 10,000 people, beside the floor in the same run.

    .venv/bin/python benchmarks/import.py [--rows 10000] [--postgresql]

1. Importing a CSV of --rows attendees: the dry run (read the file, check every row with the registration form's
   rules, plan) and the real import (the same, then the writes a batch at a time under the event's capacity lock,
   each newcomer's letter rendered and queued); beside a bare `executemany` of the same registration rows
   (precomputed columns, no checks, no letters) into the same database, in the same run. Aim: real < 10x bare.
2. Sending a group message to the --rows imported attendees through a local SMTP server (aiosmtpd, in this process): the
   message job end to end (render each copy with its placeholders, queue it in the outbox, deliver): mails per
   second.

Memory: tracemalloc's peak of Python allocations during each step (run in a separate pass from the timing, as
tracemalloc slows Python down), and this process's peak RSS (VmHWM) at the end.
SQLite by default (a temporary file); --postgresql uses a fresh database eventapp_import_bench on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["FLASK_SKIP_DOTENV"] = "1"

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "eventapp_import_bench"


def database_url(postgresql: bool, folder: Path, name: str) -> str:
    if not postgresql:
        return f"sqlite:///{folder / (name + '.sqlite3')}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}_{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}_{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_NAME}_{name}"


def make_app(url: str, folder: Path, **overrides):
    from flask_migrate import upgrade

    from eventapp import create_app

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": folder, "MAIL_DELIVERY": "inline",
                                 "SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False, **overrides})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def attendee_csv(rows: int, sessions: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First name", "Last name", "E-mail", "Organization", "Type", "Country", "Job title",
                     "Preferences"])
    kinds = ["government", "ngo", "academic", "private", "funder"]
    for i in range(rows):
        writer.writerow([f"Guest{i}", f"Surname{i % 977}", f"guest{i}@example.org", f"Organisation {i % 400}",
                         kinds[i % len(kinds)], ["KE", "GB", "Brazil", "IND", "fr"][i % 5], "Adviser",
                         f"{sessions[i % len(sessions)]}; {(i + 1) % len(sessions) + 1}"])
    return out.getvalue().encode()


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measured(step, memory: bool):
    """(seconds, peak MB of Python allocations or None, result)."""
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return seconds, peak, result


def fresh_event(app):
    from eventapp.demo.service import seed_demo
    from eventapp.extensions import db

    with app.app_context():
        event = seed_demo(attendees=0).event
        event.capacity = None
        db.session.commit()
        return event.id, [s.title for s in event.themed_sessions]


def bare_insert(app, event_id: int, rows: int) -> float:
    """The floor: the same registration rows, columns computed beforehand, one executemany and a commit."""
    from sqlalchemy import delete, insert

    from eventapp.extensions import db
    from eventapp.models import Event, Organisation, OrganisationKind, Registration, RegistrationStatus, utcnow
    from eventapp.registration.statements import NEW_REGISTRATION_COLUMNS
    from eventapp.tokens import new_badge_secret, new_manage_secret

    with app.app_context():
        event = db.session.get(Event, event_id)
        organisation = Organisation(name="Bare Org", kind=OrganisationKind.OTHER)
        db.session.add(organisation)
        db.session.commit()
        now = utcnow()
        values = [{
            "event_id": event.id, "full_name": f"Guest{i} Surname{i % 977}", "given_name": f"Guest{i}",
            "family_name": f"Surname{i % 977}", "email": f"bare{i}@example.org", "email_key": f"bare{i}@example.org",
            "organisation_id": organisation.id, "job_title": "Adviser", "country": "KE", "accessibility_needs": None,
            "dietary_needs": None, "consent_privacy": True, "consent_listed": False,
            "status": RegistrationStatus.CONFIRMED, "badge_secret": new_badge_secret(),
            "manage_secret": new_manage_secret(), "badge_changed_at": now, "waitlisted_at": None, "created_at": now,
            "updated_at": now} for i in range(rows)]
        assert set(values[0]) == set(NEW_REGISTRATION_COLUMNS)
        started = time.perf_counter()
        db.session.execute(insert(Registration.__table__), values)
        db.session.commit()
        seconds = time.perf_counter() - started
        db.session.execute(delete(Registration).where(Registration.email.like("bare%")))  # not the import's people
        db.session.commit()
        return seconds


def run_import(app, event_id: int, data: bytes, dry_run: bool):
    from eventapp.extensions import db
    from eventapp.models import Event
    from eventapp.registration.import_apply import apply_plan
    from eventapp.registration.import_file import read_attendee_file
    from eventapp.registration.import_plan import plan_import

    with app.app_context():
        event = db.session.get(Event, event_id)
        plan = plan_import(event, read_attendee_file("guests.csv", data))
        if dry_run:
            return plan.counts
        result = apply_plan(event, plan, mail=True)
        db.session.remove()
        return result.summary()


def send_message(app, event_id: int):
    from sqlalchemy import delete

    from eventapp.extensions import db
    from eventapp.messages import service
    from eventapp.models import GroupMessage, Job, JobStatus, OutboundMail

    with app.app_context():
        db.session.execute(delete(OutboundMail))  # the import's letters are not this benchmark's
        message = GroupMessage(event_id=event_id, audience="confirmed", subject="News for {{ name }}",
                               body="Dear {{ name }},\nYour link: {{ manage_link }}\nAt {{ venue }}, {{ time }}.",
                               attach_calendar=False, recipients=0)
        db.session.add(message)
        db.session.flush()
        job = Job(id="00000000-0000-4000-8000-000000000001", kind=service.JOB_KIND, event_id=event_id,
                  params_json=f'{{"message": {message.id}}}', status=JobStatus.RUNNING)
        db.session.add(job)
        db.session.commit()
        message_id = message.id
        service.run_message_job(job, lambda done, total, text=None: None)
        counts = service.outcome_counts(message_id)
        db.session.execute(delete(Job))
        db.session.execute(delete(GroupMessage))
        db.session.commit()
        return counts


class Counter:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}  database: {'PostgreSQL' if args.postgresql else 'SQLite'}")

    from aiosmtpd.controller import Controller

    sys.path.insert(0, str(ROOT))
    from tests.smtp import free_port

    handler, port = Counter(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        results = {}
        for memory in (False, True):  # timing first; then the same steps again, on fresh databases, for memory
            app = make_app(database_url(args.postgresql, folder, f"run{int(memory)}"), folder,
                           MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
            event_id, sessions = fresh_event(app)
            data = attendee_csv(args.rows, sessions)
            bare_seconds = bare_insert(app, event_id, args.rows)
            dry = measured(lambda app=app, data=data, event_id=event_id: run_import(app, event_id, data, True),
                           memory)
            real = measured(lambda app=app, data=data, event_id=event_id: run_import(app, event_id, data, False),
                            memory)
            again = measured(lambda app=app, data=data, event_id=event_id: run_import(app, event_id, data, False),
                             memory)
            handler.count = 0
            mail = measured(lambda app=app, event_id=event_id: send_message(app, event_id), memory)
            results[memory] = (bare_seconds, dry, real, again, mail, handler.count)
    controller.stop()

    bare_seconds, dry, real, again, mail, received = results[False]
    _, dry_m, real_m, again_m, mail_m, _ = results[True]
    print(f"rows: {args.rows:,}")
    print(f"bare executemany of the registration rows : {bare_seconds:7.2f} s")
    print(f"import, dry run (read, check, plan)       : {dry[0]:7.2f} s  peak {dry_m[1]:6.1f} MB  {dry[2]}")
    print(f"import, real (with letters queued)        : {real[0]:7.2f} s  peak {real_m[1]:6.1f} MB  "
          f"= {real[0] / bare_seconds:.1f}x bare  {real[2]}")
    print(f"same file again (nothing to change)       : {again[0]:7.2f} s  peak {again_m[1]:6.1f} MB  {again[2]}")
    print(f"group message to {received:,} through SMTP   : {mail[0]:7.2f} s  peak {mail_m[1]:6.1f} MB  "
          f"{received / mail[0]:.0f} mails/s  {dict((k.value, v) for k, v in mail[2].items())}")
    print(f"process peak RSS: {peak_rss_mb():.0f} MB  load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
