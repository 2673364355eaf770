"""Check-ins per second and p50/p99 latency through POST /api/events/<slug>/checkin, against gunicorn on
127.0.0.1 with 16 concurrent scanners, on SQLite and on PostgreSQL; beside a bare Flask route (the tiny app in
this file) that looks a scanner token up and updates one row, in the same run and on the same database.

    .venv/bin/python benchmarks/checkin.py [--scans 4000] [--scanners 16] [--workers 4] [--rounds 4]
                                           [--databases sqlite,postgresql]

Each scanner has its own device token and scans its own badges one after another, each scan a first arrival
(a write), with a fresh nonce, as a scanner at the door does. The two servers run side by side and take turns
(--rounds), so that a change in the machine's load falls on both alike; the figures are over all turns.
PostgreSQL needs a server on 127.0.0.1:5432 (user postgres, trust); the benchmark creates and drops its own
database, eventapp_bench_checkin.
Floor (issue 16): the API at least 0.60 of the bare route's rate, with p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _databases  # noqa: E402
from _cpu import Meter  # noqa: E402
from _load import all_at_once, p50_p99_ms, split  # noqa: E402
from _servers import ROOT, gunicorn  # noqa: E402

sys.path.insert(0, str(ROOT))  # this checkout's eventapp, even without `make install`

PG_DATABASE = "eventapp_bench_checkin"
WARMUP_SCANS = 64


# ---- the bare route: a token lookup and a one-row update, nothing else ----

def bare_app():
    """gunicorn 'checkin:bare_app()': the same engine settings as eventapp's (pool_pre_ping, SQLite pragmas)."""
    from flask import Flask, jsonify, request
    from sqlalchemy import create_engine, event, text

    url = os.environ["BENCH_DATABASE_URL"]
    engine = create_engine(url, pool_pre_ping=True)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # as eventapp/database.py sets them
            cursor = connection.cursor()
            for pragma in ("foreign_keys = ON", "busy_timeout = 15000", "journal_mode = WAL", "synchronous = NORMAL"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    app = Flask("bare")
    find_scanner = text("SELECT id FROM bench_scanner WHERE token_hash = :h AND revoked_at IS NULL")
    check_in = text("UPDATE bench_badge SET checked_in_at = :at, scanner_id = :s WHERE code = :code")

    @app.post("/bare/checkin")
    def checkin():
        token = request.headers.get("Authorization", "")[len("Bearer "):]
        code = (request.get_json(silent=True) or {}).get("code", "")
        with engine.begin() as conn:
            scanner = conn.execute(find_scanner, {"h": hashlib.sha256(token.encode()).hexdigest()}).scalar()
            if scanner is None:
                return jsonify(error="invalid_token"), 401
            updated = conn.execute(check_in, {"at": time.time(), "s": scanner, "code": code}).rowcount
        return jsonify(result="ok" if updated else "unknown_code")

    @app.get("/bare/hello")
    def hello():  # the floor: what a request costs this app with no work at all
        return jsonify(result="ok")

    return app


# ---- servers and databases ----

def fresh_database(kind: str, folder: Path) -> str:
    return _databases.fresh_database(kind, folder, PG_DATABASE)


def drop_database(kind: str) -> None:
    _databases.drop_database(kind, PG_DATABASE)


def prepare(url: str, instance: Path, attendees: int, scanners: int):
    """The demo conference with enough confirmed attendees, one device token per scanner, and the bare tables."""
    from flask_migrate import upgrade
    from sqlalchemy import select, text, update

    from eventapp import create_app
    from eventapp.checkin.devices import issue_device
    from eventapp.demo.service import seed_demo
    from eventapp.extensions import db
    from eventapp.models import Registration, RegistrationStatus
    from eventapp.tokens import badge_code

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": instance, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        event = seed_demo(attendees=attendees).event
        event.capacity = None
        db.session.execute(update(Registration).values(status=RegistrationStatus.CONFIRMED, waitlisted_at=None))
        db.session.commit()
        codes = [badge_code(s) for s in db.session.execute(select(Registration.badge_secret)).scalars()]
        tokens = [issue_device(event, f"Bench scanner {i + 1}", None).token for i in range(scanners)]
        slug = event.slug
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_scanner (id INTEGER PRIMARY KEY, token_hash VARCHAR(64) UNIQUE,"
                              " revoked_at VARCHAR(40))"))
            conn.execute(text("CREATE TABLE bench_badge (id INTEGER PRIMARY KEY, code VARCHAR(40) UNIQUE,"
                              " checked_in_at FLOAT, scanner_id INTEGER)"))
            conn.execute(text("INSERT INTO bench_scanner (id, token_hash) VALUES (:id, :h)"),
                         [{"id": i + 1, "h": hashlib.sha256(t.encode()).hexdigest()} for i, t in enumerate(tokens)])
            conn.execute(text("INSERT INTO bench_badge (id, code) VALUES (:id, :code)"),
                         [{"id": i + 1, "code": c} for i, c in enumerate(codes)])
        db.engine.dispose()
    return app, slug, codes, tokens


# ---- the scanners ----

def fire(port: int, path: str, tokens: list[str], codes_by_scanner: list[list[str]], method: str = "POST"):
    """All scanners at once, each posting its scans one after another. Returns (seconds, latencies, results)."""

    def scanner(token: str, codes: list[str], start) -> tuple[list[float], Counter]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        latencies: list[float] = []
        answers: Counter = Counter()
        start.wait()
        for code in codes:
            body = json.dumps({"code": code, "nonce": uuid.uuid4().hex})
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(method, path, body if method == "POST" else None, headers)
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            latencies.append(time.perf_counter() - started)
            answer = json.loads(payload) if response.status == 200 else {}
            answers[answer.get("result") or answer.get("status") or f"HTTP {response.status}"] += 1
        return latencies, answers

    elapsed, runs = all_at_once(
        [partial(scanner, t, c) for t, c in zip(tokens, codes_by_scanner, strict=True)])
    return elapsed, [x for latencies, _ in runs for x in latencies], sum((a for _, a in runs), Counter())


def _merge(runs):
    elapsed = sum(r[0] for r in runs)
    latencies = [x for r in runs for x in r[1]]
    results = sum((r[2] for r in runs), Counter())
    return elapsed, latencies, results


def describe(label: str, elapsed: float, latencies: list[float], results: Counter) -> tuple[float, float]:
    rate = len(latencies) / elapsed
    p50, p99 = p50_p99_ms(latencies)
    print(f"  {label:<44} {rate:7.0f}/s   p50 {p50:5.1f} ms   p99 {p99:5.1f} ms   {dict(results)}", flush=True)
    return rate, p99


def run(kind: str, args, folder: Path) -> None:
    url = fresh_database(kind, folder)
    instance = folder / "instance"
    total = args.scans + 2 * WARMUP_SCANS
    app, slug, codes, tokens = prepare(url, instance, total, args.scanners)
    warm_bare, warm_app, scans = codes[:WARMUP_SCANS], codes[WARMUP_SCANS:2 * WARMUP_SCANS], codes[2 * WARMUP_SCANS:]
    scans = scans[: args.scans]
    print(f"{kind}: {len(scans)} check-ins, {args.scanners} scanners at once, gunicorn -w {args.workers}", flush=True)
    bare_env = {"BENCH_DATABASE_URL": url}
    app_env = {"DATABASE_URL": url, "EVENTAPP_INSTANCE": str(instance), "SECRET_KEY": "bench", "MAIL_DELIVERY": "off"}
    log = folder / "gunicorn.log"
    api = f"/api/events/{slug}/checkin"
    # Both servers up at once and their turns interleaved, so that a change in the machine's load affects both.
    rounds = [split(part, len(tokens)) for part in split(scans, args.rounds)]
    bare_runs, app_runs = [], []
    meter = Meter()
    database = PG_DATABASE if kind == "postgresql" else None
    bare_server = gunicorn("checkin:bare_app()", bare_env, args.workers, log, chdir=ROOT / "benchmarks")
    with bare_server as (bare_port, bare_pid), gunicorn("wsgi:app", app_env, args.workers, log) as (app_port, app_pid):
        fire(bare_port, "/bare/checkin", tokens, split(warm_bare, len(tokens)))
        fire(app_port, api, tokens, split(warm_app, len(tokens)))
        for i, codes_by_scanner in enumerate(rounds, start=1):
            bare_runs.append(meter.measure(
                "bare", bare_pid, lambda c=codes_by_scanner: fire(bare_port, "/bare/checkin", tokens, c), database))
            app_runs.append(meter.measure(
                "app", app_pid, lambda c=codes_by_scanner: fire(app_port, api, tokens, c), database))
            if args.rounds > 1:
                print(f"  round {i}: bare {len(bare_runs[-1][1]) / bare_runs[-1][0]:.0f}/s, "
                      f"eventapp {len(app_runs[-1][1]) / app_runs[-1][0]:.0f}/s", flush=True)
        # The floor: an empty GET on each, to tell the app's per-request machinery apart from the check-in.
        floor_codes = split(scans[: len(scans) // 2], len(tokens))
        bare_floor = meter.measure(
            "bare_floor", bare_pid, lambda: fire(bare_port, "/bare/hello", tokens, floor_codes, method="GET"))
        app_floor = meter.measure(
            "app_floor", app_pid, lambda: fire(app_port, "/healthz", tokens, floor_codes, method="GET"))
    bare_rate, bare_p99 = describe("bare route: token lookup + one UPDATE", *_merge(bare_runs))
    app_rate, app_p99 = describe("eventapp POST /api/events/<slug>/checkin", *_merge(app_runs))
    describe("floor: bare GET /bare/hello (no work)", *bare_floor)
    describe("floor: eventapp GET /healthz (no work)", *app_floor)
    counts = {"bare": len(scans), "app": len(scans), "bare_floor": len(bare_floor[1]), "app_floor": len(app_floor[1])}
    per = {key: meter.cpu[key] / counts[key] * 1000 for key in counts}
    print(f"  server CPU per request (all workers; load-independent): check-in bare {per['bare']:.2f} ms, "
          f"eventapp {per['app']:.2f} ms; empty GET bare {per['bare_floor']:.2f} ms, "
          f"eventapp {per['app_floor']:.2f} ms", flush=True)
    print(f"  the scanners' own CPU per check-in (this process, same client for both): bare "
          f"{meter.client_cpu['bare'] / counts['bare'] * 1000:.2f} ms, eventapp "
          f"{meter.client_cpu['app'] / counts['app'] * 1000:.2f} ms", flush=True)
    if kind == "postgresql":
        print(f"  PostgreSQL backend CPU per check-in: bare {meter.db_cpu['bare'] / counts['bare'] * 1000:.2f} ms, "
              f"eventapp {meter.db_cpu['app'] / counts['app'] * 1000:.2f} ms", flush=True)
    print(f"  gunicorn worker restarts while measured: bare {sum(v for k, v in meter.restarts.items() if 'bare' in k)},"
          f" eventapp {sum(v for k, v in meter.restarts.items() if 'app' in k)}; load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)

    from sqlalchemy import func, select

    from eventapp.extensions import db
    from eventapp.models import CheckIn, ScanLog

    with app.app_context():
        check_ins = db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one()
        logged = db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one()
        db.engine.dispose()
    verdict = "meets" if app_rate >= 0.6 * bare_rate and app_p99 < 50 else "MISSES"
    print(f"  ratio eventapp / bare: {app_rate / bare_rate:.2f}; p99 {app_p99:.1f} ms "
          f"({verdict} the floor: >= 0.60 and p99 < 50 ms); check-ins {check_ins}, scan log rows {logged} "
          f"(expected {len(scans) + len(warm_app)} each)", flush=True)
    drop_database(kind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, default=4000)
    parser.add_argument("--scanners", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=4, help="turns each server takes, interleaved")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    for kind in args.databases.split(","):
        with tempfile.TemporaryDirectory(prefix="checkin-bench-") as folder:
            run(kind.strip(), args, Path(folder))


if __name__ == "__main__":
    main()
