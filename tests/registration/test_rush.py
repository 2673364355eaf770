"""A rush for the last places over real HTTP: never overbooked; and without the lock, the race is real."""

import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from eventapp import locking
from eventapp.extensions import db
from eventapp.models import Event, Registration, RegistrationStatus

from ..conftest import ON_POSTGRES
from ..live import live_server
from .helpers import form_data

SUBMISSIONS = 200
LAST_PLACES = 10


def _rush(app, event_id, prefix="rush"):
    """Fire SUBMISSIONS registrations at once; return the HTTP statuses and the final counts."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        confirmed = db.session.execute(
            select(func.count()).where(Registration.event_id == event.id,
                                       Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
        event.capacity = confirmed + LAST_PLACES
        db.session.commit()
        capacity = event.capacity
        bodies = [urllib.parse.urlencode(form_data(event, email=f"{prefix}{i}@example.org", full_name=f"Rush {i}")).encode()
                  for i in range(SUBMISSIONS)]
        slug = event.slug
    start = threading.Barrier(SUBMISSIONS)

    with live_server(app) as base:
        def submit(body):
            start.wait()
            request = urllib.request.Request(f"{base}/events/{slug}/register", data=body, method="POST")
            opener = urllib.request.build_opener(NoRedirect)
            try:
                return opener.open(request, timeout=120).status
            except urllib.error.HTTPError as error:
                return error.code

        with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
            statuses = list(pool.map(submit, bodies))

    with app.app_context():
        counts = dict(db.session.execute(
            select(Registration.status, func.count()).where(Registration.event_id == event_id,
                                                            Registration.email.like(f"{prefix}%"))
            .group_by(Registration.status)).all())
        total_confirmed = db.session.execute(
            select(func.count()).where(Registration.event_id == event_id,
                                       Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
    return statuses, counts, total_confirmed, capacity


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# Mail is not the subject here; a pool big enough that 200 waiting requests queue on the lock, not the pool.
RUSH_SETTINGS = {"MAIL_DELIVERY": "off",
                 "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 20, "pool_timeout": 300}}


def test_two_hundred_at_once_for_the_last_ten_places(make_app, demo_event):
    app = make_app(**RUSH_SETTINGS)
    statuses, counts, total_confirmed, capacity = _rush(app, demo_event.id)
    assert statuses.count(303) == SUBMISSIONS, sorted(set(statuses))
    assert counts.get(RegistrationStatus.CONFIRMED) == LAST_PLACES
    assert counts.get(RegistrationStatus.WAITLISTED) == SUBMISSIONS - LAST_PLACES
    assert total_confirmed == capacity


@pytest.mark.skipif(not ON_POSTGRES, reason="the control run needs PostgreSQL's concurrent writers")
def test_without_the_lock_the_race_overbooks(make_app, demo_event, monkeypatch):
    # The seam locking.py names: every taker calls locking.lock_event, so a lock that does nothing here leaves
    # the sign-up's steps exactly as they are, unlocked.
    monkeypatch.setattr(locking, "lock_event", lambda event, refresh=True: None)
    app = make_app(**RUSH_SETTINGS)
    # The race is real but its window is short (one statement and the commit), so one rush can miss it by luck
    # on a busy machine: up to three rushes, each for ten new last places, until one overbooks.
    for attempt in range(3):
        statuses, counts, total_confirmed, capacity = _rush(app, demo_event.id, prefix=f"rush{attempt}-")
        assert statuses.count(303) == SUBMISSIONS
        print(f"control run {attempt + 1} without the lock: {total_confirmed} confirmed for {capacity} places")
        if total_confirmed > capacity:
            break
    assert total_confirmed > capacity, "the race did not show; the control run proves nothing"
