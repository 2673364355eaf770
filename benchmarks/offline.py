"""The offline scanner: the door list for 10,000 attendees (size and time, full and after 100 changes), the offline
answer on the device (Chromium, 1,000 scans through the wedge field), and the sync of queued scans (1,000 from one
device, and from four devices at once) beside the same number of scans sent online one by one, in the same run;
then the camera decoder (zxing-wasm in the page's Web Worker): decodes per second, and which pictures of a real
eventapp badge it reads (flat, at an angle, in dim light).

    .venv/bin/python benchmarks/offline.py [--attendees 10000] [--scans 1000] [--database sqlite|postgresql]
                                           [--workers 2]

Against gunicorn on 127.0.0.1 (wsgi:app). PostgreSQL needs a server on 127.0.0.1:5432 (user postgres, trust); the
benchmark creates and drops its own database, eventapp_bench_offline.
Aims: offline answer p99 < 50 ms; full list < 2 MB compressed; 1,000-scan sync < 10 s, every scan accounted for.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from functools import partial
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _databases  # noqa: E402
from _load import all_at_once, p50_p99_ms  # noqa: E402
from _servers import ROOT, gunicorn  # noqa: E402

sys.path.insert(0, str(ROOT))

PG_DATABASE = "eventapp_bench_offline"
PASSWORD = "correct horse battery"
BATCH = 100  # as static/checkin/offline.js sends them


def fresh_database(kind: str, folder: Path) -> str:
    return _databases.fresh_database(kind, folder, PG_DATABASE)


def drop_database(kind: str) -> None:
    _databases.drop_database(kind, PG_DATABASE)


def prepare(url: str, instance: Path, attendees: int, devices: int):
    from flask_migrate import upgrade
    from sqlalchemy import select, update

    from eventapp import create_app
    from eventapp.auth.service import create_staff_user
    from eventapp.checkin.devices import issue_device
    from eventapp.demo.service import seed_demo
    from eventapp.extensions import db
    from eventapp.models import Assignment, Registration, RegistrationStatus, utcnow
    from eventapp.tokens import badge_code

    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": instance, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        event = seed_demo(attendees=attendees).event
        event.capacity = None
        db.session.execute(update(Registration).values(status=RegistrationStatus.CONFIRMED, waitlisted_at=None))
        # As at a real door: the registrations were made and last changed days before (the first refresh's cursor
        # then has only the benchmark's own changes after it).
        earlier = utcnow() - timedelta(days=2)
        db.session.execute(update(Registration).values(updated_at=earlier, badge_changed_at=earlier))
        db.session.execute(update(Assignment).values(created_at=earlier))
        db.session.commit()
        codes = [badge_code(s) for s in db.session.execute(
            select(Registration.badge_secret).order_by(Registration.id)).scalars()]
        tokens = [issue_device(event, f"Bench device {i + 1}", None).token for i in range(devices)]
        create_staff_user("door@example.org", PASSWORD, "checkin")
        db.session.commit()
        slug = event.slug
        db.engine.dispose()
    return app, slug, codes, tokens


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, bytes, float]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload, time.perf_counter() - started


def door_list(port: int, slug: str, token: str, codes: list[str], changes: int) -> None:
    path = f"/api/events/{slug}/checkin/doorlist"
    times, payload, cursor = [], b"", None
    for _ in range(5):
        status, payload, seconds = call(port, "GET", path, token)
        assert status == 200, payload[:200]
        times.append(seconds)
        cursor = json.loads(payload)["cursor"]
    body = json.loads(payload)
    print(f"  door list, full: {len(body['people'])} people, {len(payload) / 1e6:.2f} MB raw, "
          f"{len(gzip.compress(payload)) / 1e6:.2f} MB gzip; {statistics.median(times) * 1000:.0f} ms "
          f"(median of 5)", flush=True)
    for code in codes[:changes]:
        status, _, _ = call(port, "POST", f"/api/events/{slug}/checkin", token, {"code": code,
                                                                                 "nonce": uuid.uuid4().hex})
        assert status == 200
    times = []
    for _ in range(5):
        status, payload, seconds = call(port, "GET", f"{path}?since={quote(cursor)}", token)
        times.append(seconds)
    body = json.loads(payload)
    print(f"  door list, incremental after {changes} check-ins: {len(body['people'])} people, "
          f"{len(payload) / 1e3:.1f} kB raw, {len(gzip.compress(payload)) / 1e3:.1f} kB gzip; "
          f"{statistics.median(times) * 1000:.0f} ms (median of 5)", flush=True)


def sync_device(port: int, slug: str, token: str, codes: list[str], start) -> tuple[float, Counter]:
    """One device's queue, sent as the page sends it: in order, a batch of 100 at a time."""
    base = int(time.time() * 1000) - 3_600_000
    scans = [{"code": c, "nonce": uuid.uuid4().hex, "method": "scan", "device_time": base + i * 1000,
              "offline_result": "ok"} for i, c in enumerate(codes)]
    results: Counter = Counter()
    start.wait()
    started = time.perf_counter()
    for i in range(0, len(scans), BATCH):
        status, payload, _ = call(port, "POST", f"/api/events/{slug}/checkin/sync", token,
                                  {"scans": scans[i:i + BATCH]})
        assert status == 200, payload[:300]
        for r in json.loads(payload)["results"]:
            results[r["answer"].get("result") or r["answer"].get("error")] += 1
    return time.perf_counter() - started, results


def online_one_by_one(port: int, slug: str, token: str, codes: list[str], start) -> tuple[float, Counter]:
    results: Counter = Counter()
    latencies = []
    start.wait()
    started = time.perf_counter()
    for code in codes:
        status, payload, seconds = call(port, "POST", f"/api/events/{slug}/checkin", token,
                                        {"code": code, "nonce": uuid.uuid4().hex})
        latencies.append(seconds)
        results[json.loads(payload).get("result") if status == 200 else f"HTTP {status}"] += 1
    return time.perf_counter() - started, results


def syncs(port: int, slug: str, tokens: list[str], codes: list[str], scans: int) -> None:
    one, four, online = codes[:scans], codes[scans:5 * scans], codes[5 * scans:6 * scans]
    seconds, [(_, results)] = all_at_once([partial(sync_device, port, slug, tokens[0], one)])
    print(f"  sync, one device, {scans} queued scans: {seconds:.2f} s ({scans / seconds:.0f}/s) {dict(results)}",
          flush=True)
    seconds, runs = all_at_once([partial(sync_device, port, slug, tokens[i], four[i::4]) for i in range(4)])
    total = sum((r for _, r in runs), Counter())
    print(f"  sync, four devices at once, {scans} queued scans each: {seconds:.2f} s for all "
          f"({4 * scans / seconds:.0f}/s) {dict(total)}", flush=True)
    seconds, [(_, results)] = all_at_once([partial(online_one_by_one, port, slug, tokens[0], online)])
    print(f"  online, one by one, {scans} scans: {seconds:.2f} s ({scans / seconds:.0f}/s) {dict(results)}",
          flush=True)


WEDGE_RUN = """async (codes) => {
  const result = document.getElementById("result"), wedge = document.getElementById("wedge");
  const form = document.getElementById("wedge-form"), times = [], answers = {};
  for (const code of codes) {
    result.hidden = true; delete result.dataset.result;
    const shown = new Promise((ok) => {
      const watch = new MutationObserver(() => {
        if (!result.hidden && result.dataset.result) { watch.disconnect(); ok(); }
      });
      watch.observe(result, { attributes: true });
    });
    const started = performance.now();
    wedge.value = code;
    form.requestSubmit();
    await shown;
    times.push(performance.now() - started);
    answers[result.dataset.result] = (answers[result.dataset.result] || 0) + 1;
  }
  return { times, answers };
}"""


def browser_part(port: int, slug: str, codes: list[str], scans: int, folder: Path, app) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill("door@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/organiser/**")
        started = time.perf_counter()
        page.goto(f"{base}/organiser/events/{slug}/checkin")
        page.locator("#freshness").filter(has_text="updated").wait_for(timeout=120_000)
        print(f"  the page opened and stored the full door list in IndexedDB: {time.perf_counter() - started:.2f} s",
              flush=True)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
        context.set_offline(True)
        page.reload()
        page.locator("#freshness").filter(has_text="Offline since").wait_for(timeout=60_000)
        run = page.evaluate(WEDGE_RUN, codes[-scans:])
        p50, p99 = p50_p99_ms([t / 1000 for t in run["times"]])
        verdict = "meets" if p99 < 50 else "MISSES"
        print(f"  offline answer, {scans} wedge scans in Chromium: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"max {max(run['times']):.1f} ms ({verdict} the aim p99 < 50 ms) {run['answers']}", flush=True)
        started = time.perf_counter()
        context.set_offline(False)
        page.wait_for_function("() => document.getElementById('scanner').dataset.queued === '0'", timeout=300_000)
        seconds = time.perf_counter() - started
        print(f"  the page's own sync of its {scans} queued scans once online: {seconds:.2f} s "
              f"({'meets' if seconds < 10 else 'MISSES'} the aim < 10 s)", flush=True)
        decoder(page, app, folder)
        browser.close()


DECODE_RUN = """async ([images, rounds]) => {
  const worker = new Worker(document.getElementById("scanner").dataset.decoderUrl);
  let pending = null;
  worker.onmessage = (e) => {
    if (e.data.type === "result" && pending) { const p = pending; pending = null; p(e.data); }
  };
  worker.postMessage({ type: "start", decoder: "zxing-wasm" });
  const decode = (bitmap) => new Promise((ok) => {
    pending = ok;
    worker.postMessage({ type: "frame", id: 1, image: bitmap }, [bitmap]);
  });
  const blobs = {};
  for (const [name, b64] of Object.entries(images)) {
    blobs[name] = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: "image/png" });
  }
  const read = {};
  for (const [name, blob] of Object.entries(blobs)) { read[name] = (await decode(await createImageBitmap(blob))).text; }
  const frames = [];
  for (let i = 0; i < rounds; i++) { frames.push(await createImageBitmap(blobs.flat)); }
  const started = performance.now();
  for (const frame of frames) { await decode(frame); }
  const seconds = (performance.now() - started) / 1000;
  worker.terminate();
  return { read, perSecond: rounds / seconds };
}"""


def decoder(page, app, folder: Path) -> None:
    import base64

    from PIL import Image
    from sqlalchemy import select

    from eventapp.extensions import db
    from eventapp.models import Event, Registration
    from eventapp.tokens import badge_code
    from tests.checkin.badge_images import photographed, real_badge_png

    with app.app_context():
        registration = db.session.execute(select(Registration).order_by(Registration.id.desc())).scalars().first()
        event = db.session.get(Event, registration.event_id)
        png = real_badge_png(registration, event, folder, dpi=150)
        expected = badge_code(registration.badge_secret)
        db.engine.dispose()
    # A camera frame of 640 x 480 (what the page hands the worker) holding the badge.
    frame = folder / "flat.png"
    image = Image.open(png).convert("RGB")
    image.thumbnail((640, 480))
    canvas = Image.new("RGB", (640, 480), (90, 90, 90))
    canvas.paste(image, ((640 - image.width) // 2, (480 - image.height) // 2))
    canvas.save(frame)
    variants = {"flat": frame}
    for name, tilt, light in (("angle 15%", 0.15, 1.0), ("angle 30%", 0.3, 1.0), ("angle 40%", 0.4, 1.0),
                              ("dim 50%", 0.0, 0.5), ("dim 25%", 0.0, 0.25), ("dim 12%", 0.0, 0.12),
                              ("angle 30% + dim 25%", 0.3, 0.25)):
        variants[name] = photographed(frame, folder / f"{name.replace(' ', '_').replace('%', '')}.png", tilt, light)
    urls = {name: base64.b64encode(p.read_bytes()).decode() for name, p in variants.items()}
    result = page.evaluate(DECODE_RUN, [urls, 100])
    print(f"  decoder (zxing-wasm 3.1.4 in a Web Worker, 640x480 frame of a real badge): "
          f"{result['perSecond']:.1f} decodes/s", flush=True)
    for name, text in result["read"].items():
        print(f"    {name:<22} {'read' if text == expected else 'NOT read' if not text else 'WRONG: ' + text}",
              flush=True)
    print(f"  (the pictures are in {folder})", flush=True)


def accounted(app, scans: int, changes: int) -> None:
    from sqlalchemy import func, select

    from eventapp.extensions import db
    from eventapp.models import CheckIn, ScanLog

    with app.app_context():
        check_ins = db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one()
        logs = db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one()
        offline = db.session.execute(
            select(func.count()).select_from(ScanLog).where(ScanLog.device_at.is_not(None))).scalar_one()
        doubled = db.session.execute(
            select(func.count()).select_from(
                select(CheckIn.registration_id).where(CheckIn.themed_session_id.is_(None), CheckIn.undone_at.is_(None))
                .group_by(CheckIn.registration_id).having(func.count() > 1).subquery())).scalar_one()
        db.engine.dispose()
    expected = changes + 7 * scans  # 100 changes, 1 + 4 devices synced, online one by one, the page's own sync
    print(f"  accounted: {logs} scan log rows (expected {expected}), {offline} of them from offline devices "
          f"(expected {6 * scans}), {check_ins} check-ins, {doubled} people checked in twice", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    assert args.changes + 7 * args.scans <= args.attendees, "not enough attendees for first arrivals only"
    with tempfile.TemporaryDirectory(prefix="offline-bench-") as tmp:
        folder = Path(tmp)
        url = fresh_database(args.database, folder)
        instance = folder / "instance"
        started = time.perf_counter()
        app, slug, codes, tokens = prepare(url, instance, args.attendees, 4)
        print(f"{args.database}: {len(codes)} attendees (prepared in {time.perf_counter() - started:.0f} s), "
              f"gunicorn -w {args.workers}; load average {os.getloadavg()[0]:.2f}", flush=True)
        env = {"DATABASE_URL": url, "EVENTAPP_INSTANCE": str(instance), "SECRET_KEY": "bench", "MAIL_DELIVERY": "off"}
        with gunicorn("wsgi:app", env, args.workers, folder / "gunicorn.log") as (port, _pid):
            door_list(port, slug, tokens[0], codes, args.changes)
            syncs(port, slug, tokens, codes[args.changes:], args.scans)
            browser_part(port, slug, codes, args.scans, folder, app)
        accounted(app, args.scans, args.changes)
        print(f"  load average at the end {os.getloadavg()[0]:.2f}", flush=True)
        drop_database(args.database)


if __name__ == "__main__":
    main()
