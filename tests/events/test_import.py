"""The event file: the issue's file imports as written, exports and re-imports without changing a row, and a file
with mistakes is refused whole with every problem by line."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from eventapp.events.dump import dump_event_file
from eventapp.events.setup import export_spec
from eventapp.events.spec import SpecError, parse_event_file
from eventapp.models import Event, EventState, PartnerRole

from .conftest import FILES, import_text


def _dump(db):
    """Every row of every table but the audit-free ones, as comparable tuples."""
    rows = {}
    for table in db.metadata.sorted_tables:
        rows[table.name] = [tuple(r) for r in db.session.execute(text(f"SELECT * FROM {table.name} ORDER BY 1"))]
    return rows


def test_the_issues_file_imports_as_written(app, db, nairobi_text):
    result = import_text(nairobi_text)
    event = result.event
    assert result.created and event.state == EventState.DRAFT
    assert (event.name, event.short_name, event.slug) == (
        "Nairobi Forum on Peer Learning", "NFPL 2027", "nairobi-forum-2027")
    assert event.tagline == "Learning from each other across Africa's civil services"
    # 09:00 in Nairobi (UTC+3) is 06:00 UTC
    assert event.starts_at == datetime(2027, 6, 15, 6, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 6, 15, 14, 30, tzinfo=UTC)
    assert event.registration_opens_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2027, 6, 14, 15, 0, tzinfo=UTC)
    assert (event.venue, event.venue_address, event.capacity, event.waitlist_offer_hours) == (
        "Kenya School of Government", "Lower Kabete Road, Nairobi, Kenya", 120, 48)
    assert [(o.short_name, link.role) for link in event.partner_links for o in [link.organisation]] == [
        ("KSG", PartnerRole.CONVENOR), ("ACBF", PartnerRole.CONVENOR), ("MIF", PartnerRole.FUNDER)]
    assert event.convenors[1].description.startswith("Builds human")
    assert [s.label for s in event.time_slots] == ["Morning parallel sessions", "Afternoon parallel sessions"]
    assert [(s.title, s.lead_organisation.short_name, s.room, s.capacity, s.time_slot.label)
            for s in event.themed_sessions] == [
        ("Digital records for accountable ministries", "KSG", "Hall A", 40, "Morning parallel sessions"),
        ("Peer reviews between revenue authorities", "ACBF", "Hall B", 40, "Morning parallel sessions"),
        ("Measuring what changed", "ACBF", "Library", 30, "Morning parallel sessions"),
        ("Sustaining reform after the project ends", "KSG", "Hall A", 60, "Afternoon parallel sessions"),
        ("Funding peer partnerships well", "MIF", "Hall B", 60, "Afternoon parallel sessions"),
    ]
    assert (event.privacy_controller, event.privacy_contact, event.privacy_retention_months) == (
        "Kenya School of Government", "privacy@ksg.example", 12)


def test_reimport_and_export_round_trip_change_nothing(app, db, nairobi_text):
    import_text(nairobi_text)
    db.session.expire_all()
    first = _dump(db)
    again = import_text(nairobi_text)
    assert not again.created and again.changed == []
    db.session.expire_all()
    assert _dump(db) == first
    exported = dump_event_file(export_spec(db.session.get(Event, again.event.id)))
    assert parse_event_file(exported) == parse_event_file(nairobi_text).__class__(
        **{**parse_event_file(nairobi_text).__dict__, "state": EventState.DRAFT})
    import_text(exported)
    db.session.expire_all()
    assert _dump(db) == first


def test_the_cli_imports_exports_and_refuses(app, db, tmp_path, nairobi_text):
    runner = app.test_cli_runner()
    source = FILES / "nairobi-forum-2027.yaml"
    created = runner.invoke(args=["events", "import", str(source)])
    assert created.exit_code == 0, created.output
    assert "Created nairobi-forum-2027 (draft): 2 slots, 5 themed sessions, 3 partners." in created.output
    same = runner.invoke(args=["events", "import", str(source)])
    assert "nothing changed" in same.output
    out = tmp_path / "out.yaml"
    exported = runner.invoke(args=["events", "export", "nairobi-forum-2027", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "Kenya School of Government" in out.read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(nairobi_text.replace("lead: MIF", "lead: DFID"))
    refused = runner.invoke(args=["events", "import", str(bad)])
    assert refused.exit_code == 1
    assert "line 46: the lead 'DFID' of 'Funding peer partnerships well' is not one of the event's organisations." \
        in refused.output
    missing = runner.invoke(args=["events", "export", "no-such-event"])
    assert missing.exit_code != 0 and "No event has the slug 'no-such-event'" in missing.output


BROKEN = [
    # (change to the issue's file, the line, words of the message)
    (("lead: MIF", "lead: DFID"), 46, "the lead 'DFID' of 'Funding peer partnerships well' is not one of the "
                                      "event's organisations"),
    (("timezone: Africa/Nairobi", "timezone: Africa/Narobi"), 7, "unknown time zone 'Africa/Narobi'"),
    (("    ends: 2027-06-15 15:30", "    ends: 2027-06-15 18:30"), 41,
     "the slot 'Afternoon parallel sessions' is outside the event's times"),
    (("room: Library", "room: Hall A"), 40, "'Measuring what changed' and 'Digital records for accountable "
                                            "ministries' (line 38) are both in 'Hall A' at the same time"),
    (("    starts: 2027-06-15 14:00", "    starts: 2027-06-15 11:30"), 45,
     "'Sustaining reform after the project ends' and 'Digital records for accountable ministries' (line 38) are "
     "both in 'Hall A', and their slots 'Afternoon parallel sessions' and 'Morning parallel sessions' overlap"),
    (("capacity: 120", "capacity: lots"), 10, "'capacity' in the event should be a whole number"),
    (("  offer_hours: 48", "  offer_hours: 48\n  offer_days: 2"), 15, "unknown key 'offer_days' in registration"),
    (("starts: 2027-06-15 09:00", "starts: 15/06/2027 09:00"), 5, "should be a local date and time like"),
    (("    country: ZW", "    country: ZZ"), 25, "'ZZ' is not an ISO 3166 two-letter country code"),
    (("    role: funder", "    role: sponsor"), 32, "role should be convenor or funder, not 'sponsor'"),
]


@pytest.mark.parametrize("change, line, words", BROKEN, ids=[b[0][1].strip()[:24] for b in BROKEN])
def test_a_file_with_a_mistake_is_refused_with_its_line(app, db, nairobi_text, change, line, words):
    assert change[0] in nairobi_text
    with pytest.raises(SpecError) as refused:
        parse_event_file(nairobi_text.replace(change[0], change[1], 1))
    assert any(p.line == line and words in p.message for p in refused.value.problems), refused.value.problems


def test_every_problem_is_listed_and_nothing_is_written(app, db, nairobi_text):
    broken = nairobi_text
    for (old, new), _, _ in BROKEN[:4]:
        broken = broken.replace(old, new, 1)
    with pytest.raises(SpecError) as refused:
        import_text(broken)
    assert [p.line for p in refused.value.problems] == [7, 40, 41, 46]
    assert db.session.execute(text("SELECT count(*) FROM event")).scalar_one() == 0


def test_a_file_that_is_not_yaml_or_not_an_event(app):
    with pytest.raises(SpecError) as refused:
        parse_event_file("name: [unclosed\n")
    assert "not readable as YAML" in str(refused.value)
    with pytest.raises(SpecError) as refused:
        parse_event_file("- just\n- a list\n")
    assert "should be a set of 'key: value' lines" in str(refused.value)
    with pytest.raises(SpecError) as refused:
        parse_event_file("name: Something\n")
    assert {"the event needs 'starts'.", "the event needs 'timezone'.", "the event needs 'venue'."} <= {
        p.message for p in refused.value.problems}


def test_the_reminder_days_travel_with_the_file(app, db, nairobi_text):
    """The reminder setting is imported, exported and so carried by a clone (which copies the exported event)."""
    assert "reminder_days" not in nairobi_text
    assert import_text(nairobi_text).event.reminder_days == 3  # a new event's default
    changed = import_text(nairobi_text.replace("capacity: 120", "capacity: 120\nreminder_days: 7", 1))
    assert changed.changed == ["reminder_days"] and changed.event.reminder_days == 7
    exported = dump_event_file(export_spec(changed.event))
    assert "reminder_days: 7" in exported and parse_event_file(exported).reminder_days == 7
    with pytest.raises(SpecError) as refused:
        parse_event_file(nairobi_text.replace("capacity: 120", "capacity: 120\nreminder_days: 90", 1))
    assert any("'reminder_days' in the event should be a whole number from 0 to 60" in p.message
               for p in refused.value.problems)
