"""Check-ins per second with one gunicorn server and with two sharing one PostgreSQL database (and Redis),
on this one machine, in the same run.

    .venv/bin/python benchmarks/scaleout.py [--scans 3000] [--scanners 16] [--workers 2]

Each server gets --workers sync workers, so "two servers" has twice the workers of "one server": on two
cores the second server cannot double the rate (both share the cores and the database); the point is that it
works, every scan counted once, and what the figures honestly are. Reuses benchmarks/checkin.py's set-up.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _load import split  # noqa: E402
from _servers import ROOT, gunicorn  # noqa: E402
from checkin import describe, drop_database, fire, fresh_database, prepare  # noqa: E402


def fire_across(ports: list[int], path: str, tokens: list[str], codes_by_scanner: list[list[str]]):
    """The scanners split evenly over the servers, all at once; one (seconds, latencies, results)."""
    shares = [(ports[i % len(ports)], t, c) for i, (t, c) in enumerate(zip(tokens, codes_by_scanner, strict=True))]
    runs: list = [None] * len(ports)

    def run(index: int) -> None:
        mine = [(t, c) for p, t, c in shares if p == ports[index]]
        runs[index] = fire(ports[index], path, [t for t, _ in mine], [c for _, c in mine])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(ports))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = max(r[0] for r in runs)
    return elapsed, [x for r in runs for x in r[1]], sum((r[2] for r in runs), Counter())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=3000)
    parser.add_argument("--scanners", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="sync workers per server")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="scaleout-"))
    url = fresh_database("postgresql", folder)
    try:
        _, slug, codes, tokens = prepare(url, folder, attendees=2 * args.scans, scanners=args.scanners)
        env = {"DATABASE_URL": url, "EVENTAPP_INSTANCE": str(folder), "SECRET_KEY": "bench",
               "REDIS_URL": "redis://127.0.0.1:6379/8", "RATELIMIT_ENABLED": "false"}
        path = f"/api/events/{slug}/checkin"
        log = folder / "gunicorn.log"
        first, second = codes[: args.scans], codes[args.scans: 2 * args.scans]
        print(f"{args.scans} check-ins per case, {args.scanners} scanners at once, {args.workers} workers per server, "
              "PostgreSQL + Redis, one machine (2 cores)")
        with gunicorn("wsgi:app", env, args.workers, log, chdir=ROOT) as (port_a, _), \
                gunicorn("wsgi:app", env, args.workers, log, chdir=ROOT) as (port_b, _):
            one = describe("one server", *fire_across([port_a], path, tokens, split(first, args.scanners)))
            two = describe("two servers, one database", *fire_across([port_a, port_b], path, tokens,
                                                                     split(second, args.scanners)))
        print(f"  two / one: {two[0] / one[0]:.2f}x the check-ins per second")
    finally:
        drop_database("postgresql")


if __name__ == "__main__":
    main()
