"""The event workspace over HTTP: every organiser page of an event has the event's navigation with the current
page marked, breadcrumbs and a title naming the page and the event; each role sees only the links it may open."""

import re

import pytest

from ..conftest import log_in
from .pages import organiser_pages


def test_every_organiser_page_renders_in_the_workspace(app, client, staff, demo_event):
    log_in(client, staff("admin"))
    for path in organiser_pages(demo_event):
        page = client.get(path)
        assert page.status_code == 200, path
        body = page.get_data(as_text=True)
        assert 'aria-label="Breadcrumb"' in body, path
        title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
        assert title.endswith(" · eventapp"), (path, title)
        if path.startswith(f"/organiser/events/{demo_event.slug}"):
            assert demo_event.name in title, (path, title)
            assert 'class="workspace-side" aria-label="This event"' in body, path
            assert 'class="workspace-menu"' in body and "<details" in body, path
            assert "state state-" in body, path
            assert body.count('aria-current="page"') >= 2 or 'aria-current="true"' in body, path


@pytest.mark.parametrize(
    ("path", "current"),
    [("", "Overview"), ("/registrations", "Registrations"), ("/waitlist", "Waiting list"),
     ("/programme", "Programme"), ("/assignment", "Assignment"), ("/badges", "Badges"),
     ("/report", "Report"), ("/exports", "Exports"), ("/settings", "Settings"), ("/partners", "Settings")],
)
def test_the_current_page_is_marked_in_the_navigation(app, client, staff, demo_event, path, current):
    log_in(client, staff("admin"))
    body = client.get(f"/organiser/events/{demo_event.slug}{path}").get_data(as_text=True)
    side = body[body.index('class="workspace-side"'):body.index("</nav>", body.index('class="workspace-side"'))]
    marked = re.findall(r'<a href="[^"]*" aria-current="(?:page|true)">([^<]*)</a>', side)
    assert marked == [current]


def test_each_role_sees_only_the_links_it_may_open(app, staff, demo_event):
    def labels(role):
        client = app.test_client()
        lead = demo_event.themed_sessions[0].lead_organisation
        log_in(client, staff(role, organisation=lead if role == "report_editor" else None))
        body = client.get(f"/organiser/events/{demo_event.slug}").get_data(as_text=True)
        start = body.index('class="workspace-side"')
        return re.findall(r"<a href=\"[^\"]*\"[^>]*>([^<]*)</a>", body[start:body.index("</nav>", start)])

    assert labels("admin") == ["Overview", "Registrations", "Waiting list", "Programme", "Assignment", "Badges",
                               "Check-in", "Messages", "Letters", "Mail log", "Outbox", "Report", "Survey",
                               "Certificates", "Exports", "Settings"]
    assert labels("checkin") == ["Overview", "Check-in"]
    assert labels("report_editor") == ["Overview", "Report"]


def test_a_section_page_links_back_through_its_breadcrumbs(app, client, staff, demo_event):
    log_in(client, staff("admin"))
    from eventapp.extensions import db
    from eventapp.models import Registration

    person = db.session.execute(db.select(Registration).filter_by(event_id=demo_event.id).limit(1)).scalar_one()
    body = client.get(f"/organiser/events/{demo_event.slug}/registrations/{person.id}").get_data(as_text=True)
    crumbs = body[body.index('aria-label="Breadcrumb"'):]
    crumbs = crumbs[:crumbs.index("</nav>")]
    assert re.findall(r">([^<>]+)</(?:a|li)>", crumbs) == [
        "Your events", demo_event.short_name or demo_event.name, "Registrations", person.full_name]
