"""Badges from the database: the organiser's batch, only-new-or-changed, re-issue, the attendee's own badge."""

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eventapp.badges import qr, render, service
from eventapp.models import BadgeQr, Job, JobStatus, Registration, RegistrationStatus, ReplacedBadge, utcnow
from eventapp.tokens import badge_code, new_badge_secret

from ..conftest import log_in


def _text(pdf: bytes) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _confirmed(db, event):
    return (
        db.session.execute(
            select(Registration).where(
                Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
            )
        )
        .scalars()
        .all()
    )


def test_cli_prints_every_confirmed_badge_then_only_the_changed(app, db, demo_event, tmp_path):
    out = tmp_path / "badges.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["badges", demo_event.slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 12 badges" in result.output
    reader = PdfReader(out)
    assert len(reader.pages) == 3  # 12 badges, four to a sheet
    confirmed = _confirmed(db, demo_event)
    text = _text(out.read_bytes())
    for registration in confirmed:
        assert registration.family_name in text or registration.full_name in text
    again = runner.invoke(args=["badges", demo_event.slug, "-o", str(out), "--only-new-or-changed"])
    assert again.exit_code != 0 and "already been printed since its last change" in again.output

    service.reissue_badge(confirmed[0])
    third = runner.invoke(
        args=["badges", demo_event.slug, "-o", str(out), "--only-new-or-changed", "--layout", "a6-single"]
    )
    assert third.exit_code == 0 and "Wrote 1 badges" in third.output
    assert len(PdfReader(out).pages) == 1


def test_reissue_keeps_the_old_secret_as_replaced(app, db, demo_event):
    registration = _confirmed(db, demo_event)[0]
    old = registration.badge_secret
    service.reissue_badge(registration)
    assert registration.badge_secret != old
    assert (
        db.session.execute(
            select(ReplacedBadge.registration_id).where(ReplacedBadge.badge_secret == old)
        ).scalar_one()
        == registration.id
    )


def test_organiser_batch_runs_as_a_job_with_a_download(make_app, demo_event, staff):
    app = make_app(JOBS_INLINE=True)
    with app.app_context():
        from eventapp.extensions import db

        client = app.test_client()
        log_in(client, staff("admin"))
        page = client.get(f"/organiser/events/{demo_event.slug}/badges")
        assert "12 confirmed attendees" in page.get_data(as_text=True)
        response = client.post(
            f"/organiser/events/{demo_event.slug}/badges",
            data={"layout": "a4-4up", "order": "organisation", "session": ""},
        )
        assert response.status_code == 303
        job = db.session.execute(select(Job)).scalar_one()
        assert job.status == JobStatus.DONE and job.done == job.total == 12
        pdf = client.get(f"/organiser/jobs/{job.id}/download")
        assert pdf.mimetype == "application/pdf" and len(PdfReader(io.BytesIO(pdf.data)).pages) == 3
        # nothing new since: the form says so rather than making an empty PDF
        again = client.post(
            f"/organiser/events/{demo_event.slug}/badges",
            data={"layout": "a4-4up", "order": "surname", "session": "", "only_new_or_changed": "y"},
        )
        assert again.status_code == 400 and "already been printed" in again.get_data(as_text=True)
        bad = client.post(
            f"/organiser/events/{demo_event.slug}/badges",
            data={"layout": "poster", "order": "surname", "session": "99999"},
        )
        assert bad.status_code == 400


def test_attendee_downloads_their_badge_once_sessions_are_published(app, db, client, demo_event):
    registration = _confirmed(db, demo_event)[0]
    url = f"/manage/{registration.manage_secret}/badge.pdf"
    early = client.get(url)
    assert early.status_code == 303
    demo_event.assignment_published_at = utcnow()
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    assert client.get("/manage/forged-secret/badge.pdf").status_code == 404


def test_badge_qr_decodes_to_the_attendees_code(app, db, client, demo_event, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is missing")
    from PIL import Image

    registration = _confirmed(db, demo_event)[0]
    demo_event.assignment_published_at = utcnow()
    db.session.commit()
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(client.get(f"/manage/{registration.manage_secret}/badge.pdf").data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    [png] = sorted(tmp_path.glob("page*.png"))
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(png))]
    assert decoded == [badge_code(registration.badge_secret)]


def test_badge_is_attached_to_mail(app, db, demo_event):
    from eventapp.mail.service import queue_mail
    from eventapp.models import OutboundMail

    registration = _confirmed(db, demo_event)[0]
    demo_event.assignment_published_at = utcnow()
    mail = queue_mail(
        "assignment",
        registration.email,
        "Your session",
        "Hello",
        registration=registration,
        attach_badge=True,
    )
    db.session.commit()
    filename, pdf = service._badge_attachment(db.session.get(OutboundMail, mail.id))
    assert filename == f"badge-{demo_event.slug}-{registration.id}.pdf" and pdf.startswith(b"%PDF")


def test_organiser_reissues_from_the_registration_page(app, db, client, demo_event, staff):
    registration = _confirmed(db, demo_event)[0]
    old = registration.badge_secret
    log_in(client, staff("admin"))
    page = client.get(f"/organiser/events/{demo_event.slug}/registrations/{registration.id}").get_data(
        as_text=True
    )
    assert "Re-issue badge" in page
    response = client.post(
        f"/organiser/events/{demo_event.slug}/registrations/{registration.id}/reissue-badge"
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert registration.badge_secret != old


# --- QR codes: made once per badge code, kept ---------------------------------------------------------


def _kept(db) -> dict[str, str]:
    return {code: svg for code, svg in db.session.execute(select(BadgeQr.code, BadgeQr.svg))}


def _decoded_codes(pdf: bytes, folder) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is missing")
    from PIL import Image

    (folder / "badge.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(folder / "badge.pdf"), str(folder / "page")], check=True)
    return [r.text for png in sorted(folder.glob("page*.png")) for r in zxingcpp.read_barcodes(Image.open(png))]


def test_reissue_makes_and_keeps_the_new_codes_qr_in_place_of_the_old(app, db, demo_event):
    registration = _confirmed(db, demo_event)[0]
    service.badge_qr_svgs([registration])
    old_code = badge_code(registration.badge_secret)
    assert old_code in _kept(db)
    service.reissue_badge(registration)
    new_code = badge_code(registration.badge_secret)
    kept = _kept(db)
    assert kept[new_code] == qr.qr_svg(new_code) and old_code not in kept


def test_a_batch_makes_the_missing_qr_codes_once_and_reprints_with_the_kept_ones(app, db, demo_event, monkeypatch,
                                                                                tmp_path):
    confirmed = _confirmed(db, demo_event)
    assert _kept(db) == {}  # codes issued at sign-up: no QR code until they are first needed
    request = service.BatchRequest(event_id=demo_event.id)
    service.render_batch(request, tmp_path / "first.pdf", workers=1)
    assert _kept(db) == {badge_code(r.badge_secret): qr.qr_svg(badge_code(r.badge_secret)) for r in confirmed}

    def not_again(codes, workers=None):
        raise AssertionError(f"made again: {codes}")

    monkeypatch.setattr(qr, "qr_svgs", not_again)
    monkeypatch.setattr(render, "qr_svg", not_again)
    service.render_batch(request, tmp_path / "again.pdf", workers=1)
    assert sorted(_decoded_codes((tmp_path / "again.pdf").read_bytes(), tmp_path)) == sorted(
        badge_code(r.badge_secret) for r in confirmed)


def test_a_code_changed_without_reissue_is_never_drawn_with_its_old_qr(app, db, client, demo_event, tmp_path):
    """The kept QR codes are keyed by code: a secret changed by any other path has no kept QR code, and its
    badge gets a QR code made for the new code, never the old one."""
    registration = _confirmed(db, demo_event)[0]
    service.badge_qr_svgs([registration])
    registration.badge_secret = new_badge_secret()
    demo_event.assignment_published_at = utcnow()
    db.session.commit()
    kept_before = _kept(db)
    pdf = client.get(f"/manage/{registration.manage_secret}/badge.pdf").data
    assert _decoded_codes(pdf, tmp_path) == [badge_code(registration.badge_secret)]
    assert _kept(db) == kept_before  # the attendee's download only reads


def test_two_batches_keeping_the_same_codes_do_not_fail(app, db, demo_event, monkeypatch):
    """A print running beside this one may keep some of the same codes first: this one still prints, and
    keeps the rest."""
    confirmed = _confirmed(db, demo_event)
    first = confirmed[0]
    code = badge_code(first.badge_secret)
    real_kept = service.kept_qr_svgs
    monkeypatch.setattr(service, "kept_qr_svgs", lambda registrations: {})  # as if read before the other kept it
    db.session.add(BadgeQr(code=code, registration_id=first.id, svg=qr.qr_svg(code)))
    db.session.commit()
    svgs = service.badge_qr_svgs(confirmed)
    assert set(svgs) == {badge_code(r.badge_secret) for r in confirmed}
    monkeypatch.setattr(service, "kept_qr_svgs", real_kept)
    assert service.kept_qr_svgs(confirmed) == svgs
