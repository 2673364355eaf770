"""The organiser's import pages (upload, preview, confirm, job) and `flask attendees import`."""

import io
import re

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import Job, JobStatus, OutboundMail, Registration

from ..conftest import log_in
from .helpers import csv_bytes, person, xlsx_bytes


def _count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _upload(client, event, data, filename="guests.csv"):
    return client.post(f"/organiser/events/{event.slug}/import",
                       data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_upload_preview_confirm_runs_a_job(make_app, demo_event, staff):
    app = make_app(JOBS_INLINE=True)
    client = app.test_client()
    with app.app_context():
        admin = staff("admin")
        log_in(client, admin)
        before = _count(Registration)
        page = client.get(f"/organiser/events/{demo_event.slug}/import")
        assert page.status_code == 200 and b"Country code" in page.data.replace(b"country code", b"Country code")
        response = _upload(client, demo_event, xlsx_bytes([person(1), person(2, email="bad")]), "guests.xlsx")
        assert response.status_code == 303
        preview_url = response.headers["Location"]
        preview = client.get(preview_url)
        text = preview.get_data(as_text=True)
        assert preview.status_code == 200 and "guest1@example.org" in text and "refused" in text
        assert "Enter an e-mail address like name@example.org." in text
        assert _count(Registration) == before  # nothing written by the preview
        digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', text).group(1)
        # A confirmation of another plan than the one now true is asked again.
        stale = client.post(preview_url, data={"digest": "0" * 32, "mail": "y"})
        assert stale.status_code == 409 and "check the new preview" in stale.get_data(as_text=True)
        assert _count(Registration) == before
        done = client.post(preview_url, data={"digest": digest})  # the mail box left unticked
        assert done.status_code == 303 and "/organiser/jobs/" in done.headers["Location"]
        job = db.session.execute(select(Job).where(Job.kind == "attendee_import")).scalar_one()
        assert job.status == JobStatus.DONE, job.error
        assert b"created, confirmed" in job.result_data and b"refused" in job.result_data
        assert _count(Registration) == before + 1
        guest = db.session.execute(select(Registration).where(Registration.email == "guest1@example.org")).scalar_one()
        assert _count(OutboundMail, OutboundMail.registration_id == guest.id) == 0  # --no-mail from the browser
        # The kept file is gone once imported.
        assert client.get(preview_url).status_code == 404


def test_someone_elses_upload_is_not_found(make_app, demo_event, staff):
    app = make_app()
    with app.app_context():
        first, second = app.test_client(), app.test_client()
        log_in(first, staff("admin"))
        log_in(second, staff("admin"))
        url = _upload(first, demo_event, csv_bytes([person(1)])).headers["Location"]
        assert first.get(url).status_code == 200
        assert second.get(url).status_code == 404
        assert first.get(f"/organiser/events/{demo_event.slug}/import/not-a-token").status_code == 404


def test_upload_errors_are_sentences_by_the_field(make_app, demo_event, staff):
    app = make_app()
    client = app.test_client()
    with app.app_context():
        log_in(client, staff("admin"))
        for data, filename, sentence in [
            (b"name,organisation\nA,B\n", "a.csv", "The file has no e-mail column"),
            (b"hello", "a.pdf", "Choose a .csv or .xlsx file."),
            (b"PK\x03\x04junk", "a.xlsx", "The file is not an XLSX workbook"),
        ]:
            response = _upload(client, demo_event, data, filename)
            assert response.status_code == 400 and sentence in response.get_data(as_text=True)
        missing = client.post(f"/organiser/events/{demo_event.slug}/import", data={}, content_type="multipart/form-data")
        assert missing.status_code == 400 and "Choose the file to import." in missing.get_data(as_text=True)


def test_cli_dry_run_then_no_mail(app, demo_event, tmp_path):
    path = tmp_path / "guests.csv"
    path.write_bytes(csv_bytes([person(1), person(2), person(3, country="Atlantis")]))
    runner = app.test_cli_runner()
    before = _count(Registration), _count(OutboundMail)
    dry = runner.invoke(args=["attendees", "import", demo_event.slug, str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "line 2: created, confirmed: guest1@example.org" in dry.output
    assert "line 4: refused: guest3@example.org (Unknown country “Atlantis”.)" in dry.output
    assert "Dry run: nothing was written." in dry.output
    assert (_count(Registration), _count(OutboundMail)) == before
    real = runner.invoke(args=["attendees", "import", demo_event.slug, str(path), "--no-mail"])
    assert real.exit_code == 0, real.output
    assert "Imported: 2 confirmed, 0 on the waiting list, 0 updated, 0 unchanged, 1 refused." in real.output
    assert (_count(Registration), _count(OutboundMail)) == (before[0] + 2, before[1])
    again = runner.invoke(args=["attendees", "import", demo_event.slug, str(path)])
    assert "Imported: 0 confirmed, 0 on the waiting list, 0 updated, 2 unchanged, 1 refused." in again.output
    assert (_count(Registration), _count(OutboundMail)) == (before[0] + 2, before[1])


def test_cli_mails_each_new_person_their_link(app, demo_event, tmp_path):
    path = tmp_path / "guests.xlsx"
    path.write_bytes(xlsx_bytes([person(1), person(2)]))
    result = app.test_cli_runner().invoke(args=["attendees", "import", demo_event.slug, str(path)])
    assert result.exit_code == 0, result.output
    for address in ("guest1@example.org", "guest2@example.org"):
        registration = db.session.execute(select(Registration).where(Registration.email == address)).scalar_one()
        letter = db.session.execute(select(OutboundMail).where(OutboundMail.registration_id == registration.id)
                                    ).scalar_one()
        assert letter.recipient == address and f"/manage/{registration.manage_secret}" in letter.body_text


def test_cli_unknown_event_and_unreadable_file(app, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"name\nA\n")
    runner = app.test_cli_runner()
    assert "There is no event 'nope'." in runner.invoke(args=["attendees", "import", "nope", str(path)]).output
