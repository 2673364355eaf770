"""The report pages at work: drafting a section, the introduction prefilled from the event, the PDF as a
background job with its progress page, and the command line."""

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Job, JobStatus, ReportSection, SectionStatus

from ..conftest import log_in


def test_an_editor_drafts_then_publishes_a_section(app, client, demo_event, staff):
    gpg = demo_event.themed_sessions[0]
    log_in(client, staff("report_editor", organisation=gpg.lead_organisation))
    url = f"/organiser/events/{demo_event.slug}/report/sessions/{gpg.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Narrative" in page and "Ongoing questions" in page
    response = client.post(url, data={"narrative": "We learned *much*.", "key_findings": "- a\n- b",
                                      "lessons": "", "open_questions": "", "status": "draft"})
    assert response.status_code == 303
    section = db.session.execute(select(ReportSection).where(ReportSection.themed_session_id == gpg.id)).scalar_one()
    assert section.status == SectionStatus.DRAFT and section.narrative == "We learned *much*."
    assert "<em>much</em>" in client.get(url).get_data(as_text=True)  # shown as saved, rendered
    # A save that does not say which version it started from could overwrite someone's: it is a conflict.
    assert client.post(url, data={"narrative": "We learned.", "status": "ready"}).status_code == 409
    client.post(url, data={"narrative": "We learned.", "status": "ready", "base_version": "1"})
    db.session.expire_all()
    assert section.status == SectionStatus.READY and section.version == 2
    bad = client.post(url, data={"narrative": "x" * 20_001, "status": "ready"})
    assert bad.status_code == 400 and "at most 20,000 characters" in bad.get_data(as_text=True)
    assert client.post(url, data={"narrative": "nul\x00", "status": "ready"}).status_code == 400


def test_the_introduction_is_prefilled_from_the_event(app, client, demo_event, staff):
    log_in(client, staff("admin"))
    url = f"/organiser/events/{demo_event.slug}/report/introduction"
    page = client.get(url).get_data(as_text=True)
    for words in ("Global Partners Governance (GPG)", "funded by Department for International Development",
                  "Harriett Baldwin", "Central London", "led by National School of Government International"):
        assert words in page, words
    assert client.post(url, data={"introduction": "Our own words."}).status_code == 303
    db.session.expire_all()
    assert demo_event.report_introduction == "Our own words."
    assert "Our own words." in client.get(url).get_data(as_text=True)


def test_the_pdf_is_built_as_a_job_with_a_progress_page(make_app, staff, world_inline):
    app, event = world_inline
    client = app.test_client()
    log_in(client, staff("report_editor", organisation=event.themed_sessions[0].lead_organisation))
    response = client.post(f"/organiser/events/{event.slug}/report/pdf", data={"start": "1"})
    assert response.status_code == 303 and "/organiser/jobs/" in response.headers["Location"]
    job_url = response.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert "Report PDF" in page and "Download" in page
    download = client.get(job_url + "/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert 'filename="london-p2p-2018-report.pdf"' in download.headers["Content-Disposition"]
    job = db.session.execute(select(Job)).scalar_one()
    assert job.kind == "report" and job.status == JobStatus.DONE and job.done == job.total == 4
    # A bare POST (no button) starts nothing.
    assert client.post(f"/organiser/events/{event.slug}/report/pdf").status_code == 303
    assert db.session.query(Job).count() == 1


def test_the_command_line_writes_the_pdf_with_a_progress_bar(app, demo_event, tmp_path):
    out = tmp_path / "report.pdf"
    result = app.test_cli_runner(mix_stderr=False).invoke(args=["report", demo_event.slug, "-o", str(out)]) \
        if _mix_stderr_supported() else app.test_cli_runner().invoke(args=["report", demo_event.slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "Wrote" in result.output
    missing = app.test_cli_runner().invoke(args=["report", "no-such-event"])
    assert missing.exit_code != 0 and "There is no event 'no-such-event'" in missing.output


def _mix_stderr_supported() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters
