"""Import preview against result, idempotence, header variants and every refusal reason, on the test database
(SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import OutboundMail, Registration, RegistrationStatus
from eventapp.registration.import_apply import apply_plan
from eventapp.registration.import_file import ImportFileError, read_attendee_file
from eventapp.registration.import_plan import plan_import
from eventapp.registration.importing import import_file

from .helpers import csv_bytes, person, xlsx_bytes


def _statuses(event):
    return dict(db.session.execute(select(Registration.email, Registration.status)
                                   .where(Registration.event_id == event.id)).all())


def _set_capacity_free(event, free):
    confirmed = db.session.execute(select(func.count()).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
    event.capacity = confirmed + free
    db.session.commit()


def test_preview_says_what_the_import_then_does(app, demo_event):
    _set_capacity_free(demo_event, 3)
    existing = db.session.execute(select(Registration).where(Registration.event_id == demo_event.id)
                                  .order_by(Registration.id)).scalars().first()
    rows = [person(i) for i in range(5)]
    rows.append(person(99, email=existing.email, name=existing.full_name + " Jr"))
    rows.append(person(100, email="not-an-address"))
    data = csv_bytes(rows)
    plan = plan_import(demo_event, read_attendee_file("guests.csv", data))
    assert [r.action for r in plan.rows] == ["create"] * 3 + ["waitlist"] * 2 + ["update", "refuse"]
    assert "Name" in plan.rows[5].changes
    result = apply_plan(demo_event, plan)
    assert (result.confirmed, result.waitlisted, result.updated, result.refused) == (3, 2, 1, 1)
    statuses = _statuses(demo_event)
    assert [statuses[f"guest{i}@example.org"] for i in range(5)] == [RegistrationStatus.CONFIRMED] * 3 + [
        RegistrationStatus.WAITLISTED] * 2
    assert "not-an-address" not in statuses
    db.session.refresh(existing)
    assert existing.full_name.endswith(" Jr")
    # The waiting list keeps the file's order.
    waiting = db.session.execute(select(Registration.email).where(
        Registration.event_id == demo_event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)).scalars().all()
    assert waiting[-2:] == ["guest3@example.org", "guest4@example.org"]
    # Each new person has their letter with their own manage link.
    guest = db.session.execute(select(Registration).where(Registration.email == "guest0@example.org")).scalar_one()
    letter = db.session.execute(select(OutboundMail).where(OutboundMail.registration_id == guest.id)).scalar_one()
    assert guest.manage_secret in letter.body_text and letter.kind == "invitation"  # an invited guest with a place
    assert [p.rank for p in guest.preferences] == [1, 2]
    assert guest.preferences[0].themed_session_id == demo_event.themed_sessions[1].id


def test_importing_the_same_file_twice_changes_nothing(app, demo_event):
    data = xlsx_bytes([person(i) for i in range(20)])
    first_plan, first = import_file(demo_event, "guests.xlsx", data)
    assert first.confirmed == 20
    before = (db.session.execute(select(func.count()).select_from(Registration)).scalar_one(),
              db.session.execute(select(func.count()).select_from(OutboundMail)).scalar_one())
    plan, second = import_file(demo_event, "guests.xlsx", data)
    assert plan.counts["unchanged"] == 20 and plan.to_write == 0
    assert (second.confirmed, second.updated, second.unchanged) == (0, 0, 20)
    after = (db.session.execute(select(func.count()).select_from(Registration)).scalar_one(),
             db.session.execute(select(func.count()).select_from(OutboundMail)).scalar_one())
    assert after == before


@pytest.mark.parametrize("header", [
    ["Name", "E-mail", "Organization", "Type", "Country code", "Position", "Sessions"],
    ["Full name", "Email address", "Company", "Organisation type", "Country", "Job title", "Preferences"],
    ["Attendee", "e_mail", "Institution", "sector", "COUNTRY", "Role", "session preferences"],
])
def test_header_variants(app, demo_event, header):
    rows = [person(1), person(2, country="Kenya"), person(3, country="KEN")]
    plan = plan_import(demo_event, read_attendee_file("x.csv", csv_bytes(rows, header=header)))
    assert [r.action for r in plan.rows] == ["create"] * 3, [r.reasons for r in plan.rows]
    assert {r.details.country for r in plan.rows} == {"KE"}
    assert plan.rows[0].details.organisation_kind.value == "government"


def test_first_and_last_name_columns_and_semicolons(app, demo_event):
    data = "First name;Last name;E-mail;Company;Country\nAda;Lovelace;ada@example.org;Analytical Engines;GB\n"
    plan = plan_import(demo_event, read_attendee_file("x.csv", data.encode("utf-8")))
    row = plan.rows[0]
    assert row.action == "create" and row.details.full_name == "Ada Lovelace"
    assert row.details.organisation_kind.value == "other"


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"email": "no-at-sign"}, "E-mail: Enter an e-mail address like name@example.org."),
    ({"email": ""}, "E-mail: Enter your e-mail address."),
    ({"country": "Narnia"}, "Unknown country “Narnia”."),
    ({"country": ""}, "Country: Choose your country."),
    ({"preferences": "Underwater basket weaving"}, "Unknown session “Underwater basket weaving”."),
    ({"preferences": "7"}, "Unknown session “7”."),
    ({"preferences": "1; 1"}, "Preferences: You have already ranked this session"),
    ({"preferences": "1; 2; 3; 1"}, "At most 3 sessions can be ranked."),
    ({"name": ""}, "Name: Enter your full name."),
    ({"name": "x" * 201}, "Name: Your name can be at most 200 characters long."),
    ({"name": "Eve\u202eliv"}, "Name: This contains invisible characters"),
    ({"organisation": ""}, "Organisation: Enter the organisation you represent."),
    ({"organisation_kind": "cult"}, "Unknown kind of organisation “cult”"),
])
def test_every_refusal_reason(app, demo_event, overrides, reason):
    plan = plan_import(demo_event, read_attendee_file("x.csv", csv_bytes([person(1, **overrides)])))
    row = plan.rows[0]
    assert row.action == "refuse"
    assert any(r.startswith(reason) for r in row.reasons), row.reasons


def test_duplicate_within_the_file(app, demo_event):
    rows = [person(1), person(2, email="GUEST1@Example.org")]
    plan = plan_import(demo_event, read_attendee_file("x.csv", csv_bytes(rows)))
    assert [r.action for r in plan.rows] == ["create", "refuse"]
    assert plan.rows[1].reasons == ["The same e-mail address as line 2: each person once."]


def test_sessions_by_title(app, demo_event):
    titles = [s.title for s in demo_event.themed_sessions]
    plan = plan_import(demo_event, read_attendee_file("x.csv", csv_bytes([person(1, preferences=f"{titles[2].upper()} ; {titles[0]}")])))
    assert plan.rows[0].details.preferences == (demo_event.themed_sessions[2].id, demo_event.themed_sessions[0].id)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"name,organisation\nA,B\n", "The file has no e-mail column"),
    (b"email,organisation\na@example.org,B\n", "The file has no name column"),
    (b"PK\x03\x04 not really a workbook", "The file is not an XLSX workbook"),
])
def test_unreadable_files(app, data, message):
    with pytest.raises(ImportFileError) as raised:
        read_attendee_file("x.csv", data)
    assert raised.value.message.startswith(message)


def test_a_refused_row_leaves_nothing_behind_for_the_next(app, demo_event):
    rows = [person(1, email="bad", country="Narnia", name=""), person(2), person(3, preferences="1; 1"), person(4)]
    plan = plan_import(demo_event, read_attendee_file("x.csv", csv_bytes(rows)))
    assert [r.action for r in plan.rows] == ["refuse", "create", "refuse", "create"]
    assert plan.rows[1].reasons == [] and plan.rows[3].details.preferences == (
        demo_event.themed_sessions[1].id, demo_event.themed_sessions[0].id)
