"""Report fixtures: the demo conference with attendees, assignments, check-ins (inserted directly) and sections,
and a recording HTTP server on 127.0.0.1 that must never be asked for anything."""

from __future__ import annotations

import http.server
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventapp.demo.service import seed_demo, upsert_organisation
from eventapp.extensions import db as _db
from eventapp.models import (
    Assignment,
    AssignmentMethod,
    CheckIn,
    Event,
    Registration,
    RegistrationStatus,
    ReportSection,
    SectionStatus,
)

READY_TEXT = "Peer support sticks when ministers own the reform READYSENTINEL"
DRAFT_TEXT = "Relationships with counterparts matter DRAFTSENTINEL"
LISTED = "Quentin Listedperson"
UNLISTED = "Zebedee Unlistedperson"
ABSENT = "Yolanda Absentperson"
ARABIC_NAME = "زينب الجبوري"


@dataclass
class ReportWorld:
    event: Event
    people: list[Registration]
    spy_url: str  # the recording server: any request to it is a failure


class _Spy(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Spy.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def spy_server():
    """A server that records every request made to it."""
    _Spy.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Spy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Spy.hits
    finally:
        server.shutdown()
        server.server_close()


def local(event: Event, hour: int, minute: int) -> datetime:
    tz = ZoneInfo(event.timezone)
    return datetime.combine(event.start_date, datetime.min.time(), tz).replace(hour=hour, minute=minute).astimezone(UTC)


@pytest.fixture
def world(app, spy_server) -> ReportWorld:
    """40 attendees: some waitlisted or cancelled, ~80% of the confirmed checked in (one check-in undone),
    assignments and session check-ins, section 1 ready, section 2 a draft, section 3 not started."""
    spy_url, _ = spy_server
    event = seed_demo(attendees=40).event
    people = list(_db.session.execute(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).scalars())
    sessions = event.themed_sessions
    # Short titles keep each table row on one line of pdftotext's layout.
    for ts, title in zip(sessions, ("Sticky change", "Counterparts", "Impact"), strict=True):
        ts.title = title

    people[-1].status = RegistrationStatus.CANCELLED
    people[-2].status = RegistrationStatus.WAITLISTED
    people[-2].waitlisted_at = event.starts_at - timedelta(days=3)
    people[-3].status = RegistrationStatus.WAITLISTED
    people[-3].waitlisted_at = event.starts_at - timedelta(days=2)

    # Names and organisations in several scripts, and people whose listing consent the annex must respect.
    people[0].full_name, people[0].family_name, people[0].consent_listed = LISTED, "Listedperson", True
    people[1].full_name, people[1].family_name, people[1].consent_listed = UNLISTED, "Unlistedperson", False
    people[2].full_name, people[2].family_name, people[2].consent_listed = ABSENT, "Absentperson", True
    people[3].full_name, people[3].family_name, people[3].consent_listed = ARABIC_NAME, "الجبوري", True
    people[3].organisation = upsert_organisation("Council of Representatives of Iraq, Research Directorate",
                                                 "government", "IQ")
    people[4].organisation = upsert_organisation("中国发展研究中心", "academic", "CN")
    people[4].consent_listed = True
    people[5].organisation = upsert_organisation("भारतीय लोक प्रशासन संस्थान", "academic", "IN")
    people[6].organisation = None
    people[6].country = None
    # An attendee who types HTML that would fetch from a server, were it ever rendered as HTML.
    people[7].full_name = f'<img src="{spy_url}/name.png"> Mallory'
    people[7].consent_listed = True

    confirmed = [p for p in people if p.status == RegistrationStatus.CONFIRMED]
    absent = {people[2].id} | {p.id for i, p in enumerate(confirmed) if i % 5 == 4}  # ~80% come
    minute = 0
    for i, person in enumerate(confirmed):
        _db.session.add(Assignment(registration_id=person.id, themed_session_id=sessions[i % 3].id,
                                   time_slot_id=sessions[i % 3].time_slot_id, method=AssignmentMethod.SOLVER))
        if person.id in absent:
            continue
        minute = (minute + 7) % 95
        _db.session.add(CheckIn(event_id=event.id, registration_id=person.id, checked_in_at=local(event, 8, 0)
                                + timedelta(minutes=minute), method="scan"))
        if i % 4 != 3:  # most go to their assigned session; a few to another one
            where = sessions[i % 3] if i % 6 else sessions[(i + 1) % 3]
            _db.session.add(CheckIn(event_id=event.id, registration_id=person.id, themed_session_id=where.id,
                                    checked_in_at=local(event, 11, 2), method="scan"))
    # An absent person scanned by mistake and undone: must not count anywhere.
    mistaken = next(p for p in confirmed if p.id in absent and p.id != people[2].id)
    _db.session.add(CheckIn(event_id=event.id, registration_id=mistaken.id, checked_in_at=local(event, 8, 30),
                            undone_at=local(event, 8, 31), method="scan"))
    # One person seen only at a session, never at the door: checked in all the same.
    session_only = next(p for p in confirmed if p.id in absent and p.id not in (people[2].id, mistaken.id))
    _db.session.add(CheckIn(event_id=event.id, registration_id=session_only.id, themed_session_id=sessions[2].id,
                            checked_in_at=local(event, 11, 5), method="typed"))

    _db.session.add(ReportSection(
        themed_session_id=sessions[0].id, status=SectionStatus.READY,
        narrative=f"{READY_TEXT}\n\n![tracker]({spy_url}/ready.png) <img src=\"{spy_url}/raw.png\"> "
                  f"[GPG]({spy_url}/link)",
        key_findings="- Findings one\n- Findings two", lessons="Lesson text", open_questions="Open question text",
    ))
    _db.session.add(ReportSection(themed_session_id=sessions[1].id, status=SectionStatus.DRAFT,
                                  narrative=DRAFT_TEXT, key_findings="DRAFTFINDING", lessons="", open_questions=""))
    _db.session.commit()
    return ReportWorld(event=event, people=people, spy_url=spy_url)


def pdftotext(data: bytes, tmp_path, layout: bool = True) -> list[str]:
    """The text of each page, as poppler reads it."""
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    text = subprocess.run(args, check=True, capture_output=True).stdout.decode()
    return text.split("\f")


@pytest.fixture
def world_inline(make_app):
    """An app whose jobs run before the request returns, on the demo event."""
    app = make_app(JOBS_INLINE=True)
    with app.app_context():
        event = seed_demo(attendees=12).event
        yield app, event
