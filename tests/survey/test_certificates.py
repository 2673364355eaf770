"""Certificates of attendance: one per checked-in person and none for anyone else, read back from the PDF; the
QR code decoded by zxing-cpp leads to the public check; a revoked or unknown code says so."""

from __future__ import annotations

import base64
import io
import re
import subprocess
from urllib.parse import urlsplit

from pypdf import PdfReader
from sqlalchemy import select

from eventapp.certificates import service
from eventapp.certificates.qr_png import qr_data_uri
from eventapp.extensions import db
from eventapp.models import Certificate, StaffRole

from ..conftest import log_in


def pages_text(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "certificates.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True).stdout
    return [re.sub(r"\s+", " ", page) for page in out.decode().split("\f") if page.strip()]


def decode_qr(data: bytes, tmp_path, page: int = 1) -> list[str]:
    import zxingcpp
    from PIL import Image

    path = tmp_path / "one.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-f", str(page), "-l", str(page), "-png", str(path),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page-*.png"))
    with Image.open(png) as image:
        return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def test_one_certificate_per_checked_in_person_and_none_for_others(app, after, tmp_path):
    data, count = service.render_batch(after.event)
    assert count == len(after.came)
    assert len(PdfReader(io.BytesIO(data)).pages) == len(after.came)
    pages = pages_text(data, tmp_path)
    everything = " ".join(pages)
    for person in after.came:
        page = next(p for p in pages if person.full_name in p)
        attended = {ts.title for ts in after.event.themed_sessions if ts.id in after.attended(person.id)}
        for ts in after.event.themed_sessions:
            assert (ts.title in page) == (ts.title in attended), (person.full_name, ts.title)
        assert after.event.name in page and "This is to certify that" in page
        for org in after.event.convenors:
            assert org.name in page
    for person in [*after.absent, after.waitlisted]:  # one of the absent had a check-in undone
        assert person.full_name not in everything
    assert db.session.execute(select(Certificate)).scalars().all().__len__() == len(after.came)
    # a second batch issues no new codes
    codes = set(db.session.execute(select(Certificate.code)).scalars())
    service.render_batch(after.event)
    assert set(db.session.execute(select(Certificate.code)).scalars()) == codes
    assert all(len(code) == 26 for code in codes)  # 130 random bits


def test_the_qr_code_leads_to_the_verification_page_and_a_revoked_code_is_refused(app, client, after, tmp_path):
    person = after.came[0]
    response = client.get(f"/manage/{person.manage_secret}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [url] = decode_qr(response.data, tmp_path)
    certificate = db.session.execute(select(Certificate).where(Certificate.registration_id == person.id)).scalar_one()
    assert url == f"http://localhost/certificates/{certificate.code}"
    assert url in " ".join(pages_text(response.data, tmp_path))  # the short URL printed beside the code
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    text = page.data.decode()
    assert "This certificate is genuine." in text and person.full_name in text and after.event.name in text
    assert person.email not in text and (person.organisation is None or person.organisation.name not in text)
    # typed in lower case, with a hyphen and an O for a zero: still found
    typed = certificate.code.lower().replace("0", "o")
    assert client.get(f"/certificates/{typed[:13]}-{typed[13:]}").status_code == 200

    service.revoke(after.event, person.id, "Checked in by mistake")
    revoked = client.get(urlsplit(url).path)
    assert revoked.status_code == 410 and "revoked" in revoked.data.decode()
    assert person.full_name not in revoked.data.decode()
    unknown = client.get("/certificates/" + "7" * 26)
    assert unknown.status_code == 404 and "not a certificate we issued" in unknown.data.decode()
    assert client.get("/certificates/<script>").status_code == 404
    # a revoked certificate is no longer handed out
    assert client.get(f"/manage/{person.manage_secret}/certificate.pdf").status_code == 303


def test_no_certificate_for_someone_who_did_not_come(client, after):
    for person in (after.absent[0], after.waitlisted):
        response = client.get(f"/manage/{person.manage_secret}/certificate.pdf")
        assert response.status_code == 303
    assert db.session.execute(select(Certificate)).first() is None


def test_the_manage_page_offers_the_certificate_to_those_who_came(client, after):
    came = client.get(f"/manage/{after.came[0].manage_secret}").data.decode()
    assert f"/manage/{after.came[0].manage_secret}/certificate.pdf" in came
    absent = client.get(f"/manage/{after.absent[0].manage_secret}").data.decode()
    assert "certificate.pdf" not in absent


def test_the_organiser_batch_is_a_job_with_its_pdf(make_app, staff, tmp_path):
    from .conftest import seed_after_event

    app = make_app(JOBS_INLINE=True)
    with app.app_context():
        after = seed_after_event()
        client = app.test_client()
        log_in(client, staff(StaffRole.ADMIN.value))
        url = f"/organiser/events/{after.event.slug}/certificates"
        assert client.get(url).status_code == 200
        started = client.post(url, data={"start": "1"})
        assert started.status_code == 303
        status = client.get(started.headers["Location"] + ".json").get_json()
        assert status["status"] == "done" and status["done"] == status["total"] == len(after.came)
        pdf = client.get(status["download"])
        assert len(PdfReader(io.BytesIO(pdf.data)).pages) == len(after.came)
        bad = client.post(f"{url}/revoke", data={"revoke-registration_id": "999999"})
        assert bad.status_code == 400 and "no certificate" in bad.data.decode()


def test_cli_writes_one_page_per_checked_in_attendee(app, after, tmp_path):
    out = tmp_path / "certificates.pdf"
    result = app.test_cli_runner().invoke(args=["certificates", after.event.slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(after.came)} certificates" in result.output
    assert len(PdfReader(str(out)).pages) == len(after.came)


def test_the_qr_png_is_a_real_png_that_decodes(tmp_path):
    import zxingcpp
    from PIL import Image

    header, _, payload = qr_data_uri("http://localhost/certificates/ABC").partition(",")
    assert header == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(payload))).convert("L")
    image = image.resize((image.width * 8, image.height * 8), Image.NEAREST)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["http://localhost/certificates/ABC"]
