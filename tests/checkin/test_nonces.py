"""A nonce is the scanner's own: another scanner's nonce never answers for it, and a reused one is refused."""

from __future__ import annotations

import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from eventapp import create_app
from eventapp.checkin import devices
from eventapp.extensions import db
from eventapp.models import CheckIn, Registration, ScanLog

from ..conftest import ON_POSTGRES, TEST_DATABASE_URL, log_in
from .conftest import code_of

NONCE = "3f2a9c1e-shared"


def _url(event) -> str:
    return f"/api/events/{event.slug}/checkin"


def _scan(client, event, code, token=None, **extra):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(_url(event), json={"code": code, "nonce": NONCE, **extra}, headers=headers)


def _checked_in(registration_id: int) -> bool:
    return db.session.execute(
        select(func.count()).where(CheckIn.registration_id == registration_id, CheckIn.undone_at.is_(None))
    ).scalar_one() > 0


def test_two_devices_sending_the_same_nonce_each_check_their_own_person_in(app, demo_event, people, staff):
    admin = staff("admin")
    first_token = devices.issue_device(demo_event, "Door 1", admin).token
    second_token = devices.issue_device(demo_event, "Door 2", admin).token
    client = app.test_client()
    first = _scan(client, demo_event, code_of(people[0]), first_token)
    second = _scan(client, demo_event, code_of(people[1]), second_token)
    assert first.status_code == second.status_code == 200
    assert first.get_json()["attendee"]["name"] == people[0].full_name
    body = second.get_json()
    assert body["result"] == "ok" and "replayed" not in body
    assert body["attendee"]["name"] == people[1].full_name and body["checked_in_by"] == "Door 2"
    assert _checked_in(people[0].id) and _checked_in(people[1].id)


def test_two_staff_members_and_a_device_sending_the_same_nonce_each_check_their_own_person_in(
    app, demo_event, people, staff, device_token
):
    clients = []
    for _ in range(2):
        client = app.test_client()
        assert log_in(client, staff("checkin")).status_code == 302
        clients.append(client)
    answers = [
        _scan(clients[0], demo_event, code_of(people[2])),
        _scan(clients[1], demo_event, code_of(people[3])),
        _scan(app.test_client(), demo_event, code_of(people[4]), device_token),
    ]
    assert [a.get_json()["attendee"]["name"] for a in answers] == [p.full_name for p in people[2:5]]
    assert all(_checked_in(p.id) for p in people[2:5])
    assert db.session.execute(select(func.count()).where(ScanLog.nonce == NONCE)).scalar_one() == 3


def test_one_staff_members_nonce_is_theirs_at_each_event(app, demo_event, people, scanner_client):
    from .conftest import make_other_event

    other, stranger = make_other_event()
    here = _scan(scanner_client, demo_event, code_of(people[5]))
    there = _scan(scanner_client, other, code_of(stranger))
    assert here.get_json()["result"] == there.get_json()["result"] == "ok"
    assert _checked_in(stranger.id)


@pytest.mark.parametrize("change", ["another badge", "another session", "the door instead of a session"])
def test_a_nonce_reused_for_another_scan_is_refused_with_409(app, demo_event, people, device_token, change):
    client = app.test_client()
    session_id = demo_event.themed_sessions[0].id
    first_extra = {"session": session_id} if change == "the door instead of a session" else {}
    assert _scan(client, demo_event, code_of(people[0]), device_token, **first_extra).get_json()["result"] == "ok"
    again = {
        "another badge": (code_of(people[1]), {}),
        "another session": (code_of(people[0]), {"session": session_id}),
        "the door instead of a session": (code_of(people[0]), {}),
    }[change]
    response = _scan(client, demo_event, again[0], device_token, **again[1])
    assert response.status_code == 409 and response.is_json
    body = response.get_json()
    assert body["error"] == "nonce_reused" and body["message"].endswith(".") and "nonce" in body["message"]
    assert response.headers["Cache-Control"] == "no-store"
    assert not _checked_in(people[1].id)
    assert db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one() == 1
    logged = db.session.execute(select(ScanLog.result, ScanLog.nonce).order_by(ScanLog.id)).all()
    assert logged == [("ok", NONCE), ("nonce_reused", None)]


def test_the_same_scan_retried_is_still_answered_from_the_log(app, demo_event, people, device_token):
    client = app.test_client()
    session_id = demo_event.themed_sessions[1].id
    first = _scan(client, demo_event, code_of(people[6]), device_token, session=session_id).get_json()
    # A retry resends the very same request: the same code, at the same session.
    retry = _scan(client, demo_event, code_of(people[6]), device_token, session=session_id)
    assert retry.status_code == 200
    assert retry.get_json()["replayed"] is True and retry.get_json()["check_in_id"] == first["check_in_id"]


def test_the_scanner_page_shows_the_refusal_sentence(app, demo_event, people, scanner_client):
    assert _scan(scanner_client, demo_event, code_of(people[7])).status_code == 200
    refused = _scan(scanner_client, demo_event, code_of(people[8]))
    assert refused.status_code == 409
    # scanner.js shows ``message`` of any answer without a ``result``.
    assert "result" not in refused.get_json() and refused.get_json()["message"]


@pytest.fixture
def empty_database_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'nonces.sqlite3'}"
        return
    name = f"eventapp_nonce_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def _revision_before(revision: str) -> str:
    from alembic.script import ScriptDirectory

    from eventapp import ROOT

    return ScriptDirectory(str(ROOT / "migrations")).get_revision(revision).down_revision


def test_revision_0004_goes_down_and_up_with_scans_in_place(empty_database_url, tmp_path):
    """One revision down the log keeps every row (the later of two scanners' equal nonces forgets it, as the event-wide
    constraint asks); up again, every scan is still there and the nonces are per scanner."""
    from eventapp.checkin import queries
    from eventapp.checkin.service import Scanner, check_in
    from eventapp.demo.service import seed_demo

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url, "INSTANCE_DIR": tmp_path})
    with app.app_context():
        upgrade()
        event = seed_demo(attendees=4).event
        ref = queries.event_ref(event.slug)
        codes = [code_of(r) for r in db.session.execute(
            select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
        ).scalars()]
        scanners = [Scanner(name=f"Door {i}", scanner_device_id=devices.issue_device(event, f"Door {i}", None).device.id)
                    for i in (1, 2)]
        for code, scanner in zip(codes, scanners, strict=False):
            assert check_in(ref, scanner, code=code, nonce=NONCE).result == "ok"
        db.session.remove()
        downgrade(revision=_revision_before("0004_checkin_nonce_per_device"))
        with db.engine.connect() as conn:
            nonces = conn.execute(text("SELECT nonce FROM scan_log ORDER BY id")).scalars().all()
            assert nonces == [NONCE, None]
            assert conn.execute(text("SELECT count(*) FROM check_in")).scalar_one() == 2
        upgrade()
        assert check_in(ref, scanners[1], code=codes[2], nonce=NONCE).result == "ok"
        assert db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one() == 3
        db.session.remove()
        db.engine.dispose()
