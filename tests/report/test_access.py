"""Who may read and write what: a partner's draft is its own (and the admins'), check-in staff have no report
pages, exports are for admins only."""

import pytest
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import ReportSection, SectionStatus

from ..conftest import log_in
from .conftest import DRAFT_TEXT, READY_TEXT


class Visitor:
    """A logged-in client whose every request gets its own app context: the test's own context would otherwise
    be shared, and with it Flask-Login's cached user, between the clients of two people."""

    def __init__(self, app, user):
        self.app = app
        self.client = app.test_client()
        with app.app_context():
            assert log_in(self.client, user).status_code == 302

    def get(self, url):
        with self.app.app_context():
            return self.client.get(url)

    def post(self, url, **kwargs):
        with self.app.app_context():
            return self.client.post(url, **kwargs)


def client_for(app, user):
    return Visitor(app, user)


@pytest.fixture
def editors(app, world, staff):
    gpg, tbi, _ = (ts.lead_organisation for ts in world.event.themed_sessions)
    return client_for(app, staff("report_editor", organisation=gpg)), client_for(app, staff("report_editor",
                                                                                            organisation=tbi))


def test_an_editor_cannot_read_or_write_another_partners_draft(app, world, editors):
    gpg, tbi = editors
    base = f"/organiser/events/{world.event.slug}/report"
    draft_session = world.event.themed_sessions[1]  # TBI's, a draft
    url = f"{base}/sessions/{draft_session.id}"
    assert gpg.get(url).status_code == 404
    assert gpg.post(url, data={"narrative": "overwritten", "status": "ready"}).status_code == 404
    db.session.expire_all()
    section = db.session.execute(select(ReportSection).where(ReportSection.themed_session_id == draft_session.id)
                                 ).scalar_one()
    assert section.narrative == DRAFT_TEXT and section.status == SectionStatus.DRAFT
    # Nowhere else either: the list, the preview.
    for page in (base, f"{base}/preview"):
        text = gpg.get(page).get_data(as_text=True)
        assert "DRAFTSENTINEL" not in text and "DRAFTFINDING" not in text
    preview = gpg.get(f"{base}/preview").get_data(as_text=True)
    assert READY_TEXT in preview  # a ready section is everyone's
    # Its own partner's editor reads and edits it, and sees the draft in the preview, marked as such.
    assert "DRAFTSENTINEL" in tbi.get(url).get_data(as_text=True)
    own = tbi.get(f"{base}/preview").get_data(as_text=True)
    assert "DRAFTSENTINEL" in own and "not in the PDF until it is marked ready" in own
    # A ready section is still only editable by its own partner.
    assert tbi.get(f"{base}/sessions/{world.event.themed_sessions[0].id}").status_code == 404
    assert gpg.get(f"{base}/sessions/999999").status_code == 404


def test_an_admin_reads_every_draft(app, world, staff):
    admin = client_for(app, staff("admin"))
    base = f"/organiser/events/{world.event.slug}/report"
    assert "DRAFTSENTINEL" in admin.get(f"{base}/sessions/{world.event.themed_sessions[1].id}").get_data(as_text=True)
    preview = admin.get(f"{base}/preview").get_data(as_text=True)
    assert "DRAFTSENTINEL" in preview
    # The app's CSP forbids inline styles: the browser's charts carry their words in the SVG.
    assert preview.count('class="chart-svg"') == 5 and 'class="chart-text' not in preview


def test_checkin_staff_have_no_report_pages_and_editors_no_exports(app, world, staff, editors):
    gpg, _ = editors
    checkin = client_for(app, staff("checkin"))
    slug = world.event.slug
    report_pages = [f"/organiser/events/{slug}/report", f"/organiser/events/{slug}/report/preview",
                    f"/organiser/events/{slug}/report/introduction",
                    f"/organiser/events/{slug}/report/sessions/{world.event.themed_sessions[0].id}"]
    exports = [f"/organiser/events/{slug}/exports",
               f"/organiser/events/{slug}/exports?who=all&columns=email&file_format=csv"]
    for url in report_pages + exports:
        assert checkin.get(url).status_code == 403, url
    assert checkin.post(f"/organiser/events/{slug}/report/pdf", data={"start": "1"}).status_code == 403
    for url in exports + [f"/organiser/events/{slug}/report/introduction"]:
        assert gpg.get(url).status_code == 403, url
    assert gpg.post(f"/organiser/events/{slug}/exports/door-list", data={"start": "1"}).status_code == 403
