"""Anonymising an event's attendees: every report figure stays equal, and a known name and address are found
nowhere afterwards: not in any text column of any table (read from the live schema), not in stored job
results, not in the development outbox's files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import LargeBinary, String, Text, column, func, inspect, select, table

from eventapp.checkin.service import EventRef, Result, Scanner, check_in
from eventapp.extensions import db
from eventapp.mail.service import deliver_pending
from eventapp.models import (
    Event,
    Job,
    JobStatus,
    QuestionKind,
    QuoteConsent,
    Registration,
    RegistrationStatus,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuote,
    SurveyResponse,
    utcnow,
)
from eventapp.registration import service as registrations
from eventapp.report.feedback import load_feedback
from eventapp.report.service import load_figures
from eventapp.retention import service as retention
from eventapp.tokens import badge_code

from ..conftest import log_in
from ..registration.helpers import form_data, registration_by_email

NAME, EMAIL = "Philippa Quarrington-Vesey", "philippa.qv@example.org"
NEEDLES = ("quarrington", "philippa", EMAIL)


@pytest.fixture
def world(app, demo_event, client):
    """The demo's twelve, plus a known person who registered, was mailed (to the outbox), came, answered the
    survey in her own words (quoted), and appears in a stored job result and the scan log."""
    event = demo_event
    response = client.post(f"/events/{event.slug}/register", data=form_data(
        event, full_name=NAME, email=EMAIL, job_title="Head of Quarrington Unit",
        accessibility_needs="Philippa needs step-free access", dietary_needs="No nuts for Philippa"))
    assert response.status_code == 303
    person = registration_by_email(EMAIL)
    from eventapp.assignment import service as assignment

    assignment.apply(event)
    assignment.publish(event)
    deliver_pending()
    assert any(EMAIL in p.read_text() for p in Path(app.config["INSTANCE_DIR"], "outbox").glob("*.eml"))
    ref = EventRef(event.id, event.slug, event.name, event.timezone, True)
    came = db.session.execute(select(Registration).where(Registration.event_id == event.id,
                                                         Registration.status == RegistrationStatus.CONFIRMED)
                              .order_by(Registration.id)).scalars().all()[:8] + [person]
    for registration in came:
        assert check_in(ref, Scanner("Door"), code=badge_code(registration.badge_secret)).result == Result.OK
    survey = Survey(event_id=event.id, title="How was it?")
    rating = SurveyQuestion(kind=QuestionKind.RATING, text="Overall?", position=0)
    choice = SurveyQuestion(kind=QuestionKind.SINGLE, text="Again?", options_text="Yes\nNo", position=1)
    words = SurveyQuestion(kind=QuestionKind.LONG_TEXT, text="Anything else?", position=2,
                           themed_session_id=event.themed_sessions[0].id)
    survey.questions = [rating, choice, words]
    db.session.add(survey)
    db.session.flush()
    for n, registration in enumerate(came):
        db.session.add(SurveyInvitation(survey_id=survey.id, registration_id=registration.id))
        answers = [SurveyAnswer(question_id=rating.id, rating=1 + n % 5),
                   SurveyAnswer(question_id=choice.id, text="Yes" if n % 2 else "No")]
        if registration is person:
            answers.append(SurveyAnswer(question_id=words.id, text="I am Philippa Quarrington-Vesey, great day"))
        db.session.add(SurveyResponse(survey_id=survey.id, registration_id=registration.id,
                                      quote_consent=QuoteConsent.NAMED, answers=answers))
    db.session.flush()
    quoted = db.session.execute(select(SurveyAnswer).where(SurveyAnswer.question_id == words.id)).scalar_one()
    db.session.add(SurveyQuote(answer_id=quoted.id, themed_session_id=event.themed_sessions[0].id))
    db.session.add(Job(id="a" * 36, kind="export", event_id=event.id, status=JobStatus.DONE,
                       result_filename="attendees.csv", result_mimetype="text/csv",
                       result_data=f"name,email\n{NAME},{EMAIL}\n".encode()))
    db.session.commit()
    return event, person


def text_hits(needle: str) -> list[str]:
    """Every (table.column) of every table whose text holds `needle`, case-insensitively; binary columns too."""
    hits = []
    schema = inspect(db.engine)
    for table_name in schema.get_table_names():
        for col in schema.get_columns(table_name):
            kind = col["type"]
            if isinstance(kind, String | Text):
                where = func.lower(column(col["name"])).contains(needle.lower())
            elif isinstance(kind, LargeBinary):
                where = column(col["name"]).isnot(None)
            else:
                continue
            rows = db.session.execute(select(column(col["name"])).select_from(table(table_name)).where(where))
            values = [v for (v,) in rows]
            if isinstance(kind, LargeBinary):
                values = [v for v in values if needle.lower().encode() in bytes(v).lower()]
            if values:
                hits.append(f"{table_name}.{col['name']}")
    return hits


def report_numbers(event):
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    figures = load_figures(event)
    feedback = load_feedback(event, figures)
    return figures, (feedback.invited, feedback.responded, feedback.sessions)


def test_the_admin_anonymises_at_once_and_the_figures_stay(app, db, staff, world):
    event, person = world
    old_link = f"/manage/{person.manage_secret}"
    for needle in NEEDLES:
        assert text_hits(needle), needle  # the search finds her before
    before = report_numbers(event)
    client = app.test_client()
    log_in(client, staff("admin"))
    assert "Anonymise the attendees' personal data now" in client.get(
        f"/organiser/events/{event.slug}/settings").get_data(as_text=True)
    page = client.get(f"/organiser/events/{event.slug}/anonymise")
    total = db.session.execute(select(func.count()).where(Registration.event_id == event.id)).scalar_one()
    assert page.status_code == 200 and f"{total} people are affected" in page.get_data(as_text=True)
    unticked = client.post(f"/organiser/events/{event.slug}/anonymise", data={})
    assert unticked.status_code == 400 and "Tick the box" in unticked.get_data(as_text=True)
    assert db.session.get(Event, event.id).anonymised_at is None
    done = client.post(f"/organiser/events/{event.slug}/anonymise", data={"confirm": "y"})
    assert done.status_code == 303

    assert report_numbers(event) == before
    for needle in NEEDLES:
        assert text_hits(needle) == [], needle
    outbox = Path(app.config["INSTANCE_DIR"], "outbox")
    assert not [p for p in outbox.glob("*.eml") if "quarrington" in p.read_text().lower()]
    db.session.expire_all()
    again = db.session.get(Registration, person.id)
    assert again.status == RegistrationStatus.CONFIRMED and again.country == "BR" and again.organisation_id
    assert client.get(old_link).status_code == 404  # the old link is dead
    assert db.session.get(Event, event.id).anonymised_at is not None
    assert client.post(f"/organiser/events/{event.slug}/anonymise", data={"confirm": "y"}).status_code == 409


def test_the_delivery_run_anonymises_once_the_period_is_over(app, db, demo_event, client):
    client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event, full_name=NAME, email=EMAIL))
    event = db.session.get(Event, demo_event.id)
    event.privacy_retention_months = 6
    db.session.commit()
    ends = retention.retention_ends(event)
    assert ends == retention.add_months(event.ends_at, 6) and ends > event.ends_at + timedelta(days=180)
    deliver_pending(now=ends - timedelta(minutes=1))
    assert registration_by_email(EMAIL) is not None
    deliver_pending(now=ends + timedelta(minutes=1))
    db.session.expire_all()
    assert registration_by_email(EMAIL) is None and db.session.get(Event, event.id).anonymised_at is not None
    assert text_hits("quarrington") == []


def test_the_command_runs_what_is_due(app, db, demo_event):
    event = db.session.get(Event, demo_event.id)
    runner = app.test_cli_runner()
    assert "No event is due" in runner.invoke(args=["retention", "run"]).output
    event.privacy_retention_months = 1
    event.starts_at, event.ends_at = utcnow() - timedelta(days=70), utcnow() - timedelta(days=69)
    db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0 and "the personal data of 12 people is anonymised" in result.output


def test_add_months_keeps_the_day_or_the_month_end():
    from datetime import UTC, datetime

    assert retention.add_months(datetime(2027, 1, 31, 12, tzinfo=UTC), 1) == datetime(2027, 2, 28, 12, tzinfo=UTC)
    assert retention.add_months(datetime(2027, 11, 15, tzinfo=UTC), 3) == datetime(2028, 2, 15, tzinfo=UTC)


def test_cancelled_people_are_anonymised_too(app, db, demo_event, client):
    client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event, full_name=NAME, email=EMAIL))
    registrations.cancel(registration_by_email(EMAIL))
    retention.anonymise(demo_event.id)
    assert text_hits("philippa") == []
