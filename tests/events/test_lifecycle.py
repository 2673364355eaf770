"""Draft -> published -> finished -> archived: what each step needs, who sees a draft, what a finished event
refuses; a copy for next year; two events with the same attendee."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventapp.events import lifecycle
from eventapp.events.clone import clone_event
from eventapp.events.programme import SetupRefused
from eventapp.models import Event, EventState, Registration, RegistrationStatus, utcnow

from ..conftest import log_in
from .conftest import import_text


def test_publishing_needs_the_privacy_notice(app, db, nairobi_text):
    without = nairobi_text[:nairobi_text.index("privacy:")]
    event = import_text(without).event
    with pytest.raises(SetupRefused) as refused:
        lifecycle.take_step(event, "publish")
    assert "give the privacy notice the data controller, a privacy contact, how long data is kept" in \
        refused.value.message
    event = import_text(nairobi_text).event
    lifecycle.take_step(event, "publish")
    assert event.state == EventState.PUBLISHED


def test_back_to_draft_only_while_nobody_registered(app, db, demo_event):
    with pytest.raises(SetupRefused, match="People have registered"):
        lifecycle.take_step(demo_event, "unpublish")


def test_finishing_waits_for_the_start_then_archiving_is_final(app, db, demo_event):
    with pytest.raises(SetupRefused, match="has not started yet"):
        lifecycle.take_step(demo_event, "finish")
    lifecycle.take_step(demo_event, "finish", now=demo_event.ends_at)
    assert demo_event.state == EventState.FINISHED
    lifecycle.take_step(demo_event, "reopen")
    lifecycle.take_step(demo_event, "finish", now=demo_event.ends_at)
    lifecycle.take_step(demo_event, "archive")
    assert lifecycle.steps_from(demo_event) == []
    with pytest.raises(SetupRefused, match="not possible while the event is archived"):
        lifecycle.take_step(demo_event, "reopen")


def test_a_finished_event_closes_registration_and_check_in(app, db, client, staff, demo_event):
    from eventapp.events.service import registration_state

    lifecycle.take_step(demo_event, "finish", now=demo_event.ends_at)
    assert registration_state(demo_event) == "closed"
    log_in(client, staff("checkin"))
    badge = db.session.execute(select(Registration.badge_secret)).scalars().first()
    answer = client.post(f"/api/events/{demo_event.slug}/checkin", json={"code": badge})
    assert answer.status_code == 409
    assert answer.get_json() == {"error": "event_closed", "message": "Check-in is closed: the event is finished. "
                                                                    "An admin can reopen it (Lifecycle)."}
    lifecycle.take_step(demo_event, "reopen")
    assert client.post(f"/api/events/{demo_event.slug}/checkin", json={"code": badge}).status_code != 409


def test_a_draft_is_seen_by_staff_only_with_a_preview_banner(app, db, client, staff, nairobi_text):
    event = import_text(nairobi_text).event
    for url in (f"/events/{event.slug}", f"/events/{event.slug}/register", f"/events/{event.slug}/privacy"):
        assert client.get(url).status_code == 404, url
    assert event.name not in client.get("/").get_data(as_text=True)
    log_in(client, staff("admin"))
    page = client.get(f"/events/{event.slug}")
    assert page.status_code == 200
    assert "This event is a draft: only staff can see this page." in page.get_data(as_text=True)
    assert "Draft · staff only" in client.get(f"/organiser/events/{event.slug}").get_data(as_text=True)


def test_the_state_badge_is_on_other_features_organiser_pages(app, client, staff, demo_event):
    log_in(client, staff("admin"))
    for page in ("registrations", "waitlist", "assignment", "badges"):
        body = client.get(f"/organiser/events/{demo_event.slug}/{page}").get_data(as_text=True)
        assert '<span class="state state-published"' in body, page


def test_a_copy_for_next_year_has_the_shape_and_no_people(app, db, demo_event):
    from zoneinfo import ZoneInfo

    old = demo_event.starts_at.astimezone(ZoneInfo("Europe/London")).replace(tzinfo=None)
    copy = clone_event(demo_event, "The London Conference 2019", None, old.replace(year=old.year + 1))
    assert copy.slug == "the-london-conference-2019" and copy.state == EventState.DRAFT
    assert [o.name for o in copy.partners] == [o.name for o in demo_event.partners]
    assert [o.id for o in copy.partners] == [o.id for o in demo_event.partners]  # the same organisations
    assert [(s.title, s.room, s.capacity, s.lead_organisation_id) for s in copy.themed_sessions] == [
        (s.title, s.room, s.capacity, s.lead_organisation_id) for s in demo_event.themed_sessions]
    assert copy.time_slots[0].starts_at - copy.starts_at == demo_event.time_slots[0].starts_at - demo_event.starts_at
    assert timedelta(days=364) <= copy.starts_at - demo_event.starts_at <= timedelta(days=366)
    assert (copy.privacy_controller, copy.summary, copy.opening, copy.tagline) == (
        demo_event.privacy_controller, demo_event.summary, demo_event.opening, demo_event.tagline)
    assert db.session.execute(select(func.count()).where(Registration.event_id == copy.id)).scalar_one() == 0
    with pytest.raises(SetupRefused, match="already uses the address"):
        clone_event(demo_event, "Again", copy.slug, old)


def test_one_address_registers_for_two_events(app, db, demo_event, nairobi_text):
    from eventapp.registration.forms import RegistrationForm
    from eventapp.registration.signup import register
    from tests.registration.helpers import form_data

    second = import_text(nairobi_text).event
    second.registration_opens_at = utcnow() - timedelta(days=1)
    lifecycle.take_step(second, "publish")
    receipts = []
    for event in (demo_event, second):
        with app.test_request_context(method="POST", data=form_data(event, email="Same.Person@example.org")):
            form = RegistrationForm(event)
            assert form.validate(), form.errors
            receipts.append(register(event, form.details()))
    assert [r.status for r in receipts] == [RegistrationStatus.CONFIRMED] * 2
    rows = db.session.execute(select(Registration.event_id).where(
        func.lower(Registration.email) == "same.person@example.org")).scalars().all()
    assert sorted(rows) == sorted([demo_event.id, second.id])
    assert receipts[0].manage_secret != receipts[1].manage_secret
    assert db.session.get(Event, second.id).starts_at == datetime(2027, 6, 15, 6, 0, tzinfo=UTC)
