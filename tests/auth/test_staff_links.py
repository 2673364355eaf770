"""Invitation and reset links: mailed through a real SMTP server, single use, expiring, hashed at rest, the same
answer for an unknown address, and a reset that ends the account's other sessions."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from eventapp.auth import links
from eventapp.auth.staff import invite
from eventapp.models import StaffToken, StaffTokenPurpose, StaffUser, utcnow

from ..conftest import log_in

LINK = re.compile(r"https://events\.example\.org/password/([A-Za-z0-9_-]+)")


@pytest.fixture
def mail_app(make_app, app, smtp):
    mailing = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, PUBLIC_BASE_URL="https://events.example.org")
    with mailing.app_context():
        yield mailing, smtp


def _link_in(received) -> str:
    body = received.message.get_body(("plain",)).get_content()
    return LINK.search(body).group(1)


def test_an_admin_invites_by_mail_and_the_link_works_once(mail_app, staff, db):
    app, server = mail_app
    admin = staff("admin")
    client = app.test_client()
    log_in(client, admin)
    answer = client.post("/organiser/staff/invite", data={"email": "Nadia@Example.org", "role": "checkin",
                                                          "organisation": ""})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    [received] = server.received
    assert received.rcpt_tos == ["Nadia@Example.org"]
    secret = _link_in(received)
    assert len(secret) >= 43  # 256 bits
    # Hashed at rest: the secret is in no column of the token, its SHA-256 is.
    token = db.session.execute(select(StaffToken)).scalar_one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = db.session.execute(text("SELECT * FROM staff_token")).one()
    assert not any(secret in str(value) for value in row)
    # Nor does the outbox keep it once the mail is sent.
    for mail_row in db.session.execute(text("SELECT * FROM outbound_mail")).all():
        assert not any(secret in str(value) for value in mail_row)
    assert token.expires_at - token.created_at == timedelta(hours=72)
    # Before choosing a password nobody can log in as them.
    invited = db.session.execute(select(StaffUser).where(StaffUser.email == "Nadia@Example.org")).scalar_one()
    assert app.test_client().post("/login", data={"email": invited.email, "password": "!invited"}).status_code == 401

    newcomer = app.test_client()
    page = newcomer.get(f"/password/{secret}")
    assert page.status_code == 200 and "Nadia@Example.org" in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]
    short = newcomer.post(f"/password/{secret}", data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    done = newcomer.post(f"/password/{secret}", data={"password": "a long new password", "confirm":
                                                      "a long new password"})
    assert done.status_code == 303
    assert newcomer.get("/organiser/").status_code == 200  # logged in by choosing the password
    again = app.test_client().post(f"/password/{secret}", data={"password": "another long password",
                                                                "confirm": "another long password"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert log_in(app.test_client(), invited, "a long new password").status_code == 302
    assert log_in(app.test_client(), invited, "another long password").status_code == 401


def test_an_invitation_expires_after_72_hours(app, db, staff):
    user = invite("late@example.org", "checkin", send_mail=False).user
    old = utcnow() - timedelta(hours=72, minutes=1)
    secret = links.issue(user, StaffTokenPurpose.INVITATION, now=old)
    db.session.commit()
    client = app.test_client()
    response = client.get(f"/password/{secret}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    refused = client.post(f"/password/{secret}", data={"password": "a long new password",
                                                       "confirm": "a long new password"})
    assert refused.status_code == 410
    fresh = links.issue(user, StaffTokenPurpose.INVITATION, now=utcnow() - timedelta(hours=71))
    db.session.commit()
    assert client.get(f"/password/{fresh}").status_code == 200
    assert client.get("/password/not-a-real-secret").status_code == 410


def test_a_new_link_ends_the_earlier_one(app, db):
    first = invite("twice@example.org", "admin", send_mail=False)
    second = invite("twice@example.org", "checkin", send_mail=False)
    assert second.renewed and second.user.id == first.user.id
    client = app.test_client()
    assert client.get(first.url.removeprefix("http://localhost")).status_code == 410
    assert client.get(second.url.removeprefix("http://localhost")).status_code == 200


def test_inviting_an_account_in_use_is_refused_next_to_the_field(app, staff):
    admin = staff("admin")
    client = app.test_client()
    log_in(client, admin)
    response = client.post("/organiser/staff/invite", data={"email": admin.email.upper(), "role": "checkin"})
    assert response.status_code == 400
    assert "already a staff account" in response.get_data(as_text=True)
    bad = client.post("/organiser/staff/invite", data={"email": "not an address", "role": "checkin"})
    assert bad.status_code == 400 and "like name@example.org" in bad.get_data(as_text=True)
    editor = client.post("/organiser/staff/invite", data={"email": "ed@example.org", "role": "report_editor"})
    assert editor.status_code == 400 and "partner organisation" in editor.get_data(as_text=True)


def test_forgot_password_answers_the_same_and_mails_only_staff(mail_app, staff, db):
    app, server = mail_app
    user = staff("checkin")
    client = app.test_client()
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace(user.email, "X") == \
        unknown.get_data(as_text=True).replace("nobody@example.org", "X")
    assert [r.rcpt_tos for r in server.received] == [[user.email]]
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)


def test_a_reset_ends_every_other_session_and_works_once(mail_app, staff, db):
    app, server = mail_app
    user = staff("admin")
    elsewhere = app.test_client()
    log_in(elsewhere, user)
    assert elsewhere.get("/organiser/staff").status_code == 200
    app.test_client().post("/password/forgot", data={"email": user.email})
    secret = _link_in(server.received[-1])
    token = db.session.execute(select(StaffToken)).scalar_one()
    assert token.purpose == StaffTokenPurpose.RESET and token.expires_at - token.created_at == timedelta(hours=2)
    here = app.test_client()
    assert here.post(f"/password/{secret}", data={"password": "the brand new one", "confirm":
                                                  "the brand new one"}).status_code == 303
    assert here.get("/organiser/staff").status_code == 200  # the one who reset it is logged in
    assert elsewhere.get("/organiser/staff").status_code == 302  # every other session has ended
    assert here.get(f"/password/{secret}").status_code == 410
    assert log_in(app.test_client(), user, "the brand new one").status_code == 302


def test_a_deactivated_account_cannot_use_its_link(app, db, staff):
    user = staff("checkin")
    secret = links.issue(user, StaffTokenPurpose.RESET)
    db.session.commit()
    user.active = False
    db.session.commit()
    assert app.test_client().get(f"/password/{secret}").status_code == 410


def test_cli_invite_prints_the_link_without_a_mail_server(app, db, demo_event):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "invite", "door@example.org", "--role", "checkin"])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert "/password/" in url
    client = app.test_client()
    path = "/" + url.split("/", 3)[3]
    assert client.post(path, data={"password": "door staff password", "confirm": "door staff password"}
                       ).status_code == 303
    organisation = demo_event.themed_sessions[0].lead_organisation
    editor = runner.invoke(args=["users", "invite", "ed@example.org", "--role", "report_editor",
                                 "--organisation", organisation.short_name or organisation.name])
    assert editor.exit_code == 0, editor.output
    assert "report_editor ed@example.org for" in editor.output
    refused = runner.invoke(args=["users", "invite", "door@example.org", "--role", "checkin"])
    assert refused.exit_code != 0 and "already a staff account" in refused.output
