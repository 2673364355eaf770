"""The organiser's registrations table and the actions on a selection of it: print badges, cancel (after a
confirmation saying how many people it affects) and export. Sending a message goes to the messages page."""

from __future__ import annotations

from dataclasses import replace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..downloads import file_response
from ..events import service as events
from ..jobs import service as jobs
from ..models import ORGANISATION_KIND_LABELS, StaffRole
from ..report import exports
from ..report.forms import SelectionExportForm
from ..url_numbers import int_arg
from . import bulk, table
from .forms import ConfirmForm
from .views import bp


def message_url(slug: str) -> str:
    """Where "Send a message" posts the selection: the messages page, built literally if this branch lacks it."""
    from flask import current_app

    if "messages.compose" in current_app.view_functions:
        return url_for("messages.compose", slug=slug)
    return f"/organiser/events/{slug}/messages/new"


@bp.route("/organiser/events/<slug>/registrations")
@requires_role(StaffRole.ADMIN)
def registrations(slug: str):
    event = events.get_event_or_404(slug)
    # A page number that is not one is a 400 with a sentence, as on every paged list.
    query = replace(table.TableQuery.from_args(request.args, event), page=int_arg("page", 1))
    return render_template(
        "registration/organiser_list.html",
        event=event,
        page=table.registrations_page(event, query),
        query=query,
        choices=table.filter_choices(event),
        kinds=ORGANISATION_KIND_LABELS,
        sorts=table.SORTS,
        checked_in_choices=table.CHECKED_IN_CHOICES,
        per_page_choices=table.PER_PAGE_CHOICES,
        action_form=ConfirmForm(),
        message_url=message_url(slug),
        scope_matching=bulk.SCOPE_MATCHING,
        filter_prefix=bulk.FILTER_PREFIX,
        max_selection=bulk.MAX_SELECTION,
    )


def _back_to_table():
    return redirect(request.form.get("back") if _safe_back() else url_for("registration.registrations",
                                                                          slug=request.view_args["slug"]), 303)


def _safe_back() -> bool:
    back = request.form.get("back", "")
    return back.startswith(f"/organiser/events/{request.view_args['slug']}/registrations") and "//" not in back


def _selection(event):
    try:
        people = bulk.selected(event, bulk.chosen_ids(event, request.form))
    except bulk.SelectionTooLarge as error:
        flash(str(error), "error")
        return []
    if not people:
        if request.form.get("scope") == bulk.SCOPE_MATCHING:
            flash("No registrations match these filters.", "error")
        else:
            flash("Select at least one person first: tick the boxes in the table.", "error")
    return people


@bp.route("/organiser/events/<slug>/registrations/selection/badges", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def selection_badges(slug: str):
    event = events.get_event_or_404(slug)
    people = _selection(event)
    if not people:
        return _back_to_table()
    from ..badges.service import BatchRequest, count_for_batch

    batch = BatchRequest(event_id=event.id, registration_ids=[p.id for p in people])
    if count_for_batch(batch) == 0:
        flash("None of the people selected has a confirmed place, so there is no badge to print.", "error")
        return _back_to_table()
    job = jobs.submit("badges", batch.__dict__, event=event, by=current_user)
    return redirect(url_for("jobs.status", job_id=job.id), 303)


@bp.route("/organiser/events/<slug>/registrations/selection/cancel", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def selection_cancel(slug: str):
    event = events.get_event_or_404(slug)
    people = _selection(event)
    if not people:
        return _back_to_table()
    affected = bulk.cancellable(people)
    if request.form.get("confirmed") == "yes" and affected:
        count = bulk.cancel_many(affected, by_staff=current_user)
        flash(f"{count} registration{'' if count == 1 else 's'} cancelled; each person is told by mail, and "
              "freed places are offered to the waiting list.", "info")
        return _back_to_table()
    return render_template("registration/selection_cancel.html", event=event, people=people, affected=affected,
                           form=ConfirmForm(), back=request.form.get("back") if _safe_back() else None)


@bp.route("/organiser/events/<slug>/registrations/selection/export", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def selection_export(slug: str):
    event = events.get_event_or_404(slug)
    people = _selection(event)
    if not people:
        return _back_to_table()
    chosen = "columns" in request.form or request.form.get("download") == "1"
    form = SelectionExportForm(formdata=request.form if chosen else None)
    if chosen and form.validate():
        from ..models import RegistrationStatus

        rows = exports.export_rows(event, tuple(RegistrationStatus), ids=[p.id for p in people])
        data, mimetype = exports.spreadsheet(*exports.table(rows, form.columns.data), form.file_format.data)
        filename = exports.export_filename(event, form.file_format.data).replace("-registrations.", "-selection.")
        return file_response(data, mimetype, filename)
    return render_template("registration/selection_export.html", event=event, people=people, form=form,
                           summary_form=form if chosen else None), 400 if chosen else 200
