"""The organiser's mail page and the `flask mail` commands."""

from __future__ import annotations

import re
from datetime import timedelta

from eventapp.extensions import db
from eventapp.mail.service import deliver_pending, queue_mail
from eventapp.models import MailStatus, OutboundMail, utcnow

from ..conftest import log_in

NAME = "王秀英"


def fail_for_good(app, port: int, recipient: str = "lost@example.org") -> int:
    """A mail that has used up its attempts against a server that is down."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_MAX_ATTEMPTS=3)
    mail = queue_mail("confirmation", recipient, f"Welcome {NAME}", "Body")
    db.session.commit()
    now = utcnow()
    for _ in range(3):
        deliver_pending(now=now)
        now += timedelta(days=1)
    db.session.expire_all()
    assert db.session.get(OutboundMail, mail.id).status == MailStatus.FAILED
    return mail.id


def test_page_is_for_admins_only(app, client, staff):
    assert client.get("/organiser/mail").headers["Location"].startswith("/login")
    assert client.post("/organiser/mail/retry").headers["Location"].startswith("/login")
    log_in(client, staff("checkin"))
    assert client.get("/organiser/mail").status_code == 403
    assert client.post("/organiser/mail/retry").status_code == 403
    editor = app.test_client()
    log_in(editor, staff("report_editor", organisation=_an_organisation()))
    assert editor.get("/organiser/mail").status_code == 403


def _an_organisation():
    from eventapp.models import Organisation, OrganisationKind

    org = Organisation(name="Partner", kind=OrganisationKind.NGO)
    db.session.add(org)
    db.session.commit()
    return org


def test_failed_mail_is_shown_to_the_organiser(app, client, staff, closed_port):
    fail_for_good(app, closed_port)
    queue_mail("confirmation", "waiting@example.org", "Still waiting", "Body")
    sent = queue_mail("confirmation", "done@example.org", "Done", "Body")
    sent.status, sent.sent_at = MailStatus.SENT, utcnow()
    db.session.commit()

    log_in(client, staff("admin"))
    page = client.get("/organiser/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "lost@example.org" in html and f"Welcome {NAME}" in html
    assert f"Could not connect to the mail server at 127.0.0.1:{closed_port}: connection refused." in html
    assert re.search(r"<strong[^>]*>failed</strong>", html)
    assert "waiting@example.org" in html
    assert "done@example.org" not in html  # sent mail is only counted
    assert re.search(r'<div class="figure">1</div>sent', html)
    assert "Retry now" in html


def test_retry_button_sends_failed_mail_once_the_server_is_up(make_app, staff, smtp):
    from eventapp.models import StaffRole

    app = make_app(WTF_CSRF_ENABLED=True)  # the real thing: the button must carry its token
    with app.app_context():
        from eventapp.auth.service import create_staff_user

        create_staff_user("boss@example.org", "correct horse battery", StaffRole.ADMIN)
        db.session.commit()
        from ..smtp import free_port

        mail_id = fail_for_good(app, free_port())
        app.config["MAIL_PORT"] = smtp.port

        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        client.post("/login", data={"email": "boss@example.org", "password": "correct horse battery",
                                    "csrf_token": token})

        assert client.post("/organiser/mail/retry").status_code == 400  # no token: refused
        assert smtp.received == []

        html = client.get("/organiser/mail").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        response = client.post("/organiser/mail/retry", data={"csrf_token": token}, follow_redirects=True)
        assert response.status_code == 200
        assert "Sent 1 mail." in response.get_data(as_text=True)
        assert [r.rcpt_tos for r in smtp.received] == [["lost@example.org"]]
        db.session.expire_all()
        assert db.session.get(OutboundMail, mail_id).status == MailStatus.SENT


def test_cli_list_and_retry(app, smtp, closed_port):
    mail_id = fail_for_good(app, closed_port, recipient="cli@example.org")
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["mail", "list", "--status", "failed"])
    assert listed.exit_code == 0
    assert f"{mail_id}\tfailed\t3\t" in listed.output and "cli@example.org" in listed.output
    assert "No mail with status sent." in runner.invoke(args=["mail", "list", "--status", "sent"]).output

    app.config["MAIL_PORT"] = smtp.port
    without = runner.invoke(args=["mail", "retry"])
    assert "Sent 0, failed 0" in without.output  # FAILED mail needs --include-failed
    retried = runner.invoke(args=["mail", "retry", "--include-failed"])
    assert retried.exit_code == 0, retried.output
    assert "Sent 1, failed 0" in retried.output
    assert len(smtp.received) == 1
    assert f"{mail_id}\tsent\t4\t" in runner.invoke(args=["mail", "list"]).output


def test_cli_deliver_respects_the_backoff(app, closed_port, smtp):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port)
    queue_mail("confirmation", "later@example.org", "Later", "Body")
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["mail", "deliver"])
    assert "Sent 0, failed 1 (0 for good)." in first.output and "connection refused" in first.output
    app.config["MAIL_PORT"] = smtp.port
    assert "Sent 0, failed 0" in runner.invoke(args=["mail", "deliver"]).output  # not due for a minute
    assert "Sent 1, failed 0" in runner.invoke(args=["mail", "retry"]).output
