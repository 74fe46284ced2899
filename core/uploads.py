"""What an uploaded attachment really is (its bytes, not the name or the type the client declared) and how a
stored one is served: always as a download, with a content type the browser will not render as a page."""

import re
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OCTET_STREAM = "application/octet-stream"
SNIFF_BYTES = 8192
# Types with no magic number: accepted only as UTF-8 text without NUL that is not markup.
TEXT_TYPES = frozenset({"text/plain", "text/csv", "application/json", "message/rfc822"})
# Never served under their own type, whatever the database says.
ACTIVE_TYPE = re.compile(r"html|svg|xml|javascript|ecmascript|xhtml", re.IGNORECASE)
MARKUP_START = re.compile(rb"^\s*<(!doctype|\?xml|!--|[a-z][a-z0-9-]*[\s>/])", re.IGNORECASE)
MARKUP_ANYWHERE = re.compile(rb"<\s*(script|svg|html|iframe|object|embed|body|meta|foreignobject)[\s>/]",
                             re.IGNORECASE)


def _declared(upload):
    return (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()


def _read_all(upload):
    upload.seek(0)
    data = b"".join(upload.chunks())
    upload.seek(0)
    return data


def _text_type(data, declared):
    """The content type of a text file, or None when the bytes are not plain UTF-8 text."""
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
    if MARKUP_START.match(head) or MARKUP_ANYWHERE.search(head):
        return None
    return declared if declared in TEXT_TYPES else "text/plain"


def sniff(upload):
    """The accepted content type of an upload, from its bytes; raises ValidationError({"file": ...})."""
    data = _read_all(upload)
    kind = filetype.guess(data[:SNIFF_BYTES])
    content_type = kind.mime if kind is not None else _text_type(data, _declared(upload))
    if content_type is None:
        raise ValidationError({"file": [_("This file is not plain UTF-8 text and of no accepted type; web "
                                          "pages, SVG and other markup are not accepted.")]})
    if content_type not in settings.ATTACHMENT_CONTENT_TYPES or ACTIVE_TYPE.search(content_type):
        raise ValidationError({"file": [_("Files of type “%(type)s” are not accepted.") % {"type": content_type}]})
    return content_type


def served_type(stored_type):
    """The Content-Type to send for a stored attachment: its sniffed type when still allowed, else bytes."""
    stored_type = (stored_type or "").lower()
    if stored_type in settings.ATTACHMENT_CONTENT_TYPES and not ACTIVE_TYPE.search(stored_type):
        return stored_type
    return OCTET_STREAM


def content_disposition(filename):
    """RFC 6266: an ASCII fallback name plus the exact UTF-8 name in filename*."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "download"
    if not filename:
        return f'attachment; filename="{fallback}"'
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(filename, safe='')}"
