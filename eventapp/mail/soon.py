"""Delivering mail soon after the request that queued it, without making the person wait: in a thread of this
process (one at a time per app), inline under tests, or as a job on the queue when several servers share Redis."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from ..jobs.queue import enqueue_call
from .service import deliver_pending

log = logging.getLogger(__name__)


def deliver_soon(app: Flask | None = None) -> threading.Thread | None:
    """Deliver pending mail without making the caller wait or fail; call it after the commit that queued mail.

    Returns the background thread when one is delivering (tests may join it), else None.
    """
    app = app or current_app._get_current_object()
    mode = app.config.get("MAIL_DELIVERY") or ("inline" if app.testing else "background")
    if mode == "off":
        return None
    if mode == "inline":
        _deliver_quietly(app)
        return None
    if app.config.get("REDIS_URL"):
        # Several servers: delivery is a job on the queue, done by `flask --app wsgi worker`, not by web workers.
        try:
            enqueue_call(app, "eventapp.mail.soon.deliver_from_queue", unique_id="eventapp-mail-delivery")
        except Exception:  # Redis down: the mail is safe in the database for the next kick or `mail deliver`
            log.exception("Could not queue mail delivery; the mail stays pending")
        return None
    deliverer = app.extensions.get("eventapp_mail_deliverer")
    if deliverer is None:
        deliverer = app.extensions.setdefault("eventapp_mail_deliverer", _BackgroundDeliverer(app))
    return deliverer.kick()


def wait_for_delivery(app: Flask, timeout: float = 30) -> bool:
    """Wait until this process's background delivery for `app`, if one runs, has finished; returns whether it
    has."""
    deliverer = app.extensions.get("eventapp_mail_deliverer")
    return deliverer is None or deliverer.wait(timeout)


def deliver_from_queue() -> None:
    """What an RQ worker runs for mail: deliver everything due, in the worker's app."""
    _deliver_quietly(current_app._get_current_object())


def _housekeeping_due(app: Flask) -> bool:
    """Whether this process's delivery after a request should do the BEFORE_DELIVERY work now: at most once every
    MAIL_HOUSEKEEPING_SECONDS."""
    every = float(app.config.get("MAIL_HOUSEKEEPING_SECONDS", 60))
    clock = time.monotonic()
    with _HOUSEKEEPING_LOCK:
        last = app.extensions.get("eventapp_mail_housekeeping_at")
        if last is not None and clock - last < every:
            return False
        app.extensions["eventapp_mail_housekeeping_at"] = clock
        return True


_HOUSEKEEPING_LOCK = threading.Lock()


def _deliver_quietly(app: Flask) -> None:
    try:
        with app.app_context():
            report = deliver_pending(housekeeping=_housekeeping_due(app))
        if report.failed:
            log.warning("Mail delivery: %s", report.summary())
    except Exception:
        log.exception("Mail delivery failed; the mail stays queued")


class _BackgroundDeliverer:
    """At most one delivery thread per app and process; a kick while it runs makes it go round once more."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def kick(self) -> threading.Thread:
        with self._lock:
            if self._thread is not None:
                self._again = True
                return self._thread
            self._thread = threading.Thread(target=self._run, name="eventapp-mail", daemon=True)
            self._thread.start()
            return self._thread

    def wait(self, timeout: float) -> bool:
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._lock:
                self._again = False
            _deliver_quietly(self.app)
            with self._lock:
                if not self._again:
                    self._thread = None
                    return
