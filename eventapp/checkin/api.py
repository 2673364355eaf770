"""The check-in JSON API: check in (scanners and the scanner page), and the page's search, counts and undo."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ..extensions import limiter
from ..models import StaffRole
from ..request_limits import body_limit
from . import queries, service
from .api_auth import answer_http_errors_as_json, api_requires_role, json_error
from .devices import DeviceAuth
from .forms import CheckInRequestError, parse_check_in_request, read_json_object
from .nonces import NONCE_REUSED

bp = Blueprint("checkin_api", __name__, url_prefix="/api/events/<slug>/checkin")

# A code is 30 characters; room for a hostile 10 kB one even JSON-escaped (up to 12 bytes a character).
MAX_REQUEST_BYTES = 256 * 1024
TOO_LARGE = "That request is too large to be a scan."


answer_http_errors_as_json(bp, TOO_LARGE)


@bp.route("", methods=["POST"])
@body_limit(MAX_REQUEST_BYTES)
# No per-address rate limit: every call is authenticated, and at the door rush a venue's scanners all share one
# address; nor is a 130-bit badge secret or a 256-bit token guessable by trying.
@limiter.exempt
@api_requires_role(StaffRole.CHECKIN, allow_device_token=True)
def check_in(slug: str, device: DeviceAuth | None):
    # The body is read only now, once the caller is known (token or login, and CSRF), and never trusted to parse.
    event = device.event if device else queries.event_ref(slug)
    if event is None:
        return json_error(404, "no_such_event", "There is no event at this address.")
    try:
        parsed = parse_check_in_request(read_json_object(request.get_data()), allow_registration_id=device is None)
    except CheckInRequestError as error:
        return json_error(400, "bad_request", str(error))
    if device:
        scanner = service.Scanner(name=device.device_name, scanner_device_id=device.device_id)
    else:
        scanner = service.Scanner(
            name=current_user.name, staff_user_id=current_user.id, device_label=parsed.device_label
        )
    try:
        outcome = service.check_in(
            event,
            scanner,
            code=parsed.code,
            registration_id=parsed.registration_id,
            themed_session_id=parsed.themed_session_id,
            method=parsed.method,
            nonce=parsed.nonce,
        )
    except service.UnknownSession as error:
        return json_error(400, "unknown_session", str(error))
    except service.NonceReused as error:
        return json_error(409, NONCE_REUSED, str(error))
    except service.CheckInClosed as error:
        return json_error(409, "event_closed", str(error))
    # Cache-Control: no-store, as on every staff route's answer, comes from security.py.
    return jsonify(outcome.as_json())


def _event_or_404(slug: str):
    event = queries.event_ref(slug)
    if event is None:
        return None, json_error(404, "no_such_event", "There is no event at this address.")
    return event, None


@bp.route("/search")
@api_requires_role(StaffRole.CHECKIN)
def search(slug: str):
    event, error = _event_or_404(slug)
    if error:
        return error
    hits = queries.search_registrations(event.id, request.args.get("q", ""))
    return jsonify({"results": [hit.as_json(event.timezone) for hit in hits]})


@bp.route("/counts")
@api_requires_role(StaffRole.CHECKIN)
def counts(slug: str):
    event, error = _event_or_404(slug)
    if error:
        return error
    return jsonify(queries.live_counts(event.id).as_json())


@bp.route("/<int:check_in_id>/undo", methods=["POST"])
@api_requires_role(StaffRole.CHECKIN)
def undo(slug: str, check_in_id: int):
    event, error = _event_or_404(slug)
    if error:
        return error
    result = service.undo_check_in(event.id, check_in_id, current_user.id)
    status = {service.UndoResult.UNDONE: 200, service.UndoResult.ALREADY_UNDONE: 409}.get(result, 404)
    messages = {
        service.UndoResult.UNDONE: "Check-in undone.",
        service.UndoResult.ALREADY_UNDONE: "That check-in was already undone.",
        service.UndoResult.NOT_FOUND: "There is no such check-in at this event.",
    }
    response = jsonify({"result": result.value, "message": messages[result]})
    response.status_code = status
    return response
