"""Walk-ins at the door: registered through the registration service under the event's lock, checked in at once,
their badge printed alone (A6) or left for the next "new or changed" batch."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eventapp.badges import service as badges
from eventapp.checkin import walk_in as walk_ins
from eventapp.models import CheckIn, EventState, OutboundMail, Registration, RegistrationStatus, ScanLog
from eventapp.registration.service import DuplicateEmail, EventFull, RegistrationClosed
from eventapp.registration.walk_in import WalkInDetails

from ..conftest import log_in

A6_POINTS = (105 / 25.4 * 72, 148 / 25.4 * 72)


def _walk_in(demo_event, user, name="Wanjiru Kamau", organisation="Nairobi Data Lab", email=None, **kwargs):
    return walk_ins.admit(demo_event, WalkInDetails(name, organisation, email), user, **kwargs)


def test_a_walk_in_is_registered_and_checked_in(app, db, demo_event, checkin_user):
    before = db.session.execute(select(func.count()).select_from(OutboundMail)).scalar_one()
    admitted = _walk_in(demo_event, checkin_user, email="wanjiru@example.org")
    registration = db.session.get(Registration, admitted.registration.id)
    assert registration.status == RegistrationStatus.CONFIRMED and registration.organisation.name == "Nairobi Data Lab"
    assert admitted.outcome.result == "ok"
    check_in = db.session.execute(select(CheckIn).where(CheckIn.registration_id == registration.id)).scalar_one()
    assert check_in.method == "walk_in" and check_in.staff_user_id == checkin_user.id
    assert db.session.execute(select(ScanLog).where(ScanLog.registration_id == registration.id)).scalar_one()
    mails = db.session.execute(select(OutboundMail).where(OutboundMail.registration_id == registration.id)).scalars()
    assert [m.recipient for m in mails] == ["wanjiru@example.org"]
    assert db.session.execute(select(func.count()).select_from(OutboundMail)).scalar_one() == before + 1


def test_a_walk_in_without_an_address_gets_no_mail(app, db, demo_event, checkin_user):
    first = _walk_in(demo_event, checkin_user, name="No Mail One", organisation="")
    second = _walk_in(demo_event, checkin_user, name="No Mail Two", organisation=None)
    assert first.registration.email != second.registration.email
    assert first.registration.email.endswith("@walk-in.invalid") and first.registration.organisation_id is None
    assert db.session.execute(select(OutboundMail).where(OutboundMail.registration_id.in_(
        [first.registration.id, second.registration.id]))).first() is None


def test_a_full_event_refuses_unless_staff_let_them_in(app, db, demo_event, checkin_user):
    demo_event.capacity = db.session.execute(select(func.count()).where(
        Registration.event_id == demo_event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
    db.session.commit()
    with pytest.raises(EventFull, match="full"):
        _walk_in(demo_event, checkin_user)
    assert _walk_in(demo_event, checkin_user, beyond_capacity=True).outcome.result == "ok"


def test_an_address_already_registered_is_refused(app, db, demo_event, checkin_user):
    taken = db.session.execute(select(Registration).where(Registration.event_id == demo_event.id)).scalars().first()
    with pytest.raises(DuplicateEmail, match="scanner's search"):
        _walk_in(demo_event, checkin_user, email=taken.email.upper())


def test_only_a_published_event_takes_walk_ins(app, db, demo_event, checkin_user):
    demo_event.state = EventState.FINISHED
    db.session.commit()
    with pytest.raises(RegistrationClosed):
        _walk_in(demo_event, checkin_user)


def test_the_badge_prints_alone_as_a6_or_waits_for_the_next_batch(app, db, demo_event, checkin_user):
    everyone = badges.BatchRequest(event_id=demo_event.id, only_new_or_changed=True)
    badges.mark_printed([r.id for r in badges.registrations_for_batch(everyone)])
    assert badges.count_for_batch(everyone) == 0
    printed_alone = _walk_in(demo_event, checkin_user, name="Printed Alone").registration
    waiting = _walk_in(demo_event, checkin_user, name="Waits Forbatch").registration
    assert badges.count_for_batch(everyone) == 2
    client = app.test_client()
    log_in(client, checkin_user)
    response = client.post(f"/organiser/events/{demo_event.slug}/checkin/walk-in/{printed_alone.id}/badge.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [page] = PdfReader(io.BytesIO(response.data)).pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A6_POINTS, abs=1)
    assert "Printed Alone" in page.extract_text()
    assert [r.id for r in badges.registrations_for_batch(everyone)] == [waiting.id]
    # The walk-in list says the same as the batch: one printed, one waiting for it.
    printed = {row.registration.id: row.printed for row in walk_ins.recent_walk_ins(demo_event)}
    assert printed == {printed_alone.id: True, waiting.id: False}
    # Only walk-ins: check-in staff do not print anyone else's badge here.
    other = db.session.execute(select(Registration).where(Registration.event_id == demo_event.id)
                               .order_by(Registration.id)).scalars().first()
    assert client.post(f"/organiser/events/{demo_event.slug}/checkin/walk-in/{other.id}/badge.pdf"
                       ).status_code == 404


def test_the_form_says_what_is_wrong_next_to_the_field(app, db, demo_event, checkin_user):
    client = app.test_client()
    log_in(client, checkin_user)
    url = f"/organiser/events/{demo_event.slug}/checkin/walk-in"
    empty = client.post(url, data={"full_name": "", "consent": "y"})
    assert empty.status_code == 400 and "Enter their name." in empty.get_data(as_text=True)
    bad = client.post(url, data={"full_name": "Ana", "email": "not-an-address", "consent": "y"})
    assert bad.status_code == 400 and "like name@example.org" in bad.get_data(as_text=True)
    no_consent = client.post(url, data={"full_name": "Ana"})
    assert no_consent.status_code == 400 and "privacy notice" in no_consent.get_data(as_text=True)
    done = client.post(url, data={"full_name": "Ana Door", "organisation": "Lab", "consent": "y"})
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Ana Door</strong> is registered and checked in" in page and "Print their badge now (A6)" in page
