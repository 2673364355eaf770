"""Request bodies are bounded app-wide (MAX_CONTENT_LENGTH, from the environment): over the limit is a plain 413
page before anything is parsed, with a Content-Length or chunked, through a real HTTP server."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from ..live import live_server
from ..registration.helpers import form_data, registration_count

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1024 * 1024


def _config_limit(env: dict) -> str:
    code = "from eventapp import config; print(config.Config.MAX_CONTENT_LENGTH, config.TestingConfig.MAX_CONTENT_LENGTH)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_app_wide_limit_is_a_megabyte_unless_the_environment_says_otherwise(app):
    assert app.config["MAX_CONTENT_LENGTH"] == LIMIT
    env = {k: v for k, v in os.environ.items() if k != "MAX_CONTENT_LENGTH"}
    assert _config_limit(env) == f"{LIMIT} {LIMIT}"
    assert _config_limit({**env, "MAX_CONTENT_LENGTH": "65536"}) == "65536 65536"


def _big_registration(event, size: int) -> bytes:
    return urlencode(form_data(event, dietary_needs="x" * size)).encode()


def test_a_registration_post_over_the_limit_is_a_plain_413_page_and_saves_nothing(client, demo_event):
    before = registration_count()
    response = client.post(f"/events/{demo_event.slug}/register", data=_big_registration(demo_event, 2 * LIMIT),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "too large" in page and "Traceback" not in page
    assert registration_count() == before


def test_a_form_just_under_the_limit_is_still_read(client, demo_event):
    body = _big_registration(demo_event, 10)
    body += b"&padding=" + b"p" * (LIMIT - len(body) - len(b"&padding="))
    assert len(body) == LIMIT
    response = client.post(f"/events/{demo_event.slug}/register", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303  # registered: the form was read whole


def _chunked_post(base_url: str, path: str, body: bytes, content_type: str,
                  headers: dict | None = None) -> tuple[int, str, str]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    chunks = (body[i:i + 65_536] for i in range(0, len(body), 65_536))
    try:
        connection.request("POST", path, body=chunks, encode_chunked=True,
                           headers={"Content-Type": content_type, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def server_url(app):
    with live_server(app) as url:
        yield url


def test_a_chunked_form_over_the_limit_gets_413_from_a_real_server(demo_event, server_url):
    # Werkzeug reads a chunked body only up to the limit and would hand the form parser that much, cut short.
    before = registration_count()
    status, content_type, page = _chunked_post(
        server_url, f"/events/{demo_event.slug}/register", _big_registration(demo_event, 2 * LIMIT),
        "application/x-www-form-urlencoded",
    )
    assert status == 413 and content_type.startswith("text/html") and "too large" in page
    assert registration_count() == before


def test_a_chunked_form_under_the_limit_is_read_whole_by_a_real_server(demo_event, server_url):
    body = _big_registration(demo_event, 10)
    body += b"&padding=" + b"p" * (LIMIT - len(body) - len(b"&padding="))
    status, _, _ = _chunked_post(server_url, f"/events/{demo_event.slug}/register", body,
                                 "application/x-www-form-urlencoded")
    assert status == 303


def test_a_huge_content_length_is_refused_without_waiting_for_the_body(demo_event, server_url):
    """100 MB announced and none of it sent: the answer comes at once, not after reading (or waiting for) it."""
    parts = urlsplit(server_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            f"POST /events/{demo_event.slug}/register HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n".encode()
        )
        answer = sock.recv(65_536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")


@pytest.fixture
def gunicorn_url(database_url, tmp_path, demo_event):
    """The app as deployed: gunicorn (its own settings file, one worker) on this test's database."""
    from benchmarks._servers import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "limits-test-key",
           "EVENTAPP_INSTANCE": str(tmp_path / "gunicorn"), "WEB_CONCURRENCY": "1", "MAIL_DELIVERY": "off"}
    env.pop("TEST_DATABASE_URL", None)
    process = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-b", f"127.0.0.1:{port}",
                                "wsgi:app"], env=env, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "gunicorn did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_gunicorn_refuses_a_chunked_body_over_the_limit_and_reads_one_under_it(demo_event, gunicorn_url):
    path = f"/events/{demo_event.slug}/register"
    status, content_type, page = _chunked_post(gunicorn_url, path, _big_registration(demo_event, 2 * LIMIT),
                                               "application/x-www-form-urlencoded")
    assert status == 413 and content_type.startswith("text/html") and "too large" in page
    # CSRF is on, as deployed: the form's token and the session cookie it belongs to.
    with urllib.request.urlopen(gunicorn_url + path) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()).group(1)
    head, tail = _big_registration(demo_event, 10) + b"&padding=", b"&csrf_token=" + token.encode()
    body = head + b"p" * (LIMIT - len(head) - len(tail)) + tail  # the token last: read only if all of it is
    assert len(body) == LIMIT
    status, _, _ = _chunked_post(gunicorn_url, path, body, "application/x-www-form-urlencoded", {"Cookie": cookie})
    assert status == 303  # registered
