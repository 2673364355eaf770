from datetime import timedelta

from eventapp.models import OutboundMail, RegistrationStatus, utcnow

from .helpers import form_data, registration_by_email, registration_count


def register(client, event, **overrides):
    return client.post(f"/events/{event.slug}/register", data=form_data(event, **overrides))


def test_form_has_a_visible_label_for_every_field(client, demo_event):
    body = client.get(f"/events/{demo_event.slug}/register").get_data(as_text=True)
    for field in ["full_name", "email", "organisation", "organisation_kind", "country", "job_title", "choice_1",
                  "choice_2", "choice_3", "accessibility_needs", "dietary_needs", "consent_privacy", "consent_listed"]:
        assert f'<label for="{field}">' in body, field


def test_register_confirms_and_sends_the_link_by_mail(client, demo_event, db):
    response = register(client, demo_event)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{demo_event.slug}/register/sent"
    registration = registration_by_email("ana@example.org")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.full_name == "Ana Lúcia O'Brien"
    assert [p.themed_session_id for p in registration.preferences] == [
        demo_event.themed_sessions[1].id, demo_event.themed_sessions[0].id]
    assert registration.organisation.name == "Ministry of Planning"
    assert registration.badge_secret != registration.manage_secret
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your e-mail" in page and "<strong>ana@example.org</strong>" in page
    assert registration.manage_secret not in page  # the link goes only to the mailbox
    mail = db.session.query(OutboundMail).filter_by(registration_id=registration.id).one()
    assert mail.kind == "confirmed" and registration.manage_secret in mail.body_text
    manage = client.get(f"/manage/{registration.manage_secret}").get_data(as_text=True)
    assert "Your place is confirmed" in manage and "Ana Lúcia O&#39;Brien" in manage


def test_names_in_any_script_are_stored_exactly(client, demo_event):
    for i, name in enumerate(["زينب الجبوري", "王芳", "प्रिया शर्मा", "Олена Шевченко", "  Zoë d'Arcy-Łukasz "]):
        assert register(client, demo_event, full_name=name, email=f"p{i}@example.org").status_code == 303
        assert registration_by_email(f"p{i}@example.org").full_name == name.strip()


def test_existing_organisation_is_reused_whatever_the_case(client, demo_event, db):
    register(client, demo_event, organisation="global partners governance (gpg)", email="x@example.org")
    assert registration_by_email("x@example.org").organisation == demo_event.themed_sessions[0].lead_organisation


def test_markup_is_shown_as_text(client, demo_event):
    response = register(client, demo_event, full_name="<script>alert('x')</script>", email="")
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body


def test_empty_email_shows_the_error_next_to_the_field_and_keeps_what_was_typed(client, demo_event):
    response = register(client, demo_event, email="")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert '<p class="field-error" id="email-error">Enter your e-mail address.</p>' in body
    assert 'value="Ana Lúcia O&#39;Brien"' in body
    assert 'value="Ministry of Planning"' in body
    assert registration_count() == 12


def test_invalid_email(client, demo_event):
    response = register(client, demo_event, email="not-an-address")
    assert response.status_code == 400
    assert "Enter an e-mail address like name@example.org." in response.get_data(as_text=True)


def test_session_of_another_event_is_refused_and_nothing_saved(client, demo_event, db):
    response = register(client, demo_event, choice_1="99999")
    assert response.status_code == 400
    assert "Please choose one of the sessions listed." in response.get_data(as_text=True)
    response = register(client, demo_event, choice_1="1; DROP TABLE registration")
    assert response.status_code == 400
    assert registration_count() == 12


def test_ranking_the_same_session_twice(client, demo_event):
    sid = str(demo_event.themed_sessions[0].id)
    response = register(client, demo_event, choice_1=sid, choice_2=sid)
    assert response.status_code == 400
    assert "already ranked this session" in response.get_data(as_text=True)


def test_second_choice_without_a_first(client, demo_event):
    response = register(client, demo_event, choice_1="", choice_2=str(demo_event.themed_sessions[0].id))
    assert response.status_code == 400
    assert "Choose your 1st choice first." in response.get_data(as_text=True)


def test_no_preferences_is_fine(client, demo_event):
    assert register(client, demo_event, choice_1="", choice_2="").status_code == 303
    assert registration_by_email("ana@example.org").preferences == []


def test_privacy_consent_is_required(client, demo_event):
    response = register(client, demo_event, consent_privacy=None)
    assert response.status_code == 400
    assert "You need to agree to the privacy notice" in response.get_data(as_text=True)
    assert registration_by_email("ana@example.org") is None


def test_over_long_fields_get_field_errors(client, demo_event):
    response = register(client, demo_event, full_name="x" * 201, dietary_needs="y" * 501, email="a" * 250 + "@example.org")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at most 200 characters" in body and "under 500 characters" in body and "at most 254 characters" in body


def test_nul_characters_are_refused_not_a_500(client, demo_event):
    response = register(client, demo_event, full_name="Ana\x00Lucia")
    assert response.status_code == 400
    assert "cannot be used here" in response.get_data(as_text=True)


def test_before_the_window_opens(client, demo_event, db):
    demo_event.registration_opens_at = utcnow() + timedelta(days=2)
    db.session.commit()
    page = client.get(f"/events/{demo_event.slug}/register")
    assert "Registration opens on" in page.get_data(as_text=True)
    assert register(client, demo_event).status_code == 403
    assert registration_by_email("ana@example.org") is None


def test_after_the_window_closes(client, demo_event, db):
    demo_event.registration_opens_at = utcnow() - timedelta(days=3)
    demo_event.registration_closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert "Registration has closed" in client.get(f"/events/{demo_event.slug}/register").get_data(as_text=True)
    assert register(client, demo_event).status_code == 403


def test_unknown_event_is_404(client):
    assert client.get("/events/nope/register").status_code == 404


def test_csrf_is_required(make_app, demo_event):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        response = client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event))
        assert response.status_code == 400
        assert "This form has expired or was not sent from this site" in response.get_data(as_text=True)
        assert registration_by_email("ana@example.org") is None


def test_the_country_list_is_drawn_exactly_as_wtforms_draws_it(app):
    """The country <select> reuses option markup made once; it must be the same markup, selection included."""
    from flask_wtf import FlaskForm
    from wtforms import widgets

    from eventapp.registration.forms import CountryField, _country_choices

    class Form(FlaskForm):
        country = CountryField("Country")

    with app.test_request_context():
        for chosen in ("", "KE", "CI", "<script>", "KE"):  # KE twice: the second from the reused markup
            form = Form(meta={"csrf": False})
            form.country.choices = list(_country_choices())
            form.country.data = chosen
            drawn = str(form.country())
            assert drawn == str(widgets.Select()(form.country))
            assert drawn.count("selected") == (0 if chosen == "<script>" else 1)
            if chosen == "KE":
                assert '<option selected value="KE">Kenya</option>' in drawn
