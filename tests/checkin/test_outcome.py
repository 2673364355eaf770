"""A check-in's outcome survives the scan log: what a retried scan is answered with is the outcome first given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventapp.checkin.outcome import Arrival, Attendee, CheckInOutcome, Result, SessionRef

HALL = SessionRef(id=3, title="Data for development", room="Hall A")
LIBRARY = SessionRef(id=4, title="Open budgets", room=None)
ADA = Attendee(id=7, name="Ada Lovelace", organisation="Analytical Society", assigned_sessions=(HALL, LIBRARY))
AT_NINE = Arrival(at=datetime(2026, 12, 7, 9, 12, tzinfo=UTC), at_local="09:12", by="Sam")


@pytest.mark.parametrize(("outcome", "message"), [
    (CheckInOutcome(Result.OK, ADA, check_in_id=11, arrival=AT_NINE), "Checked in."),
    (CheckInOutcome(Result.WRONG_SESSION, ADA, LIBRARY, check_in_id=12, arrival=AT_NINE, assigned_session=HALL),
     "Checked in at Open budgets, but assigned to Data for development (Hall A)."),
    (CheckInOutcome(Result.ALREADY_CHECKED_IN, ADA, HALL, arrival=Arrival(AT_NINE.at, "09:12", "Door phone 1", 11)),
     "Already checked in at Data for development at 09:12 by Door phone 1."),
    (CheckInOutcome(Result.BADGE_REPLACED, Attendee(id=7, name="Ada Lovelace", organisation=None)),
     "This badge was replaced by a newer one. Ask for the new badge, or find them by name."),
    (CheckInOutcome(Result.UNKNOWN_CODE), "Not a badge of this event."),
])
def test_an_outcome_read_back_from_its_json_is_the_same_answer(outcome, message):
    answer = outcome.as_json()
    assert answer["message"] == message
    assert answer["recorded"] is (outcome.result in (Result.OK, Result.WRONG_SESSION))
    replayed = CheckInOutcome.from_json(answer, replayed=True)
    assert replayed.replayed and replayed.as_json() == {**answer, "replayed": True}
    assert replayed.result == outcome.result and replayed.message == message
