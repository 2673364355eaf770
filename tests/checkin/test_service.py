"""The check-in service: every answer in the fixed list, session attendance, undo, and retried nonces."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp.checkin.nonces import NonceReused
from eventapp.checkin.service import Result, Scanner, UndoResult, UnknownSession, check_in, undo_check_in
from eventapp.extensions import db
from eventapp.models import (
    Assignment,
    AssignmentMethod,
    CheckIn,
    RegistrationStatus,
    ReplacedBadge,
    ScanLog,
    utcnow,
)
from eventapp.tokens import badge_code, new_badge_secret

from .conftest import code_of, make_other_event


def _live_check_ins(registration_id: int) -> list[CheckIn]:
    return list(
        db.session.execute(
            select(CheckIn).where(CheckIn.registration_id == registration_id, CheckIn.undone_at.is_(None))
        ).scalars()
    )


def test_first_scan_is_ok_with_the_attendee_and_a_check_in_row(event_ref, people, scanner, checkin_user):
    person = people[0]
    outcome = check_in(event_ref, scanner, code=code_of(person))
    answer = outcome.answer
    assert outcome.result == Result.OK and answer["result"] == "ok"
    assert answer["attendee"]["name"] == person.full_name
    assert answer["attendee"]["organisation"] == person.organisation.name
    assert answer["recorded"] is True and answer["session"] is None
    [row] = _live_check_ins(person.id)
    assert row.id == answer["check_in_id"]
    assert row.staff_user_id == checkin_user.id and row.themed_session_id is None and row.method == "scan"


def test_codes_are_read_as_people_type_them(event_ref, people, scanner):
    code = "  " + code_of(people[0]).lower() + "\n"
    assert check_in(event_ref, scanner, code=code, method="typed").result == Result.OK


def test_second_scan_says_when_and_by_whom_in_the_event_time_zone(event_ref, people, scanner, demo_event):
    from zoneinfo import ZoneInfo

    check_in(event_ref, scanner, code=code_of(people[0]))
    answer = check_in(event_ref, scanner, code=code_of(people[0])).answer
    assert answer["result"] == "already_checked_in" and answer["recorded"] is False
    [row] = _live_check_ins(people[0].id)
    local = row.checked_in_at.astimezone(ZoneInfo(demo_event.timezone)).strftime("%H:%M")
    assert answer["checked_in_at_local"] == local
    assert answer["message"] == f"Already checked in at {local} by Sam."
    assert answer["earlier_check_in_id"] == row.id


def test_a_device_shows_as_who_checked_in(event_ref, people, scanner, device_token):
    from eventapp.checkin.devices import authenticate_token

    device = authenticate_token(device_token)
    check_in(event_ref, Scanner(name=device.device_name, scanner_device_id=device.device_id), code=code_of(people[0]))
    assert "by Door phone 1" in check_in(event_ref, scanner, code=code_of(people[0])).answer["message"]


@pytest.mark.parametrize("code", ["", "hello", "EA1:", "EA1:" + "0" * 26, "EA1:" + "0" * 27, "'; DROP TABLE check_in;--"])
def test_anything_else_is_an_unknown_code(event_ref, people, scanner, code):
    answer = check_in(event_ref, scanner, code=code).answer
    assert answer["result"] == "unknown_code" and answer["attendee"] is None and answer["recorded"] is False


def test_a_replaced_badge_is_named_as_such(event_ref, people, scanner):
    person = people[1]
    old = person.badge_secret
    db.session.add(ReplacedBadge(registration_id=person.id, badge_secret=old))
    person.badge_secret = new_badge_secret()
    db.session.commit()
    answer = check_in(event_ref, scanner, code=badge_code(old)).answer
    assert answer["result"] == "badge_replaced" and answer["attendee"]["name"] == person.full_name
    assert not _live_check_ins(person.id)
    assert check_in(event_ref, scanner, code=code_of(person)).result == Result.OK


@pytest.mark.parametrize("status", [RegistrationStatus.CANCELLED, RegistrationStatus.WAITLISTED])
def test_the_server_refuses_cancelled_and_waitlisted_people(event_ref, people, scanner, status):
    person = people[2]
    person.status = status
    db.session.commit()
    outcome = check_in(event_ref, scanner, code=code_of(person))
    assert outcome.result == Result(status.value)
    assert not _live_check_ins(person.id)
    # the same by name search
    assert check_in(event_ref, scanner, registration_id=person.id, method="search").result == Result(status.value)


def test_another_events_badge_is_not_this_event_and_reveals_nothing(app, event_ref, scanner):
    _, stranger = make_other_event()
    answer = check_in(event_ref, scanner, code=code_of(stranger)).answer
    assert answer["result"] == "not_this_event" and answer["attendee"] is None
    log = db.session.execute(select(ScanLog).order_by(ScanLog.id.desc())).scalars().first()
    assert log.result == "not_this_event" and log.registration_id is None
    # and a search result id from another event is simply unknown
    assert check_in(event_ref, scanner, registration_id=stranger.id).result == Result.UNKNOWN_CODE


def test_search_check_in_by_registration_id(event_ref, people, scanner):
    outcome = check_in(event_ref, scanner, registration_id=people[3].id, method="search")
    assert outcome.result == Result.OK
    assert _live_check_ins(people[3].id)[0].method == "search"


def test_session_check_in_records_attendance_separately_from_the_door(event_ref, people, scanner, demo_event):
    session = demo_event.themed_sessions[0]
    person = people[4]
    at_session = check_in(event_ref, scanner, code=code_of(person), themed_session_id=session.id).answer
    assert at_session["result"] == "ok" and at_session["session"]["title"] == session.title
    assert check_in(event_ref, scanner, code=code_of(person), themed_session_id=session.id).result == (
        Result.ALREADY_CHECKED_IN
    )
    assert check_in(event_ref, scanner, code=code_of(person)).result == Result.OK  # the door is its own check-in
    rows = _live_check_ins(person.id)
    assert sorted((r.themed_session_id or 0) for r in rows) == [0, session.id]


def test_a_session_of_another_event_is_refused(event_ref, people, scanner):
    with pytest.raises(UnknownSession):
        check_in(event_ref, scanner, code=code_of(people[0]), themed_session_id=999_999)


def _assign(person, session):
    db.session.add(Assignment(registration_id=person.id, themed_session_id=session.id,
                              time_slot_id=session.time_slot_id, method=AssignmentMethod.MANUAL))


def test_wrong_session_records_the_attendance_and_names_the_assigned_session(app, demo_event, people, scanner):
    from eventapp.checkin.queries import event_ref as load_event_ref

    assigned, other = demo_event.themed_sessions[0], demo_event.themed_sessions[1]
    person = people[5]
    _assign(person, assigned)
    db.session.commit()

    # Before publication nobody is "elsewhere": a plain ok, and the draft assignment is not shown.
    unpublished = check_in(load_event_ref(demo_event.slug), scanner, code=code_of(person), themed_session_id=other.id)
    assert unpublished.result == Result.OK and unpublished.answer["attendee"]["assigned_sessions"] == []
    undo_check_in(demo_event.id, unpublished.answer["check_in_id"], None)

    demo_event.assignment_published_at = utcnow()
    db.session.commit()
    event = load_event_ref(demo_event.slug)
    answer = check_in(event, scanner, code=code_of(person), themed_session_id=other.id).answer
    assert answer["result"] == "wrong_session" and answer["recorded"] is True
    assert answer["assigned_session"]["title"] == assigned.title
    assert assigned.title in answer["message"]
    assert [r.themed_session_id for r in _live_check_ins(person.id)] == [other.id]

    right = check_in(event, scanner, code=code_of(person), themed_session_id=assigned.id).answer
    assert right["result"] == "ok"
    assert right["attendee"]["assigned_sessions"] == [{"id": assigned.id, "title": assigned.title, "room": assigned.room}]
    # at the door the assignment is shown, never "wrong"
    door = check_in(event, scanner, code=code_of(person)).answer
    assert door["result"] == "ok" and door["attendee"]["assigned_sessions"][0]["title"] == assigned.title


def test_undo_keeps_the_row_and_lets_the_person_check_in_again(demo_event, event_ref, people, scanner, checkin_user):
    first = check_in(event_ref, scanner, code=code_of(people[6])).answer
    assert undo_check_in(demo_event.id, first["check_in_id"], checkin_user.id) == UndoResult.UNDONE
    assert undo_check_in(demo_event.id, first["check_in_id"], checkin_user.id) == UndoResult.ALREADY_UNDONE
    assert undo_check_in(demo_event.id, 999_999, checkin_user.id) == UndoResult.NOT_FOUND
    undone = db.session.get(CheckIn, first["check_in_id"])
    db.session.refresh(undone)
    assert undone.undone_at is not None and undone.undone_by_id == checkin_user.id
    assert check_in(event_ref, scanner, code=code_of(people[6])).result == Result.OK
    assert len(_live_check_ins(people[6].id)) == 1


def test_undo_is_per_event(demo_event, event_ref, people, scanner):
    other, _ = make_other_event()
    first = check_in(event_ref, scanner, code=code_of(people[0])).answer
    assert undo_check_in(other.id, first["check_in_id"], None) == UndoResult.NOT_FOUND


def test_a_repeated_nonce_is_answered_from_the_log_without_writing(event_ref, people, scanner):
    first = check_in(event_ref, scanner, code=code_of(people[7]), nonce="n-1")
    again = check_in(event_ref, scanner, code=code_of(people[7]), nonce="n-1")
    assert first.result == again.result == Result.OK
    assert again.replayed and again.answer["replayed"] is True
    assert again.answer["check_in_id"] == first.answer["check_in_id"]
    assert len(_live_check_ins(people[7].id)) == 1
    assert db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one() == 1
    # a new nonce is a new scan
    assert check_in(event_ref, scanner, code=code_of(people[7]), nonce="n-2").result == Result.ALREADY_CHECKED_IN


def test_a_nonce_reused_for_another_badge_is_refused_and_writes_no_check_in(event_ref, people, scanner):
    check_in(event_ref, scanner, code="garbage", nonce="n-3")
    with pytest.raises(NonceReused):
        check_in(event_ref, scanner, code=code_of(people[8]), nonce="n-3")
    assert not _live_check_ins(people[8].id)
    rows = db.session.execute(select(ScanLog.result, ScanLog.nonce).order_by(ScanLog.id)).all()
    assert rows == [("unknown_code", "n-3"), ("nonce_reused", None)]  # the refusal is logged, without the nonce


def test_every_scan_is_logged_with_an_excerpt_of_what_was_scanned(event_ref, people, scanner, checkin_user):
    check_in(event_ref, scanner, code=code_of(people[9]))
    check_in(event_ref, scanner, code="x" * 10_000)
    check_in(event_ref, scanner, code="bad\x00\x1b[31m\ud800")
    rows = db.session.execute(select(ScanLog).order_by(ScanLog.id)).scalars().all()
    assert [r.result for r in rows] == ["ok", "unknown_code", "unknown_code"]
    assert rows[0].registration_id == people[9].id and rows[0].check_in_id is not None
    assert rows[0].staff_user_id == checkin_user.id
    assert len(rows[1].code_excerpt) <= 80 and rows[1].code_excerpt.endswith("(10000 chars)")
    assert rows[2].code_excerpt == "bad\ufffd\ufffd[31m\ufffd"
    assert all(r.response_json for r in rows)


def test_an_arrival_on_an_earlier_day_says_which_day(event_ref, people, scanner, db):
    from datetime import timedelta

    first = check_in(event_ref, scanner, code=code_of(people[11])).answer
    row = db.session.get(CheckIn, first["check_in_id"])
    row.checked_in_at = row.checked_in_at - timedelta(days=1)
    db.session.commit()
    again = check_in(event_ref, scanner, code=code_of(people[11])).answer
    assert again["result"] == "already_checked_in"
    assert "," in again["checked_in_at_local"] and again["message"].startswith("Already checked in at ")
