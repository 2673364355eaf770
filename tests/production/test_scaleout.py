"""Two gunicorn servers on one PostgreSQL and Redis, and an RQ worker: nothing a request needs lives in one
process. Runs when TEST_DATABASE_URL is PostgreSQL and Redis answers on 127.0.0.1:6379."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ..conftest import ON_POSTGRES, TEST_DATABASE_URL
from ..smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/7"
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)")


def _redis_or_skip():
    from redis import Redis

    try:
        redis = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        redis.flushdb()
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies, used against any of the servers."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect)

    def get(self, url):
        try:
            response = self.opener.open(url, timeout=60)
            return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def post(self, url, data, headers=None):
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            response = self.opener.open(request, timeout=60)
            return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def token(self, url):
        _, page, _ = self.get(url)
        return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


@pytest.fixture
def deployment(tmp_path):
    _redis_or_skip()
    name = f"eventapp_scaleout_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": "scaleout-" + uuid.uuid4().hex,
           "EVENTAPP_INSTANCE": str(tmp_path), "LOGIN_RATE_LIMIT": "4 per minute", "JOB_STALE_SECONDS": "3",
           "JOB_HEARTBEAT_SECONDS": "0.5",
           "PUBLIC_BASE_URL": "http://127.0.0.1"}
    env.pop("TEST_DATABASE_URL", None)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(flask + ["demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    setup = (
        "from eventapp import create_app\n"
        "from eventapp.extensions import db\n"
        "from eventapp.models import Event\n"
        "from eventapp.demo.service import seed_demo\n"
        "from eventapp.auth.service import create_staff_user\n"
        "from eventapp.checkin.devices import issue_device\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    event = db.session.query(Event).one(); event.capacity = 1000; db.session.commit()\n"
        "    seed_demo(attendees=300)\n"
        "    create_staff_user('ops@example.org', 'correct horse battery', 'admin'); db.session.commit()\n"
        "    print(issue_device(event, 'door phone', None).token)\n"
    )
    device_token = subprocess.run([sys.executable, "-c", setup], env=env, cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
    servers, processes = [], []
    for _ in range(2):
        port = free_port()
        processes.append(subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                          env=env, cwd=ROOT, start_new_session=True))
        servers.append(f"http://127.0.0.1:{port}")
    for base in servers:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
    workers: list[subprocess.Popen] = []

    def start_worker():
        worker = subprocess.Popen(flask + ["worker"], env=env, cwd=ROOT, start_new_session=True)
        workers.append(worker)
        return worker

    yield {"servers": servers, "device_token": device_token, "start_worker": start_worker, "url": url}
    for process in processes + workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant (RQ's work horse leaves the worker's process group)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, stack = [], [pid]
    while stack:
        current = stack.pop()
        tree.append(current)
        stack.extend(children.get(current, []))
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _job_state(browser, base, job_id):
    status, body, _ = browser.get(f"{base}/organiser/jobs/{job_id}.json")
    assert status == 200, body
    return json.loads(body)


def _wait(browser, base, job_id, condition, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _job_state(browser, base, job_id)
        if condition(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stuck at {state}")


def test_two_servers_one_database_one_redis(deployment):
    a, b = deployment["servers"]
    slug = "london-p2p-2018"

    # Register through A.
    attendee = Browser()
    token = attendee.token(f"{a}/events/{slug}/register")
    status, _, headers = attendee.post(f"{a}/events/{slug}/register", {
        "csrf_token": token, "full_name": "Olena Shevchenko", "email": "olena@example.org",
        "organisation": "Ukraine Reform Delivery Office", "organisation_kind": "government", "country": "UA",
        "consent_privacy": "y"})
    assert status == 303 and headers["Location"].endswith(f"/events/{slug}/register/sent")  # the link goes by mail

    # Check in through B, with a scanner device's token; A then sees it as already checked in.
    engine = create_engine(deployment["url"])
    with engine.connect() as conn:
        secret = conn.execute(text("SELECT badge_secret FROM registration WHERE email = 'olena@example.org'")).scalar()
    engine.dispose()
    api = {"Authorization": f"Bearer {deployment['device_token']}", "Content-Type": "application/json"}
    body = json.dumps({"code": f"EA1:{secret}"}).encode()
    status, answer, _ = Browser().post(f"{b}/api/events/{slug}/checkin", body, api)
    assert status == 200 and json.loads(answer)["result"] == "ok"
    status, answer, _ = Browser().post(f"{a}/api/events/{slug}/checkin", body, api)
    assert json.loads(answer)["result"] == "already_checked_in"

    def mail_status():
        engine = create_engine(deployment["url"])
        with engine.connect() as conn:
            status = conn.execute(text("SELECT status FROM outbound_mail WHERE recipient = 'olena@example.org'")
                                  ).scalar()
        engine.dispose()
        return status

    # With Redis, mail goes through the queue: nothing is sent until a worker runs.
    assert mail_status() == "pending"

    # Log in on A; the session cookie works on B too (shared secret key, nothing in process memory).
    staff = Browser()
    token = staff.token(f"{a}/login")
    status, _, _ = staff.post(f"{a}/login", {"csrf_token": token, "email": "ops@example.org",
                                               "password": "correct horse battery"})
    assert status == 302
    assert staff.get(f"{b}/organiser/")[0] == 200

    # A badge job queued from A waits for a worker; its progress is read from B.
    def start_badges():
        token = staff.token(f"{a}/organiser/events/{slug}/badges")
        status, _, headers = staff.post(f"{a}/organiser/events/{slug}/badges",
                                        {"csrf_token": token, "layout": "a4-4up", "order": "surname", "session": ""})
        assert status == 303, status
        return headers["Location"].rsplit("/", 1)[1]

    job = start_badges()
    time.sleep(1)
    assert _job_state(staff, b, job)["status"] == "queued"
    worker = deployment["start_worker"]()
    state = _wait(staff, b, job, lambda s: s["status"] in ("done", "failed"))
    assert state["status"] == "done" and state["done"] == state["total"] > 300
    for _ in range(100):
        if mail_status() == "sent":
            break
        time.sleep(0.2)
    assert mail_status() == "sent"  # the worker delivered the confirmation queued by server A
    status, pdf, _ = staff.get(b + state["download"])
    assert status == 200 and pdf.startswith(b"%PDF")

    # A worker asked to stop mid-job (SIGTERM) finishes the job first.
    job = start_badges()
    _wait(staff, b, job, lambda s: s["status"] == "running")
    worker.send_signal(signal.SIGTERM)
    assert _wait(staff, b, job, lambda s: s["status"] in ("done", "failed"))["status"] == "done"
    worker.wait(timeout=60)

    # A worker killed mid-job: the job is not lost silently, it is marked failed with a reason, and a retry
    # on the next worker finishes it.
    worker = deployment["start_worker"]()
    job = start_badges()
    _wait(staff, b, job, lambda s: s["status"] == "running")
    kill_tree(worker.pid)
    worker.wait()
    time.sleep(4)  # longer than JOB_STALE_SECONDS
    state = _wait(staff, a, job, lambda s: s["status"] == "failed")
    assert "stopped before it finished" in state["error"]
    deployment["start_worker"]()
    token = staff.token(f"{b}/organiser/jobs/{job}")
    assert staff.post(f"{b}/organiser/jobs/{job}/retry", {"csrf_token": token})[0] == 303
    assert _wait(staff, a, job, lambda s: s["status"] in ("done", "failed"))["status"] == "done"

    # Rate-limit counters are shared: the fifth login attempt, across both servers, gets 429. (The counters
    # are emptied first: the staff login above came from the same address and may still be in the window.)
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter("LIMITS*"):
        redis.delete(key)
    guesser = Browser()
    codes = []
    for base in (a, b, a, b, a):
        token = guesser.token(f"{base}/login")
        codes.append(guesser.post(f"{base}/login", {"csrf_token": token, "email": "x@example.org",
                                                    "password": "guess"})[0])
    assert codes == [401, 401, 401, 401, 429]
