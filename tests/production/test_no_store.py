"""Nothing personal is kept in a cache: every response of a staff route, of an attendee's manage link, and every
file download says ``Cache-Control: no-store``. Found by walking every route of the app, so a new one is covered
the day it is added."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import select

from eventapp.auth.roles import declared_access
from eventapp.checkin import devices, queries
from eventapp.checkin.service import Scanner, check_in
from eventapp.extensions import db
from eventapp.models import Job, JobStatus, Registration, utcnow
from eventapp.report.jobs import DOOR_LIST_KIND
from eventapp.tokens import badge_code


def _csrf_from(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture
def csrf_app(make_app):
    """CSRF on, as in production: every POST below is refused before it changes anything, and must still say
    no-store when it is a staff route's."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def route_values(csrf_app, staff, demo_event):
    admin = staff("admin")
    people = db.session.execute(
        select(Registration).where(Registration.event_id == demo_event.id).order_by(Registration.id)
    ).scalars().all()
    ref = queries.event_ref(demo_event.slug)
    arrival = check_in(ref, Scanner(name="Sam", staff_user_id=admin.id), code=badge_code(people[1].badge_secret))
    device = devices.issue_device(demo_event, "Door", admin).device
    job = Job(id="6f1c2f64-2b8e-4b7e-9b0e-3f7f6c1d2a10", kind=DOOR_LIST_KIND, event_id=demo_event.id,
              status=JobStatus.DONE, done=1, total=1, created_by_id=admin.id, finished_at=utcnow(),
              result_filename="door-list.pdf", result_mimetype="application/pdf", result_data=b"%PDF-1.4 door list")
    db.session.add(job)
    db.session.commit()
    return admin, {
        "slug": demo_event.slug,
        "registration_id": people[0].id,
        "session_id": demo_event.themed_sessions[0].id,
        "check_in_id": arrival.answer["check_in_id"],
        "device_id": device.id,
        "secret": people[2].manage_secret,
        "job_id": job.id,
        "slot_id": demo_event.themed_sessions[0].time_slot_id,
        "organisation_id": demo_event.themed_sessions[0].lead_organisation_id,
        "change_id": 1,  # none exist: the POST is refused for its CSRF token first, and a 404 must say no-store too
        "question_id": 1,
        "version": 1,  # a report section's revision: none exist, so a 404, which must say no-store too
        "code": "no-such-certificate",
        "token": "no-such-password-link",
        "kind": "confirmed",
        "user_id": admin.id,
        "message_id": 1,
    }


def _walk(client, app, values) -> dict[str, tuple[int, str | None]]:
    """Every route once, GET where it may, else POST (refused for want of a CSRF token): rule -> answer."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    seen = {}
    for rule in sorted(rules, key=lambda r: "GET" not in r.methods):  # every GET before any POST
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        seen[rule.rule] = (response.status_code, response.headers.get("Cache-Control"))
    return seen


def _personal(app, rule) -> bool:
    personal_paths = ("/manage/", "/certificates/")  # a certificate's page shows its holder's name
    return isinstance(declared_access(app.view_functions[rule.endpoint]), tuple) or rule.rule.startswith(personal_paths)


def test_every_staff_and_manage_response_says_no_store(csrf_app, route_values):
    admin, values = route_values
    client = csrf_app.test_client()
    token = _csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": admin.email, "password": "correct horse battery",
                                       "csrf_token": token}).status_code == 302
    seen = _walk(client, csrf_app, values)
    personal = {r.rule for r in csrf_app.url_map.iter_rules() if r.endpoint != "static" and _personal(csrf_app, r)}
    assert len(personal) > 40  # the walk reached the organiser pages, the API and the manage link
    missing = {rule: seen[rule] for rule in personal if "no-store" not in (seen[rule][1] or "")}
    assert not missing, f"personal data without Cache-Control: no-store: {missing}"
    # GETs were answered for real (not login redirects or errors), so what was checked is the page itself.
    assert seen["/organiser/events/<slug>/registrations"][0] == 200
    assert seen["/manage/<secret>"][0] == 200 and seen["/organiser/jobs/<job_id>/download"][0] == 200
    # Public pages stay cacheable.
    assert "no-store" not in (seen["/events/<slug>"][1] or "") and "no-store" not in (seen["/"][1] or "")


def test_logged_out_visitors_and_errors_on_those_routes_get_no_store_too(csrf_app, route_values):
    _, values = route_values
    client = csrf_app.test_client()
    seen = _walk(client, csrf_app, values)
    for rule in csrf_app.url_map.iter_rules():
        if rule.endpoint != "static" and _personal(csrf_app, rule):
            assert "no-store" in (seen[rule.rule][1] or ""), (rule.rule, seen[rule.rule])
    for url in ("/manage/not-a-secret", "/manage/not-a-secret/", "/manage/x/y/z"):
        response = client.get(url)
        assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store", url


def test_every_file_download_says_no_store(app, client, staff, demo_event):
    from ..conftest import log_in

    log_in(client, staff("admin"))
    export = client.get(f"/organiser/events/{demo_event.slug}/exports",
                        query_string={"who": "confirmed", "columns": ["full_name", "email"], "file_format": "csv"})
    assert export.status_code == 200 and export.headers["Content-Disposition"].startswith("attachment")
    assert export.headers["Cache-Control"] == "no-store"


def test_a_download_from_any_route_says_no_store(make_app):
    from flask import Response

    app = make_app()

    @app.get("/a-file")
    def a_file():
        return Response("x", headers={"Content-Disposition": 'attachment; filename="x.txt"'})

    assert app.test_client().get("/a-file").headers["Cache-Control"] == "no-store"
