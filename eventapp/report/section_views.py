"""A partner's section of the report: the editor with its preview (live with JavaScript, a Preview button
without), autosave of drafts, conflicts when two editors save, and the revisions to restore from."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..events import service as events
from ..url_numbers import int_arg
from . import drafting, service
from .forms import SectionForm, StartJobForm
from .views import REPORT_STAFF, bp


def _section_or_404(slug: str, session_id: int):
    event = events.get_event_or_404(slug)
    try:
        themed_session, section = service.section_for_editing(event, session_id, current_user)
    except service.SectionNotFound:
        abort(404)  # another partner's section: the same answer as for one that does not exist
    return event, themed_session, section


def _preview(texts: dict[str, str]) -> list[tuple[str | None, object]]:
    return [(heading, service.render_markdown(texts[name])) for name, heading in service.SECTION_PARTS]


def _page(event, themed_session, section, form, status=200, conflict=None, draft=None, previewing=False):
    texts = drafting.texts_of(form.data)
    return render_template(
        "report/section.html", event=event, themed_session=themed_session, section=section, form=form,
        preview=_preview(texts), previewing=previewing, conflict=conflict, draft=draft,
        revisions=drafting.revisions(section)[:5], discard_form=StartJobForm(),
    ), status


@bp.route("/report/sessions/<int:session_id>", methods=["GET", "POST"])
@requires_role(*REPORT_STAFF)
def section(slug: str, session_id: int):
    event, themed_session, section = _section_or_404(slug, session_id)
    if request.method == "GET":
        draft = drafting.draft_for(themed_session.id, current_user, section)
        source = draft or section
        form = SectionForm(data={**drafting.texts_of(source), "status": section.status.value,
                                 "base_version": str(draft.base_version if draft else section.version)})
        return _page(event, themed_session, section, form, draft=draft)
    form = SectionForm()
    if not form.validate():
        return _page(event, themed_session, section, form, 400)
    if request.form.get("action") == "preview":
        # Nothing saved as a revision, but nothing lost either: the text is kept as this editor's draft.
        drafting.keep_draft(themed_session.id, current_user, drafting.texts_of(form.data), form.base())
        return _page(event, themed_session, section, form, previewing=True)
    outcome = drafting.save(section, form.data, form.base(), current_user)
    if isinstance(outcome, drafting.Conflict):
        form = SectionForm(formdata=None, data={**outcome.merged, "status": form.status.data,
                                                "base_version": str(outcome.current_version)})
        return _page(event, themed_session, section, form, 409, conflict=outcome)
    flash(f"Saved as version {outcome.version}. " + (
        "The section is ready: it is in the report." if form.status.data == "ready"
        else "It is a draft: only your organisation's editors and the admins can read it."), "ok")
    return redirect(url_for("report.section", slug=slug, session_id=session_id), 303)


@bp.route("/report/sessions/<int:session_id>/draft", methods=["POST"])
@requires_role(*REPORT_STAFF)
def section_draft(slug: str, session_id: int):
    """The editor's script: the preview of what is typed, and (with autosave=1) the text kept as a draft."""
    _, themed_session, _ = _section_or_404(slug, session_id)
    form = SectionForm()
    if not form.validate():
        errors = [error for field in form for error in field.errors]
        return jsonify(ok=False, errors=errors), 400
    texts = drafting.texts_of(form.data)
    saved_at = None
    if request.form.get("autosave") == "1":
        saved_at = drafting.keep_draft(themed_session.id, current_user, texts, form.base()).saved_at.isoformat()
    return jsonify(ok=True, saved_at=saved_at,
                   preview={name: str(service.render_markdown(texts[name])) for name in drafting.PART_NAMES})


@bp.route("/report/sessions/<int:session_id>/draft/discard", methods=["POST"])
@requires_role(*REPORT_STAFF)
def discard_draft(slug: str, session_id: int):
    _, themed_session, _ = _section_or_404(slug, session_id)
    if StartJobForm().validate_on_submit():
        drafting.discard_draft(themed_session.id, current_user)
        flash("Your unsaved draft is discarded: the editor shows the saved version.", "ok")
    return redirect(url_for("report.section", slug=slug, session_id=session_id), 303)


@bp.route("/report/sessions/<int:session_id>/revisions")
@requires_role(*REPORT_STAFF)
def revisions(slug: str, session_id: int):
    event, themed_session, section = _section_or_404(slug, session_id)
    shown = None
    version = int_arg("version", 0)
    if version:
        shown = drafting.revision(section, version)
        if shown is None:
            abort(404)
    return render_template(
        "report/revisions.html", event=event, themed_session=themed_session, section=section,
        revisions=drafting.revisions(section), shown=shown,
        shown_preview=_preview(drafting.texts_of(shown)) if shown else None, form=StartJobForm(),
    )


@bp.route("/report/sessions/<int:session_id>/revisions/<int:version>/restore", methods=["POST"])
@requires_role(*REPORT_STAFF)
def restore_revision(slug: str, session_id: int, version: int):
    _, _, section = _section_or_404(slug, session_id)
    if not StartJobForm().validate_on_submit():
        abort(400)
    base = request.form.get("base_version", "")
    base_version = int(base) if base.isdigit() and len(base) < 9 else section.version
    outcome = drafting.restore(section, version, base_version, current_user)
    if outcome is None:
        abort(404)
    if isinstance(outcome, drafting.Conflict):
        flash("Someone saved the section while you were looking: check its newest version before restoring.",
              "error")
        return redirect(url_for("report.revisions", slug=slug, session_id=session_id), 303)
    flash(f"Version {version} is restored as version {outcome.version}; every earlier version is kept.", "ok")
    return redirect(url_for("report.section", slug=slug, session_id=session_id), 303)
