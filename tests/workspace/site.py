"""The workspace's browser tests' site: the demo event assigned, with check-ins, failed mail and a report section,
and one staff member of each role; a live server and a logged-in Chromium page."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from ..browser import chromium_page
from ..browser import log_in as browser_log_in

PASSWORD = "correct horse battery"
ROLES = ("admin", "checkin", "report_editor")


def seed_site(attendees: int = 40) -> str:
    """The demo event with everything the organiser pages show; returns its slug."""
    from sqlalchemy import select

    from eventapp.assignment import service as assignment
    from eventapp.auth.service import create_staff_user
    from eventapp.demo.service import seed_demo
    from eventapp.extensions import db
    from eventapp.mail.service import queue_mail
    from eventapp.models import CheckIn, MailStatus, OutboundMail, Registration

    event = seed_demo(attendees=attendees).event
    admin = create_staff_user("admin@example.org", PASSWORD, "admin")
    create_staff_user("checkin@example.org", PASSWORD, "checkin")
    lead = event.themed_sessions[0].lead_organisation
    create_staff_user("report_editor@example.org", PASSWORD, "report_editor", organisation=lead)
    db.session.commit()
    plan = assignment.preview(event)
    assignment.apply(event, by=admin, fingerprint=plan.fingerprint)
    db.session.commit()
    people = db.session.execute(select(Registration).where(Registration.event_id == event.id)
                                .order_by(Registration.id)).scalars().all()
    for person in people[:5]:
        db.session.add(CheckIn(event_id=event.id, registration_id=person.id, method="scan", staff_user_id=admin.id))
    for person in people[5:9]:
        queue_mail("reminder", person.email, "Reminder", "See you soon", event=event, registration=person)
    db.session.flush()
    reasons = ["550 5.1.1 mailbox unavailable", "550 5.1.1 mailbox unavailable", "421 try again later",
               "550 5.1.1 mailbox unavailable"]
    for mail, reason in zip(db.session.execute(select(OutboundMail).where(OutboundMail.kind == "reminder"))
                            .scalars(), reasons, strict=False):
        mail.status, mail.last_error, mail.attempts = MailStatus.FAILED, reason, 5
    db.session.commit()
    from eventapp.models import ReportSection, SectionStatus
    from eventapp.report import drafting

    section = ReportSection(themed_session_id=event.themed_sessions[0].id, status=SectionStatus.DRAFT)
    drafting.save(section, {"narrative": "The session *began* with a round of introductions.",
                            "key_findings": "- Peers trust peers\n- Follow-up matters"}, 0, admin)
    drafting.save(section, {"narrative": "The session *began* with introductions and two case studies.",
                            "key_findings": "- Peers trust peers\n- Follow-up matters", "lessons": "Start on time."},
                  1, admin)
    return event.slug


@contextmanager
def served_site(folder: Path, database_url: str, read=lambda slug: None):
    """The site (seed_site) on a live server for a module's browser tests: yields the base URL, the event's slug
    and what `read(slug)` returned, read inside the app before the server starts."""
    from eventapp import create_app
    from eventapp.extensions import db

    from ..live import live_server

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_DIR": folder / "instance",
                                 "WTF_CSRF_ENABLED": True, "MAIL_DELIVERY": "off"})
    with app.app_context():
        slug = seed_site()
        extra = read(slug)
        db.session.remove()
    with live_server(app) as base:
        yield base, slug, extra
    with app.app_context():
        db.engine.dispose()


def log_in(page, base: str, role: str = "admin") -> None:
    browser_log_in(page, base, f"{role}@example.org", PASSWORD)


@contextmanager
def logged_in(base: str, role: str = "admin", **options):
    with chromium_page(**options) as page:
        log_in(page, base, role)
        yield page
