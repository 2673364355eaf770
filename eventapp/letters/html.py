"""The HTML version of a letter: made from its text, or the organiser's own HTML; always sanitised, never an image.

Values are escaped by placeholders.render(html=True); the result then goes through nh3 (ammonia) with a short
allow-list, so neither an organiser's markup nor an attendee's name can add a script, a style that loads
something, or a link to anything but a web page or a mail address. There are no images at all: a remote image
tells its sender who opened the mail and when, and mail clients block them anyway.
"""

from __future__ import annotations

import re
from html import escape

import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "hr", "strong", "em", "b", "i", "u", "a", "ul", "ol", "li", "h1", "h2", "h3",
                "blockquote", "pre", "code", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
_URL = re.compile(r"https?://[^\s<>\"']+")
_IMAGE = re.compile(r"<\s*(img|image|picture|source|svg|video|audio|object|embed|iframe)\b|url\s*\(", re.I)


def refused_markup(html: str) -> str | None:
    """Why the organiser's HTML cannot be saved (an image or other embedded content), or None."""
    found = _IMAGE.search(html or "")
    if found is None:
        return None
    return ("Letters cannot carry images or other embedded content (found "
            f"\u201c{found.group(0).strip()}\u201d): a remote image tells the sender who opened the mail and when.")


def clean(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer")


def from_text(text: str) -> str:
    """Paragraphs from blank lines, line breaks kept, web addresses made links; everything escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]

    def paragraph(block: str) -> str:
        parts, last = [], 0
        for match in _URL.finditer(block):
            parts.append(escape(block[last:match.start()]))
            url = escape(match.group(0))
            parts.append(f'<a href="{url}">{url}</a>')
            last = match.end()
        parts.append(escape(block[last:]))
        return "<p>" + "".join(parts).replace("\n", "<br>\n") + "</p>"

    return "\n".join(paragraph(p) for p in paragraphs)


def document(body: str) -> str:
    """A whole HTML document around a sanitised body: what the mail's HTML part carries."""
    return ('<!doctype html>\n<html><head><meta charset="utf-8"></head>\n'
            '<body style="font-family: sans-serif; line-height: 1.4">\n' + clean(body) + "\n</body></html>\n")


def for_page(document_html: str) -> Markup:
    """A letter's HTML to show inside the editor's page: the body only, through nh3 again."""
    return Markup(clean(document_html))  # noqa: S704 - nh3's allow-list output: no script, style or image
