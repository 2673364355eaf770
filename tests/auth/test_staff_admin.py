"""Admins manage staff in the browser: see them, change roles and events, deactivate; the last admin stays."""

from __future__ import annotations

import threading

import pytest

from eventapp.auth import staff as staffing
from eventapp.models import StaffRole

from ..conftest import ON_POSTGRES, log_in


def test_the_last_admin_cannot_be_demoted_or_deactivated(app, db, staff):
    admin = staff("admin")
    with pytest.raises(staffing.LastAdminError, match="last active admin"):
        staffing.change(admin, StaffRole.CHECKIN)
    with pytest.raises(staffing.LastAdminError):
        staffing.set_active(admin, False)
    db.session.refresh(admin)
    assert admin.role == StaffRole.ADMIN and admin.active
    # An invited admin who has not chosen a password yet does not count as a second admin.
    staffing.invite("soon@example.org", "admin", send_mail=False)
    with pytest.raises(staffing.LastAdminError):
        staffing.change(admin, StaffRole.CHECKIN)
    other = staff("admin")
    staffing.change(admin, StaffRole.CHECKIN)
    assert admin.role == StaffRole.CHECKIN
    with pytest.raises(staffing.LastAdminError):
        staffing.set_active(other, False)


def test_the_browser_says_why_the_last_admin_stays(app, db, staff):
    admin = staff("admin")
    client = app.test_client()
    log_in(client, admin)
    demote = client.post(f"/organiser/staff/{admin.id}", data={"role": "checkin", "organisation": ""})
    assert demote.status_code == 400 and "last active admin" in demote.get_data(as_text=True)
    own = client.post(f"/organiser/staff/{admin.id}/active")
    assert own.status_code == 409 and "your own account" in own.get_data(as_text=True)
    listing = client.get("/organiser/staff")
    assert listing.status_code == 200 and admin.email in listing.get_data(as_text=True)


def test_an_admin_changes_a_role_and_deactivates(app, db, staff, demo_event):
    admin, door = staff("admin"), staff("checkin")
    door_client = app.test_client()
    log_in(door_client, door)
    assert door_client.get(f"/organiser/events/{demo_event.slug}/checkin").status_code == 200
    client = app.test_client()
    log_in(client, admin)
    organisation = demo_event.themed_sessions[0].lead_organisation
    changed = client.post(f"/organiser/staff/{door.id}", data={
        "role": "report_editor", "organisation": str(organisation.id), "events": [str(demo_event.id)]})
    assert changed.status_code == 303
    db.session.refresh(door)
    assert door.role == StaffRole.REPORT_EDITOR and door.organisation_id == organisation.id
    assert [e.id for e in door.events] == [demo_event.id]
    assert door_client.get(f"/organiser/events/{demo_event.slug}/checkin").status_code == 403
    off = client.post(f"/organiser/staff/{door.id}/active")
    assert off.status_code == 303
    assert door_client.get("/organiser/").status_code == 302  # the session ended with the account
    page = client.get("/organiser/staff").get_data(as_text=True)
    assert "deactivated" in page and "Reactivate" in page


def test_staff_given_events_work_only_on_those(app, db, staff, demo_event):
    from eventapp.models import Event

    door = staff("checkin")
    other = Event(slug="other-event", name="Other", starts_at=demo_event.starts_at, ends_at=demo_event.ends_at,
                  venue="Elsewhere")
    db.session.add(other)
    db.session.commit()
    staffing.change(door, StaffRole.CHECKIN, events=[other])
    client = app.test_client()
    log_in(client, door)
    assert client.get(f"/organiser/events/{demo_event.slug}/checkin").status_code == 403
    assert client.get("/organiser/events/other-event/checkin").status_code == 200
    api = client.get(f"/api/events/{demo_event.slug}/checkin/counts")
    assert api.status_code == 403 and api.get_json()["error"] == "other_event"
    listing = client.get("/organiser/").get_data(as_text=True)
    assert "Other" in listing and demo_event.name not in listing
    staffing.change(door, StaffRole.CHECKIN, events=[])
    assert client.get(f"/organiser/events/{demo_event.slug}/checkin").status_code == 200


@pytest.mark.skipif(not ON_POSTGRES, reason="two admins demoting each other at once: a PostgreSQL race")
def test_two_admins_demoting_each_other_at_once_leave_one(make_app, app, db, staff):
    first, second = staff("admin"), staff("admin")
    other = make_app()
    results = []
    barrier = threading.Barrier(2)

    def demote(user_id):
        with other.app_context():
            user = staffing.get_staff(user_id)
            barrier.wait()
            try:
                staffing.change(user, StaffRole.CHECKIN)
                results.append("ok")
            except staffing.LastAdminError:
                results.append("refused")

    threads = [threading.Thread(target=demote, args=(u.id,)) for u in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]


@pytest.mark.parametrize("make", ["invite", "create"])
@pytest.mark.parametrize("email, role, with_organisation, problem", [
    ("not an address", "admin", False, "is not an e-mail address"),
    ("ana@example.org", "report_editor", False, "drafts for one partner organisation"),
    ("ana@example.org", "checkin", True, "Only report editors belong to an organisation"),
])
def test_the_browser_and_the_command_line_refuse_an_account_alike(app, demo_event, make, email, role,
                                                                  with_organisation, problem):
    from eventapp.auth.service import StaffAccountError, create_staff_user

    organisation = demo_event.themed_sessions[0].lead_organisation if with_organisation else None
    with pytest.raises(StaffAccountError, match=problem):
        if make == "invite":
            staffing.invite(email, role, organisation=organisation, send_mail=False)
        else:
            create_staff_user(email, "correct horse battery", role, organisation=organisation)
