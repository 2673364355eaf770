"""Logs a visitor cannot shape or read secrets from: control characters escaped, manage links masked by pattern
(routed or not), unhandled errors logged with the masked path, SQL errors without their parameters."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from eventapp.auth.roles import public
from eventapp.extensions import db
from eventapp.request_log import JsonFormatter, TextFormatter

from ..registration.helpers import form_data, registration_by_email

FORGED = "2026-12-07 10:00:00,000 INFO eventapp.request: POST /login 302 1.0ms id=forged"


@contextmanager
def log_text(caplog, logger: str = "", formatter: logging.Formatter | None = None) -> Iterator[io.StringIO]:
    """What the app's own text (or given) formatter writes for every record of `logger` at INFO and above."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter or TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    target = logging.getLogger(logger)
    target.addHandler(handler)
    try:
        with caplog.at_level(logging.INFO, logger=logger or None):
            yield out
    finally:
        target.removeHandler(handler)


@pytest.fixture
def secret(client, demo_event):
    client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event))
    return registration_by_email("ana@example.org").manage_secret


def test_a_newline_or_nul_in_the_path_cannot_forge_a_line(client, caplog):
    with log_text(caplog, "eventapp.request") as out:
        assert client.get(f"/nothing-here%0a{FORGED}%0d%00%e2%80%ae").status_code == 404
    written = out.getvalue()
    assert written.count("\n") == 1 and "\x00" not in written and "\r" not in written and "\u202e" not in written
    assert "\\x0a" + FORGED + "\\x0d\\x00\\u202e 404" in written
    [record] = [r for r in caplog.records if r.name == "eventapp.request"]
    assert "\n" not in record.getMessage() and "\n" not in record.fields["path"]


@pytest.mark.parametrize("path", ["/manage/{}/no-such-page", "/manage/{}%0a", "/manage//{}", "/MANAGE/{}",
                                  "/manage/{}/badge.pdf", "/manage/{}"])
def test_manage_secrets_are_masked_whether_or_not_a_route_matches(client, caplog, secret, path):
    with log_text(caplog, "eventapp.request") as out, log_text(caplog, "eventapp.request",
                                                                 JsonFormatter()) as json_out:
        client.get(path.format(secret))
    assert secret not in out.getvalue() and secret not in json_out.getvalue()
    assert "/…" in out.getvalue()
    assert secret not in json.loads(json_out.getvalue())["path"]


@pytest.mark.parametrize("path", ["/certificates/{}", "/certificates//{}/x", "/CERTIFICATES/{}"])
def test_certificate_codes_are_masked(client, caplog, path):
    code = "Q7ZK2M4XW9RTB6NC3HJ5PD8VYF"  # the shape of a certificate's code; known or not, it is never logged
    with log_text(caplog, "eventapp.request") as out:
        client.get(path.format(code))
    assert code not in out.getvalue() and "certificates/…" in out.getvalue().lower()


def test_an_unhandled_error_is_logged_once_with_the_masked_path_and_no_sql_parameters(make_app, caplog, secret):
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # as in production: a 500 page, and the error logged

    @app.get("/manage/<secret>/explode")
    @public
    def explode(secret):
        db.session.execute(text("INSERT INTO staff_user (email, role) VALUES (:email, 'admin')"),
                           {"email": f"{secret}@example.org"})  # NOT NULL password_hash: fails with the secret
        return "unreachable"

    with app.app_context(), log_text(caplog) as out:
        response = app.test_client().get(f"/manage/{secret}/explode", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    written = out.getvalue()
    assert secret not in written
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].getMessage() == "Exception on /manage/…/explode [GET] id=req-42"
    assert "IntegrityError" in written and "SQL parameters hidden" in written


def test_sql_errors_never_carry_their_parameters_into_a_log(app):
    """The engine leaves the parameters out of the message; PostgreSQL's own DETAIL ("Failing row contains (…)")
    is hidden by the formatters."""
    with pytest.raises(IntegrityError) as raised:
        db.session.execute(text("INSERT INTO staff_user (email, role) VALUES (:email, 'admin')"),
                           {"email": "secret-value@example.org"})
    db.session.rollback()
    assert "SQL parameters hidden" in str(raised.value)
    record = logging.LogRecord("eventapp", logging.ERROR, __file__, 1, "failed", (),
                               (raised.type, raised.value, raised.tb))
    for formatter in (TextFormatter(), JsonFormatter()):
        written = formatter.format(record)
        assert "secret-value" not in written and "IntegrityError" in written and "password_hash" in written


def test_every_message_and_traceback_line_is_escaped_by_the_formatters():
    try:
        raise ValueError("bad\rvalue\x00")
    except ValueError as error:
        record = logging.LogRecord("eventapp.mail", logging.ERROR, __file__, 1, "Mail to %s failed",
                                   ("a@b.example\nFORGED LINE",), (type(error), error, error.__traceback__))
    text_line = TextFormatter("%(levelname)s %(message)s").format(record)
    assert text_line.splitlines()[0] == "ERROR Mail to a@b.example\\x0aFORGED LINE failed"
    assert "bad\\x0dvalue\\x00" in text_line and "\r" not in text_line and "\x00" not in text_line
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Mail to a@b.example\\x0aFORGED LINE failed"
