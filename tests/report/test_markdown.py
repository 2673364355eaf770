"""Editors' Markdown: no raw HTML, no images, no script links; links keep their address in print."""

import re

from eventapp.report.markdown import render_markdown


def test_raw_html_is_text_and_images_are_words():
    html = str(render_markdown(
        '<img src="http://evil.example/x.png"> <script>alert(1)</script> <iframe src="http://x"></iframe>\n\n'
        '![a chart](http://evil.example/chart.png)\n\n<style>@import "http://evil.example/a.css";</style>'
    ))
    assert "<img" not in html and "<script" not in html and "<iframe" not in html and "<style" not in html
    assert "&lt;img" in html and "[image not shown: a chart]" in html
    assert not re.search(r"<[a-z]+[^>]*\s(src|href)=", html)  # no element a browser or WeasyPrint would fetch for


def test_links_are_nofollow_with_their_address_and_script_links_are_dropped():
    html = str(render_markdown("[GPG](https://gpg.example/p?a=1&b=2) and <https://auto.example> and "
                               "[bad](javascript:alert(1)) and [data](data:text/html;base64,xx)"))
    assert 'rel="nofollow noopener noreferrer"' in html
    assert '<span class="url">(https://gpg.example/p?a=1&amp;b=2)</span>' in html
    assert "(https://auto.example)" not in html  # the words are the address already
    assert "javascript:" not in html.split("[bad]")[0] and 'href="javascript' not in html and 'href="data' not in html


def test_headings_sit_below_the_reports_own_and_blank_is_empty():
    assert str(render_markdown("# Big\n\n### Small")).startswith("<h4>Big</h4>")
    assert "<h6>Small</h6>" in str(render_markdown("# Big\n\n### Small"))
    assert str(render_markdown("   ")) == "" and str(render_markdown(None)) == ""
