"""The organiser's event setup pages through HTTP: create, settings, partners, slots and sessions, with the
refusals shown next to the field (or above the form) and a 4xx."""

from sqlalchemy import select

from eventapp.models import Event, EventState, PartnerRole, ThemedSession

from ..conftest import log_in


def _admin(app, staff):
    client = app.test_client()
    log_in(client, staff("admin"))
    return client


EVENT = {"name": "Kigali Peer Exchange", "short_name": "KPE", "slug": "", "tagline": "Peers across borders",
         "description": "A **two-day** exchange.", "programme_notes": "", "timezone": "Africa/Kigali",
         "starts": "2027-03-10T09:00", "ends": "2027-03-10T17:00", "venue": "Kigali Convention Centre",
         "venue_address": "KG 2 Roundabout, Kigali", "capacity": "60", "registration_opens": "",
         "registration_closes": "2027-03-09T18:00", "offer_hours": "48", "privacy_controller": "Rwanda Governance Board",
         "privacy_contact": "privacy@rgb.example", "privacy_retention_months": "6"}


def test_create_an_event_then_its_programme(app, db, staff):
    client = _admin(app, staff)
    assert "Create an event" in client.get("/organiser/").get_data(as_text=True)
    created = client.post("/organiser/events/new", data=EVENT)
    assert created.status_code == 303 and created.headers["Location"] == "/organiser/events/kigali-peer-exchange"
    event = db.session.execute(select(Event)).scalar_one()
    assert event.state == EventState.DRAFT and event.starts_at.hour == 7  # 09:00 in Kigali is 07:00 UTC
    base = f"/organiser/events/{event.slug}"
    for name, short, role in (("Rwanda Governance Board", "RGB", "convenor"), ("Aid Fund", "AF", "funder")):
        answer = client.post(f"{base}/partners", data={"name": name, "short_name": short, "role": role,
                                                      "kind": "government", "country": "RW", "description": "x"})
        assert answer.status_code == 303
    assert [link.role for link in event.partner_links] == [PartnerRole.CONVENOR, PartnerRole.FUNDER]
    assert client.post(f"{base}/programme/slots", data={"label": "Morning", "starts": "2027-03-10T10:00",
                                                         "ends": "2027-03-10T12:00"}).status_code == 303
    outside = client.post(f"{base}/programme/slots", data={"label": "Night", "starts": "2027-03-10T20:00",
                                                            "ends": "2027-03-10T21:00"})
    assert outside.status_code == 409 and "must be within the event&#39;s times" in outside.get_data(as_text=True)
    slot = event.time_slots[0]
    rgb = event.partners[0]
    for title, room in (("Open data", "Hall 1"), ("Budgets", "Hall 2")):
        saved = client.post(f"{base}/programme/sessions/new", data={
            "title": title, "lead": rgb.id, "slot": slot.id, "room": room, "capacity": "30", "description": ""})
        assert saved.status_code == 303
    clash = client.post(f"{base}/programme/sessions/new", data={
        "title": "Third", "lead": rgb.id, "slot": slot.id, "room": "hall 1", "capacity": "30"})
    assert clash.status_code == 409 and "would both be in “hall 1” at the same time" in clash.get_data(as_text=True)
    no_lead = client.post(f"{base}/programme/sessions/new", data={
        "title": "Fourth", "lead": "999999", "slot": slot.id, "capacity": "30"})
    assert no_lead.status_code == 400 and "Choose one of those listed." in no_lead.get_data(as_text=True)
    first, second = event.themed_sessions
    assert client.post(f"{base}/programme/sessions/{second.id}/move", data={"direction": "up"}).status_code == 303
    db.session.expire_all()
    assert [s.title for s in db.session.get(Event, event.id).themed_sessions] == ["Budgets", "Open data"]
    assert client.post(f"{base}/programme/sessions/{first.id}/remove").status_code == 303
    assert [s.title for s in db.session.execute(select(ThemedSession)).scalars()] == ["Budgets"]
    # the funder cannot go while... it leads nothing, so it can; the convenor leads "Budgets" and cannot
    refused = client.post(f"{base}/partners/{rgb.id}/remove")
    assert refused.status_code == 409 and "Rwanda Governance Board leads “Budgets”" in refused.get_data(as_text=True)
    published = client.post(f"{base}/state", data={"action": "publish"})
    assert published.status_code == 303
    assert db.session.get(Event, event.id).state == EventState.PUBLISHED


def test_bad_settings_are_refused_next_to_the_field(app, db, staff, demo_event):
    client = _admin(app, staff)
    base = f"/organiser/events/{demo_event.slug}"
    page = client.get(f"{base}/settings").get_data(as_text=True)
    assert 'value="The London Conference on Peer-to-Peer Learning and Institutional Partnerships"' in page
    bad = client.post(f"{base}/settings", data={**EVENT, "timezone": "Mars/Olympus", "ends": "2027-03-10T08:00",
                                                 "privacy_contact": "not an address"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Not a valid choice." in body and "The event must end after it starts." in body
    assert "Give an e-mail address." in body
    below = client.post(f"{base}/settings", data={**EVENT, "slug": demo_event.slug, "capacity": "3"})
    assert below.status_code == 409
    assert "12 people are confirmed, so the capacity cannot go down to 3." in below.get_data(as_text=True)
    slug_change = client.post(f"{base}/settings", data={**EVENT, "slug": "another-address"})
    assert slug_change.status_code == 409 and "cannot change once the event is published" in \
        slug_change.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, demo_event.id).name.startswith("The London Conference")


def test_a_taken_slug_is_refused_when_creating(app, db, staff, demo_event):
    client = _admin(app, staff)
    taken = client.post("/organiser/events/new", data={**EVENT, "slug": demo_event.slug})
    assert taken.status_code == 409 and "Another event already uses the address" in taken.get_data(as_text=True)


def test_lifecycle_refusals_are_shown_on_the_page(app, db, staff, demo_event):
    client = _admin(app, staff)
    answer = client.post(f"/organiser/events/{demo_event.slug}/state", data={"action": "unpublish"})
    assert answer.status_code == 409 and "People have registered" in answer.get_data(as_text=True)
    assert client.post(f"/organiser/events/{demo_event.slug}/state", data={"action": "nonsense"}).status_code == 409


def test_programme_changes_page_mails_in_one_click(app, db, staff, demo_event):
    from eventapp.assignment import service as assignment

    assignment.apply(demo_event)
    assignment.publish(demo_event)
    client = _admin(app, staff)
    session = demo_event.themed_sessions[0]
    base = f"/organiser/events/{demo_event.slug}"
    client.post(f"{base}/programme/sessions/{session.id}", data={
        "title": session.title, "lead": session.lead_organisation_id, "slot": session.time_slot_id,
        "room": "Main hall", "capacity": session.capacity})
    page = client.get(f"{base}/changes").get_data(as_text=True)
    assert "Room: Room A → Main hall" in page
    button = __import__("re").search(r'action="([^"]+/mail)"', page).group(1)
    answer = client.post(button)
    assert answer.status_code == 303
    assert "The change is mailed to" in client.get(f"{base}/changes").get_data(as_text=True)
