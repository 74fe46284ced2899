"""core.uploads edge cases: BOMs, polyglots, empty files and hostile file names."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads

GIF_HEAD = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def sniff(content, declared="text/plain", name="f.txt"):
    return uploads.sniff(SimpleUploadedFile(name, content, content_type=declared))


def test_utf8_text_with_a_bom_is_text():
    assert sniff(b"\xef\xbb\xbfname,value\n", "text/csv") == "text/csv"
    assert sniff("\ufeff日志 ok".encode()) == "text/plain"


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf<html><script>1</script>", b"\xef\xbb\xbf\xef\xbb\xbf  <svg onload=1>",
                                     b"notes\n<iframe src=//evil>"])
def test_markup_behind_a_bom_or_text_is_refused(content):
    with pytest.raises(ValidationError):
        sniff(content)


def test_a_gif_html_polyglot_is_a_gif_never_text():
    """Its magic number wins: stored and served as image/gif (with nosniff, as a download), never as markup."""
    assert sniff(GIF_HEAD + b"<script>alert(1)</script>", "text/html", "x.html") == "image/gif"
    assert uploads.served_type("image/gif") == "image/gif"


def test_an_empty_file_is_empty_text():
    """The forms and the API refuse empty files before this; here it is harmless plain text."""
    assert sniff(b"") == "text/plain"


@pytest.mark.parametrize("name, fallback, encoded", [
    ('a"b\\c.txt', "a_b_c.txt", "a%22b%5Cc.txt"),
    ("x\r\nSet-Cookie: a=b.txt", "x__Set-Cookie: a=b.txt", "x%0D%0ASet-Cookie%3A%20a%3Db.txt"),
    ("报告.pdf", "__.pdf", "%E6%8A%A5%E5%91%8A.pdf"),
])
def test_content_disposition_escapes_quotes_newlines_and_non_ascii(name, fallback, encoded):
    value = uploads.content_disposition(name)
    assert value == f"attachment; filename=\"{fallback}\"; filename*=utf-8''{encoded}"
    assert "\r" not in value and "\n" not in value


def test_a_nameless_file_downloads_as_download():
    assert uploads.content_disposition("") == 'attachment; filename="download"'
