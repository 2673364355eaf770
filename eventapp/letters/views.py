"""The letter editor under the event workspace: the list of letters, one letter's editor with its preview, reset."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..events import service as events
from ..mail.placeholders import PLACEHOLDERS
from ..models import StaffRole
from ..url_numbers import int_arg
from . import service
from .forms import LetterForm, ResetForm

bp = Blueprint("letters", __name__, url_prefix="/organiser/events/<slug>/letters")


@bp.route("")
@requires_role(StaffRole.ADMIN)
def index(slug: str):
    event = events.get_event_or_404(slug)
    return render_template("letters/index.html", event=event, letters=service.letters(event))


@bp.route("/<kind>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def edit(slug: str, kind: str):
    event = events.get_event_or_404(slug)
    letter_kind = service.letter_kind(kind) or abort(404)
    saved = service.saved_letter(event, kind)
    form = LetterForm()
    status = 200
    if not form.is_submitted():
        form.subject.data = saved.subject if saved else letter_kind.subject
        form.body_text.data = saved.body_text if saved else letter_kind.text
        form.body_html.data = (saved.body_html or "") if saved else ""
    elif form.validate_on_submit():
        errors = service.check(form.subject.data, form.body_text.data, form.body_html.data)
        if not errors and form.save.data:
            service.save(event, kind, form.subject.data, form.body_text.data, form.body_html.data,
                         by=current_user._get_current_object())
            flash(f"The {letter_kind.label.lower()} letter is saved: it is the one sent from now on.", "info")
            return redirect(url_for("letters.edit", slug=slug, kind=kind), 303)
        for field, message in errors.items():
            getattr(form, field).errors.append(message)
        status = 400 if errors else 200
    else:
        status = 400
    attendee = service.preview_attendee(event, kind, int_arg("attendee", 0, minimum=0, maximum=2**53))
    preview = None
    if attendee is not None and not form.errors and form.subject.data and form.body_text.data:
        composed = service.compose(form.subject.data, form.body_text.data, form.body_html.data or None,
                                   service.context(attendee))
        preview = {"subject": composed.subject, "text": composed.text,
                   "html": service.html.for_page(composed.html)}
    return render_template("letters/edit.html", event=event, letter=letter_kind, saved=saved, form=form,
                           reset_form=ResetForm(), preview=preview, attendee=attendee,
                           placeholders=PLACEHOLDERS, previewing=request.method == "POST",
                           choices=service.preview_choices(event) if attendee else []), status


@bp.route("/<kind>/reset", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def reset(slug: str, kind: str):
    event = events.get_event_or_404(slug)
    letter_kind = service.letter_kind(kind) or abort(404)
    if not ResetForm().validate_on_submit():
        abort(400)
    if service.reset(event, kind):
        flash(f"The {letter_kind.label.lower()} letter is back to the default.", "info")
    return redirect(url_for("letters.edit", slug=slug, kind=kind), 303)
