"""Survey pages: the organiser's survey (settings, questions, sending), the partners' answers and quotes, the
export, and the attendee's survey behind their manage link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import public, requires_role
from ..downloads import file_response
from ..events import service as events
from ..mail import soon
from ..models import QuestionKind, StaffRole
from ..registration import service as registrations
from ..registration.views import manage_limit
from . import export, service
from .forms import ActionForm, ExportForm, QuestionForm, QuotePickForm, SettingsForm, answer_form

bp = Blueprint("survey", __name__)

REPORT_STAFF = (StaffRole.ADMIN, StaffRole.REPORT_EDITOR)


@bp.app_context_processor
def _after_event_helper():
    return {"after_event": service.after_event}


def _survey_or_404(event):
    survey = service.get_survey(event)
    if survey is None:
        abort(404)
    return survey


def _field_error(form, error: service.SurveyError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- the organiser's survey --------------------------------------------------------------------------------


@bp.route("/organiser/events/<slug>/survey", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def organiser(slug: str):
    event = events.get_event_or_404(slug)
    survey = service.get_survey(event)
    if survey is None:
        return render_template("survey/organiser.html", event=event, survey=None, action_form=ActionForm())
    form = SettingsForm(obj=survey if request.method == "GET" else None)
    if request.method == "GET" and survey.closes_at:
        from zoneinfo import ZoneInfo

        form.closes_at.data = survey.closes_at.astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None)
    status = 200
    if form.validate_on_submit():
        try:
            service.save_settings(survey, service.SurveySettings(
                title=form.title.data, introduction=form.introduction.data or "",
                reminder_days=form.reminder_days.data, closes_at=form.closes_at_utc(event),
                ask_quote_consent=form.ask_quote_consent.data))
        except service.SurveyError as error:
            _field_error(form, error)
            status = 400
        else:
            flash("Survey settings saved.", "ok")
            return redirect(url_for("survey.organiser", slug=slug), 303)
    elif form.is_submitted():
        status = 400
    return render_template(
        "survey/organiser.html", event=event, survey=survey, form=form, action_form=ActionForm(),
        is_open=service.is_open(survey), to_send=service.count_to_send(survey), counts=service.response_counts(survey),
    ), status


@bp.route("/organiser/events/<slug>/survey/actions", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def action(slug: str):
    event = events.get_event_or_404(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    what = form.action.data
    if what == "create":
        service.create_default_survey(event)
        flash("The survey is made from the event: change it as you like, then send it.", "ok")
        return redirect(url_for("survey.organiser", slug=slug), 303)
    survey = _survey_or_404(event)
    if what == "send":
        try:
            sent = service.send_survey(survey)
        except service.SurveyError as error:
            flash(error.message, "error")
        else:
            soon.deliver_soon()
            flash(f"The survey is queued for {sent} attendee{'s' if sent != 1 else ''}." if sent
                  else "Everyone checked in has had the survey already.", "ok")
    elif what == "close":
        service.close_now(survey)
        flash("The survey is closed: answers can no longer be given or changed.", "ok")
    elif what == "reopen":
        service.reopen(survey)
        flash("The survey is open again.", "ok")
    else:
        abort(400)
    return redirect(url_for("survey.organiser", slug=slug), 303)


@bp.route("/organiser/events/<slug>/survey/questions/new", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def new_question(slug: str):
    return _question_page(slug, None)


@bp.route("/organiser/events/<slug>/survey/questions/<int:question_id>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def edit_question(slug: str, question_id: int):
    return _question_page(slug, question_id)


def _question_page(slug: str, question_id: int | None):
    event = events.get_event_or_404(slug)
    survey = _survey_or_404(event)
    question = None
    if question_id is not None:
        question = service.get_question(survey, question_id)
        if question is None:
            abort(404)
    form = QuestionForm(event)
    if request.method == "GET" and question is not None:
        form.fill_from(question)
    status = 200
    if form.validate_on_submit():
        data = service.QuestionData(
            kind=QuestionKind(form.kind.data), text=form.text.data, help=form.help.data or "",
            required=form.required.data, options=form.option_lines(), themed_session_id=form.themed_session_id())
        try:
            if question is None:
                service.add_question(survey, data)
            else:
                service.update_question(question, data)
        except service.SurveyError as error:
            _field_error(form, error)
            status = 400
        else:
            flash("Question saved.", "ok")
            return redirect(url_for("survey.organiser", slug=slug), 303)
    elif form.is_submitted():
        status = 400
    return render_template("survey/question.html", event=event, survey=survey, question=question, form=form), status


@bp.route("/organiser/events/<slug>/survey/questions/<int:question_id>/change", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def change_question(slug: str, question_id: int):
    event = events.get_event_or_404(slug)
    survey = _survey_or_404(event)
    question = service.get_question(survey, question_id)
    if question is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit() or form.action.data not in ("up", "down", "delete"):
        abort(400)
    if form.action.data == "delete":
        answers = service.delete_question(question)
        flash("Question deleted" + (f", with its {answers} answer{'s' if answers != 1 else ''}." if answers else "."),
              "ok")
    else:
        service.move_question(question, -1 if form.action.data == "up" else 1)
    return redirect(url_for("survey.organiser", slug=slug), 303)


@bp.route("/organiser/events/<slug>/survey/export")
@requires_role(StaffRole.ADMIN)
def export_answers(slug: str):
    event = events.get_event_or_404(slug)
    survey = _survey_or_404(event)
    form = ExportForm(formdata=request.args if request.args else None)
    form.columns.choices = [(c.key, c.label) for c in export.columns(survey)]
    if not request.args:
        form.columns.data = export.default_columns(survey)
    if request.args and form.validate():
        data, mimetype, filename = export.answers_file(survey, form.columns.data, form.file_format.data)
        return file_response(data, mimetype, filename)
    return render_template("survey/export.html", event=event, form=form), 400 if request.args else 200


# --- the partners' view of the answers --------------------------------------------------------------------


@bp.route("/organiser/events/<slug>/survey/answers")
@requires_role(*REPORT_STAFF)
def answers(slug: str):
    event = events.get_event_or_404(slug)
    survey = _survey_or_404(event)
    return render_template("survey/answers.html", event=event, survey=survey,
                           results=service.event_wide_results(survey), counts=service.response_counts(survey),
                           sessions=service.readable_sessions(survey, current_user))


@bp.route("/organiser/events/<slug>/survey/sessions/<int:session_id>", methods=["GET", "POST"])
@requires_role(*REPORT_STAFF)
def session_answers(slug: str, session_id: int):
    event = events.get_event_or_404(slug)
    survey = _survey_or_404(event)
    themed_session = next((ts for ts in event.themed_sessions if ts.id == session_id), None)
    if themed_session is None or not service.may_read_session(current_user, themed_session):
        abort(404)  # another partner's session: the same answer as for one that does not exist
    form = QuotePickForm()
    status = 200
    if form.validate_on_submit():
        try:
            picked = service.save_quote_picks(survey, themed_session, set(form.quotes.data or []), current_user)
        except service.SurveyError as error:
            form.form_errors.append(error.message)
            status = 400
        else:
            flash(f"{picked} quote{'s' if picked != 1 else ''} chosen for this section.", "ok")
            return redirect(url_for("survey.session_answers", slug=slug, session_id=session_id), 303)
    elif form.is_submitted():
        status = 400
    return render_template(
        "survey/session.html", event=event, survey=survey, themed_session=themed_session, form=form,
        results=service.session_results(survey, themed_session),
        candidates=service.quote_candidates(survey, themed_session),
        picked=service.picked_answer_ids(themed_session),
    ), status


# --- the attendee ------------------------------------------------------------------------------------------


@bp.route("/manage/<secret>/survey", methods=["GET", "POST"])
@public
@manage_limit
def attendee(secret: str):
    registration = registrations.find_by_manage_secret(secret)
    if registration is None:
        abort(404)
    event = registration.event
    survey = service.survey_for_attendee(registration)
    if survey is None:
        return render_template("survey/none.html", event=event, registration=registration), 404
    questions = service.questions_for(survey, registration)
    response = service.get_response(survey, registration)
    is_open = service.is_open(survey)
    form = answer_form(questions, survey.ask_quote_consent)
    status = 200
    if request.method == "GET":
        if response is not None:
            form.fill(service.answers_of(response))
    elif not is_open:
        flash("The survey has closed: answers can no longer be given or changed.", "error")
        return redirect(url_for("survey.attendee", secret=secret), 303)
    elif form.validate_on_submit():
        try:
            if form.mode.data == "edit" and response is not None:
                service.update(survey, response, form.answers())
                flash("Your changes are saved. Thank you.", "ok")
            else:
                service.submit(survey, registration, form.answers())
                flash("Thank you: your answers are saved. You can change them here until the survey closes.", "ok")
        except service.AlreadyAnswered as error:
            status = 409
            form = answer_form(questions, survey.ask_quote_consent, formdata=None)
            form.fill(service.answers_of(service.get_response(survey, registration)))
            form.form_errors.append(error.message)
            response = service.get_response(survey, registration)
        except service.SurveyError as error:
            _field_error(form, error)
            status = 400
        else:
            return redirect(url_for("survey.attendee", secret=secret), 303)
    else:
        status = 400
    form.mode.data = "edit" if response is not None else "new"
    return render_template("survey/attendee.html", event=event, registration=registration, survey=survey,
                           form=form, response=response, is_open=is_open, questions=questions), status
