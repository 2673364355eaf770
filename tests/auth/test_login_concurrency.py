"""Wrong passwords sent all at once, against a real threaded server: never more password checks than the limit."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import LoginFailure

from ..conftest import log_in
from ..live import live_server

ATTEMPTS = 20


def _post_login(url: str, email: str, password: str) -> int:
    body = urllib.parse.urlencode({"email": email, "password": password}).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _all_at_once(url: str, email: str, count: int) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int | None] = [None] * count

    def attempt(i: int) -> None:
        barrier.wait()
        statuses[i] = _post_login(url, email, f"wrong password {i}")

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
