"""Response headers that make the browser enforce what the app promises (its own scripts only, no framing, no
Referer leaking a manage link, https remembered once seen), and the signed-cookie session.

Both run on every request, the scanners' included, so they are written to cost little when there is nothing to
do: a request without a session cookie builds no cookie signer, and the headers are added in one pass.
"""

from flask import Flask, request
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
_LOWER = {name: name.lower() for name, _ in (*SECURITY_HEADERS, HSTS)}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        wanted = [*SECURITY_HEADERS, HSTS] if request.is_secure else SECURITY_HEADERS
        headers.extend([(name, value) for name, value in wanted if _LOWER[name] not in present])
        return response


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
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
