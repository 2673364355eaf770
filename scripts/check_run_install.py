"""What `make run` installs is enough: badges, an attendee's badge and a mailed badge work without the [dev] extras.

Run by scripts/check-run-install.sh with the python of a fresh venv that has only `pip install -e .` in it, in
an empty folder, with EVENTAPP_INSTANCE and DATABASE_URL pointing into it. Each step goes the way a person's
request goes (the organiser's badge job through its page and the job runner, the attendee's "Download your
badge" link, an assignment mail through the outbox), and each output is read back. Exits non-zero, saying
which step, when anything fails: a missing run-time import fails here, not on a newcomer's machine.
"""

from __future__ import annotations

import email
import email.policy
import importlib.metadata
import io
import os
import re
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def step(text: str) -> None:
    print(f"-- {text}", flush=True)


def check(condition: bool, failure: str) -> None:
    if not condition:
        raise SystemExit(f"check-run-install: FAILED: {failure}")


def pdf_pages(data: bytes) -> int:
    """The number of pages of a whole PDF, read back with pypdf (a run-time dependency: it joins badge PDFs)."""
    from pypdf import PdfReader

    check(data.startswith(b"%PDF-"), f"not a PDF: starts with {data[:16]!r}")
    check(b"%%EOF" in data[-64:], "the PDF has no end-of-file marker: cut short")
    return len(PdfReader(io.BytesIO(data), strict=True).pages)


def check_isolation() -> None:
    step(f"python {sys.executable} (prefix {sys.prefix})")
    check(sys.prefix != sys.base_prefix, "not running in a venv")
    dev_venv = (ROOT / ".venv").resolve()
    leaked = [p for p in sys.path if p and Path(p).resolve().is_relative_to(dev_venv)]
    check(not leaked, f"the development venv is on sys.path: {leaked}")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    present = []
    for requirement in extras:
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        present.append(name)
    check(not present, f"[dev] packages are installed here, so this would prove nothing: {present}")


def main() -> None:
    check_isolation()
    from flask_migrate import upgrade

    from eventapp import create_app
    from eventapp.assignment import service as assignment
    from eventapp.auth.service import create_staff_user
    from eventapp.demo.service import seed_demo
    from eventapp.events import service as events
    from eventapp.extensions import db
    from eventapp.mail.service import deliver_pending
    from eventapp.models import Registration, RegistrationStatus

    app = create_app()
    check(str(Path(app.config["INSTANCE_DIR"]).resolve()).startswith(str(Path.cwd().resolve())),
          "EVENTAPP_INSTANCE is not in the working folder")
    with app.app_context():
        step("migrations, the demo conference (12 attendees), an admin")
        upgrade()
        seed_demo(attendees=12)
        password = "run-install-check " + os.urandom(8).hex()
        create_staff_user("check@example.org", password, "admin")
        db.session.commit()
        event = events.get_event("london-p2p-2018")
        check(event is not None, "the demo created no event")
        slug = event.slug
        step("assignment: apply and publish (queues each attendee's mail, its badge attached)")
        assignment.apply(event)
        db.session.commit()
        published = assignment.publish(event)
        db.session.commit()
        check(published.mailed > 0, "publishing mailed no one")
        attendee = db.session.execute(
            db.select(Registration).where(Registration.event_id == event.id,
                                          Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.id)).scalars().first()
        manage_secret, attendee_email = attendee.manage_secret, attendee.email

    client = app.test_client()
    step("the attendee's \"Download your badge\"")
    badge = client.get(f"/manage/{manage_secret}/badge.pdf")
    check(badge.status_code == 200, f"the attendee's badge answered {badge.status_code}")
    check(badge.mimetype == "application/pdf", f"the attendee's badge is {badge.mimetype}")
    check(pdf_pages(badge.data) == 1, "the attendee's badge is not one page")

    step("the organiser's badge sheet: log in, start the badge job, follow it, download the PDF")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    check(token is not None, "the login page has no CSRF token")
    response = client.post("/login", data={"csrf_token": token.group(1), "email": "check@example.org",
                                           "password": password})
    check(response.status_code in (302, 303), f"logging in answered {response.status_code}")
    page = client.get(f"/organiser/events/{slug}/badges")
    check(page.status_code == 200, f"the badge page answered {page.status_code}")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    response = client.post(f"/organiser/events/{slug}/badges", data={
        "csrf_token": token.group(1), "layout": "a4-4up", "order": "surname", "session": ""})
    check(response.status_code == 303, f"starting the badge job answered {response.status_code}")
    job_url = response.headers["Location"]
    deadline = time.monotonic() + 300
    while True:
        state = client.get(f"{job_url}.json").get_json()
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    check(state["status"] == "done", f"the badge job ended {state['status']}: {state['error']}")
    sheet = client.get(state["download"])
    check(sheet.status_code == 200, f"downloading the badge sheet answered {sheet.status_code}")
    pages = pdf_pages(sheet.data)
    check(pages >= 3, f"the badge sheet has {pages} pages for 12 attendees")  # four badges a page

    with app.app_context():
        step("mail delivery through the outbox")
        report = deliver_pending()
        check(report.sent > 0 and not report.failed, f"mail delivery: {report.summary()}")
    outbox = Path(app.config["INSTANCE_DIR"]) / "outbox"
    letters = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
               for path in sorted(outbox.glob("*.eml"))]
    assigned = [m for m in letters if m["To"] == attendee_email and list(m.iter_attachments())]
    check(bool(assigned), f"no mail to {attendee_email} with an attachment among {len(letters)} in {outbox}")
    attachments = {part.get_content_type(): part for part in assigned[0].iter_attachments()}
    check("application/pdf" in attachments, f"the attachments are {sorted(attachments)}, no PDF badge")
    check(pdf_pages(attachments["application/pdf"].get_content()) == 1, "the mailed badge is not one page")
    check("text/calendar" in attachments, f"the attachments are {sorted(attachments)}, no calendar file")
    print(f"check-run-install: passed: attendee badge ({len(badge.data)} bytes), badge sheet ({pages} pages), "
          f"{len(letters)} letters in the outbox, the assignment letter with its badge attached")


if __name__ == "__main__":
    main()
