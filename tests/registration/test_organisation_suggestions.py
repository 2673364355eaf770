"""The organisation field's list: the whole list in the page while it is short (works without JavaScript),
suggestions from the server as the person types once there are too many to put in every page."""

import re

from eventapp.models import Organisation, OrganisationKind
from eventapp.registration import service
from eventapp.registration.service import ORGANISATIONS_IN_PAGE, SUGGESTIONS


def add_organisations(db, names):
    db.session.add_all(Organisation(name=name, kind=OrganisationKind.NGO) for name in names)
    db.session.commit()


def datalist(page: str) -> str:
    return re.search(r'<datalist id="organisation-names"[^>]*>.*?</datalist>', page, re.S).group(0)


def suggest(client, event, typed):
    response = client.get(f"/events/{event.slug}/register/organisations", query_string={"q": typed})
    assert response.status_code == 200
    return response.get_json()["names"]


def test_a_short_list_is_all_in_the_page(client, demo_event, db):
    page = client.get(f"/events/{demo_event.slug}/register").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)">', datalist(page))
    with_names = sorted(o.name for o in db.session.query(Organisation))
    assert len(options) == len(with_names) > 3 and options == sorted(options)
    assert "data-suggest-url" not in datalist(page) and "organisation_suggest.js" not in page


def test_a_long_list_stays_out_of_the_page_and_is_suggested(client, demo_event, db):
    add_organisations(db, [f"Ministry of Example Affairs {i:04d}" for i in range(ORGANISATIONS_IN_PAGE + 50)])
    page = client.get(f"/events/{demo_event.slug}/register").get_data(as_text=True)
    assert "<option" not in datalist(page)
    assert f'data-suggest-url="/events/{demo_event.slug}/register/organisations"' in datalist(page)
    assert "registration/organisation_suggest.js" in page
    assert len(page) < 40_000  # does not grow with the number of organisations

    names = suggest(client, demo_event, "example affairs 01")
    assert names == [f"Ministry of Example Affairs {i:04d}" for i in range(100, 110)]
    assert len(suggest(client, demo_event, "MINISTRY")) == SUGGESTIONS


def test_names_that_start_with_it_come_first(client, demo_event, db):
    add_organisations(db, ["Council of Health Boards", "Health Council of Kenya", "Ministry of Health"])
    assert suggest(client, demo_event, "health")[:2] == ["Health Council of Kenya", "Council of Health Boards"]


def test_wildcards_and_odd_input_are_text(client, demo_event, db):
    add_organisations(db, ["100% Renewable Trust", "Under_score Institute", "Plain Institute"])
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
    add_organisations(db, ['<script>alert("x")</script> Org'])
    response = client.get(f"/events/{demo_event.slug}/register/organisations?q=script")
    assert response.get_json()["names"] == ['<script>alert("x")</script> Org']
    assert response.mimetype == "application/json"


def test_service_ignores_surrounding_and_repeated_spaces(app, demo_event, db):
    add_organisations(db, ["Office of the Prime Minister"])
    with app.app_context():
        assert service.organisation_suggestions("  prime    minister ") == ["Office of the Prime Minister"]
