"""Response headers that make the browser enforce what the app promises (its own scripts only, no framing, no
Referer leaking a manage link, https remembered once seen), added by a WSGI middleware to every response; and
``Cache-Control: no-store`` on every response that shows people's data.
"""

from flask import Flask, current_app, request

from .auth.roles import declared_access

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
    app.after_request(_no_store_personal_data)


NO_STORE = "no-store"
MANAGE_PREFIX = "/manage/"  # an attendee's own page, badge and forms: the secret link is the login
CERTIFICATE_PREFIX = "/certificates/"  # a public page, but it shows the holder's name to whoever has the code


def _no_store_personal_data(response):
    """``Cache-Control: no-store`` on what shows people's data: every response of a route that declares staff roles
    (organiser pages, lists, exports, the door list, job downloads, the check-in API), of an attendee's manage
    link, of a certificate's public page, and every file download; no browser, proxy or back button keeps a copy
    of them.
    """
    if NO_STORE in response.headers.get("Cache-Control", ""):
        return response  # the view said so itself (e.g. "private, no-store")
    if (
        isinstance(declared_access(current_app.view_functions.get(request.endpoint)), tuple)
        or request.path.startswith((MANAGE_PREFIX, CERTIFICATE_PREFIX))
        or response.headers.get("Content-Disposition", "").startswith("attachment")
    ):
        response.headers["Cache-Control"] = NO_STORE
    return response
