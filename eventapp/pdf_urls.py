"""What a PDF the app renders (the report, the door list, badges) may fetch and link to.

Names, organisations and report sections are typed by attendees and editors. Whatever gets through into the
HTML, the fetcher given to WeasyPrint opens no socket and reads no file outside eventapp/static/: it answers
only file: URLs that resolve (symlinks followed) inside that folder, and refuses everything else, http, https,
ftp, data and file paths elsewhere alike. And a link in a PDF is kept only when it is http(s) to a host, mailto,
or a place in the same document: never a file: link, a path (which a PDF reader resolves against where the
file lies: a UNC path on Windows), or a script.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

STATIC_ROOT = Path(__file__).resolve().parent / "static"
# How many fetched and refused URLs a fetcher remembers (for tests and logs); one fetcher may serve many PDFs.
_REMEMBERED = 100
# Whitespace and control characters, which browsers and readers strip or skip inside a URL.
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


class FetchRefused(ValueError):
    """WeasyPrint asked for something other than one of the app's static files."""


class LinkRefused(ValueError):
    """A rendered PDF would have held a link to something other than a web page, a mail address or itself."""


def allowed_link(href: str | None) -> bool:
    """An http or https address with a host, a mailto: address, or "#name" in the same document."""
    if not href or _UNSAFE.search(href):
        return False
    if href.startswith("#"):
        return len(href) > 1
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return bool(parts.hostname)
    return scheme == "mailto" and bool(parts.path)


def refuse_other_links(document) -> None:
    """Raise LinkRefused if a laid-out WeasyPrint document links anywhere allowed_link() does not allow.

    Reads each page's public `links`; in-document links are ("internal", anchor name), others ("external" or
    "attachment", an address WeasyPrint has already joined to the base URL, which is how a path became file:)."""
    for number, page in enumerate(document.pages, start=1):
        for link_type, target, *_ in page.links:
            if link_type == "internal":
                continue
            if link_type != "external" or not allowed_link(target):
                raise LinkRefused(f"page {number} would link to {str(target)[:200]!r}: only web pages, mail "
                                  "addresses and places in the document may be linked")


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under one folder from disk and refuses every other URL.

    WeasyPrint's documented way to restrict fetching: a URLFetcher subclass with its own fetch(). The handlers
    URLFetcher's constructor installs are never reached, as nothing here calls the opener."""

    def __init__(self, root: Path = STATIC_ROOT):
        super().__init__(timeout=0, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = root.resolve()
        self.served: list[str] = []
        self.refused: list[str] = []

    @property
    def base_url(self) -> str:
        return path2url(str(self.root)) + "/"

    def local_path(self, url: str) -> Path | None:
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(request.url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def fetch(self, url, headers=None):
        path = self.local_path(url)
        if path is None:
            _remember(self.refused, url)
            raise FetchRefused(f"refused to fetch {url[:200]!r}: only the app's static files are read")
        _remember(self.served, url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


def _remember(seen: list[str], url: str) -> None:
    if len(seen) < _REMEMBERED:
        seen.append(url[:300])
