"""Registration submissions per second against gunicorn on 127.0.0.1 with PostgreSQL, beside a bare Flask
route that inserts one row, in the same run; and a check that the rush overbooked nobody.

A third server shows the floor of the stack itself: eventapp's registration form (Flask-WTF, CSRF, session
cookie) checked by a bare Flask app that then inserts one row (benchmarks/form_insert_app.py). It splits the gap
between eventapp and the bare route into what the form and its stack cost and what eventapp adds.

    .venv/bin/python benchmarks/registration.py [--requests 2000] [--clients 16] [--workers 4] [--rounds 4]
                                                [--mail background|off] [--page-first] [--existing N]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust). Creates and drops its own databases.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from _cpu import Meter  # noqa: E402
from _load import all_at_once, p50_p99_ms, split  # noqa: E402
from _servers import ROOT, gunicorn  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_database(name: str) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fire(bodies_by_client: list[list[bytes]], url: str, prepare=None,
         page_first: bool = False) -> tuple[float, list[float], list[int]]:
    """Each client posts its bodies one after another; all clients at once. Returns seconds, latencies, statuses.
    `page_first`: each submission is preceded by loading the page at `url`, as a browser does (one latency
    for the two)."""

    def client(bodies: list[bytes], start) -> tuple[list[float], list[int]]:
        opener, extra = prepare() if prepare else (urllib.request.build_opener(NoRedirect), {})
        latencies, statuses = [], []
        start.wait()
        for body in bodies:
            if extra:
                body = body + b"&" + urllib.parse.urlencode(extra).encode()
            began = time.perf_counter()
            if page_first:
                opener.open(url, timeout=60).read()
            try:
                statuses.append(opener.open(urllib.request.Request(url, data=body), timeout=60).status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            latencies.append(time.perf_counter() - began)
        return latencies, statuses

    elapsed, results = all_at_once([partial(client, bodies) for bodies in bodies_by_client])
    return elapsed, [x for lat, _ in results for x in lat], [x for _, codes in results for x in codes]


def describe(label: str, elapsed: float, latencies: list[float], statuses: list[int]) -> float:
    rate = len(latencies) / elapsed
    p50, p99 = p50_p99_ms(latencies)
    print(f"  {label:<34} {rate:8.1f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   statuses {sorted(set(statuses))}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument("--rounds", type=int, default=4, help="turns each server takes, interleaved")
    parser.add_argument("--page-first", action="store_true",
                        help="each registration loads the form page before submitting it, as a person's browser "
                             "does (the rate is then of whole registrations: page + submission)")
    parser.add_argument("--existing", type=int, default=0,
                        help="confirmed registrations the event already has before the rush (e.g. 10000: a big "
                             "conference's registration well under way)")
    parser.add_argument("--mail", choices=["background", "off"], default="background",
                        help="background: each web worker mails after the response (the default setting); "
                             "off: mail left to `flask mail deliver` (cron or a worker)")
    args = parser.parse_args()
    n = args.requests
    # Unmeasured requests first, on every server: each worker compiles its SQL and whatever templates it has
    # not inherited on its first requests, a cost a long-lived worker (max_requests 2000) spreads thin.
    warmup = 50 * args.workers

    app_db, bare_db, form_db = "eventapp_bench_registration", "eventapp_bench_bare", "eventapp_bench_form"
    app_url, bare_url, form_url_db = fresh_database(app_db), fresh_database(bare_db), fresh_database(form_db)
    instance = ROOT / "benchmarks" / "out" / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    # The per-address rate limit would refuse one machine's 16 clients: it is switched off, and said so.
    # Mail is delivered as in production (a background thread per worker; the outbox, as there is no server).
    env = {"DATABASE_URL": app_url, "EVENTAPP_INSTANCE": str(instance), "SECRET_KEY": "benchmark-only",
           "RATELIMIT_ENABLED": "false", "MAIL_DELIVERY": args.mail}
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from eventapp import create_app
    from eventapp.demo.service import seed_demo
    from eventapp.extensions import db
    from eventapp.models import Event, Registration, RegistrationStatus

    app = create_app()
    with app.app_context():
        upgrade()
        event = seed_demo(attendees=0).event
        # Half the rush gets a place, half the waiting list: the lock and the count are on the hot path.
        # (The warm-up's registrations come first and take places of their own.)
        event.capacity = args.existing + warmup + n // 2
        db.session.commit()
        if args.existing:
            db.session.execute(text(
                "INSERT INTO registration (event_id, full_name, email, email_key, consent_privacy, consent_listed, "
                "status, badge_secret, manage_secret, badge_changed_at, created_at, updated_at) "
                "SELECT :event, 'Earlier ' || n, 'earlier' || n || '@example.org', 'earlier' || n || '@example.org', "
                "true, false, 'confirmed', "
                "'EARLIER' || n, 'earlier-' || n, now(), now(), now() FROM generate_series(1, :count) AS n"),
                {"event": event.id, "count": args.existing})
            db.session.commit()
        sessions = [str(s.id) for s in event.themed_sessions]
        slug = event.slug
        db.engine.dispose()
    for url in (bare_url, form_url_db):
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            conn.execute("CREATE TABLE bench_row (id serial PRIMARY KEY, email text NOT NULL)")

    def registration_body(i: int) -> bytes:
        return urllib.parse.urlencode({
            "full_name": f"Bench Person {i}", "email": f"bench{i}@example.org", "organisation": f"Org {i % 40}",
            "organisation_kind": "ngo", "country": "KE", "job_title": "Adviser", "choice_1": sessions[i % 3],
            "choice_2": sessions[(i + 1) % 3], "consent_privacy": "y",
        }).encode()

    print(f"{n} submissions, {args.clients} concurrent clients, gunicorn -w {args.workers}, PostgreSQL; "
          f"{n // 2} places left for them; rate limit off; mail delivery {args.mail} (to the outbox)"
          + (f"; the event already has {args.existing} confirmed registrations" if args.existing else "")
          + f"; {args.rounds} interleaved rounds after {warmup} unmeasured warm-up requests to each server"
          + ("; each registration loads the form page first" if args.page_first else ""))
    log = ROOT / "benchmarks" / "out" / "gunicorn.log"
    bare_bodies = [urllib.parse.urlencode({"email": f"b{i}@example.org"}).encode() for i in range(n)]
    app_bodies = [registration_body(i) for i in range(n + warmup)]
    app_bodies, warm_bodies = app_bodies[:n], app_bodies[n:]
    totals = {"bare": [0.0, [], []], "form": [0.0, [], []], "app": [0.0, [], []]}

    def add(name: str, result: tuple[float, list[float], list[int]]) -> None:
        totals[name][0] += result[0]
        totals[name][1].extend(result[1])
        totals[name][2].extend(result[2])

    form_env = {"BARE_DATABASE_URL": form_url_db, "SECRET_KEY": "benchmark-only", "PYTHONPATH": str(ROOT),
                "BENCH_SESSION_IDS": ",".join(sessions)}
    # The servers run side by side and take turns, so that a change in the machine's load falls on all alike.
    with gunicorn("bare_insert_app:app", {"BARE_DATABASE_URL": bare_url}, args.workers, log,
                  chdir=ROOT / "benchmarks") as (bare_port, bare_pid), \
            gunicorn("form_insert_app:app", form_env, args.workers, log,
                     chdir=ROOT / "benchmarks") as (form_port, form_pid), \
            gunicorn("wsgi:app", env, args.workers, log) as (port, app_pid):
        meter = Meter()
        form_url = f"http://127.0.0.1:{port}/events/{slug}/register"
        floor_url = f"http://127.0.0.1:{form_port}/register"

        def session_with_token(url: str):
            def prepare():
                jar = http.cookiejar.CookieJar()
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
                page = opener.open(url, timeout=30).read().decode()
                token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
                return opener, {"csrf_token": token}
            return prepare

        fire(split(bare_bodies[:warmup], args.clients), f"http://127.0.0.1:{bare_port}/insert")
        fire(split(warm_bodies, args.clients), floor_url, prepare=session_with_token(floor_url))
        fire(split(warm_bodies, args.clients), form_url, prepare=session_with_token(form_url))
        for turn in range(args.rounds):
            add("bare", meter.measure("bare", bare_pid, lambda turn=turn: fire(
                split(bare_bodies[turn::args.rounds], args.clients), f"http://127.0.0.1:{bare_port}/insert"), bare_db))
            add("form", meter.measure("form", form_pid, lambda turn=turn: fire(
                split(app_bodies[turn::args.rounds], args.clients), floor_url, prepare=session_with_token(floor_url),
                page_first=args.page_first), form_db))
            add("app", meter.measure("app", app_pid, lambda turn=turn: fire(
                split(app_bodies[turn::args.rounds], args.clients), form_url, prepare=session_with_token(form_url),
                page_first=args.page_first), app_db))
    bare = describe("bare Flask route, one INSERT", *totals["bare"])
    floor = describe("the form alone + one INSERT (page + form)" if args.page_first
                     else "the form alone + one INSERT", *totals["form"])
    full = describe("eventapp registration (page + form)" if args.page_first
                    else "eventapp registration (form+CSRF)", *totals["app"])
    # CPU per request of the server side (web workers + their PostgreSQL backends): the load on a shared
    # machine moves requests per second far more than it moves this.
    count = {name: len(totals[name][1]) for name in totals}
    web = {name: meter.cpu[name] / count[name] * 1000 for name in count}
    pg = {name: meter.db_cpu[name] / count[name] * 1000 for name in count}
    cost = {name: web[name] + pg[name] for name in count}
    for name, label in (("bare", "bare"), ("form", "form only"), ("app", "eventapp")):
        print(f"  server CPU per request, {label:<9} {cost[name]:5.2f} ms  (web {web[name]:.2f} + PostgreSQL "
              f"{pg[name]:.2f}); the clients' own {meter.client_cpu[name] / count[name] * 1000:.2f} ms; "
              f"worker restarts {meter.restarts[name]}")
    print(f"  CPU ratio bare / eventapp: {cost['bare'] / cost['app']:.2f}")

    with app.app_context():
        counts = dict(db.session.execute(
            select(Registration.status, func.count()).group_by(Registration.status)).all())
        capacity = db.session.execute(select(Event.capacity)).scalar_one()
        db.engine.dispose()
    confirmed = counts.get(RegistrationStatus.CONFIRMED, 0)
    verdict = "meets" if full >= 0.35 * floor else "MISSES"
    print(f"  ratio eventapp / bare: {full / bare:.2f}; the form alone / bare: {floor / bare:.2f}; eventapp / the "
          f"form alone: {full / floor:.2f} ({verdict} the floor: at least 0.35 of the form alone)")
    print(f"  confirmed {confirmed} of capacity {capacity}, waitlisted {counts.get(RegistrationStatus.WAITLISTED, 0)}; "
          f"overbooked: {max(confirmed - capacity, 0)}")
    for name in (app_db, bare_db, form_db):
        drop_database(name)


if __name__ == "__main__":
    main()
