"""WeasyPrint fetches nothing from outside: only the app's static files, read from disk."""

from eventapp.report.pdf import STATIC_ROOT, StaticOnlyFetcher, render_pdf


def test_hostile_html_makes_no_request_and_reads_no_other_file(spy_server, tmp_path):
    url, hits = spy_server
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    fetcher = StaticOnlyFetcher()
    html = f"""
      <link rel="stylesheet" href="{url}/a.css"><link rel="stylesheet" href="report/report.css">
      <style>@import "{url}/b.css"; body {{ background: url({url}/c.png) }}
        @font-face {{ font-family: X; src: url({url}/font.woff) }}</style>
      <p style="background-image: url('{url}/d.png')">Hello<img src="{url}/e.png"><img src="file:///etc/passwd">
      <img src="../../config.py"><img src="file://{secret}"><img src="data:image/png;base64,iVBORw0KGgo=">
      <img src="ftp://127.0.0.1/x.png"><img src="report/../../../wsgi.py"></p>
      <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">
        <image href="{url}/f.png" width="10" height="10"/><image xlink:href="{url}/g.png" width="10" height="10"/>
      </svg>
      <object data="{url}/h"></object><embed src="{url}/i"><iframe src="{url}/j"></iframe>"""
    data = render_pdf(html, fetcher=fetcher)
    assert data.startswith(b"%PDF")
    assert hits == []
    assert fetcher.served == [(STATIC_ROOT / "report" / "report.css").resolve().as_uri()]
    refused = " ".join(fetcher.refused)
    for name in ("a.css", "b.css", "c.png", "d.png", "e.png", "f.png", "/etc/passwd", "config.py", "secret.css",
                 "data:image/png", "ftp://", "wsgi.py"):
        assert name in refused, name


def test_only_files_inside_the_static_folder_resolve():
    fetcher = StaticOnlyFetcher()
    inside = (STATIC_ROOT / "app.css").resolve().as_uri()
    assert fetcher.local_path(inside) is not None
    assert fetcher.local_path(inside.replace("file://", "file://localhost")) is not None
    for url in ("file:///etc/passwd", (STATIC_ROOT / ".." / "models.py").as_uri(), "http://127.0.0.1/app.css",
                "file://otherhost" + str(STATIC_ROOT / "app.css"), STATIC_ROOT.as_uri(), "not a url", "file:"):
        assert fetcher.local_path(url) is None, url
