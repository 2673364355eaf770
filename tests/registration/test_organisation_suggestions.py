"""The organisation field's list: only what an organiser has accepted for this event (its partners, and the
organisations of its confirmed registrations); the whole list in the page while it is short (works without
JavaScript), suggestions from the server as the person types once there are too many to put in every page."""

import html
import re

from eventapp.models import Event, Organisation, OrganisationKind, Registration, RegistrationStatus, utcnow

from .. import factories


def attendee(event, organisation, status=RegistrationStatus.CONFIRMED):
    return factories.registration(event, organisation=organisation, status=status, waitlisted_at=utcnow())


def confirm_organisations(db, event, names):
    """Organisations, each with a confirmed registration at `event`."""
    made = [factories.organisation(name=name) for name in names]
    for organisation in made:
        attendee(event, organisation)
    db.session.commit()
    return made


def datalist(page: str) -> str:
    return re.search(r'<datalist id="organisation-names"[^>]*>.*?</datalist>', page, re.S).group(0)


def listed(client, event) -> list[str]:
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    return [html.unescape(value) for value in re.findall(r'<option value="([^"]*)">', datalist(page))]


def suggest(client, event, typed):
    response = client.get(f"/events/{event.slug}/register/organisations", query_string={"q": typed})
    assert response.status_code == 200
    return response.get_json()["names"]


def _strangers(db, event):
    """What strangers typed, in every way that must not reach the public list of `event`."""
    other = factories.event(name="Another event")
    waiting, cancelled, elsewhere, _typed_only = (
        factories.organisation(name=name, kind=OrganisationKind.OTHER)
        for name in ("Waiting Stranger Defacement Ltd", "Cancelled Stranger Slur Org",
                     "Elsewhere Confirmed Institute", "Never Registered Typo Trust"))
    attendee(event, waiting, RegistrationStatus.WAITLISTED)
    attendee(event, cancelled, RegistrationStatus.CANCELLED)
    attendee(other, elsewhere)
    db.session.commit()
    return ["Waiting Stranger Defacement Ltd", "Cancelled Stranger Slur Org", "Elsewhere Confirmed Institute",
            "Never Registered Typo Trust"]


def test_the_page_lists_the_events_partners_and_confirmed_organisations_only(client, demo_event, db):
    strangers = _strangers(db, demo_event)
    partners = {o.name for o in demo_event.partners} | {
        s.lead_organisation.name for s in demo_event.themed_sessions}
    confirmed = {r.organisation.name for r in db.session.query(Registration).filter_by(
        event_id=demo_event.id, status=RegistrationStatus.CONFIRMED)}
    options = listed(client, demo_event)
    assert options == sorted(partners | confirmed, key=lambda name: (name.lower(), name)) and len(partners) >= 4
    assert not set(strangers) & set(options)
    # the suggestion endpoint answers from the same list
    for name in strangers:
        assert suggest(client, demo_event, name[:12]) == [], name
    assert suggest(client, demo_event, demo_event.funder.name[:6]) == [demo_event.funder.name]


def test_an_organisation_is_listed_once_its_registration_is_confirmed_and_not_after_it_is_cancelled(
        make_app, demo_event):
    from eventapp.extensions import db
    from eventapp.registration import service

    app = make_app(ORGANISATION_LIST_SECONDS=0)  # each worker reads the list again at most this often
    client = app.test_client()
    demo_event = db.session.get(Event, demo_event.id)
    organisation = Organisation(name="Promoted Person's Foundation", kind=OrganisationKind.NGO)
    person = attendee(demo_event, organisation, RegistrationStatus.WAITLISTED)
    db.session.add(person)
    db.session.commit()
    assert "Promoted Person&#39;s Foundation" not in client.get(f"/events/{demo_event.slug}/register").get_data(
        as_text=True)
    assert suggest(client, demo_event, "promoted") == []
    person.status = RegistrationStatus.CONFIRMED
    db.session.commit()
    assert "Promoted Person's Foundation" in listed(client, demo_event)
    assert suggest(client, demo_event, "promoted") == ["Promoted Person's Foundation"]
    service.cancel(person)
    assert "Promoted Person's Foundation" not in listed(client, demo_event)
    assert suggest(client, demo_event, "promoted") == []


def test_a_long_list_stays_out_of_the_page_and_is_suggested(client, demo_event, db):
    from eventapp.registration.organisations import ORGANISATIONS_IN_PAGE, SUGGESTIONS

    confirm_organisations(db, demo_event, [f"Ministry of Example Affairs {i:04d}"
                                           for i in range(ORGANISATIONS_IN_PAGE + 50)])
    page = client.get(f"/events/{demo_event.slug}/register").get_data(as_text=True)
    assert "<option" not in datalist(page)
    assert f'data-suggest-url="/events/{demo_event.slug}/register/organisations"' in datalist(page)
    assert "registration/organisation_suggest.js" in page
    assert len(page) < 40_000  # does not grow with the number of organisations

    names = suggest(client, demo_event, "example affairs 01")
    assert names == [f"Ministry of Example Affairs {i:04d}" for i in range(100, 110)]
    assert len(suggest(client, demo_event, "MINISTRY")) == SUGGESTIONS


def test_names_that_start_with_it_come_first(client, demo_event, db):
    confirm_organisations(db, demo_event, ["Council of Health Boards", "Health Council of Kenya",
                                           "Ministry of Health"])
    assert suggest(client, demo_event, "health")[:2] == ["Health Council of Kenya", "Council of Health Boards"]


def test_wildcards_and_odd_input_are_text(client, demo_event, db):
    confirm_organisations(db, demo_event, ["100% Renewable Trust", "Under_score Institute", "Plain Institute"])
    assert suggest(client, demo_event, "0%") == ["100% Renewable Trust"]
    assert suggest(client, demo_event, "r_s") == ["Under_score Institute"]
    assert suggest(client, demo_event, "%") == []  # too short to suggest
    assert suggest(client, demo_event, "") == []
    assert suggest(client, demo_event, "in\x00st") == suggest(client, demo_event, "inst")  # NUL dropped, not sent
    assert suggest(client, demo_event, "x" * 10_000) == []
    assert suggest(client, demo_event, "'; DROP TABLE organisation; --") == []
    assert "Plain Institute" in suggest(client, demo_event, "institute")


def test_unknown_event_is_404(client, demo_event):
    assert client.get("/events/no-such-event/register/organisations?q=ab").status_code == 404


def test_names_are_data_not_markup(client, demo_event, db):
    confirm_organisations(db, demo_event, ['<script>alert("x")</script> Org'])
    response = client.get(f"/events/{demo_event.slug}/register/organisations?q=script")
    assert response.get_json()["names"] == ['<script>alert("x")</script> Org']
    assert response.mimetype == "application/json"


def test_service_ignores_surrounding_and_repeated_spaces(app, demo_event, db):
    from eventapp.registration import organisations

    confirm_organisations(db, demo_event, ["Office of the Prime Minister"])
    assert organisations.organisation_suggestions(demo_event, "  prime    minister ") == [
        "Office of the Prime Minister"]
