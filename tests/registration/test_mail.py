"""The registration's mails through a real SMTP server on 127.0.0.1, and what happens when it is down."""

from eventapp.models import MailStatus, OutboundMail, RegistrationStatus

from ..smtp import SMTPServer, free_port
from .helpers import form_data, registration_by_email


def test_confirmation_arrives_with_the_manage_link(make_app, demo_event, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, PUBLIC_BASE_URL="https://events.example.org")
    with app.app_context():
        client = app.test_client()
        response = client.post(f"/events/{demo_event.slug}/register",
                               data=form_data(demo_event, full_name="زينب الجبوري", email="zainab@example.org"))
        assert response.status_code == 303
        registration = registration_by_email("zainab@example.org")
        [received] = smtp.received
        message = received.message
        assert received.rcpt_tos == ["zainab@example.org"]
        assert message["Subject"] == f"Your place at {demo_event.name} is confirmed"
        body = message.get_body(("plain",)).get_content()  # the calendar rides along as an attachment
        assert "Dear زينب الجبوري," in body
        assert f"https://events.example.org/manage/{registration.manage_secret}" in body
        assert registration.badge_secret not in body


def test_a_mail_server_that_is_down_loses_nothing(make_app, demo_event):
    port = free_port()  # nothing listens here yet
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=2)
    with app.app_context():
        client = app.test_client()
        response = client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event))
        assert response.status_code == 303  # the person is registered all the same
        registration = registration_by_email("ana@example.org")
        assert registration.status == RegistrationStatus.CONFIRMED
        mail = app.extensions["sqlalchemy"].session.query(OutboundMail).filter_by(registration_id=registration.id).one()
        assert mail.status == MailStatus.PENDING and mail.attempts == 1 and mail.last_error
        server = SMTPServer(port=port).start()
        try:
            result = app.test_cli_runner().invoke(args=["mail", "retry"])
            assert result.exit_code == 0, result.output
            assert [r.rcpt_tos for r in server.received] == [["ana@example.org"]]
        finally:
            server.stop()
