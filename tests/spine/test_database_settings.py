"""Engine settings the rules rely on."""

import pytest
from sqlalchemy import text

from eventapp.extensions import db

from ..conftest import ON_POSTGRES


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's isolation level")
def test_read_committed_whatever_the_servers_default(make_app):
    # A server (or a role, or a database) set to REPEATABLE READ by default would break the capacity rule's
    # fresh look after taking the lock; the app asks for READ COMMITTED itself.
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={
        "connect_args": {"options": "-c default_transaction_isolation=repeatable\\ read"}})
    with app.app_context():
        assert db.session.execute(text("SHOW default_transaction_isolation")).scalar_one() == "repeatable read"
        assert db.session.execute(text("SHOW transaction_isolation")).scalar_one() == "read committed"
