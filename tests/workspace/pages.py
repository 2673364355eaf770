"""Every organiser page of an event, as paths for the demo event: what the workspace tests walk through."""

from __future__ import annotations

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Registration, Survey, SurveyQuestion


def organiser_pages(event) -> list[str]:
    base = f"/organiser/events/{event.slug}"
    session = event.themed_sessions[0]
    slot = session.time_slot
    person = db.session.execute(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).scalars().first()
    pages = [
        "/organiser/", base, f"{base}/registrations", f"{base}/registrations/{person.id}", f"{base}/waitlist",
        f"{base}/programme", f"{base}/programme/slots/{slot.id}", f"{base}/programme/sessions/{session.id}",
        f"{base}/programme/sessions/new", f"{base}/changes", f"{base}/partners", f"{base}/settings",
        f"{base}/state", f"{base}/clone", f"{base}/assignment", f"{base}/assignment/preview",
        f"{base}/assignment/people/{person.id}", f"{base}/badges", f"{base}/certificates", f"{base}/checkin/log",
        f"{base}/scanners", "/organiser/mail", f"{base}/report", f"{base}/report/sessions/{session.id}",
        f"{base}/report/introduction", f"{base}/report/preview", f"{base}/exports", f"{base}/survey",
        f"{base}/mail", f"{base}/report/sessions/{session.id}/revisions",
        f"{base}/registrations?status=confirmed&sort=name&dir=asc&checked_in=no",
        f"{base}/import", f"{base}/messages", f"{base}/messages/new",
        "/organiser/events/new",
    ]
    if db.session.execute(select(Survey.id).where(Survey.event_id == event.id)).first():
        pages += [f"{base}/survey/questions/new", f"{base}/survey/export", f"{base}/survey/answers",
                  f"{base}/survey/sessions/{session.id}"]
    question = db.session.execute(
        select(SurveyQuestion).join(Survey).where(Survey.event_id == event.id).order_by(SurveyQuestion.id)
    ).scalars().first()
    if question is not None:
        pages.append(f"{base}/survey/questions/{question.id}")
    return pages
