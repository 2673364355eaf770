"""Signing up and asking for the manage link answer exactly the same whether or not the address is registered
(what happened goes only to the address's mailbox, by the outbox, after the request), and an address can be sent
only a few such mails an hour."""

import re
import time
import uuid

import pytest

from eventapp.models import OutboundMail, Registration

from .helpers import form_data

CSRF_VALUE = re.compile(r'(csrf_token" type="hidden" value=")[^"]+"')
LIMITED = "Several messages have already been sent to this address in the last hour."


def _without_csrf(body: str) -> str:
    return CSRF_VALUE.sub(r'\1…"', body)


def _token(client, url: str, name: str = "csrf_token") -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)


def _sign_up(client, event, **fields):
    url = f"/events/{event.slug}/register"
    data = form_data(event, **fields)
    data["csrf_token"] = _token(client, url)
    return client.post(url, data=data)


def _ask_for_link(client, event, address):
    token = _token(client, f"/events/{event.slug}/register", "resend-csrf_token")
    return client.post(f"/events/{event.slug}/register/resend",
                       data={"resend-csrf_token": token, "resend-email": address})



def _mail_app(make_app, smtp, **settings):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, PUBLIC_BASE_URL="https://events.example.org",
                    WTF_CSRF_ENABLED=True, **settings)


def _registrations(app, **filters):
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        found = session.query(Registration).filter_by(**filters).order_by(Registration.id).all()
        session.expunge_all()
        return found


# Requests are made outside the app context: inside it they would share one `g`, and with it Flask-WTF's token.


def test_signing_up_with_a_taken_address_answers_exactly_as_the_first_sign_up(make_app, smtp, demo_event):
    app = _mail_app(make_app, smtp)
    first, second = app.test_client(), app.test_client()
    new = _sign_up(first, demo_event, email="mwangi@example.org", full_name="Wanjiru Mwangi")
    taken = _sign_up(second, demo_event, email="mwangi@example.org", full_name="Someone Else")

    assert new.status_code == 303
    assert (new.status_code, new.headers["Location"]) == (taken.status_code, taken.headers["Location"])
    assert new.get_data() == taken.get_data()
    new_page, taken_page = first.get(new.headers["Location"]), second.get(taken.headers["Location"])
    assert new_page.status_code == taken_page.status_code == 200
    assert _without_csrf(new_page.get_data(as_text=True)) == _without_csrf(taken_page.get_data(as_text=True))
    assert "Check your e-mail" in new_page.get_data(as_text=True)

    [registration] = _registrations(app, email_key="mwangi@example.org")
    assert registration.full_name == "Wanjiru Mwangi"  # the second sign-up changed nothing
    link = f"https://events.example.org/manage/{registration.manage_secret}"
    assert [r.rcpt_tos for r in smtp.received] == [["mwangi@example.org"], ["mwangi@example.org"]]
    confirmation, reminder = (r.message for r in smtp.received)
    assert confirmation["Subject"] == f"Your place at {demo_event.name} is confirmed"
    assert reminder["Subject"] == f"You are already registered for {demo_event.name}"
    body = reminder.get_content()
    assert "Dear Wanjiru Mwangi," in body and "already registered" in body and link in body
    assert "your place is confirmed" in body and "Someone Else" not in body


def test_asking_for_the_link_answers_the_same_and_mails_either_the_link_or_a_note(make_app, smtp, demo_event):
    app = _mail_app(make_app, smtp)
    registered = _registrations(app, event_id=demo_event.id)[0]
    typed = registered.email.capitalize()  # found whatever the case
    known = _ask_for_link(app.test_client(), demo_event, typed)
    unknown = _ask_for_link(app.test_client(), demo_event, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 200
    known_page = _without_csrf(known.get_data(as_text=True)).replace(typed, "ADDRESS")
    unknown_page = _without_csrf(unknown.get_data(as_text=True)).replace("nobody-here@example.org", "ADDRESS")
    assert known_page == unknown_page and "we have sent the link" in known_page

    assert [r.rcpt_tos for r in smtp.received] == [[registered.email], ["nobody-here@example.org"]]
    link_mail, note = (r.message for r in smtp.received)
    assert f"https://events.example.org/manage/{registered.manage_secret}" in link_mail.get_content()
    assert "There is no registration for this event with this address" in note.get_content()
    assert "/manage/" not in note.get_content()
    assert f"https://events.example.org/events/{demo_event.slug}/register" in note.get_content()


def test_the_answer_does_not_wait_for_the_mail_server(make_app, smtp, demo_event):
    """The letters go in the background: a mail server taking 1.5 s a message holds up neither answer."""
    smtp.handler.delay = 1.5
    app = _mail_app(make_app, smtp, MAIL_DELIVERY="background")
    registered = _registrations(app, event_id=demo_event.id)[0]
    client = app.test_client()
    _token(client, f"/events/{demo_event.slug}/register")  # the session and its token, outside the timing
    timings = {}
    for name, send in [("known", lambda: _ask_for_link(client, demo_event, registered.email)),
                       ("unknown", lambda: _ask_for_link(client, demo_event, "nobody-here@example.org")),
                       ("taken", lambda: _sign_up(client, demo_event, email=registered.email))]:
        started = time.monotonic()
        assert send().status_code in (200, 303)
        timings[name] = time.monotonic() - started
    assert max(timings.values()) < 1.0, timings
    deadline = time.monotonic() + 30
    while len(smtp.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    subjects = sorted(r.message["Subject"] for r in smtp.received)
    assert subjects == sorted([f"Your registration for {demo_event.name}"] * 2
                              + [f"You are already registered for {demo_event.name}"])


def _limited_app(make_app, **settings):
    return make_app(RATELIMIT_ENABLED=True, ADDRESS_MAIL_RATE_LIMIT="3 per hour",
                    REGISTRATION_RATE_LIMIT="1000 per minute", **settings)


def test_an_address_gets_a_few_mails_an_hour_known_or_not(make_app, demo_event):
    app = _limited_app(make_app)
    with app.app_context():
        db = app.extensions["sqlalchemy"]
        registered = db.session.query(Registration).first()
        client = app.test_client()
        answers = {}
        for address, spellings in [(registered.email, [registered.email, registered.email.upper(),
                                                       f"  {registered.email} ", registered.email]),
                                   ("nobody-here@example.org", ["nobody-here@example.org", "Nobody-Here@example.org",
                                                                "nobody-here@EXAMPLE.org", "nobody-here@example.org"])]:
            responses = [client.post(f"/events/{demo_event.slug}/register/resend", data={"resend-email": spelling})
                         for spelling in spellings]
            answers[address] = [r.status_code for r in responses]
            assert LIMITED in responses[-1].get_data(as_text=True)
            assert [m.recipient.lower() for m in db.session.query(OutboundMail)].count(address) == 3
        assert answers[registered.email] == answers["nobody-here@example.org"] == [200, 200, 200, 429]
        # another address has its own count
        assert client.post(f"/events/{demo_event.slug}/register/resend",
                           data={"resend-email": "someone-else@example.org"}).status_code == 200


def test_signing_up_and_asking_for_the_link_share_the_count(make_app, demo_event):
    app = _limited_app(make_app)
    with app.app_context():
        db = app.extensions["sqlalchemy"]
        client = app.test_client()
        register = f"/events/{demo_event.slug}/register"
        assert client.post(register, data=form_data(demo_event, email="new@example.org")).status_code == 303
        assert client.post(register, data=form_data(demo_event, email="NEW@example.org")).status_code == 303
        assert client.post(f"{register}/resend", data={"resend-email": "new@example.org"}).status_code == 200
        refused = client.post(register, data=form_data(demo_event, email="new@example.org"))
        assert refused.status_code == 429
        assert re.search(rf'<p class="field-error" id="email-error">{LIMITED}', refused.get_data(as_text=True))
        kinds = [m.kind for m in db.session.query(OutboundMail).filter_by(recipient="new@example.org")
                 .order_by(OutboundMail.id)]
        assert kinds == ["confirmed", "already_registered", "manage_link"]
        # and a brand-new address over its count is refused the same way, nothing written
        for _ in range(3):
            client.post(f"{register}/resend", data={"resend-email": "fresh@example.org"})
        refused = client.post(register, data=form_data(demo_event, email="fresh@example.org"))
        assert refused.status_code == 429 and LIMITED in refused.get_data(as_text=True)
        assert db.session.query(Registration).filter_by(email="fresh@example.org").count() == 0


def _redis_or_skip() -> str:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_with_redis_every_worker_shares_the_count(make_app, demo_event, storage):
    """Two app instances stand for two workers (each has its own limiter storage object). With Redis the second
    sees the first's count; without it each worker counts for itself, as the settings' comment says."""
    uri = _redis_or_skip() if storage == "redis" else "memory://"
    address = f"worker-{uuid.uuid4().hex}@example.org"  # Redis outlives the test: a count of its own
    resend = f"/events/{demo_event.slug}/register/resend"
    first = _limited_app(make_app, RATELIMIT_STORAGE_URI=uri)
    with first.app_context():
        statuses = [first.test_client().post(resend, data={"resend-email": address}).status_code for _ in range(3)]
    second = _limited_app(make_app, RATELIMIT_STORAGE_URI=uri)
    with second.app_context():
        statuses.append(second.test_client().post(resend, data={"resend-email": address}).status_code)
    assert statuses == ([200, 200, 200, 429] if storage == "redis" else [200, 200, 200, 200])


def test_a_taken_addresss_answer_waits_as_long_as_a_new_sign_up_takes(monkeypatch):
    from collections import deque

    from eventapp.registration import pacing

    for name in ("_new", "_taken", "_late"):  # this test's own history, not the run's
        monkeypatch.setattr(pacing, name, deque(maxlen=pacing.RECENT))
    assert pacing.wait_like_a_new_one(time.perf_counter()) == 0.0  # nothing to match yet
    for _ in range(5):
        pacing.record_new(0.060)
    started = time.perf_counter() - 0.020  # this one took 20 ms, as taken ones do
    for _ in range(4):
        pacing._taken.append(0.020)
    waited = pacing.wait_like_a_new_one(started)
    assert 0.035 <= waited <= 0.2 and time.perf_counter() - started >= 0.055
