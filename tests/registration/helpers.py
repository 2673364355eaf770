"""Building registration form posts in tests."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Registration


def form_data(event, **overrides):
    sessions = event.themed_sessions
    data = {
        "full_name": "Ana Lúcia O'Brien",
        "email": "ana@example.org",
        "organisation": "Ministry of Planning",
        "organisation_kind": "government",
        "country": "BR",
        "job_title": "Director",
        "choice_1": str(sessions[1].id),
        "choice_2": str(sessions[0].id),
        "choice_3": "",
        "accessibility_needs": "",
        "dietary_needs": "Vegetarian",
        "consent_privacy": "y",
        "consent_listed": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def registration_by_email(email):
    return db.session.execute(select(Registration).where(Registration.email == email)).scalar_one_or_none()


def registration_count():
    return db.session.query(Registration).count()
