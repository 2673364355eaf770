"""Every route declares its access; every organiser route answers each kind of visitor as the table below says.

The table is written by hand, not read from the routes' declarations: widening a route's roles (check-in staff
starting the door-list export), making an organiser route public, or adding a route without deciding who may use
it, each fails a test here until the table is changed too, on purpose.
"""

import re

import pytest

from eventapp.auth.roles import declared_access
from eventapp.models import StaffRole

from ..conftest import log_in

ROLES = [StaffRole.ADMIN, StaffRole.CHECKIN, StaffRole.REPORT_EDITOR]
# Endpoints Flask and extensions add themselves.
FRAMEWORK_ENDPOINTS = {"static"}

ADMIN = frozenset({StaffRole.ADMIN})
CHECKIN = frozenset({StaffRole.ADMIN, StaffRole.CHECKIN})
REPORT = frozenset({StaffRole.ADMIN, StaffRole.REPORT_EDITOR})
STAFF = frozenset(ROLES)

# Who may reach each organiser route (admins may reach every one).
WHO_MAY = {
    "dashboard.index": STAFF,
    "dashboard.event": STAFF,
    # Setting up the event itself, its partners and programme: admins.
    "events.create": ADMIN,
    "events.settings": ADMIN,
    "events.state": ADMIN,
    "events.programme_changes": ADMIN,
    "events.mail_change": ADMIN,
    "events.clone": ADMIN,
    "retention.confirm": ADMIN,  # anonymising an event's attendees at once
    "programme.partners": ADMIN,
    "programme.remove_partner": ADMIN,
    "programme.move_partner": ADMIN,
    "programme.index": ADMIN,
    "programme.add_slot": ADMIN,
    "programme.edit_slot": ADMIN,
    "programme.remove_slot": ADMIN,
    "programme.edit_session": ADMIN,
    "programme.remove_session": ADMIN,
    "programme.move_session": ADMIN,
    # Setting up who comes and where: admins.
    "registration.registrations": ADMIN,
    "registration.waitlist": ADMIN,
    "registration.edit_registration": ADMIN,
    "registration.staff_cancel": ADMIN,
    "registration.promote": ADMIN,
    "registration.selection_badges": ADMIN,
    "registration.selection_cancel": ADMIN,
    "registration.selection_export": ADMIN,
    "assignment.index": ADMIN,
    "assignment.preview": ADMIN,
    "assignment.apply": ADMIN,
    "assignment.publish": ADMIN,
    "assignment.place_all": ADMIN,
    "assignment.person": ADMIN,
    "assignment.place": ADMIN,
    "assignment.unpin": ADMIN,
    "badges.batch": ADMIN,
    "badges.reissue": ADMIN,
    "mail.event_log": ADMIN,
    "mail.index": ADMIN,
    "mail.retry": ADMIN,
    # Attendees in bulk and messages to groups of them: admins.
    "imports.upload": ADMIN,
    "imports.preview": ADMIN,
    "messages.index": ADMIN,
    "messages.compose": ADMIN,
    "messages.send": ADMIN,
    "messages.detail": ADMIN,
    "checkin.scanners": ADMIN,
    "checkin.revoke": ADMIN,
    # The door.
    "checkin.scanner": CHECKIN,
    "checkin.log": CHECKIN,
    "checkin.undo": CHECKIN,
    "checkin.walk_in": CHECKIN,
    "checkin.walk_in_badge": CHECKIN,
    "checkin_api.check_in": CHECKIN,
    "checkin_api.search": CHECKIN,
    "checkin_api.counts": CHECKIN,
    "checkin_api.undo": CHECKIN,
    "checkin_offline.door_list": CHECKIN,
    "checkin_offline.sync_scans": CHECKIN,
    "checkin_app.service_worker": CHECKIN,
    "checkin_app.manifest": CHECKIN,
    # The report; exports hold e-mail addresses, dietary and access needs: admins only.
    "report.index": REPORT,
    "report.section": REPORT,
    "report.section_draft": REPORT,
    "report.discard_draft": REPORT,
    "report.revisions": REPORT,
    "report.restore_revision": REPORT,
    "report.preview": REPORT,
    "report.build_pdf": REPORT,
    "report.introduction": ADMIN,
    "report.exports_page": ADMIN,
    "report.door_list": ADMIN,
    "jobs.status": REPORT,
    "jobs.status_json": REPORT,
    "jobs.download": REPORT,
    "jobs.retry": REPORT,
    # The feedback survey: admins set it up and export the answers; report editors read them for their sections.
    "survey.organiser": ADMIN,
    "survey.action": ADMIN,
    "survey.new_question": ADMIN,
    "survey.edit_question": ADMIN,
    "survey.change_question": ADMIN,
    "survey.export_answers": ADMIN,
    "survey.answers": REPORT,
    "survey.session_answers": REPORT,
    "certificates.organiser": ADMIN,
    "certificates.revoke": ADMIN,
    # The event's letters: admins.
    "letters.index": ADMIN,
    "letters.edit": ADMIN,
    "letters.reset": ADMIN,
    # Staff accounts: admins.
    "staff.index": ADMIN,
    "staff.invite": ADMIN,
    "staff.edit": ADMIN,
    "staff.set_active": ADMIN,
}

# Routes anyone may reach: the attendee's own pages (a manage link is its own key), the public check of a
# certificate, login, health checks.
PUBLIC = {
    "public.index", "public.event", "health.healthz", "health.readyz", "auth.login", "auth.logout",
    "registration.register", "registration.resend_link", "registration.organisation_suggestions",
    "registration.privacy", "registration.manage", "registration.accept_offer", "registration.cancel",
    "registration.check_your_mail", "calendar.download", "auth.forgot_password", "auth.choose_password",
    "badges.attendee_badge", "survey.attendee", "certificates.attendee_certificate", "certificates.verify",
}


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


def test_the_table_names_every_route_once():
    assert not set(WHO_MAY) & PUBLIC


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - FRAMEWORK_ENDPOINTS
    assert not endpoints - set(WHO_MAY) - PUBLIC, "routes nobody has decided who may use: add them to WHO_MAY or PUBLIC"
    assert not (set(WHO_MAY) | PUBLIC) - endpoints, "the table names routes that no longer exist"


def test_each_route_declares_what_the_table_says(app):
    wrong = []
    for endpoint, view in app.view_functions.items():
        if endpoint in FRAMEWORK_ENDPOINTS:
            continue
        declared = declared_access(view)
        expected = "public" if endpoint in PUBLIC else WHO_MAY.get(endpoint)
        if declared != "public" and declared is not None:
            declared = frozenset(declared) | ADMIN  # admins may use every organiser route
        if declared != expected:
            wrong.append(f"{endpoint}: declares {_roles(declared)}, the table says {_roles(expected)}")
    assert not wrong, "\n".join(wrong)


def _roles(access) -> str:
    return access if isinstance(access, str) or access is None else ", ".join(sorted(r.value for r in access))


def _visit(client, rule, url):
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    return client.open(url, method=method)


def _table_routes(app):
    """Every rule of an organiser route in the table, whatever it declares."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in WHO_MAY:
            yield rule, WHO_MAY[rule.endpoint]


def test_logged_out_visitors_are_sent_to_login(app, client, demo_event):
    sample = _sample_values(app, demo_event)
    for rule, _ in _table_routes(app):
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
    for rule, allowed_roles in _table_routes(app):
        response = _visit(client, rule, _url_for_rule(rule, sample))
        allowed = role in allowed_roles
        if allowed:
            assert response.status_code not in (401, 403), f"{role} refused at {rule.rule}"
            assert not response.headers.get("Location", "").startswith("/login"), rule.rule
        else:
            assert response.status_code == 403, f"{role} let into {rule.rule}"
