"""Wrong passwords sent all at once, against a real threaded server and against four gunicorn workers: never more
password checks than the limit."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import LoginFailure

from ..conftest import log_in
from ..live import live_server
from ..smtp import free_port

ROOT = Path(__file__).resolve().parents[2]

ATTEMPTS = 20


def _post_login(url: str, email: str, password: str, opener=None, csrf_token: str | None = None) -> int:
    fields = {"email": email, "password": password} | ({"csrf_token": csrf_token} if csrf_token else {})
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _login_form(url: str):
    """A browser's cookie jar and the CSRF token of the login form it was given (for an app with CSRF on)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url, timeout=60) as response:
        page = response.read().decode()
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return opener, match.group(1) if match else None


def _all_at_once(url: str, email: str, count: int) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int | None] = [None] * count

    def attempt(i: int) -> None:
        opener, token = _login_form(url)
        barrier.wait()
        statuses[i] = _post_login(url, email, f"wrong password {i}", opener, token)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return statuses


def _password_checks(email: str) -> int:
    # Every password check is recorded as an attempt before it is made (and kept when it fails).
    db.session.expire_all()
    return db.session.execute(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.email == email)
    ).scalar_one()


def test_a_burst_of_wrong_passwords_gets_no_more_checks_than_the_limit(app, staff):
    user = staff("admin")
    limit = app.config["LOGIN_MAX_FAILURES"]
    with live_server(app) as base:
        statuses = _all_at_once(f"{base}/login", user.email, ATTEMPTS)
    assert set(statuses) <= {401, 429}, statuses
    assert _password_checks(user.email) == limit
    # The ones refused before any check said so; the right password is refused too, until the window passes.
    assert statuses.count(429) >= ATTEMPTS - limit
    assert log_in(app.test_client(), user).status_code == 429


def test_a_burst_from_one_address_over_many_accounts_is_held_to_the_address_limit(make_app):
    app = make_app(LOGIN_MAX_FAILURES=2)  # the address may fail 5 x 2 = 10 times
    emails = [f"nobody{i}@example.org" for i in range(ATTEMPTS)]
    with app.app_context(), live_server(app) as base:
        barrier = threading.Barrier(ATTEMPTS)
        statuses: list[int] = []

        def attempt(email: str) -> None:
            barrier.wait()
            statuses.append(_post_login(f"{base}/login", email, "wrong"))

        threads = [threading.Thread(target=attempt, args=(email,)) for email in emails]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        checks = db.session.execute(select(func.count()).select_from(LoginFailure)).scalar_one()
    assert len(statuses) == ATTEMPTS
    assert checks == 10


def test_four_gunicorn_workers_get_no_more_checks_than_the_limit(app, staff, database_url, tmp_path):
    user = staff("admin")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "workers-test-key",
           "EVENTAPP_INSTANCE": str(tmp_path), "RATELIMIT_ENABLED": "false", "LOGIN_MAX_FAILURES": "5"}
    env.pop("TEST_DATABASE_URL", None)
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}",
                               "wsgi:app"], env=env, cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.1)
        statuses = _all_at_once(f"{base}/login", user.email, ATTEMPTS)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert set(statuses) <= {401, 429}, statuses
    assert _password_checks(user.email) == 5
