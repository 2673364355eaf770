"""Every route declares its access; every organiser route answers each kind of visitor correctly."""

import re

import pytest

from eventapp.auth.roles import declared_access
from eventapp.models import StaffRole

from ..conftest import log_in

ROLES = [StaffRole.ADMIN, StaffRole.CHECKIN, StaffRole.REPORT_EDITOR]
# Endpoints Flask and extensions add themselves.
FRAMEWORK_ENDPOINTS = {"static"}


def _staff_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FRAMEWORK_ENDPOINTS:
            continue
        access = declared_access(app.view_functions[rule.endpoint])
        if access != "public":
            yield rule, access


def _url_for_rule(rule, sample):
    def fill(match):
        name = match.group(2)
        return str(sample.get(name, 1))

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)


def _sample_values(app, event):
    from eventapp.extensions import db
    from eventapp.models import Registration

    registration = db.session.query(Registration).filter_by(event_id=event.id).first()
    return {
        "slug": event.slug,
        "event_slug": event.slug,
        "session_id": event.themed_sessions[0].id,
        "themed_session_id": event.themed_sessions[0].id,
        "registration_id": registration.id,
        "secret": registration.manage_secret,
    }


def test_every_route_declares_its_access(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in FRAMEWORK_ENDPOINTS:
            continue
        if declared_access(app.view_functions[rule.endpoint]) is None:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert not missing, "routes that declare neither @public nor @requires_role(...): " + ", ".join(missing)


def test_there_are_organiser_routes_to_check(app):
    assert len(list(_staff_routes(app))) >= 2


def _visit(client, rule, url):
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    return client.open(url, method=method)


def test_logged_out_visitors_are_sent_to_login(app, client, demo_event):
    sample = _sample_values(app, demo_event)
    for rule, _ in _staff_routes(app):
        response = _visit(client, rule, _url_for_rule(rule, sample))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_each_role_gets_in_or_403(app, staff, demo_event, role):
    organisation = demo_event.themed_sessions[0].lead_organisation if role == StaffRole.REPORT_EDITOR else None
    user = staff(role.value, organisation=organisation)
    client = app.test_client()
    assert log_in(client, user).status_code == 302
    sample = _sample_values(app, demo_event)
    for rule, roles in _staff_routes(app):
        response = _visit(client, rule, _url_for_rule(rule, sample))
        allowed = role == StaffRole.ADMIN or role in roles
        if allowed:
            assert response.status_code not in (401, 403), f"{role} refused at {rule.rule}"
            assert not response.headers.get("Location", "").startswith("/login"), rule.rule
        else:
            assert response.status_code == 403, f"{role} let into {rule.rule}"
