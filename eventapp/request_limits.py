"""How much of a request body the app reads: MAX_CONTENT_LENGTH app-wide, less where a view declares it
(``@body_limit``), refused with 413 before anything is parsed, for a chunked body as for one with a length.

Werkzeug checks a Content-Length against the limit, and stops reading a body without one (chunked) at the
limit, but then hands the form parser or ``get_data()`` what it has read so far: a chunked body over the limit
was parsed cut short, not refused. So a chunked body is read here first, within the limit, and one byte more
of it means 413; the form parser and ``get_data()`` then read the copy Werkzeug keeps.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

LIMIT_ATTRIBUTE = "eventapp_body_limit"


def body_limit(max_bytes: int) -> Callable:
    """Declare a view's own, smaller body limit; put it right under ``@bp.route``."""

    def decorate(view: Callable) -> Callable:
        setattr(view, LIMIT_ATTRIBUTE, max_bytes)
        return view

    return decorate


def _enforce_body_limit() -> None:
    limit = getattr(current_app.view_functions.get(request.endpoint), LIMIT_ATTRIBUTE, None)
    if limit is not None:
        request.max_content_length = limit
    else:
        limit = request.max_content_length
    if limit is None:
        return
    length = request.content_length
    if length is not None:
        if length > limit:
            raise RequestEntityTooLarge()
        return
    environ = request.environ
    # No Content-Length: a chunked body, which the server ends for us (wsgi.input_terminated), or no body at all.
    if "HTTP_TRANSFER_ENCODING" not in environ or "wsgi.input_terminated" not in environ:
        return
    if len(request.get_data()) >= limit and environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def register_request_limits(app: Flask) -> None:
    """Call before the extensions are bound: this hook must run before the CSRF check, which reads the form."""
    app.before_request(_enforce_body_limit)
