"""Logging out, a new password and deactivation end every copy of a staff member's session, a copied cookie too."""

import pytest

from eventapp.auth import service
from eventapp.extensions import db
from eventapp.models import StaffUser

from ..conftest import log_in

COOKIE = "session"


def _logged_in_cookie(app, user) -> str:
    client = app.test_client()
    assert log_in(client, user).status_code == 302
    assert client.get("/organiser/").status_code == 200
    return client.get_cookie(COOKIE).value


def _with_cookie(app, value: str):
    client = app.test_client()
    client.set_cookie(COOKIE, value)
    return client


def _is_logged_in(client) -> bool:
    response = client.get("/organiser/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def test_a_copied_cookie_no_longer_works_after_logout(app, staff):
    user = staff("admin")
    client = app.test_client()
    log_in(client, user)
    copy = client.get_cookie(COOKIE).value
    assert _is_logged_in(_with_cookie(app, copy))
    client.post("/logout")
    assert not _is_logged_in(client)
    assert not _is_logged_in(_with_cookie(app, copy))


def test_logout_ends_the_sessions_on_other_devices_too(app, staff):
    user = staff("checkin")
    phone = _with_cookie(app, _logged_in_cookie(app, user))
    laptop = app.test_client()
    log_in(laptop, user)
    laptop.post("/logout")
    assert not _is_logged_in(phone)
    # and logging in again works as before
    assert log_in(phone, user).status_code == 302 and _is_logged_in(phone)


def test_a_new_password_ends_every_session(app, staff):
    user = staff("admin")
    copy = _logged_in_cookie(app, user)
    service.set_password(user, "a brand new long password")
    db.session.commit()
    assert not _is_logged_in(_with_cookie(app, copy))
    assert log_in(app.test_client(), user, "a brand new long password").status_code == 302


def test_deactivation_ends_every_session_for_good(app, staff):
    user = staff("admin")
    copy = _logged_in_cookie(app, user)
    service.deactivate(user)
    db.session.commit()
    assert not _is_logged_in(_with_cookie(app, copy))
    assert log_in(app.test_client(), user).status_code == 401
    # Taken back on later: the old cookie still does not work; a new login does.
    service.reactivate(user)
    db.session.commit()
    assert not _is_logged_in(_with_cookie(app, copy))
    assert log_in(app.test_client(), user).status_code == 302


def test_a_cookie_from_before_this_scheme_or_forged_is_not_a_login(app, staff):
    user = staff("admin")
    with app.test_request_context():
        from flask import session

        for user_id in (str(user.id), f"{user.id}:", f"{user.id}:x", f"{user.id}:{user.session_version + 1}",
                        f"{user.id + 1000}:1", ":", "", "1:2:3"):
            session["_user_id"] = user_id
            session["_fresh"] = True
            cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
            assert not _is_logged_in(_with_cookie(app, cookie)), user_id


@pytest.mark.parametrize("command, args, stdin", [
    ("deactivate", [], None),
    ("set-password", ["--password-stdin"], "another long password\n"),
])
def test_the_users_commands_end_every_session(app, staff, command, args, stdin):
    user = staff("admin")
    copy = _logged_in_cookie(app, user)
    result = app.test_cli_runner().invoke(args=["users", command, user.email.upper(), *args], input=stdin)
    assert result.exit_code == 0, result.output
    assert not _is_logged_in(_with_cookie(app, copy))
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).active == (command != "deactivate")


def test_the_users_commands_name_an_unknown_account_plainly(app):
    result = app.test_cli_runner().invoke(args=["users", "deactivate", "nobody@example.org"])
    assert result.exit_code != 0 and "No staff account for nobody@example.org" in result.output


def test_the_session_id_carries_the_new_version_at_once(app, staff):
    user = staff("admin")
    assert user.get_id() == f"{user.id}:1"
    service.set_password(user, "a brand new long password")
    assert user.get_id() == f"{user.id}:2"  # before the commit too: a login in the same request gets the new one
    db.session.commit()
    assert service.load_user(f"{user.id}:2") is user and service.load_user(f"{user.id}:1") is None
