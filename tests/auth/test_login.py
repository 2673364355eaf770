
from eventapp.auth.service import find_staff_by_email
from eventapp.models import LoginFailure

from ..conftest import log_in


def test_login_and_logout(app, client, staff):
    user = staff("admin")
    response = log_in(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/organiser/"
    assert client.get("/organiser/").status_code == 200
    client.post("/logout")
    assert client.get("/organiser/").status_code == 302


def test_email_is_case_insensitive(app, client, staff):
    user = staff("checkin")
    response = client.post("/login", data={"email": "  " + user.email.upper(), "password": "correct horse battery"})
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_sentence(app, client, staff):
    user = staff("admin")
    response = client.post("/login", data={"email": user.email, "password": "wrong"})
    assert response.status_code == 401
    assert "do not match a staff account" in response.get_data(as_text=True)


def test_empty_form_shows_field_errors(client):
    response = client.post("/login", data={})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter your e-mail address." in body and "Enter your password." in body


def test_repeated_failures_are_throttled_even_with_the_right_password(app, client, staff, db):
    user = staff("admin")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert client.post("/login", data={"email": user.email, "password": "nope"}).status_code == 401
    # the failure that reaches the limit already says so
    assert client.post("/login", data={"email": user.email, "password": "nope"}).status_code == 429
    response = log_in(client, user)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    # another account from the same address is still allowed
    other = staff("checkin")
    assert log_in(app.test_client(), other).status_code == 302


def test_failures_older_than_the_window_do_not_count(app, client, staff, db):
    from datetime import timedelta

    from eventapp.models import utcnow

    user = staff("admin")
    old = utcnow() - timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_SECONDS"] + 5)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        db.session.add(LoginFailure(email=user.email, address="127.0.0.1", at=old))
    db.session.commit()
    assert log_in(client, user).status_code == 302


def test_next_parameter_never_leaves_the_site(app, client, staff):
    user = staff("admin")
    response = client.post("/login?next=//evil.example/x",
                           data={"email": user.email, "password": "correct horse battery"})
    assert response.headers["Location"] == "/organiser/"


def test_redirect_back_to_the_page_asked_for(app, client, staff, demo_event):
    user = staff("admin")
    first = client.get(f"/organiser/events/{demo_event.slug}")
    assert first.status_code == 302
    response = client.post(first.headers["Location"], data={"email": user.email, "password": "correct horse battery"})
    assert response.headers["Location"] == f"/organiser/events/{demo_event.slug}"


def test_users_create_prints_a_password_that_works(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Sam@Example.org", "--role", "checkin"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    assert len(password) >= 16
    user = find_staff_by_email("sam@example.org")
    assert user.password_hash.startswith("scrypt:")
    assert log_in(app.test_client(), user, password).status_code == 302


def test_users_create_reads_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "ed@example.org", "--role", "admin", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert log_in(app.test_client(), find_staff_by_email("ed@example.org"), "a long enough password").status_code == 302


def test_report_editor_needs_an_organisation(app, demo_event):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "create", "ed@example.org", "--role", "report_editor"])
    assert refused.exit_code != 0 and "partner organisation" in refused.output
    ok = runner.invoke(args=["users", "create", "ed@example.org", "--role", "report_editor", "--organisation", "NSGI"])
    assert ok.exit_code == 0, ok.output
    assert find_staff_by_email("ed@example.org").organisation.name.startswith("National School")


def test_duplicate_account_is_refused(app, staff):
    user = staff("admin")
    result = app.test_cli_runner().invoke(args=["users", "create", user.email.upper(), "--role", "admin"])
    assert result.exit_code != 0 and "already a staff account" in result.output
