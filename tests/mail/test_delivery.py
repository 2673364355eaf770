"""Queueing and delivering mail through a real SMTP server, the outbox, and servers that are down."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.mail import service
from eventapp.mail.service import deliver_pending, queue_mail
from eventapp.mail.soon import deliver_soon
from eventapp.models import MailStatus, OutboundMail, utcnow

from ..smtp import SMTPServer, free_port

NAME = "فاطمة الزهراء 王秀英"
BODY = f"Dear {NAME},\n\nYou are registered for the conference.\nManage: http://localhost/m/abc\n"


def use_smtp(app, port: int, **settings) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, **settings)


def queued(n: int = 1, **kwargs) -> list[int]:
    mails = [
        queue_mail(kwargs.get("kind", "confirmation"), kwargs.get("recipient", f"person{i}@example.org"),
                   kwargs.get("subject", f"Registered: {NAME}"), BODY)
        for i in range(n)
    ]
    db.session.commit()
    return [m.id for m in mails]


def fresh(mail_id: int) -> OutboundMail:
    db.session.expire_all()
    return db.session.get(OutboundMail, mail_id)


def test_queued_mail_is_written_with_the_callers_transaction(app):
    mail = queue_mail("confirmation", "a@example.org", "Hello", "Body")
    assert mail.status == MailStatus.PENDING and mail.attempts == 0
    db.session.rollback()  # the registration failed: its mail goes with it
    assert db.session.execute(select(OutboundMail)).first() is None

    [mail_id] = queued()
    assert fresh(mail_id).status == MailStatus.PENDING


def test_queue_refuses_what_cannot_be_a_header(app):
    with pytest.raises(service.MailAddressError):
        queue_mail("confirmation", "not an address", "Hello", "Body")
    with pytest.raises(service.MailAddressError):
        queue_mail("confirmation", "a@example.org\r\nBcc: b@example.org", "Hello", "Body")
    mail = queue_mail("confirmation", " a@example.org ", "Two\nlines", "Body")
    assert mail.recipient == "a@example.org" and mail.subject == "Two lines"


def test_queue_links_a_registration_created_in_the_same_transaction(app, demo_event):
    from eventapp.models import Registration, RegistrationStatus

    registration = Registration(event_id=demo_event.id, full_name=NAME, email="new@example.org",
                                consent_privacy=True, status=RegistrationStatus.CONFIRMED,
                                badge_secret="b" * 32, manage_secret="m" * 32)
    db.session.add(registration)
    mail = queue_mail("confirmation", registration.email, "Hi", "Body", registration=registration)
    db.session.commit()
    assert mail.registration_id == registration.id and mail.event_id == demo_event.id


def test_sends_through_a_real_smtp_server(app, smtp):
    use_smtp(app, smtp.port)
    [mail_id] = queued(recipient="fatima@example.org")

    report = deliver_pending()

    assert (report.sent, report.failed) == (1, 0)
    [got] = smtp.received
    assert got.rcpt_tos == ["fatima@example.org"]
    message = got.message
    assert message["To"] == "fatima@example.org"
    assert message["Subject"] == f"Registered: {NAME}"
    assert "no-reply@eventapp.local" in message["From"]
    assert message["Message-ID"].startswith(f"<eventapp.{mail_id}.")
    assert abs(parsedate_to_datetime(message["Date"]) - utcnow()) < timedelta(minutes=1)
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == BODY  # CRLF on the wire
    mail = fresh(mail_id)
    assert mail.status == MailStatus.SENT and mail.sent_at is not None and mail.attempts == 1
    assert deliver_pending().attempted == 0  # nothing left to do


def test_logs_in_when_a_username_is_set(app, smtp_server_with_login):
    use_smtp(app, smtp_server_with_login.port, MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong")
    [mail_id] = queued()
    report = deliver_pending()
    assert report.failed == 1 and "refused our login" in fresh(mail_id).last_error

    app.config["MAIL_PASSWORD"] = "s3cret"
    assert deliver_pending(now=utcnow() + timedelta(minutes=2)).sent == 1
    assert len(smtp_server_with_login.received) == 1


def test_without_a_server_mail_goes_to_the_outbox(app, caplog, monkeypatch):
    assert not app.config["MAIL_SERVER"]
    # Alembic's fileConfig() in migrations/env.py disables loggers that existed before the test run migrated.
    monkeypatch.setattr(logging.getLogger("eventapp.mail.transport"), "disabled", False)
    [mail_id] = queued(recipient="dev@example.org")
    with caplog.at_level(logging.INFO, logger="eventapp.mail"):
        assert deliver_pending().sent == 1

    [path] = list((app.config["INSTANCE_DIR"] / "outbox").glob("*.eml"))
    assert f"mail{mail_id}-confirmation" in path.name
    import email
    import email.policy

    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "dev@example.org"
    assert message["Subject"] == f"Registered: {NAME}"
    assert message.get_content() == BODY
    assert str(path) in caplog.text
    assert fresh(mail_id).status == MailStatus.SENT


def test_a_server_that_is_down_leaves_the_mail_pending(app, closed_port):
    use_smtp(app, closed_port)
    [mail_id] = queued()

    report = deliver_pending()  # raises nothing

    assert (report.sent, report.retrying, report.gave_up) == (0, 1, 0)
    mail = fresh(mail_id)
    assert mail.status == MailStatus.PENDING and mail.attempts == 1
    assert mail.last_error == f"Could not connect to the mail server at 127.0.0.1:{closed_port}: connection refused."
    assert timedelta(seconds=50) < mail.next_attempt_at - utcnow() < timedelta(seconds=70)
    assert deliver_pending().attempted == 0  # not due again yet


def test_retry_later_delivers_once_the_server_is_up(app):
    port = free_port()
    use_smtp(app, port)
    [mail_id] = queued()
    assert deliver_pending().retrying == 1

    server = SMTPServer(port=port).start()
    try:
        later = utcnow() + timedelta(minutes=2)
        assert deliver_pending(now=later).sent == 1
        assert deliver_pending(now=later + timedelta(hours=1)).attempted == 0
        assert len(server.received) == 1
    finally:
        server.stop()
    mail = fresh(mail_id)
    assert mail.status == MailStatus.SENT and mail.attempts == 2 and mail.last_error is None


def test_a_black_holed_server_times_out_with_a_sentence(app, silent_server):
    use_smtp(app, silent_server, MAIL_TIMEOUT_SECONDS=0.3)
    [mail_id] = queued()
    assert deliver_pending().retrying == 1
    assert fresh(mail_id).last_error == (
        f"The mail server at 127.0.0.1:{silent_server} did not answer within 0.3 seconds.")


def test_a_down_server_stops_the_run_after_one_attempt(app, closed_port):
    use_smtp(app, closed_port)
    ids = queued(3)
    report = deliver_pending()
    assert report.attempted == 1 and "connection refused" in report.stopped
    assert [fresh(i).attempts for i in ids] == [1, 0, 0]
    assert all(fresh(i).next_attempt_at <= utcnow() for i in ids[1:])  # never claimed: still due


def test_backoff_grows_then_gives_up(app, closed_port):
    use_smtp(app, closed_port, MAIL_MAX_ATTEMPTS=4)
    [mail_id] = queued()
    now = utcnow()
    waits = []
    for attempt in range(1, 5):
        report = deliver_pending(now=now)
        assert report.attempted == 1
        mail = fresh(mail_id)
        assert mail.attempts == attempt
        if attempt < 4:
            assert mail.status == MailStatus.PENDING
            waits.append(mail.next_attempt_at - now)
            now = mail.next_attempt_at
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
    assert report.gave_up == 1 and mail.status == MailStatus.FAILED
    assert "connection refused" in mail.last_error
    assert deliver_pending(now=now + timedelta(days=2)).attempted == 0  # FAILED stays put


def test_a_refused_recipient_fails_at_once(app, smtp):
    use_smtp(app, smtp.port)
    smtp.handler.refuse["nobody@example.org"] = "550 5.1.1 No such user here"
    bad, good = queued(recipient="nobody@example.org")[0], queued(recipient="yes@example.org")[0]
    report = deliver_pending()
    assert (report.sent, report.gave_up) == (1, 1)  # the next mail still went
    mail = fresh(bad)
    assert mail.status == MailStatus.FAILED and mail.attempts == 1
    assert "550 5.1.1 No such user here" in mail.last_error
    assert fresh(good).status == MailStatus.SENT


def test_two_deliverers_never_send_a_mail_twice(make_app, smtp):
    first = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    second = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)  # another process, in effect
    with first.app_context():
        queued(30)
    smtp.handler.delay = 0.005
    reports, errors = [], []
    start = threading.Barrier(4)

    def run(app):
        try:
            with app.app_context():
                start.wait()
                reports.append(deliver_pending())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(a,)) for a in (first, second, first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r.sent for r in reports) == 30 and sum(r.failed for r in reports) == 0
    ids = [r.message["Message-ID"] for r in smtp.received]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert sum(1 for r in reports if r.sent) >= 2, "the work should have been shared"
    with first.app_context():
        counts = service.count_by_status()
        assert counts[MailStatus.SENT] == 30


def test_sequential_deliverers_do_not_resend(app, smtp):
    use_smtp(app, smtp.port)
    queued(3)
    assert deliver_pending().sent == 3
    assert deliver_pending().sent == 0
    assert len(smtp.received) == 3


def test_limit(app, smtp):
    use_smtp(app, smtp.port)
    queued(3)
    assert deliver_pending(limit=2).sent == 2
    assert deliver_pending().sent == 1


def test_retry_now_leaves_a_mail_being_sent_alone(app):
    waiting, sending, failed = queued(3)
    later = utcnow() + timedelta(minutes=30)
    for mail_id, values in (
        (waiting, {"attempts": 1, "last_error": "Could not connect.", "next_attempt_at": later}),
        (sending, {"attempts": 1, "last_error": None, "next_attempt_at": later}),  # claimed by a deliverer
        (failed, {"attempts": 8, "last_error": "Gave up.", "status": MailStatus.FAILED}),
    ):
        mail = fresh(mail_id)
        for key, value in values.items():
            setattr(mail, key, value)
        db.session.commit()

    now = utcnow()
    assert service.retry_now(now=now) == 1
    assert fresh(waiting).next_attempt_at == now
    assert fresh(sending).next_attempt_at == later
    assert fresh(failed).status == MailStatus.FAILED
    assert service.retry_now(include_failed=True, now=now) == 1
    assert fresh(failed).status == MailStatus.PENDING and fresh(failed).attempts == 8


def test_badge_attachment_comes_from_the_registered_provider(app, smtp, monkeypatch):
    use_smtp(app, smtp.port)
    pdf = b"%PDF-1.4\n% a badge\n%%EOF\n"
    seen = []

    def provider(mail):
        seen.append(mail.id)
        return ("badge-fatima.pdf", pdf)

    queue_mail("confirmation", "a@example.org", "With badge", BODY, attach_badge=True)
    queue_mail("confirmation", "b@example.org", "Without", BODY)
    db.session.commit()
    monkeypatch.setitem(service.ATTACHMENT_PROVIDERS, service.BADGE, provider)
    assert deliver_pending().sent == 2

    with_badge, without = (r.message for r in smtp.received)
    [attachment] = list(with_badge.iter_attachments())
    assert attachment.get_filename() == "badge-fatima.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf
    assert with_badge.get_body(("plain",)).get_content().replace("\r\n", "\n") == BODY
    assert list(without.iter_attachments()) == [] and len(seen) == 1


def test_without_a_provider_the_mail_goes_without_the_badge(app, smtp, monkeypatch):
    use_smtp(app, smtp.port)
    monkeypatch.delitem(service.ATTACHMENT_PROVIDERS, service.BADGE, raising=False)  # the badge feature adds one
    queue_mail("confirmation", "a@example.org", "Badge?", BODY, attach_badge=True)
    db.session.commit()
    assert deliver_pending().sent == 1
    assert list(smtp.received[0].message.iter_attachments()) == []


def test_a_provider_that_fails_is_retried_later(app, smtp, monkeypatch):
    use_smtp(app, smtp.port)

    def broken(mail):
        raise RuntimeError("renderer busy")

    monkeypatch.setitem(service.ATTACHMENT_PROVIDERS, service.BADGE, broken)
    mail = queue_mail("confirmation", "a@example.org", "Badge", BODY, attach_badge=True)
    db.session.commit()
    mail_id = mail.id
    report = deliver_pending()
    assert report.retrying == 1 and not report.stopped
    mail = fresh(mail_id)
    assert mail.status == MailStatus.PENDING and "renderer busy" in mail.last_error
    assert smtp.received == []


def test_deliver_soon_inline_under_testing_and_never_raises(app, closed_port):
    [mail_id] = queued()
    assert deliver_soon(app) is None
    assert fresh(mail_id).status == MailStatus.SENT  # outbox

    use_smtp(app, closed_port)
    [mail_id] = queued()
    deliver_soon(app)  # the server is down: logged, not raised
    assert fresh(mail_id).attempts == 1


def test_deliver_soon_in_the_background(app, smtp):
    use_smtp(app, smtp.port, MAIL_DELIVERY="background")
    ids = queued(2)
    thread = deliver_soon(app)
    assert thread is not None
    thread.join(10)
    assert not thread.is_alive()
    assert [fresh(i).status for i in ids] == [MailStatus.SENT] * 2
    assert len(smtp.received) == 2


def test_deliver_soon_while_a_delivery_runs_goes_round_again(app, smtp):
    use_smtp(app, smtp.port, MAIL_DELIVERY="background")
    smtp.handler.delay = 0.5
    queued(1)
    thread = deliver_soon(app)
    queued(1)  # arrives while the first delivery is sending
    assert deliver_soon(app) is thread  # no second thread
    thread.join(10)
    assert len(smtp.received) == 2


def test_each_claim_gets_a_full_lease_however_long_the_run(app):
    """A long run must not hand out leases that have already run out (another deliverer would send again)."""
    app.config["MAIL_CLAIM_SECONDS"] = 1
    ids = queued(3)
    leases = []

    class SlowTransport:
        def send(self, message, name):
            mail_id = int(message["Message-ID"].split(".")[1])
            with db.engine.connect() as conn:  # what another deliverer would see while this one sends
                lease_ends = conn.execute(
                    select(OutboundMail.next_attempt_at).where(OutboundMail.id == mail_id)).scalar_one()
            leases.append((lease_ends, utcnow()))
            time.sleep(0.6)

        def close(self):
            pass

    report = deliver_pending(transport=SlowTransport())
    assert report.sent == 3 and [fresh(i).status for i in ids] == [MailStatus.SENT] * 3
    # The third mail is sent 1.2 s into the run: its claim still has most of its second to run.
    assert all(ends > now + timedelta(milliseconds=500) for ends, now in leases), leases


def test_the_delivery_after_a_request_does_the_housekeeping_at_most_once_a_minute(app, monkeypatch, smtp):
    """Reminders and retention are queued by delivery runs; in a rush every sign-up kicks one, so the runs that
    follow requests do that work at most every MAIL_HOUSEKEEPING_SECONDS, while `mail deliver` always does."""
    runs = []
    monkeypatch.setitem(service.BEFORE_DELIVERY, "counting", runs.append)
    app.config.update(MAIL_DELIVERY="inline", MAIL_HOUSEKEEPING_SECONDS=60)
    use_smtp(app, smtp.port)
    queued(2)
    for _ in range(3):
        deliver_soon(app)
    assert len(runs) == 1 and len(smtp.received) == 2  # the mail went at the first kick all the same
    deliver_pending()  # what `flask mail deliver` runs
    assert len(runs) == 2
    app.config["MAIL_HOUSEKEEPING_SECONDS"] = 0
    deliver_soon(app)
    assert len(runs) == 3
