"""The registrations table: filters, sorting and paging in SQL (one query for the page, one count), and the
actions on a selection: badges, cancel after a confirmation with the count, export, and the message hand-over."""

import csv
import io

import pytest
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import CheckIn, Job, OutboundMail, Registration, RegistrationStatus

from ..conftest import log_in
from .queries import counted_statements


@pytest.fixture
def event_with_people(app, demo_event):
    from eventapp.demo.service import seed_demo

    return seed_demo(attendees=60).event


def _ids(event, status=RegistrationStatus.CONFIRMED, n=3):
    return db.session.execute(
        select(Registration.id).where(Registration.event_id == event.id, Registration.status == status)
        .order_by(Registration.id).limit(n)).scalars().all()


def test_filters_sort_and_page(client, staff, event_with_people):
    event = event_with_people
    log_in(client, staff("admin"))
    url = f"/organiser/events/{event.slug}/registrations"
    everyone = client.get(url).get_data(as_text=True)
    assert "60 registrations" in everyone and "Page 2 of 2" not in everyone and "Page 1 of 2" in everyone
    assert 'class="tag tag-confirmed"' in everyone
    first = db.session.get(Registration, _ids(event, n=1)[0])
    db.session.add(CheckIn(event_id=event.id, registration_id=first.id, method="typed"))
    db.session.commit()
    checked = client.get(url + "?checked_in=yes").get_data(as_text=True)
    assert "1 registration matches" in checked and first.full_name in checked
    assert "59 registrations match" in client.get(url + "?checked_in=no").get_data(as_text=True)
    country = first.country
    expected = db.session.execute(select(Registration).where(Registration.event_id == event.id,
                                                             Registration.country == country)).scalars().all()
    assert f"{len(expected)} registration" in client.get(url + f"?country={country}&per_page=100").get_data(True)
    by_name = client.get(url + "?sort=name&dir=asc&per_page=100").get_data(as_text=True)
    names = sorted(expected, key=lambda r: (r.family_name or r.full_name).lower())
    if len(names) > 1:
        assert by_name.index(names[0].full_name) < by_name.index(names[-1].full_name)
    assert 'aria-sort="ascending"' in by_name
    assert client.get(url + "?session=none").status_code == 200  # nobody assigned yet: everyone matches
    assert "60 registrations" in client.get(url + "?session=none").get_data(as_text=True)
    assert client.get(url + "?sort=nonsense&kind=<x>&country=zz1").status_code == 200


@pytest.mark.parametrize("sort", ["name", "organisation", "status", "registered", "checked_in"])
def test_a_page_is_two_queries(app, client, staff, event_with_people, sort):
    from eventapp.registration import table

    query = table.TableQuery(sort=sort, q="a", status="confirmed", kind="ngo", checked_in="no")
    with counted_statements(db.engine) as statements:
        page = table.registrations_page(event_with_people, query)
    assert len(statements) == 2 and page.total >= len(page.rows)


def test_bulk_cancel_asks_first_then_cancels_and_offers(client, staff, event_with_people):
    event = event_with_people
    log_in(client, staff("admin"))
    ids = _ids(event)
    url = f"/organiser/events/{event.slug}/registrations/selection/cancel"
    ask = client.post(url, data={"registration_id": [str(i) for i in ids]})
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "This cancels 3 registrations." in page
    assert all(db.session.get(Registration, i).status == RegistrationStatus.CONFIRMED for i in ids)
    done = client.post(url, data={"registration_id": [str(i) for i in ids], "confirmed": "yes"})
    assert done.status_code == 303
    db.session.expire_all()
    assert all(db.session.get(Registration, i).status == RegistrationStatus.CANCELLED for i in ids)
    letters = db.session.execute(select(OutboundMail).where(OutboundMail.registration_id.in_(ids),
                                                            OutboundMail.kind == "cancelled")).scalars().all()
    assert len(letters) == 3


def test_bulk_cancel_frees_places_for_the_waiting_list(client, staff, app):
    from eventapp.demo.service import seed_demo

    event = seed_demo(attendees=110).event
    waiting = _ids(event, RegistrationStatus.WAITLISTED, n=2)
    assert waiting, "the demo event has a waiting list"
    log_in(client, staff("admin"))
    client.post(f"/organiser/events/{event.slug}/registrations/selection/cancel",
                data={"registration_id": [str(i) for i in _ids(event, n=2)], "confirmed": "yes"})
    db.session.expire_all()
    offered = [db.session.get(Registration, i) for i in waiting]
    assert all(r.offer_expires_at is not None for r in offered)


def test_nothing_selected_says_so(client, staff, event_with_people):
    log_in(client, staff("admin"))
    url = f"/organiser/events/{event_with_people.slug}/registrations/selection/cancel"
    answer = client.post(url, data={"registration_id": ["abc", "0"]}, follow_redirects=True)
    assert "Select at least one person first" in answer.get_data(as_text=True)


def test_bulk_export_has_only_the_selection_and_defuses(client, staff, event_with_people):
    event = event_with_people
    ids = _ids(event, n=2)
    db.session.get(Registration, ids[0]).full_name = "=HYPERLINK(1)"
    db.session.commit()
    log_in(client, staff("admin"))
    url = f"/organiser/events/{event.slug}/registrations/selection/export"
    choose = client.post(url, data={"registration_id": [str(i) for i in ids]})
    assert choose.status_code == 200 and "2 registrations selected" in choose.get_data(as_text=True)
    got = client.post(url, data={"registration_id": [str(i) for i in ids], "download": "1",
                                 "columns": ["id", "full_name"], "file_format": "csv"})
    rows = list(csv.reader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Registration no.", "Name"] and len(rows) == 3
    assert "'=HYPERLINK(1)" in [row[1] for row in rows]
    none = client.post(url, data={"registration_id": [str(i) for i in ids], "download": "1", "file_format": "csv"})
    assert none.status_code == 400 and "Pick at least one column." in none.get_data(as_text=True)


def test_bulk_badges_start_a_job_for_the_selection(client, staff, event_with_people):
    event = event_with_people
    ids = _ids(event, n=2)
    log_in(client, staff("admin"))
    answer = client.post(f"/organiser/events/{event.slug}/registrations/selection/badges",
                         data={"registration_id": [str(i) for i in ids]})
    assert answer.status_code == 303 and "/jobs/" in answer.location
    job = db.session.execute(select(Job).where(Job.kind == "badges")).scalar_one()
    assert sorted(__import__("json").loads(job.params_json)["registration_ids"]) == sorted(ids)


def test_the_message_button_posts_the_selection_to_the_messages_page(client, staff, event_with_people):
    log_in(client, staff("admin"))
    page = client.get(f"/organiser/events/{event_with_people.slug}/registrations").get_data(as_text=True)
    assert f'formaction="/organiser/events/{event_with_people.slug}/messages/new"' in page
    assert 'name="registration_id"' in page  # the CSRF token is checked in the browser test, with CSRF on


def test_a_persons_page_shows_their_history(client, staff, event_with_people):
    from eventapp.mail.service import queue_mail
    from eventapp.models import MailStatus

    event = event_with_people
    person = db.session.get(Registration, _ids(event, n=1)[0])
    queue_mail("reminder", person.email, "See you soon", "Body", event=event, registration=person)
    db.session.flush()
    letter = db.session.execute(select(OutboundMail).where(OutboundMail.registration_id == person.id)).scalar_one()
    letter.status, letter.last_error = MailStatus.FAILED, "550 mailbox unavailable"
    db.session.add(CheckIn(event_id=event.id, registration_id=person.id, method="typed"))
    db.session.commit()
    log_in(client, staff("admin"))
    client.post(f"/organiser/events/{event.slug}/registrations/selection/cancel",
                data={"registration_id": [str(person.id)], "confirmed": "yes"})
    page = client.get(f"/organiser/events/{event.slug}/registrations/{person.id}").get_data(as_text=True)
    history = page[page.index('id="history-title"'):]
    for text in ("Registered", "Mail: Reminder", "550 mailbox unavailable", "Checked in at the door", "Cancelled",
                 "Mail: Cancellation letter"):
        assert text in history, text
    assert history.index("Registered") < history.index("Checked in at the door") < history.index("Cancelled")


def test_every_row_the_filters_match_can_be_chosen_on_every_page(client, staff, event_with_people, monkeypatch):
    from eventapp.registration import bulk

    event = event_with_people
    log_in(client, staff("admin"))
    base = f"/organiser/events/{event.slug}/registrations"
    page = client.get(base + "?status=confirmed&per_page=25").get_data(as_text=True)
    confirmed = db.session.execute(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalars().all()
    assert len(confirmed) > 25 and f"All {len(confirmed)} matching these filters" in page
    assert 'name="filter_status" value="confirmed"' in page and 'name="scope" value="matching"' in page
    form = {"scope": "matching", "filter_status": "confirmed", "registration_id": []}
    chosen = client.post(base + "/selection/export", data=form).get_data(as_text=True)
    assert f"{len(confirmed)} registrations selected" in chosen
    # Without the scope, only what was ticked.
    ticked = client.post(base + "/selection/export", data={"registration_id": [str(confirmed[0])]})
    assert "1 registration selected" in ticked.get_data(as_text=True)
    # To the messages page as a hand-picked selection of all of them.
    compose = client.post(f"/organiser/events/{event.slug}/messages/new", data=form).get_data(as_text=True)
    assert f"{len(confirmed)} people are picked on the" in compose
    # Nothing matches: said so, nothing done.
    none = client.post(base + "/selection/cancel", data={"scope": "matching", "filter_q": "nobody-by-this-name"},
                       follow_redirects=True)
    assert "No registrations match these filters." in none.get_data(as_text=True)
    # More than an action takes at a time: refused in a sentence rather than done in part.
    monkeypatch.setattr(bulk, "MAX_SELECTION", 10)
    refused = client.post(base + "/selection/cancel", data=form, follow_redirects=True).get_data(as_text=True)
    assert "More than 10 registrations match these filters" in refused
    to_messages = client.post(f"/organiser/events/{event.slug}/messages/new", data=form)
    assert to_messages.status_code == 303 and to_messages.location.endswith("/registrations?status=confirmed")
    assert db.session.execute(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CANCELLED)).first() is None


def test_cancelled_rows_do_not_count_towards_the_limit_of_a_message(client, staff, event_with_people, monkeypatch):
    from eventapp.registration import bulk

    event = event_with_people
    everyone = db.session.execute(select(Registration).where(Registration.event_id == event.id)
                                  .order_by(Registration.id)).scalars().all()
    for person in everyone[5:]:
        person.status = RegistrationStatus.CANCELLED
    db.session.commit()
    monkeypatch.setattr(bulk, "MAX_SELECTION", 10)
    log_in(client, staff("admin"))
    form = {"scope": "matching"}  # no filter: 60 match, 5 of them not cancelled
    compose = client.post(f"/organiser/events/{event.slug}/messages/new", data=form)
    assert compose.status_code == 200 and "5 people are picked on the" in compose.get_data(as_text=True)
    refused = client.post(f"/organiser/events/{event.slug}/registrations/selection/export", data=form,
                          follow_redirects=True)
    assert "More than 10 registrations match" in refused.get_data(as_text=True)  # an export takes the cancelled too
