"""The check-in forms: a scan request's JSON, naming a device, and the one-button revoke and undo forms."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..url_numbers import is_id
from .devices import DEVICE_NAME_MAX
from .service import METHODS

NONCE_MAX = 64
DEVICE_LABEL_MAX = 120


class CheckInRequestError(ValueError):
    """A check-in request that is not well formed; the message says what to send instead."""


@dataclass(frozen=True)
class CheckInRequest:
    code: str | None
    registration_id: int | None
    themed_session_id: int | None
    method: str
    nonce: str | None
    device_label: str | None


def _optional_int(payload: dict, key: str) -> int | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CheckInRequestError(f'"{key}" must be a number.')
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        value = int(value)
    if not isinstance(value, int) or not is_id(value):
        raise CheckInRequestError(f'"{key}" must be a number.')
    return value


def read_json_object(body: bytes) -> object:
    """A request body as JSON; CheckInRequestError for anything that is not JSON in UTF-8.

    Stricter than ``request.get_json(silent=True)``, which lets a RecursionError through (a body nested a few
    thousand levels deep answered 500) and guesses UTF-16 or UTF-32 from the first bytes.
    """
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise CheckInRequestError("Send the request as JSON in UTF-8.") from None
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise CheckInRequestError('Send a JSON object such as {"code": "EA1:..."}.') from None


def parse_check_in_request(payload: object, allow_registration_id: bool) -> CheckInRequest:
    """Validate the JSON of POST /api/events/<slug>/checkin (any string is a code: judging it is the service's)."""
    if not isinstance(payload, dict):
        raise CheckInRequestError('Send a JSON object such as {"code": "EA1:..."}.')
    code = payload.get("code")
    registration_id = _optional_int(payload, "registration") if allow_registration_id else None
    if registration_id is None:
        if not isinstance(code, str):
            raise CheckInRequestError('"code" must be the text of the badge\'s code.')
    else:
        code = None
    method = payload.get("method") or ("search" if registration_id is not None else "scan")
    if method not in METHODS:
        raise CheckInRequestError(f'"method" must be one of {", ".join(METHODS)}.')
    nonce = payload.get("nonce")
    if nonce is not None and not (
        isinstance(nonce, str) and 0 < len(nonce) <= NONCE_MAX and nonce.isascii() and nonce.isprintable()
    ):
        raise CheckInRequestError(f'"nonce" must be 1 to {NONCE_MAX} printable ASCII characters.')
    label = payload.get("device")
    if label is not None:
        if not isinstance(label, str):
            raise CheckInRequestError('"device" must be text.')
        label = "".join(ch for ch in label if ch.isprintable()).strip()[:DEVICE_LABEL_MAX] or None
    return CheckInRequest(
        code=code,
        registration_id=registration_id,
        themed_session_id=_optional_int(payload, "session"),
        method=method,
        nonce=nonce,
        device_label=label,
    )


class IssueDeviceForm(FlaskForm):
    name = StringField(
        "Device name",
        description="Which phone or scanner this is, e.g. \u201cMain door, scanner 2\u201d.",
        validators=[DataRequired("Name the device."), Length(max=DEVICE_NAME_MAX)],
    )
    submit = SubmitField("Issue token")


class RevokeDeviceForm(FlaskForm):
    submit = SubmitField("Revoke")


class UndoCheckInForm(FlaskForm):
    submit = SubmitField("Undo")
