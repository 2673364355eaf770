"""The overview: the morning figures, per-day registrations in the event's time zone with a table, session fill,
what needs attention, and a number of queries that does not grow with the registrations."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eventapp.dashboard import figures
from eventapp.extensions import db
from eventapp.models import Registration, RegistrationStatus, utcnow

from ..conftest import log_in
from .queries import counted_statements


def test_per_day_counts_in_the_event_time_zone(app, demo_event):
    event = demo_event
    event.timezone = "America/New_York"
    people = db.session.execute(select(Registration).where(Registration.event_id == event.id)
                                .order_by(Registration.id)).scalars().all()
    # 03:00 UTC on 5 May is 23:00 on 4 May in New York.
    people[0].created_at = datetime(2026, 5, 5, 3, 0, tzinfo=UTC)
    people[1].created_at = datetime(2026, 5, 5, 5, 0, tzinfo=UTC)
    for person in people[2:]:
        person.created_at = datetime(2026, 5, 7, 15, 0, tzinfo=UTC)
    db.session.commit()
    days = figures.registrations_per_day(event)
    assert [(d.day.isoformat(), d.count) for d in days] == [
        ("2026-05-04", 1), ("2026-05-05", 1), ("2026-05-06", 0), ("2026-05-07", len(people) - 2)]
    chart = figures.day_chart(days)
    assert chart.peak == len(people) - 2 and len(chart.bars) == 4 and chart.bars[2].height == 0


def test_the_overview_page(client, staff, demo_event):
    event = demo_event
    waiting = db.session.execute(select(Registration).where(Registration.event_id == event.id)).scalars().first()
    waiting.status = RegistrationStatus.WAITLISTED
    waiting.waitlisted_at = utcnow()
    waiting.offer_made_at = utcnow()
    waiting.offer_expires_at = utcnow() + timedelta(hours=3)
    db.session.commit()
    log_in(client, staff("admin"))
    page = client.get(f"/organiser/events/{event.slug}").get_data(as_text=True)
    assert "Needs attention" in page and "1 waiting-list offer lapse within a day" in page
    assert "not assigned to a session yet" in page and "new or changed since last printed" in page
    assert "Registrations per day" in page and "<svg" in page and "The figures as a table" in page
    assert "of 0 (0%)" not in page and "Fill (assigned of capacity)" in page


def _overview_queries(client, event) -> int:
    db.session.expire_all()  # as a fresh request in production finds it: nothing loaded yet
    with counted_statements(db.engine) as statements:
        assert client.get(f"/organiser/events/{event.slug}").status_code == 200
    return len(statements)


def test_the_overview_costs_the_same_queries_for_more_people(client, staff, demo_event):
    from eventapp.demo.service import seed_demo

    log_in(client, staff("admin"))
    _overview_queries(client, demo_event)
    few = _overview_queries(client, demo_event)
    seed_demo(attendees=300)
    assert _overview_queries(client, demo_event) == few
