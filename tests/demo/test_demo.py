from sqlalchemy import select, text

from eventapp.demo.service import DEMO_FILE, seed_demo
from eventapp.events.spec import parse_event_file
from eventapp.models import Event, EventState, Registration, RegistrationStatus


def _dump(db):
    """Every row of every table, as comparable tuples."""
    rows = {}
    for table in db.metadata.sorted_tables:
        result = db.session.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")).all()
        rows[table.name] = [tuple(r) for r in result]
    return rows


def test_demo_twice_gives_the_same_rows(app, db):
    seed_demo(attendees=30)
    first = _dump(db)
    seed_demo(attendees=30)
    assert _dump(db) == first
    assert len(first["registration"]) == 30
    assert len(first["themed_session"]) == 3


def test_demo_has_the_brief(app, db):
    event = seed_demo(attendees=0).event
    brief = parse_event_file(DEMO_FILE.read_text())
    assert event.slug == "london-p2p-2018" and event.state == EventState.PUBLISHED
    assert [o.name for o in event.convenors] == [o.name for o in brief.organisations[:3]]
    assert event.funder.name.startswith("Department for International Development")
    assert "Harriett Baldwin" in event.opening
    leads = [(s.title, s.lead_organisation.name) for s in event.themed_sessions]
    assert leads == [(t.title, t.lead) for t in brief.slots[0].sessions]
    assert "GPG" in leads[0][1] and "TBI" in leads[1][1] and "NSGI" in leads[2][1]
    # parallel sessions: one slot
    assert len({s.time_slot_id for s in event.themed_sessions}) == 1


def test_demo_registration_is_open(app):
    from eventapp.events.service import registration_state

    assert registration_state(seed_demo().event) == "open"


def test_more_attendees_later_adds_only_the_missing(app, db):
    seed_demo(attendees=10)
    emails = set(db.session.execute(select(Registration.email)).scalars())
    summary = seed_demo(attendees=25)
    assert summary.attendees_added == 15 and summary.attendees_total == 25
    assert emails <= set(db.session.execute(select(Registration.email)).scalars())


def test_synthetic_attendees_are_varied(app, db):
    seed_demo(attendees=150)
    registrations = db.session.execute(select(Registration)).scalars().all()
    countries = {r.country for r in registrations}
    kinds = {r.organisation.kind for r in registrations}
    assert len(countries) >= 8 and len(kinds) >= 5
    assert any(not r.full_name.isascii() for r in registrations)
    assert {len(r.preferences) for r in registrations} >= {0, 1, 2, 3}
    # over capacity: the rest wait
    event = db.session.execute(select(Event)).scalar_one()
    statuses = [r.status for r in registrations]
    assert statuses.count(RegistrationStatus.CONFIRMED) == event.capacity
    assert statuses.count(RegistrationStatus.WAITLISTED) == 150 - event.capacity


def test_demo_command(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "--attendees", "5"])
    assert result.exit_code == 0, result.output
    assert "Created london-p2p-2018: 3 themed sessions; 5 attendees added" in result.output
    again = app.test_cli_runner().invoke(args=["demo", "--attendees", "5"])
    assert "Found london-p2p-2018" in again.output and "0 attendees added" in again.output


def test_demo_admin_prints_a_login_that_works(app):
    from ..conftest import log_in

    first = app.test_cli_runner().invoke(args=["demo-admin"]).output
    second = app.test_cli_runner().invoke(args=["demo-admin"]).output
    assert first == second and first.startswith("Admin login: admin@example.org / ")
    password = first.rsplit(" / ", 1)[1].strip()
    from eventapp.auth.service import find_staff_by_email

    assert log_in(app.test_client(), find_staff_by_email("admin@example.org"), password).status_code == 302


def test_the_demo_is_its_file_moved_to_eight_weeks_ahead(app, db):
    """The demo is the shipped event file imported (one code path with `flask events import`): exported again,
    it is the file with only its dates moved."""
    from datetime import timedelta

    from eventapp.events.setup import export_spec
    from eventapp.models import utcnow

    event = seed_demo().event
    brief = parse_event_file(DEMO_FILE.read_text())
    exported = export_spec(event)
    days = (exported.starts - brief.starts).days
    assert timedelta(weeks=8) - timedelta(days=1) <= event.starts_at - utcnow() <= timedelta(weeks=8, days=1)
    moved = brief.shifted(timedelta(days=round((exported.starts - brief.starts) / timedelta(days=1))))
    assert exported.__class__(**{**moved.__dict__, "registration_opens": exported.registration_opens}) == exported
    assert days > 0 and exported.registration_opens < utcnow() < exported.registration_closes
