"""One log line per request (method, path, status, time, request id), as text or JSON (LOG_FORMAT=json), and the
log of an unhandled error.

What a visitor typed never shapes the log: control characters (a `%0a` in a URL would start a forged line; NUL
makes the file binary) and bidi overrides in logged text are escaped, in the path at its source and
in every record's message by the formatters. Secrets in paths are masked by pattern, whatever the route (a
manage link that matches no route is as secret as one that does). SQL parameters are kept out of error messages
by the engine (database.set_engine_options), and the formatters hide the details in which PostgreSQL quotes a
failing row's values.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from datetime import UTC, datetime

from flask import Flask, g, request

log = logging.getLogger("eventapp.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# C0 and C1 controls, the line and paragraph separators, and bidi marks, embeddings, overrides and isolates.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
# Path segments that are secrets, after however many slashes: the one after /manage (an attendee's whole key to
# their registration) and after a leading /certificates (the code that shows a person's certificate).
_SECRET_SEGMENT = re.compile(r"(/manage|^/+certificates)/+[^/]+", re.IGNORECASE)
MASK = "…"
MAX_LOGGED_PATH = 1000


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def loggable(text: str) -> str:
    """Text safe to put in a log line: every control character, separator and bidi control written as an escape
    (\\x0a, \\u202e). Escaping twice changes nothing more."""
    return _UNSAFE.sub(_escaped, text)


def masked_path(path: str, view_args: dict | None = None) -> str:
    """The path with secrets masked (by pattern, and any route argument named for a secret or token), shortened
    if long, and escaped: logs are read by more people than the secrets are for."""
    path = _SECRET_SEGMENT.sub(lambda match: f"{match.group(1)}/{MASK}", path)
    for name, value in (view_args or {}).items():
        if ("secret" in name or "token" in name) and isinstance(value, str) and value:
            path = path.replace(value, MASK)
    if len(path) > MAX_LOGGED_PATH:
        path = path[:MAX_LOGGED_PATH] + MASK
    return loggable(path)


HIDDEN = "(hidden: it may quote a row's values)"
# The parts of a PostgreSQL error that may quote what was written (DETAIL: "Failing row contains (…)", "Key
# (email)=(…) already exists"); psycopg puts them in the exception's message, past the engine's hide_parameters.
_DATABASE_DETAILS = ("message_detail", "context", "internal_query")


def _database_details(error: BaseException | None) -> list[str]:
    """The row-quoting parts of every database error in an exception's chain (its causes and contexts)."""
    found, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        for candidate in (error, getattr(error, "orig", None)):  # SQLAlchemy's DBAPIError wraps the driver's
            diag = getattr(candidate, "diag", None)
            found.extend(text for name in _DATABASE_DETAILS if (text := getattr(diag, name, None)))
        error = error.__cause__ or error.__context__
    return found


def format_traceback(formatter: logging.Formatter, ei) -> str:
    """A traceback as `formatter` writes it, with database errors' row-quoting details hidden and each line
    escaped (the lines themselves kept)."""
    text = logging.Formatter.formatException(formatter, ei)
    for detail in _database_details(ei[1]):
        text = text.replace(detail, HIDDEN)
    return "\n".join(loggable(line) for line in text.split("\n"))


class TextFormatter(logging.Formatter):
    """A line per record, its message escaped (loggable); a traceback keeps its lines, each escaped."""

    def format(self, record: logging.LogRecord) -> str:
        # Not the traceback another handler's formatter may have left on the record (logging caches it there).
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return loggable(super().formatMessage(record))

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return format_traceback(self, ei)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": loggable(record.getMessage()),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = format_traceback(self, record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    if app.testing:
        return
    handler = logging.StreamHandler()
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # No format here or in gunicorn's log shows the thread or the multiprocessing process name, and finding them
    # for every record (a line per request) costs more than writing the line. (gunicorn's shows the pid: kept.)
    logging.logThreads = logging.logMultiprocessing = False
    root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our own line replaces its access log
    for noisy in ("weasyprint", "fontTools"):  # a line per page and per font subset
        logging.getLogger(noisy).setLevel(logging.WARNING)


def logged_path() -> str:
    """This request's path as logs may show it (masked_path)."""
    return masked_path(request.path, request.view_args)


def log_exception(app: Flask, exc_info) -> None:
    """An unhandled error, logged like Flask's own log_exception but with the masked path and the request id."""
    path, method = logged_path(), loggable(request.method)
    request_id = g.get("request_id")
    app.logger.error("Exception on %s [%s] id=%s", path, method, request_id, exc_info=exc_info,
                     extra={"fields": {"request_id": request_id, "method": method, "path": path}})


def register_request_logging(app: Flask) -> None:
    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID")
        g.request_id = incoming if incoming and _REQUEST_ID.match(incoming) else os.urandom(16).hex()

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id", "")
        response.headers["X-Request-ID"] = request_id
        if request.endpoint == "static" or not log.isEnabledFor(logging.INFO):
            return response
        ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        path = logged_path()
        method = loggable(request.method)
        fields = {"request_id": request_id, "method": method, "path": path,
                  "status": response.status_code, "ms": round(ms, 1), "remote": loggable(request.remote_addr or "")}
        # makeRecord + handle: what log.info does, less looking up the calling source line, which is always here.
        log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, "%s %s %s %.1fms id=%s",
                                  (method, path, response.status_code, ms, request_id), None,
                                  extra={"fields": fields}))
        return response
