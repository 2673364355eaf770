"""Check-in fixtures: the demo event as the service sees it, badge codes, a logged-in scanner, a device token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventapp.checkin import devices, queries
from eventapp.checkin.service import Scanner
from eventapp.extensions import db as _db
from eventapp.models import Event, Registration
from eventapp.tokens import badge_code

from .. import factories
from ..conftest import log_in
from ..live import live_server


def code_of(registration: Registration) -> str:
    return badge_code(registration.badge_secret)


@pytest.fixture
def event_ref(demo_event):
    return queries.event_ref(demo_event.slug)


@pytest.fixture
def people(demo_event):
    """The demo's twelve registrations, all confirmed, in id order."""
    return list(
        _db.session.execute(
            select(Registration).where(Registration.event_id == demo_event.id).order_by(Registration.id)
        ).scalars()
    )


@pytest.fixture
def checkin_user(staff):
    user = staff("checkin")
    user.display_name = "Sam"
    _db.session.commit()
    return user


@pytest.fixture
def scanner(checkin_user):
    return Scanner(name=checkin_user.name, staff_user_id=checkin_user.id)


@pytest.fixture
def scanner_client(app, checkin_user):
    client = app.test_client()
    assert log_in(client, checkin_user).status_code == 302
    return client


@pytest.fixture
def device_token(demo_event, staff) -> str:
    return devices.issue_device(demo_event, "Door phone 1", staff("admin")).token


def make_other_event() -> tuple[Event, Registration]:
    """A second event with one confirmed registration, for badges that belong elsewhere."""
    event = factories.event(name="Another event")
    registration = factories.registration(event, full_name="Olga Other")
    _db.session.commit()
    return event, registration


@pytest.fixture
def server_url(app):
    """This test's app behind a real threaded HTTP server on 127.0.0.1."""
    with live_server(app) as url:
        yield url
