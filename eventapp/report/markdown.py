"""Editors' Markdown made safe to show and to print: no raw HTML, no images, links printed with their address.

markdown-it-py renders with raw HTML switched off (typed tags come out as text) and images printed as their
words (`![x](url)` becomes "[image not shown: x]"), so a drafted section can never make a browser or WeasyPrint
fetch anything. A link is kept only to an http(s) page, a mail address or a place in the document
(pdf_urls.allowed_link): a path such as `/etc/shadow`, `../x` or `//host/share` would be joined to the PDF's own
location and become a file: link, so it is printed as text instead.
Headings are moved below the report's own levels. The result then goes through nh3 (the ammonia sanitiser)
with a short allow-list, as a second wall should a future markdown-it change let something through.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..pdf_urls import allowed_link

# The report uses h1 (cover), h2 (sections) and h3 (a section's parts): an editor's "# Heading" becomes h4.
HEADING_SHIFT = 3
ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span",
    "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "span": {"class"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _shift_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"


def _image(self, tokens, idx, options, env):
    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return f'<span class="image-omitted">[image not shown{": " if alt else ""}{escape(alt)}]</span>'


def _link_open(self, tokens, idx, options, env):
    href = tokens[idx].attrGet("href") or ""
    kept = allowed_link(href)
    env.setdefault("links", []).append((href, kept))
    return self.renderToken(tokens, idx, options, env) if kept else ""


def _link_close(self, tokens, idx, options, env):
    href, kept = env["links"].pop() if env.get("links") else ("", True)
    # Print the address after the words, so a printed report keeps it; not when the words are the address, nor
    # for a place in the document.
    text = ""
    for token in reversed(tokens[:idx]):
        if token.type == "link_open":
            break
        text = token.content + text
    shown = not href or text.strip() == href or (kept and href.startswith("#"))
    after = "" if shown else f' <span class="url">({escape(href)})</span>'
    return ("</a>" if kept else "") + after


def _only_allowed_links(tag: str, attribute: str, value: str) -> str | None:
    return None if tag == "a" and attribute == "href" and not allowed_link(value) else value


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.add_render_rule("image", _image)
    md.core.ruler.push("shift_headings", _shift_headings)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    return md


def render_markdown(text: str | None) -> Markup:
    """Editor's Markdown -> HTML safe to put in a page or the PDF."""
    if not text or not text.strip():
        return Markup("")
    html = _parser().render(text, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        filter_style_properties={"text-align"},
        attribute_filter=_only_allowed_links,
    )
    return Markup(cleaned)  # noqa: S704 - rendered without raw HTML, then sanitised by nh3 above
