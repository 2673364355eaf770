"""Revision 0006 moves convenors and the funder into event_partner and back, with the event's data in place."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from eventapp import create_app
from eventapp.extensions import db

from ..spine.test_migrations import _confirmed_count_triggers, empty_database_url  # noqa: F401


@pytest.mark.filterwarnings("ignore:.*expression-based index", "ignore:Skipping unsupported ALTER")
def test_partners_survive_a_downgrade_and_upgrade(empty_database_url, tmp_path):  # noqa: F811
    from eventapp.demo.service import seed_demo
    from eventapp.models import Event, EventState, Registration

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url, "INSTANCE_DIR": tmp_path})
    with app.app_context():
        upgrade()
        event = seed_demo(attendees=12).event
        before = [(link.organisation_id, link.role.value) for link in event.partner_links]
        assert [role for _, role in before] == ["convenor", "convenor", "convenor", "funder"]
        db.session.remove()
        downgrade(revision="0003_confirmed_count")
        with db.engine.connect() as conn:
            convenors = conn.execute(text("SELECT organisation_id FROM event_convenor ORDER BY position")).all()
            funder = conn.execute(text("SELECT funder_id FROM event")).scalar_one()
            assert [row[0] for row in convenors] == [org for org, role in before if role == "convenor"]
            assert funder == before[-1][0]
            assert conn.execute(text("SELECT count(*) FROM registration")).scalar_one() == 12
        upgrade()
        event = db.session.execute(select(Event)).scalar_one()
        assert [(link.organisation_id, link.role.value) for link in event.partner_links] == before
        assert event.state == EventState.PUBLISHED  # an event that existed before was live
        assert db.session.execute(select(func.count()).select_from(Registration)).scalar_one() == 12
        with db.engine.connect() as conn:
            assert len(_confirmed_count_triggers(conn)) == 3
        db.session.remove()
        db.engine.dispose()
