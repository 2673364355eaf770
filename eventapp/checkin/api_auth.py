"""Who may call the check-in API: a scanner device's bearer token, or a logged-in staff member sending CSRF.

Answers in JSON (401 for missing or wrong credentials, 403 for a role that may not), because the callers are
programs: a scanner, or the scanner page's fetch(). A person's browser that lands on an API address with no
login (no JSON, no Authorization header, not asking for JSON) is sent to the login page like on any organiser
page, which is what the access table in tests/auth expects of every non-public route.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..auth.roles import ACCESS_ATTRIBUTE, may_work_on_event
from ..extensions import csrf
from ..models import StaffRole
from .devices import authenticate_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def json_error(status: int, error: str, message: str):
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eventapp check-in"'
    return response


def wants_json() -> bool:
    """A program calling the API, rather than a person's browser navigating to it."""
    if "Authorization" in request.headers or request.is_json:
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def _bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header; "" for a Bearer header with no token; None for none."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None  # e.g. Basic from a proxy in front of the app: not ours to judge
    return token.strip()


def api_requires_role(*roles: StaffRole, allow_device_token: bool = False) -> Callable:
    """Like @requires_role, for JSON endpoints; with allow_device_token, a live scanner token of the event also may.

    Nothing here reads the request's body: the caller is known before anything it sent is parsed.

    With allow_device_token the view is called with ``device``: the DeviceAuth of a token request, None for a
    staff member's. Tokens are limited to such views: every other endpoint refuses them with 401. The view is
    exempt from the global CSRF check, which is made here instead for cookie-authenticated requests only: a
    bearer token is not sent by a browser on its own, so it cannot be forged across sites.
    """
    roles = tuple(StaffRole(r) for r in roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = _bearer_token()
            if token is not None:
                if not allow_device_token:
                    return json_error(401, "token_not_accepted", "Scanner tokens may only check people in.")
                device = authenticate_token(token) if token else None
                if device is None:
                    return json_error(401, "invalid_token", "This scanner token is not valid, or was revoked.")
                if device.event.slug != kwargs.get("slug"):
                    return json_error(403, "other_event", "This scanner token is for another event.")
                return view(*args, device=device, **kwargs)
            if not current_user.is_authenticated:
                if wants_json():
                    return json_error(401, "login_required", "Log in as check-in staff, or send a scanner token.")
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_user.has_role(*roles):
                return json_error(403, "forbidden", "Your account may not check people in.")
            if "slug" in kwargs and not may_work_on_event(current_user, kwargs["slug"]):
                return json_error(403, "other_event", "Your account works on other events.")
            if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
                try:
                    csrf.protect()
                except CSRFError:
                    return json_error(400, "csrf", "The page has expired or was not sent from this site. Reload it.")
            if allow_device_token:
                kwargs["device"] = None
            return view(*args, **kwargs)

        csrf.exempt(wrapped)
        setattr(wrapped, ACCESS_ATTRIBUTE, roles)
        return wrapped

    return decorate


def answer_http_errors_as_json(blueprint, too_large: str) -> None:
    """Every HTTP error of the blueprint's routes as the API's JSON error (a scanner reads JSON, never an HTML
    page); a body over the route's limit is told `too_large`."""

    @blueprint.errorhandler(HTTPException)
    def _json_http_error(error: HTTPException):
        if isinstance(error, RequestEntityTooLarge):
            return json_error(413, "too_large", too_large)
        return json_error(error.code or 500, error.name.lower().replace(" ", "_"), error.description or error.name)
