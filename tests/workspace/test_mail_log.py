"""One event's mail log: only its letters, in the event's time zone, paged, failures grouped by reason."""

from datetime import UTC, datetime

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.mail import log
from eventapp.mail.service import queue_mail
from eventapp.models import MailStatus, OutboundMail

from ..conftest import log_in
from .queries import counted_statements


def test_reasons_group_letters_that_differ_only_in_address():
    one = log.reason_of("550 5.1.1 <ana@example.org>: Recipient address rejected\nmore")
    two = log.reason_of("550 5.1.1 <bo@example.net>: Recipient address rejected")
    assert one == two == "550 5.1.1 …: Recipient address rejected"
    assert log.reason_of(None) == "No reason recorded"


def test_the_event_mail_log(client, staff, demo_event):
    event = demo_event
    event.timezone = "Asia/Tokyo"
    for n in range(55):
        queue_mail("reminder", f"p{n}@example.org", f"Letter {n}", "Body", event=event)
    queue_mail("other", "elsewhere@example.org", "Not this event", "Body")
    db.session.flush()
    letters = db.session.execute(select(OutboundMail).where(OutboundMail.event_id == event.id)
                                 .order_by(OutboundMail.id)).scalars().all()
    for n, letter in enumerate(letters[:4]):
        letter.status = MailStatus.FAILED
        letter.last_error = f"550 5.1.1 <p{n}@example.org>: mailbox unavailable" if n < 3 else "421 try later"
    letters[-1].created_at = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 08:30 on 2 Dec in Tokyo
    db.session.commit()
    log_in(client, staff("admin"))
    url = f"/organiser/events/{event.slug}/mail"
    page = client.get(url).get_data(as_text=True)
    assert "Asia/Tokyo" in page and "55 letters, page 1 of 2" in page and "Not this event" not in page
    failures = page[page.index("Failures by reason"):page.index("<h2>Letters")]
    assert failures.index("550 5.1.1 …: mailbox unavailable") < failures.index("421 try later")
    assert '<td class="num">3</td>' in failures
    assert "02 Dec 08:30" in client.get(url + "?page=2").get_data(as_text=True) and "02 Dec 08:30" not in page
    assert "4 letters" in client.get(url + "?status=failed").get_data(as_text=True)
    assert client.get(url + "?page=x").status_code == 400
    with counted_statements(db.engine) as statements:
        log.mail_page(event, page=2)
    assert len(statements) == 2
