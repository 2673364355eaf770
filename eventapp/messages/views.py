"""The organiser's group messages: the history with counts, writing one (preview, a test to oneself, a
confirmation of how many it reaches), sending it as a job, and each message's log per attendee."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..events import service as events
from ..mail import placeholders
from ..models import MailStatus, StaffRole
from ..registration import bulk
from ..registration.table import TableQuery
from . import audiences, service
from .forms import ComposeForm, SendForm

bp = Blueprint("messages", __name__, url_prefix="/organiser/events/<slug>/messages")


@bp.route("")
@requires_role(StaffRole.ADMIN)
def index(slug: str):
    event = events.get_event_or_404(slug)
    return render_template("messages/index.html", event=event, history=service.history(event), MailStatus=MailStatus,
                           labels=audiences.LABELS)


def _draft(event, form: ComposeForm) -> service.Draft:
    session_id = int(form.themed_session.data) if (form.themed_session.data or "").isdigit() else None
    selection = audiences.picked(event, form.selected_ids()) if form.audience.data == audiences.SELECTION else ()
    return service.Draft(audiences.Audience(form.audience.data, session_id, selection), form.subject.data,
                         form.body.data, bool(form.attach_calendar.data))


def _refused(form: ComposeForm, error: service.MessageRefused) -> None:
    target = form[error.field] if error.field and error.field in form else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _compose_page(event, form, status=200, rendered=None):
    selection = audiences.picked(event, form.selected_ids())
    return render_template("messages/compose.html", event=event, form=form, rendered=rendered,
                           placeholders=placeholders.PLACEHOLDERS, selection_count=len(selection)), status


@bp.route("/new", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def compose(slug: str):
    event = events.get_event_or_404(slug)
    form = ComposeForm(event)
    if request.method == "GET":
        form.audience.data = audiences.CONFIRMED
        return _compose_page(event, form)
    if not any(button in request.form for button in ("preview", "test", "review")):
        # From the registrations list: the people picked there, as repeated registration_id fields (the CSRF
        # token is checked app-wide, as for every POST).
        try:
            chosen = bulk.chosen_ids(event, request.form, live_only=True)  # a message goes to no cancelled one
        except bulk.SelectionTooLarge as error:
            flash(str(error), "error")
            table = TableQuery.from_args(bulk.filters(request.form), event)
            return redirect(url_for("registration.registrations", slug=slug, **table.args()), 303)
        picked = audiences.picked(event, [str(i) for i in chosen])
        form = ComposeForm(event, formdata=None, audience=audiences.SELECTION,
                           selection=",".join(map(str, picked)))
        return _compose_page(event, form)
    if not form.validate():
        return _compose_page(event, form, 400)
    draft = _draft(event, form)
    try:
        if form.test.data:
            service.send_test(event, draft, current_user)
            flash(f"A test copy is on its way to {current_user.email}.", "info")
            return _compose_page(event, form, rendered=service.preview(event, draft))
        rendered = service.preview(event, draft)
    except service.MessageRefused as error:
        _refused(form, error)
        return _compose_page(event, form, 400)
    if form.review.data:
        reach = audiences.count(event, draft.audience)
        return render_template("messages/confirm.html", event=event, form=SendForm(event, formdata=None,
                               data={**form.data, "reach": reach}), reach=reach, rendered=rendered,
                               audience=draft.audience.describe(event), draft=draft)
    return _compose_page(event, form, rendered=rendered)


@bp.route("/send", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def send(slug: str):
    event = events.get_event_or_404(slug)
    form = SendForm(event)
    if not form.validate():
        return _compose_page(event, form, 400)
    draft = _draft(event, form)
    try:
        message = service.start_sending(event, draft, form.reach.data or 0, current_user)
    except service.MessageRefused as error:
        reach = audiences.count(event, draft.audience)
        confirm = SendForm(event, formdata=None, data={**form.data, "reach": reach})
        confirm.form_errors.append(error.message)
        return render_template("messages/confirm.html", event=event, form=confirm, reach=reach,
                               rendered=service.preview(event, draft), audience=draft.audience.describe(event),
                               draft=draft), 409
    return redirect(url_for("jobs.status", job_id=message.job_id), 303)


@bp.route("/<int:message_id>")
@requires_role(StaffRole.ADMIN)
def detail(slug: str, message_id: int):
    event = events.get_event_or_404(slug)
    message = service.get_message(event, message_id)
    if message is None:
        abort(404)
    return render_template("messages/detail.html", event=event, message=message, log=service.message_log(message),
                           counts=service.outcome_counts(message.id), MailStatus=MailStatus, labels=audiences.LABELS)
