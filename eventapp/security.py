"""Response headers that make the browser enforce what the app promises (its own scripts only, no framing, no
Referer leaking a manage link, https remembered once seen), and the signed-cookie session.

Both run on every request, the scanners' included, so they are written to cost little when there is nothing to
do: a request without a session cookie builds no cookie signer, and the headers are added in one pass, to the
plain list the server is handed, not through Flask's validating Headers object one by one.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",  # the app's own files only (the vendored QR decoder included); no inline script
    "style-src 'self'",
    "img-src 'self' data: blob:",  # data: for QR previews, blob: for the camera frame on the scanner page
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# Set on every response unless the view set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),  # a manage link is a secret in the path: never a Referer to another site
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")  # over https only
# (lower-case name, header) pairs, for a response over plain http and for one over https.
_OVER_HTTP = [(name.lower(), (name, value)) for name, value in SECURITY_HEADERS]
_OVER_HTTPS = [*_OVER_HTTP, (HSTS[0].lower(), HSTS)]


class SecurityHeaders:
    """WSGI middleware: the headers above on every response the app gives, unless the app set its own.

    Inside ProxyFix (create_app wraps it after), so that "https" is the scheme the client used.
    """

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        wanted = _OVER_HTTPS if environ.get("wsgi.url_scheme") in ("https", "wss") else _OVER_HTTP

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(pair for lower, pair in wanted if lower not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def register_security_headers(app: Flask) -> None:
    app.wsgi_app = SecurityHeaders(app.wsgi_app)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without its fixed cost on requests that bring no cookie and leave none.

    Flask builds the cookie signer (key derivation included) before looking for a cookie, and works out every
    cookie setting before finding there is nothing to save; scanners and health checks never have a session.
    The answers are Flask's own: an empty session to a request without a cookie, and no Set-Cookie for a
    session that is still empty and unmodified (with ``Vary: Cookie`` when it was read).
    """

    def open_session(self, app, request):
        if not app.secret_key:
            return None
        # No Cookie header at all (a scanner, a health check): nothing to parse.
        if "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
