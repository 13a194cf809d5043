import base64
import re

from coprod_widgets.widgets.download import download_link, size_text


def test_link_carries_the_file_and_escapes_the_name():
    data = b"<html>report</html>" * 100
    html = download_link(data, "a'<b>.html", "text/html", "Download the report")
    href = re.search(r"href='data:text/html;base64,([^']+)'", html)
    assert href and base64.b64decode(href.group(1)) == data
    assert "a&#x27;&lt;b&gt;.html" in html and "<b>" not in html
    assert "Download the report" in html and "(a&#x27;&lt;b&gt;.html, 2 KB)" in html


def test_size_is_never_zero():
    assert size_text(b"") == "1 KB"
    assert size_text(b"x" * 5000) == "5 KB"
