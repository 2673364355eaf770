from ..conftest import log_in


def test_admin_sees_the_event_sessions_and_leads(app, client, staff, demo_event):
    log_in(client, staff("admin"))
    page = client.get(f"/organiser/events/{demo_event.slug}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for session in demo_event.themed_sessions:
        assert session.lead_organisation.name in body
        assert f" of {session.capacity} (" in body  # the fill column: assigned of capacity
    assert '<div class="figure">12</div>confirmed of 100 places' in body


def test_dashboard_lists_events(app, client, staff, demo_event):
    log_in(client, staff("checkin"))
    assert demo_event.name in client.get("/organiser/").get_data(as_text=True)


def test_unknown_event_is_404(app, client, staff):
    log_in(client, staff("admin"))
    assert client.get("/organiser/events/nope").status_code == 404


def test_names_typed_as_markup_are_shown_as_text(app, client, staff, demo_event, db):
    demo_event.themed_sessions[0].title = "<script>alert(1)</script>"
    db.session.commit()
    log_in(client, staff("admin"))
    body = client.get(f"/organiser/events/{demo_event.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_each_role_sees_the_tasks_it_may_do(app, client, staff, demo_event):
    log_in(client, staff("checkin"))
    body = client.get(f"/organiser/events/{demo_event.slug}").get_data(as_text=True)
    assert ">Check-in</a>" in body and "Badges" not in body and ">Report</a>" not in body
    admin = app.test_client()
    log_in(admin, staff("admin"))
    body = admin.get(f"/organiser/events/{demo_event.slug}").get_data(as_text=True)
    for task in ["Registrations", "Assignment", "Badges", "Check-in", "Report", "Exports"]:
        assert f">{task}</a>" in body
