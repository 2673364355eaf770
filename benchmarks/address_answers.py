"""Does the time of an answer tell whether an address is registered? Requests to gunicorn on 127.0.0.1 with
PostgreSQL, one client, the two kinds interleaved (so that a change in the machine's load falls on both alike):

- asking for the manage link: an address that is registered, and one that is not;
- signing up: a new address, and an address already registered.

Prints each kind's median and 10th/90th percentiles, the median of the paired differences, and the Mann-Whitney
U test's p-value (a small p-value would mean the two kinds' times are told apart).

    .venv/bin/python benchmarks/address_answers.py [--pairs 400] [--mail background|off]

The per-address limit is switched off (it would stop this after a few requests per address: in production it
also bounds how many timings anyone can collect for one address). Needs PostgreSQL on 127.0.0.1:5432 (user
postgres, trust). Creates and drops its own database.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _servers import ROOT, gunicorn  # noqa: E402
from registration import NoRedirect, drop_database, fresh_database  # noqa: E402
from scipy.stats import mannwhitneyu  # noqa: E402


def _client(url: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return opener, token


def _timed(opener, url: str, fields: dict) -> tuple[float, int]:
    body = urllib.parse.urlencode(fields).encode()
    began = time.perf_counter()
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return time.perf_counter() - began, status


def _report(label: str, a_name: str, a: list[float], b_name: str, b: list[float]) -> None:
    def spread(xs):
        deciles = statistics.quantiles(xs, n=10)
        median = statistics.median(xs) * 1000
        return f"median {median:6.2f} ms (p10 {deciles[0] * 1000:.2f}, p90 {deciles[-1] * 1000:.2f})"

    paired = statistics.median(x - y for x, y in zip(a, b, strict=True)) * 1000
    p_value = mannwhitneyu(a, b).pvalue
    print(f"{label}\n  {a_name:<14} {spread(a)}\n  {b_name:<14} {spread(b)}\n"
          f"  median paired difference {paired:+.3f} ms; Mann-Whitney p = {p_value:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--mail", choices=["background", "off"], default="background")
    args = parser.parse_args()
    name = "eventapp_bench_answers"
    url = fresh_database(name)
    instance = ROOT / "benchmarks" / "out" / "instance-answers"
    instance.mkdir(parents=True, exist_ok=True)
    env = {"DATABASE_URL": url, "EVENTAPP_INSTANCE": str(instance), "SECRET_KEY": "benchmark-only",
           "RATELIMIT_ENABLED": "false", "MAIL_DELIVERY": args.mail}
    os.environ.update(env)
    from flask_migrate import upgrade

    from eventapp import create_app
    from eventapp.demo.service import seed_demo
    from eventapp.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        event = seed_demo(attendees=20).event
        event.capacity = None
        db.session.commit()
        slug, sessions = event.slug, [str(s.id) for s in event.themed_sessions]
        registered = db.session.execute(db.text(
            "SELECT email FROM registration ORDER BY id LIMIT 1")).scalar_one()
        db.engine.dispose()

    def sign_up(address: str, token: str) -> dict:
        return {"csrf_token": token, "full_name": "Timing Person", "email": address, "organisation": "Timing Org",
                "organisation_kind": "ngo", "country": "KE", "choice_1": sessions[0], "consent_privacy": "y"}

    print(f"{args.pairs} interleaved pairs of each, one client, gunicorn -w 1, PostgreSQL, mail {args.mail}; "
          f"{args.warmup} unmeasured pairs first")
    log = ROOT / "benchmarks" / "out" / "gunicorn-answers.log"
    with gunicorn("wsgi:app", env, 1, log) as (port, _pid):
        base = f"http://127.0.0.1:{port}/events/{slug}/register"
        opener, token = _client(base)
        resend = {"known": [], "unknown": []}
        signups = {"new": [], "taken": []}
        statuses = set()
        for i in range(args.warmup + args.pairs):
            order = [("known", registered), ("unknown", f"nobody{i}@example.org")]
            for kind, address in order if i % 2 else reversed(order):
                took, status = _timed(opener, f"{base}/resend", {"csrf_token": token, "resend-email": address})
                statuses.add((kind, status))
                if i >= args.warmup:
                    resend[kind].append(took)
            order = [("new", f"new{i}@example.org"), ("taken", registered)]
            for kind, address in order if i % 2 else reversed(order):
                took, status = _timed(opener, base, sign_up(address, token))
                statuses.add((kind, status))
                if i >= args.warmup:
                    signups[kind].append(took)
    print(f"statuses: {sorted(statuses)}")
    _report("Asking for the link:", "registered", resend["known"], "not registered", resend["unknown"])
    _report("Signing up:", "new address", signups["new"], "taken address", signups["taken"])
    drop_database(name)


if __name__ == "__main__":
    main()
