"""Security headers on every response (eventapp/security.py), and the session cookie only where there is a session."""

from __future__ import annotations

from flask import make_response

from eventapp.security import CONTENT_SECURITY_POLICY


def test_a_view_that_sets_its_own_security_header_keeps_it(make_app):
    app = make_app()

    @app.get("/own-policy")
    def own_policy():
        response = make_response("framed on purpose")
        response.headers["x-frame-options"] = "SAMEORIGIN"  # any case: header names are case-insensitive
        return response

    response = app.test_client().get("/own-policy")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_follows_the_scheme_the_proxy_reports(make_app):
    client = make_app(PROXY_COUNT=1).test_client()
    over_https = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_errors_carry_the_security_headers_too(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_request_without_cookies_gets_no_session_cookie(client):
    response = client.get("/healthz")
    assert "Set-Cookie" not in response.headers


def test_a_session_cookie_is_still_read(app, client, staff):
    user = staff("checkin")
    assert client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302
    assert client.get("/organiser/").status_code == 200  # the session cookie sent back logs the user in
