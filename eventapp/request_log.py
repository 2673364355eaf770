"""One log line per request (method, path, status, time, request id), as text or JSON (LOG_FORMAT=json)."""

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


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    if app.testing:
        return
    handler = logging.StreamHandler()
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
    """The path with secrets (manage links) masked: logs are read by more people than the secrets are for."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "secret" in name and isinstance(value, str) and value:
            path = path.replace(value, "…")
    return path


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
        fields = {"request_id": request_id, "method": request.method, "path": path,
                  "status": response.status_code, "ms": round(ms, 1), "remote": request.remote_addr}
        # makeRecord + handle: what log.info does, less looking up the calling source line, which is always here.
        log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, "%s %s %s %.1fms id=%s",
                                  (request.method, path, response.status_code, ms, request_id), None,
                                  extra={"fields": fields}))
        return response

    @app.teardown_request
    def _error(error):
        if error is not None:
            log.error("unhandled error id=%s", g.get("request_id"), exc_info=error,
                      extra={"fields": {"request_id": g.get("request_id"), "path": logged_path()}})
