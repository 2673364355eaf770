"""Drafting a report section with others: two editors saving the same section lose nothing and the later one is
shown both texts; every save is a revision with who and when; restoring one; autosaved drafts and the preview
button make no revision."""

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import ReportDraft, ReportRevision, ReportSection

from ..conftest import log_in


@pytest.fixture
def editors(app, demo_event, staff):
    gpg = demo_event.themed_sessions[0]
    first, second = app.test_client(), app.test_client()
    alice = staff("report_editor", organisation=gpg.lead_organisation)
    bob = staff("admin")
    log_in(first, alice)
    log_in(second, bob)
    url = f"/organiser/events/{demo_event.slug}/report/sessions/{gpg.id}"
    return url, first, second, gpg


def _section(gpg) -> ReportSection:
    db.session.expire_all()
    return db.session.execute(select(ReportSection).where(ReportSection.themed_session_id == gpg.id)).scalar_one()


def _revisions() -> int:
    return db.session.execute(select(func.count()).select_from(ReportRevision)).scalar_one()


def _save(client, url, base, **parts):
    data = {"narrative": "", "key_findings": "", "lessons": "", "open_questions": "", "status": "draft",
            "base_version": str(base), **parts}
    return client.post(url, data=data)


def test_two_editors_saving_the_same_part_lose_nothing(editors):
    url, first, second, gpg = editors
    assert _save(first, url, 0, narrative="Start.").status_code == 303
    assert _save(first, url, 1, narrative="Alice's words.").status_code == 303
    clash = _save(second, url, 1, narrative="Bob's words.")
    page = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "Someone else saved this section while you were editing" in page
    assert "Alice&#39;s words." in page and "Bob&#39;s words." in page and "Both changed" in page
    section = _section(gpg)
    assert section.narrative == "Alice's words." and section.version == 2
    draft = db.session.execute(select(ReportDraft)).scalar_one()
    assert draft.narrative == "Bob's words."  # kept on the server, not only in the page
    assert 'name="base_version" type="hidden" value="2"' in page
    assert _save(second, url, 2, narrative="Alice's words. Bob's words.").status_code == 303
    section = _section(gpg)
    assert section.version == 3 and section.narrative == "Alice's words. Bob's words."
    assert _revisions() == 3
    assert db.session.execute(select(ReportDraft)).scalar_one_or_none() is None


def test_changes_to_different_parts_are_merged_for_the_editor(editors):
    url, first, second, gpg = editors
    _save(first, url, 0, narrative="N", lessons="L")
    _save(first, url, 1, narrative="N by Alice", lessons="L")
    clash = _save(second, url, 1, narrative="N", lessons="L by Bob")
    page = clash.get_data(as_text=True)
    assert clash.status_code == 409 and "You changed different parts" in page
    assert "\nN by Alice</textarea>" in page and "\nL by Bob</textarea>" in page


def test_revisions_keep_who_and_when_and_restore_makes_a_new_one(editors):
    url, first, _, gpg = editors
    _save(first, url, 0, narrative="One")
    _save(first, url, 1, narrative="Two")
    listing = first.get(url + "/revisions").get_data(as_text=True)
    assert "Version 1" in listing and "Version 2" in listing and "report_editor" in listing
    assert "One" in first.get(url + "/revisions?version=1").get_data(as_text=True)
    answer = first.post(url + "/revisions/1/restore", data={"start": "1", "base_version": "2"})
    assert answer.status_code == 303
    section = _section(gpg)
    assert section.narrative == "One" and section.version == 3
    newest = db.session.execute(select(ReportRevision).where(ReportRevision.version == 3)).scalar_one()
    assert newest.restored_from == 1 and newest.saved_by_id is not None and newest.saved_at is not None
    assert first.post(url + "/revisions/9/restore", data={"start": "1", "base_version": "3"}).status_code == 404
    stale = first.post(url + "/revisions/2/restore", data={"start": "1", "base_version": "1"}, follow_redirects=True)
    assert "Someone saved the section while you were looking" in stale.get_data(as_text=True)
    assert _section(gpg).version == 3


def test_autosave_and_preview_make_no_revision(editors):
    url, first, _, gpg = editors
    _save(first, url, 0, narrative="Saved")
    for text in ("Typ", "Typing *more*"):
        answer = first.post(url + "/draft", data={"narrative": text, "status": "draft", "base_version": "1",
                                                  "autosave": "1"})
        assert answer.status_code == 200 and answer.json["saved_at"]
    assert "<em>more</em>" in answer.json["preview"]["narrative"]
    assert _revisions() == 1 and db.session.execute(select(func.count()).select_from(ReportDraft)).scalar_one() == 1
    page = first.get(url).get_data(as_text=True)
    assert "unsaved draft" in page and "\nTyping *more*</textarea>" in page
    previewed = _save(first, url, 1, narrative="Look **here**", action="preview")
    assert previewed.status_code == 200 and "<strong>here</strong>" in previewed.get_data(as_text=True)
    assert _revisions() == 1 and _section(gpg).narrative == "Saved"
    first.post(url + "/draft/discard", data={"start": "1"})
    assert "draft-notice" not in first.get(url).get_data(as_text=True)
    too_long = first.post(url + "/draft", data={"narrative": "x" * 20_001, "status": "draft", "autosave": "1"})
    assert too_long.status_code == 400 and too_long.json["ok"] is False
