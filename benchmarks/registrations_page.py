"""Benchmark of the organiser's registrations page with 10,000 registrations, and of the overview's query count.

For each view of the table (sorted, filtered, searched, deep pages) it prints the server time of the whole page
(request in, HTML out: the page query, the count, the filter choices, the template) beside a bare query of the
same page of rows in the same run (the same filter and order on the registration table, joined to the
organisation, as plain SQL: no count, no sessions, no check-in column, no HTML). Then the overview page's number
of SQL statements at 100 and at 10,000 registrations.

Run: .venv/bin/python benchmarks/registrations_page.py [--size 10000] [--repeat 15]
     BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<your db> ... for PostgreSQL (the database is
     emptied first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's eventapp, even without `make install`

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from eventapp import create_app  # noqa: E402
from eventapp.extensions import db  # noqa: E402
from eventapp.models import Assignment, AssignmentMethod, CheckIn, Registration, RegistrationStatus  # noqa: E402

PASSWORD = "correct horse battery"

# (label, query string, the bare query's WHERE and ORDER BY over registration r and organisation o)
VIEWS = [
    ("newest first, page 1", "", "", "r.created_at DESC, r.id DESC", 0),
    ("by name, page 100", "sort=name&dir=asc&page=100",
     "", "lower(coalesce(r.family_name, r.full_name)), lower(r.full_name), r.id", 99 * 50),
    ("by organisation desc, page 20", "sort=organisation&dir=desc&page=20",
     "", "lower(coalesce(o.name, '')) DESC, lower(coalesce(r.family_name, r.full_name)) DESC, r.id DESC", 19 * 50),
    ("confirmed + checked in, by name", "status=confirmed&checked_in=yes&sort=name&dir=asc",
     "AND r.status = 'confirmed' AND EXISTS (SELECT 1 FROM check_in c WHERE c.registration_id = r.id "
     "AND c.themed_session_id IS NULL AND c.undone_at IS NULL)",
     "lower(coalesce(r.family_name, r.full_name)), lower(r.full_name), r.id", 0),
    ("government + session 1, newest", "kind=government&session={session}",
     "AND o.kind = 'government' AND EXISTS (SELECT 1 FROM assignment a WHERE a.registration_id = r.id "
     "AND a.themed_session_id = {session})", "r.created_at DESC, r.id DESC", 0),
    ("search 'patel', by status", "q=patel&sort=status&dir=asc",
     "AND (lower(r.full_name) LIKE '%patel%' OR lower(r.email) LIKE '%patel%' OR lower(o.name) LIKE '%patel%')",
     "r.status, lower(coalesce(r.family_name, r.full_name)), r.id", 0),
    ("200 a page, by check-in", "sort=checked_in&dir=desc&per_page=200&page=3", "",
     None, 2 * 200),
]


def seed(size: int) -> str:
    """The demo event with `size` registrations, two thirds of the confirmed assigned, a third checked in."""
    from eventapp.auth.service import create_staff_user
    from eventapp.demo.service import seed_demo

    event = seed_demo(attendees=size).event
    create_staff_user("admin@example.org", PASSWORD, "admin")
    # The demo fills its 100 places and waitlists the rest: make it a big event, mostly confirmed.
    event.capacity = None
    db.session.execute(text("UPDATE registration SET status = CASE WHEN id % 20 = 0 THEN 'cancelled' "
                            "WHEN id % 10 = 0 THEN 'waitlisted' ELSE 'confirmed' END, waitlisted_at = NULL "
                            "WHERE event_id = :event"), {"event": event.id})
    db.session.commit()
    sessions = event.themed_sessions
    confirmed = db.session.execute(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)).scalars().all()
    assigned = [{"registration_id": rid, "themed_session_id": sessions[i % len(sessions)].id,
                 "time_slot_id": sessions[i % len(sessions)].time_slot_id, "method": AssignmentMethod.SOLVER}
                for i, rid in enumerate(confirmed) if i % 3]
    if assigned:
        db.session.execute(insert(Assignment), assigned)
    checked = [{"event_id": event.id, "registration_id": rid, "method": "scan"} for rid in confirmed[::3]]
    if checked:
        db.session.execute(insert(CheckIn), checked)
    db.session.commit()
    return event.slug


def median_ms(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bare_sql(event_id: int, where: str, order: str | None, offset: int, limit: int) -> str:
    if order is None:  # by the door check-in, latest first, people not checked in last
        door = ("(SELECT min(c.checked_in_at) FROM check_in c WHERE c.registration_id = r.id AND "
                "c.themed_session_id IS NULL AND c.undone_at IS NULL)")
        order = f"{door} IS NULL, {door} DESC, lower(coalesce(r.family_name, r.full_name)), r.id DESC"
    return (f"SELECT r.id, r.full_name, r.email, r.status, r.created_at, o.name FROM registration r "
            f"LEFT JOIN organisation o ON o.id = r.organisation_id WHERE r.event_id = {event_id} {where} "
            f"ORDER BY {order} LIMIT {limit} OFFSET {offset}")


def count_statements(work) -> int:
    seen = []

    def _count(*_args):
        seen.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", _count)
    try:
        work()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", _count)
    return len(seen)


def make_app(tmp: str):
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": Path(tmp),
                                 "MAIL_DELIVERY": "off", "RATELIMIT_ENABLED": False})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    return app


def logged_in(app):
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    return client


def overview_queries(app, client, slug: str) -> int:
    with app.app_context():
        def visit():
            assert client.get(f"/organiser/events/{slug}").status_code == 200
        visit()
        db.session.expire_all()
        return count_statements(visit)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"database: {os.environ.get('BENCH_DATABASE_URL', 'SQLite (temporary file)').split('@')[-1]}; "
          f"load: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(tmp)
        with app.app_context():
            started = time.perf_counter()
            slug = seed(args.size)
            print(f"seeded {args.size} registrations in {time.perf_counter() - started:.1f} s")
            from eventapp.models import Event

            event = db.session.execute(select(Event).where(Event.slug == slug)).scalar_one()
            event_id, session_id = event.id, event.themed_sessions[0].id
        client = logged_in(app)
        print(f"{'view':<36} {'page ms':>8} {'bare ms':>8} {'ratio':>6}  rows")
        ratios = []
        with app.app_context():
            for label, query, where, order, offset in VIEWS:
                query = query.format(session=session_id)
                where = where.format(session=session_id)
                limit = 200 if "per_page=200" in query else 50
                url = f"/organiser/events/{slug}/registrations" + (f"?{query}" if query else "")
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                page = median_ms(args.repeat, lambda url=url: client.get(url))
                statement = text(bare_sql(event_id, where, order, offset, limit))
                rows = len(db.session.execute(statement).all())
                bare = median_ms(args.repeat, lambda statement=statement: db.session.execute(statement).all())
                ratios.append(page / bare)
                print(f"{label:<36} {page:>8.1f} {bare:>8.1f} {page / bare:>5.1f}x  {rows}")
        print(f"worst ratio {max(ratios):.1f}x, median {statistics.median(ratios):.1f}x (aim: at most 3x)")
        many = overview_queries(app, client, slug)
    with tempfile.TemporaryDirectory() as tmp:
        small = make_app(tmp)
        with small.app_context():
            small_slug = seed(100)
        few = overview_queries(small, logged_in(small), small_slug)
    print(f"overview page SQL statements: {few} at 100 registrations, {many} at {args.size}")


if __name__ == "__main__":
    main()
