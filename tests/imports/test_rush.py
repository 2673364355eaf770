"""An import running while the public form is rushed for the last places: never overbooked, the import's own
newcomers waitlisted in file order once the places are gone."""

import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import Event, Registration, RegistrationStatus
from eventapp.registration.importing import import_file

from ..live import live_server
from ..registration.helpers import form_data
from ..registration.test_rush import RUSH_SETTINGS, NoRedirect
from .helpers import csv_bytes, person

SUBMISSIONS = 80
IMPORTED = 400
LAST_PLACES = 60


def test_import_during_a_rush_never_overbooks(make_app, demo_event):
    app = make_app(**RUSH_SETTINGS)
    with app.app_context():
        event = db.session.get(Event, demo_event.id)
        confirmed = db.session.execute(select(func.count()).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
        event.capacity = confirmed + LAST_PLACES
        db.session.commit()
        capacity, slug, event_id = event.capacity, event.slug, event.id
        bodies = [urllib.parse.urlencode(form_data(event, email=f"rush{i}@example.org", full_name=f"Rush {i}")).encode()
                  for i in range(SUBMISSIONS)]
    data = csv_bytes([person(i) for i in range(IMPORTED)])
    start = threading.Barrier(SUBMISSIONS + 1)
    outcome = {}

    def run_import():
        with app.app_context():
            event = db.session.get(Event, event_id)
            start.wait()
            outcome["plan"], outcome["result"] = import_file(event, "guests.csv", data, mail=False)
            db.session.remove()

    with live_server(app) as base:
        def submit(body):
            start.wait()
            request = urllib.request.Request(f"{base}/events/{slug}/register", data=body, method="POST")
            try:
                return urllib.request.build_opener(NoRedirect).open(request, timeout=120).status
            except urllib.error.HTTPError as error:
                return error.code

        importer = threading.Thread(target=run_import)
        importer.start()
        with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
            statuses = list(pool.map(submit, bodies))
        importer.join(timeout=300)

    assert statuses.count(303) == SUBMISSIONS, sorted(set(statuses))
    result = outcome["result"]
    assert result.confirmed + result.waitlisted == IMPORTED
    with app.app_context():
        total_confirmed = db.session.execute(select(func.count()).where(
            Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
        imported = db.session.execute(select(Registration.email, Registration.status).where(
            Registration.event_id == event_id, Registration.email.like("guest%")).order_by(Registration.id)).all()
    assert total_confirmed == capacity
    # The import's newcomers: confirmed ones first, then the waiting list, in the file's order.
    by_email = dict(imported)
    statuses_in_file_order = [by_email[f"guest{i}@example.org"] for i in range(IMPORTED)]
    first_waiting = statuses_in_file_order.index(RegistrationStatus.WAITLISTED)
    assert set(statuses_in_file_order[first_waiting:]) == {RegistrationStatus.WAITLISTED}
    assert result.confirmed == first_waiting
