"""Certificate PDFs: data -> HTML (Jinja2) -> PDF with WeasyPrint's public API, in chunks laid out by worker
processes and joined into one document as they finish (progress per chunk), as the badges are."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..pdf.chunks import write_chunked_pdf
from ..pdf.pool import default_workers
from .qr_png import qr_data_uri
from .service import CertificateData

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
CHUNK = 50  # at most this many certificates per WeasyPrint document: bounds the memory of one layout, paces progress

Progress = Callable[[int, int], None]
QR_PREFIX = "data:image/png;base64,"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env


def certificates_html(certificates: Sequence[CertificateData]) -> str:
    stylesheet = (TEMPLATES_DIR / "certificates" / "certificate.css").read_text()
    return _environment().get_template("certificates/certificate.html").render(
        certificates=certificates, qr_images=[qr_data_uri(c.url) for c in certificates],
        stylesheet=Markup(stylesheet))  # noqa: S704 - our own file


class FetchNothing(URLFetcher):
    """Everything a certificate shows is in its HTML; names are typed by attendees, so nothing is ever fetched
    (the documented way: a URLFetcher subclass with its own fetch)."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url, headers=None):
        # The one kind of URL answered: the QR codes' PNG data URIs this module writes, decoded here.
        if url.startswith(QR_PREFIX):
            return URLFetcherResponse(url, base64.b64decode(url[len(QR_PREFIX):]), {"Content-Type": "image/png"})
        raise ValueError(f"certificates fetch nothing: {url[:100]!r}")


def _render_chunk(certificates: Sequence[CertificateData]) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=certificates_html(certificates), url_fetcher=FetchNothing()).write_pdf()


def render_certificates(certificates: Sequence[CertificateData], progress: Progress | None = None,
                        workers: int | None = None) -> bytes:
    """One PDF, a page per certificate in the order given; big batches are laid out by worker processes
    (default: one per CPU), CHUNK certificates at a time."""
    workers = workers or default_workers()
    size = max(1, min(CHUNK, -(-len(certificates) // workers)))  # every worker gets a chunk
    chunks = [certificates[start:start + size] for start in range(0, len(certificates), size)]
    out = io.BytesIO()
    write_chunked_pdf(chunks, out, _render_chunk, title=f"Certificates: {certificates[0].event_name}",
                      workers=workers, preload=[__name__, "weasyprint"], progress=progress)
    return out.getvalue()
