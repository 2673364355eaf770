"""The installable scanner: its web app manifest and its service worker, both scoped to one event's scanner page.

The service worker keeps the page and every file it needs (scripts, styles, the decoder, the icons) so that the
page opens with no network once it has been opened online; the door list and the queued scans live in IndexedDB
(static/checkin/offline.js). Its script names the files by content hash, so a changed file is a new worker, which
replaces the old one and its cache.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, url_for

from ..auth.roles import requires_role
from ..events import service as events
from ..models import StaffRole

bp = Blueprint("checkin_app", __name__, url_prefix="/organiser/events/<slug>/checkin")

# Everything the scanner page loads, besides the page itself (static/ paths).
SHELL_FILES = (
    "app.css",
    "schemes.css",
    "events/events.css",
    "checkin/scanner.css",
    "checkin/offline.js",
    "checkin/scanner.js",
    "checkin/camera.js",
    "checkin/decode-worker.js",
    "checkin/icon-192.png",
    "checkin/icon-512.png",
    "vendor/zxing-wasm/zxing_reader.js",
    "vendor/zxing-wasm/zxing_reader.wasm",
)


@cache
def _version(static_folder: str) -> str:
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:16]


def scope(slug: str) -> str:
    return url_for("checkin.scanner", slug=slug)


@bp.route("/sw.js")
@requires_role(StaffRole.CHECKIN)
def service_worker(slug: str):
    event = events.get_event_or_404(slug)
    body = render_template(
        "checkin/sw.js", page=scope(event.slug), version=_version(current_app.static_folder),
        files=[url_for("static", filename=name) for name in SHELL_FILES],
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    # The worker lives under .../checkin/ but serves the page at .../checkin itself.
    response.headers["Service-Worker-Allowed"] = scope(event.slug)
    return response


@bp.route("/manifest.webmanifest")
@requires_role(StaffRole.CHECKIN)
def manifest(slug: str):
    event = events.get_event_or_404(slug)
    page = scope(event.slug)
    response = jsonify({
        "name": f"Check-in · {event.name}",
        "short_name": "Check-in",
        "start_url": page,
        "scope": page,
        "id": page,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "icons": [
            {"src": url_for("static", filename="checkin/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="checkin/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
        ],
    })
    response.mimetype = "application/manifest+json"
    return response
