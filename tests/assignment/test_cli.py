"""`flask assign <slug> [--apply]`."""

from __future__ import annotations

from eventapp.assignment import service

from .test_service import rows, set_capacities


def test_assign_previews_without_writing_then_applies(app, demo_event):
    set_capacities(demo_event, 5, 4, 4)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["assign", demo_event.slug])
    assert result.exit_code == 0, result.output
    assert f"({demo_event.slug}): 12 confirmed attendees" in result.output
    assert "Themed sessions (parallel): 1st choice " in result.output and "no session 0" in result.output
    assert "Preview only, nothing written" in result.output
    for session in demo_event.themed_sessions:
        assert session.title in result.output
    assert rows(demo_event) == []

    result = runner.invoke(args=["assign", demo_event.slug, "--apply"])
    assert result.exit_code == 0, result.output
    assert "Applied: 12 attendee(s) got a new or different session." in result.output
    written = rows(demo_event)
    assert len(written) == 12 and all(r[5] is None for r in written)  # nobody logged in: no assigned_by
    [slot] = service.overview(demo_event).report.slots
    for line in slot.sessions:
        assert f"{line.assigned:>4}/{line.capacity:<4} {line.themed_session.title}" in result.output

    result = runner.invoke(args=["assign", demo_event.slug])
    assert "applying would change 0 attendee(s)' sessions" in result.output
    assert runner.invoke(args=["assign", demo_event.slug, "--apply"]).exit_code == 0
    assert rows(demo_event) == written


def test_assign_an_unknown_event(app, demo_event):
    result = app.test_cli_runner().invoke(args=["assign", "no-such-event"])
    assert result.exit_code == 1 and "There is no event with the slug 'no-such-event'." in result.output
