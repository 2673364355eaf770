"""The offline scanner's JSON API: the door list (full or what changed) and the sync of scans queued offline.

Same callers as the check-in API (a device token, or check-in staff with CSRF), same JSON errors. A device told
401 (token revoked, logged out) or 410 (the event is finished) wipes the copy it keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..extensions import limiter
from ..models import StaffRole
from ..request_limits import body_limit
from . import doorlist, queries, service, sync
from .api_auth import answer_http_errors_as_json, api_requires_role, json_error
from .devices import DeviceAuth
from .forms import CheckInRequestError, read_json_object

bp = Blueprint("checkin_offline", __name__, url_prefix="/api/events/<slug>/checkin")

MAX_SYNC_BYTES = 1024 * 1024
EVENT_FINISHED = "This event is finished: check-in is closed, and the scanner's copy of the door list is wiped."


answer_http_errors_as_json(bp, "Send the queued scans in smaller batches.")


def _scanner(device: DeviceAuth | None) -> service.Scanner:
    if device:
        return service.Scanner(name=device.device_name, scanner_device_id=device.device_id)
    return service.Scanner(name=current_user.name, staff_user_id=current_user.id)


def _since() -> datetime | None:
    raw = request.args.get("since", "").replace(" ", "+")  # a "+" of the offset sent unencoded
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None  # not a cursor this server gave: the full list
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.route("/doorlist")
@limiter.exempt  # authenticated; a venue's scanners share one address
@api_requires_role(StaffRole.CHECKIN, allow_device_token=True)
def door_list(slug: str, device: DeviceAuth | None):
    event = doorlist.door_event(slug)
    if event is None:
        return json_error(404, "no_such_event", "There is no event at this address.")
    if event.closed:
        return json_error(410, "event_finished", EVENT_FINISHED)
    body = doorlist.build(event, _since())
    scanner = _scanner(device)
    body["corrections"] = sync.corrections(event.id, scanner)
    body["scanner"] = f"device:{scanner.scanner_device_id}" if device else f"staff:{scanner.staff_user_id}"
    if not device:
        body["csrf"] = generate_csrf()  # a page served from the device's cache carries an old one
    return jsonify(body)


@bp.route("/sync", methods=["POST"])
@body_limit(MAX_SYNC_BYTES)
@limiter.exempt
@api_requires_role(StaffRole.CHECKIN, allow_device_token=True)
def sync_scans(slug: str, device: DeviceAuth | None):
    event = device.event if device else queries.event_ref(slug)
    if event is None:
        return json_error(404, "no_such_event", "There is no event at this address.")
    try:
        scans = sync.parse_batch(read_json_object(request.get_data()), allow_registration_id=device is None)
    except (CheckInRequestError, sync.SyncRequestError) as error:
        return json_error(400, "bad_request", str(error))
    try:
        results = sync.sync_batch(event, _scanner(device), scans)
    except service.CheckInClosed:
        return json_error(410, "event_finished", EVENT_FINISHED)
    return jsonify({"results": results})
