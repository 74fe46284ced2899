"""Bytes of a mail to text, whatever charset the mail claims: never raises. GB2312/GBK read as GB18030 (their
superset: real GB2312 mail often holds GBK characters), Big5 falls back to Big5-HKSCS and CP950, unknown names try
UTF-8, then GB18030, then Latin-1. Also RFC 2047 encoded words and raw 8-bit header values."""

import base64
import binascii
import codecs
import re

# Labels Python does not know, or knows as a narrower charset than mail means by them.
ALIASES = {
    "x-gbk": "gbk", "gb_2312-80": "gb2312", "csgb2312": "gb2312", "x-euc-cn": "gb2312", "euc-cn": "gb2312",
    "chinese": "gb2312", "ms936": "gbk", "windows-936": "gbk", "x-big5": "big5", "cn-big5": "big5",
    "csbig5": "big5", "big5-tw": "big5", "x-sjis": "shift_jis", "x-unicode-2-0-utf-8": "utf-8",
}
# Codec (by its Python name) -> codecs tried in turn; the first also decodes leniently at the end.
FAMILIES = {
    "gb2312": ["gb18030"], "gbk": ["gb18030"], "gb18030": ["gb18030"],
    "big5": ["big5", "big5hkscs", "cp950"], "big5hkscs": ["big5hkscs", "cp950"], "cp950": ["cp950", "big5hkscs"],
    "iso8859-1": ["utf-8", "cp1252", "latin-1"], "cp1252": ["utf-8", "cp1252", "latin-1"],
    "euc_kr": ["cp949"], "shift_jis": ["cp932"], "ascii": [],
}
# Text codecs that are no charset a mail body can be in.
REFUSED = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}
FALLBACKS = ("utf-8", "gb18030")
SEVEN_BIT = {"utf-7", "hz", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}  # not ASCII as-is

ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
BETWEEN_WORDS = re.compile(r"\s*")
FOLD = re.compile(r"\r?\n(?=[ \t])|\r?\n$")
BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/=]")
LABEL = re.compile(r"[A-Za-z0-9._:\-]+")


def codecs_for(charset):
    """The codecs to try for a declared charset label; [] when unknown, absent or refused."""
    match = LABEL.search((charset or "").split("*")[0])
    if not match:
        return []
    label = match.group(0).lower()
    try:
        info = codecs.lookup(ALIASES.get(label, label))
    except LookupError:
        return []
    if not info._is_text_encoding or info.name in REFUSED:
        return []
    return FAMILIES.get(info.name, [info.name])


def _strict(data, name):
    try:
        return data.decode(name)
    except (UnicodeError, LookupError):
        return None


def decode(data, charset=None, hint=None):
    """Text of `data` in the declared `charset`, else the best guess (a mail-wide `hint` charset first)."""
    if not data:
        return ""
    declared = codecs_for(charset)
    if data.isascii() and not (declared and declared[0] in SEVEN_BIT):
        return data.decode("ascii")
    for name in declared:
        text = _strict(data, name)
        if text is not None:
            return text.lstrip("\ufeff")
    lenient = data.decode(declared[0], "replace") if declared else None
    if lenient is not None and lenient.count("\ufffd") <= len(lenient) // 100 + 1:
        return lenient  # the declared charset with a few broken bytes (a damaged transfer)
    for name in [*codecs_for(hint), *FALLBACKS]:
        text = _strict(data, name)
        if text is not None:
            return text.lstrip("\ufeff")
    return lenient if lenient is not None else data.decode("latin-1")


def lenient_base64(data):
    """Base64 bytes decoded despite junk characters, missing or inner padding (each padded piece on its own)."""
    if b"=" not in data.rstrip().rstrip(b"="):
        try:
            return base64.b64decode(data)  # the usual case, at C speed: skips line breaks and junk
        except binascii.Error:
            pass
    out = []
    for piece in re.split(rb"=+", BASE64_JUNK.sub(b"", data)):
        piece = piece[: len(piece) - 1] if len(piece) % 4 == 1 else piece
        if piece:
            out.append(base64.b64decode(piece + b"=" * (-len(piece) % 4)))
    return b"".join(out)


def _word_bytes(encoding, payload):
    raw = payload.encode("ascii", "replace")
    if encoding in "bB":
        return lenient_base64(raw)
    try:
        return binascii.a2b_qp(raw, header=True)
    except (binascii.Error, ValueError):
        return raw


def decode_header(value, hint=None):
    """A header value as text: unfolded, raw 8-bit bytes decoded, RFC 2047 encoded words decoded (adjacent words
    in one charset joined first, since encoders split multi-byte characters across words)."""
    value = FOLD.sub("", value or "")
    raw = value.encode("utf-8", "surrogateescape")
    text = decode(raw, None, hint) if not raw.isascii() else value
    if "=?" not in text:
        return text
    out, pending, charset, last_end = [], b"", None, 0
    for match in ENCODED_WORD.finditer(text):
        gap = text[last_end:match.start()]
        word_charset = match.group(1).split("*")[0]
        if pending and (gap.strip() or word_charset.lower() != charset.lower()):
            out.append(decode(pending, charset, hint))
            pending = b""
        if gap and (not BETWEEN_WORDS.fullmatch(gap) or last_end == 0):
            out.append(gap)
        pending += _word_bytes(match.group(2), match.group(3))
        charset, last_end = word_charset, match.end()
    if pending:
        out.append(decode(pending, charset, hint))
    out.append(text[last_end:])
    return "".join(out)
