"""The attendee's "Add to calendar": the .ics download behind their manage link."""

from flask import Blueprint, abort, flash, redirect, url_for

from ..auth.roles import public
from ..downloads import file_response
from ..registration import service as registrations
from ..registration.views import manage_limit
from . import service

bp = Blueprint("calendar", __name__)


@bp.app_context_processor
def _calendar_helpers():
    return {"calendar_links": service.links_for}


@bp.route("/manage/<secret>/calendar.ics")
@public
@manage_limit
def download(secret: str):
    registration = registrations.find_by_manage_secret(secret)
    if registration is None:
        abort(404)
    if not service.has_calendar(registration):
        flash("The calendar entry is here once your place is confirmed.", "info")
        return redirect(url_for("registration.manage", secret=secret), 303)
    return file_response(service.registration_ics(registration), service.MIMETYPE,
                         service.ics_filename(registration.event), private=True)
