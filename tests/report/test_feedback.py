"""The feedback survey in the report: response rate and ratings per themed session read back from the PDF equal
the database's counts; quotes appear only with consent and only as consented; per-session attendance where
session check-in was used."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from eventapp.extensions import db
from eventapp.models import CheckIn, QuestionKind, QuoteConsent, Registration, StaffRole, SurveyResponse
from eventapp.report import pdf, service
from eventapp.survey import service as surveys

from ..conftest import log_in
from .conftest import pdftotext
from .test_pdf import numbers_of, rows_after, scalar, sql

CONSENTS = (QuoteConsent.NAMED, QuoteConsent.ANONYMOUS, QuoteConsent.NO)


def answer_text(rid: int) -> str:
    return f"Q{rid}X we will twin our budget office"


def answer_all(event):
    """Every checked-in person but every fourth answers: ratings by id, consents in turn."""
    survey = surveys.create_default_survey(event)
    surveys.send_survey(survey)
    open_question = next(q for q in survey.questions if q.kind == QuestionKind.LONG_TEXT)
    people = {p.id: p for p in db.session.execute(select(Registration).where(
        Registration.id.in_(surveys.checked_in_ids(event)))).scalars()}
    for n, rid in enumerate(sorted(people)):
        if n % 4 == 3:
            continue
        values = {q.id: (rid % 5) + 1 for q in surveys.questions_for(survey, people[rid])
                  if q.kind == QuestionKind.RATING}
        values[open_question.id] = answer_text(rid)
        surveys.submit(survey, people[rid], surveys.Answers(values, CONSENTS[n % 3]))
    return survey, open_question, people


def test_survey_figures_in_the_pdf_are_the_database_counts(app, world, tmp_path):
    survey, _, _ = answer_all(world.event)
    pages = pdftotext(pdf.build_report_pdf(world.event), tmp_path)
    invited = scalar("SELECT count(*) FROM survey_invitation WHERE survey_id = :s", s=survey.id)
    responded = scalar("SELECT count(*) FROM survey_response WHERE survey_id = :s", s=survey.id)
    checked_in = scalar("SELECT count(DISTINCT c.registration_id) FROM check_in c JOIN registration r "
                        "ON r.id = c.registration_id WHERE r.event_id = :e AND r.status = 'confirmed' "
                        "AND c.undone_at IS NULL", e=world.event.id)
    assert invited == checked_in and 0 < responded < invited

    table = rows_after(pages, r"Feedback survey\s+People$", r"^\s*Sent a reminder")
    got = {re.sub(r"\s{2,}.*", "", line.strip()): numbers_of(line)[-1] for line in table if numbers_of(line)}
    assert got["Sent the survey"] == invited
    assert got["Answered"] == responded
    assert re.search(rf"Response rate\s+{round(100 * responded / invited)}%", "\n".join(table))

    ratings = rows_after(pages, r"Themed session\s+Assigned\s+Attended\s+Rated")
    for title, sid in ((ts.title, ts.id) for ts in world.event.themed_sessions):
        want = dict(sql("SELECT a.rating, count(*) FROM survey_answer a JOIN survey_question q "
                        "ON q.id = a.question_id WHERE q.themed_session_id = :s AND a.rating IS NOT NULL "
                        "GROUP BY a.rating", s=sid))
        counts = [want.get(i, 0) for i in range(1, 6)]
        line = next(line for line in ratings if title in line)
        numbers = numbers_of(re.sub(r"\d+\.\d\s*$", "", line))  # without the average, "x.y"
        assert numbers[-5:] == counts, line
        assert numbers[-6] == sum(counts)
        attended = scalar("SELECT count(DISTINCT c.registration_id) FROM check_in c JOIN registration r "
                          "ON r.id = c.registration_id WHERE c.themed_session_id = :s AND c.undone_at IS NULL "
                          "AND r.status = 'confirmed'", s=sid)
        assert numbers[-7] == attended
        mean = sum(i * n for i, n in enumerate(counts, start=1)) / sum(counts)
        assert f"{mean:.1f}" in line


def test_quotes_only_with_consent_and_as_consented(app, world, staff, tmp_path):
    survey, question, people = answer_all(world.event)
    themed_session = world.event.themed_sessions[0]  # its section is ready: it is in the PDF
    editor = staff(StaffRole.REPORT_EDITOR.value, organisation=themed_session.lead_organisation)
    client = app.test_client()
    log_in(client, editor)
    url = f"/organiser/events/{world.event.slug}/survey/sessions/{themed_session.id}"
    page = client.get(url).data.decode()
    by_consent = {}
    for response in db.session.execute(select(SurveyResponse)).scalars():
        by_consent.setdefault(response.quote_consent, []).append(response.registration_id)
    named, anonymous, refused = (by_consent[c][0] for c in CONSENTS)
    assert answer_text(named) in page and answer_text(anonymous) in page
    assert answer_text(refused) not in page  # no consent: not offered for quoting
    answer_id = {t.text: t.answer_id for _, t in surveys.quote_candidates(survey, themed_session)}
    refused_answer = db.session.execute(text(
        "SELECT a.id FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
        "WHERE r.registration_id = :r AND a.question_id = :q"), {"r": refused, "q": question.id}).scalar_one()
    # a forged pick of an answer without consent is refused and nothing changes
    assert client.post(url, data={"quotes": [refused_answer]}).status_code == 400
    assert surveys.picked_answer_ids(themed_session) == set()
    assert client.post(url, data={"quotes": [answer_id[answer_text(named)],
                                             answer_id[answer_text(anonymous)]]}).status_code == 303

    flat = re.sub(r"\s+", " ", "\n".join(pdftotext(pdf.build_report_pdf(world.event), tmp_path, layout=False)))
    assert f"“{answer_text(named)}” — {people[named].full_name}" in flat
    assert f"“{answer_text(anonymous)}” — An attendee (anonymous)" in flat
    assert people[anonymous].full_name not in flat.split("What attendees said", 1)[1].split("Figures", 1)[0]
    assert answer_text(refused) not in flat

    # the named author withdraws consent: the quote leaves the report
    response = surveys.get_response(survey, people[named])
    answers = surveys.answers_of(response)
    answers.quote_consent = QuoteConsent.NO
    surveys.update(survey, response, answers)
    content = service.report_content(world.event)
    quoted = [q.text for q in content.feedback.quotes.get(1, [])]
    assert quoted == [answer_text(anonymous)]


def test_attendance_not_recorded_where_session_check_in_was_not_used(app, world, tmp_path):
    themed_session = world.event.themed_sessions[2]
    for check_in in db.session.execute(select(CheckIn).where(CheckIn.themed_session_id == themed_session.id)).scalars():
        db.session.delete(check_in)
    db.session.commit()
    answer_all(world.event)
    content = service.report_content(world.event)
    figure = next(s for s in content.figures.sessions if s.session_id == themed_session.id)
    assert not figure.session_check_in_used
    rating = next(r for r in content.feedback.sessions if r.title == themed_session.title)
    assert rating.attended is None and rating.raters > 0  # rated by those assigned who came
    pages = pdftotext(pdf.build_report_pdf(world.event), tmp_path)
    line = next(line for line in rows_after(pages, r"Themed session\s+Lead\s+Assigned\s+Attended")
                if themed_session.title in line)
    assert "not recorded" in line


def test_no_survey_no_survey_figures(app, world):
    assert service.report_content(world.event).feedback is None
