import json
import logging
import re
from pathlib import Path

from eventapp.request_log import JsonFormatter

from ..registration.helpers import form_data

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client):
    assert "max-age=" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_no_inline_script_in_any_page_template():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.parts[-2] in {"badges", "report"} and "pdf" in path.name:
            continue  # rendered to PDF by WeasyPrint, never served to a browser
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert not offenders, f"inline script (blocked by the CSP) in {offenders}"


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": "ok"}


def test_readyz_says_what_is_down(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                   REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"].startswith("unreachable") and checks["redis"].startswith("unreachable")


def test_request_id_is_returned_and_kept_when_given(client):
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz").headers["X-Request-ID"])
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id; x"}).headers["X-Request-ID"] != "bad id; x"


def test_request_log_line_masks_manage_secrets(client, demo_event, caplog):
    client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event))
    from ..registration.helpers import registration_by_email

    secret = registration_by_email("ana@example.org").manage_secret
    with caplog.at_level(logging.INFO, logger="eventapp.request"):
        client.get(f"/manage/{secret}")
    [line] = [r for r in caplog.records if r.name == "eventapp.request"]
    assert secret not in line.getMessage() and "/manage/…" in line.getMessage()
    assert line.fields["status"] == 200 and line.fields["method"] == "GET"


def test_json_log_format():
    record = logging.LogRecord("eventapp.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.fields = {"status": 200, "request_id": "x"}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["status"] == 200 and entry["message"] == "GET / 200" and entry["level"] == "INFO"


def test_login_is_rate_limited_with_a_clear_page(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", LOGIN_MAX_FAILURES=100)
    client = app.test_client()
    with app.app_context():
        codes = [client.post("/login", data={"email": "a@example.org", "password": "x"}).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        page = client.post("/login", data={"email": "a@example.org", "password": "x"})
        assert "Too many requests in a short time" in page.get_data(as_text=True)
        assert client.get("/login").status_code == 200  # only attempts are limited


def test_manage_links_share_one_budget(make_app, demo_event):
    app = make_app(RATELIMIT_ENABLED=True, MANAGE_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        codes = [client.get("/manage/guess-1").status_code, client.post("/manage/guess-2/cancel").status_code,
                 client.get("/manage/guess-3").status_code]
        assert codes == [404, 404, 429]
