"""HTML mail bodies: readable plain text (for HTML-only mail) and sanitised HTML (kept for display)."""

import html as entities
import re
from html.parser import HTMLParser

import nh3

BLOCKS = {
    "address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
}
PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote", "pre", "hr"}
HIDDEN = {"script", "style", "head", "title", "template", "noscript", "object", "iframe", "svg", "math"}
CELLS = {"td", "th"}
MAX_DEPTH = 8  # deeper quotes and lists are shown at this depth
# HTML parsers slow down with the square of the nesting depth; deeper mail is read as tag-stripped text.
MAX_NESTING = 400
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
UNNESTED = {  # void elements and those whose end tag is implied
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rp",
    "rt", "html", "head", "body",
}
ANY_TAG = re.compile(r"<[^<>]*>")
MAX_HTML = 2_000_000  # characters read of an HTML body (html.parser takes about a second per million)

SAFE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span",
    "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    "address", "article", "aside", "details", "figcaption", "figure", "footer", "header", "main", "nav",
    "section", "summary",
}
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
                   "ol": {"start"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html):
    """HTML safe to show inside a page: no script, style, event handlers, images or other remote resources."""
    return nh3.clean(html, tags=SAFE_TAGS, clean_content_tags=HIDDEN, attributes=SAFE_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow", url_relative="deny")


class _Line:
    __slots__ = ("depth", "parts", "pre", "blank_before", "indent", "has_text")

    def __init__(self, depth, pre):
        self.depth, self.parts, self.pre, self.blank_before, self.indent = depth, [], pre, False, ""
        self.has_text = False

    def empty(self):
        return not self.has_text


class _TextWriter(HTMLParser):
    """Collects lines of text, each with the blockquote depth it started in (quoted lines get "> ")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [_Line(0, False)]
        self.depth = 0
        self.pre = 0
        self.lists = []  # per open list: the next number, or None for bullets
        self.href = None
        self.link_text = []

    def _break(self, blank=False):
        """Ends the current line (and asks for an empty line before the next one when `blank`)."""
        if not self.lines[-1].empty() or (self.pre and self.lines[-1].pre):
            self.lines.append(_Line(min(self.depth, MAX_DEPTH), bool(self.pre)))
        self.lines[-1].blank_before = self.lines[-1].blank_before or blank

    def _write(self, text):
        line = self.lines[-1]
        if line.empty():
            line.depth, line.pre, line.parts = min(self.depth, MAX_DEPTH), bool(self.pre), []
        line.parts.append(text)
        line.has_text = line.has_text or bool(text.strip())

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self._break()
        elif tag in BLOCKS:
            self._break(blank=tag in PARAGRAPHS and not (tag in ("ul", "ol") and self.lists))
        if tag == "blockquote":
            self.depth += 1
            self._break()
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append(1 if tag == "ol" else None)
        elif tag == "li":
            number = self.lists[-1] if self.lists else None
            self._write(f"{number}. " if number else "- ")
            self.lines[-1].indent = "   " * min(len(self.lists) - 1, MAX_DEPTH)
            if number:
                self.lists[-1] += 1
        elif tag in CELLS:
            self._write(" ")
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self._break()
            self.depth = max(self.depth - 1, 0)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.href is not None:
            text, href = "".join(self.link_text).strip(), self.href
            if href.startswith(("http://", "https://")) and href.rstrip("/") != text.rstrip("/"):
                self._write(f" <{href}>")
            self.href = None
        if tag in BLOCKS:
            self._break(blank=tag in PARAGRAPHS and not (tag in ("ul", "ol") and self.lists))

    def handle_data(self, data):
        if self.href is not None:
            self.link_text.append(data)
        if self.pre:
            first, *rest = data.split("\n")
            self._write(first)
            for line in rest:
                self._break()
                self._write(line)
        else:
            self._write(data)

    def text(self):
        out, previous = [], None
        for line in self.lines:
            text = "".join(line.parts).replace("\xa0", " ")
            text = text.rstrip() if line.pre else " ".join(text.split())
            if not text and not line.pre:
                continue
            quote = "> " * line.depth
            if line.blank_before and previous is not None:
                out.append(("> " * min(line.depth, previous.depth)).rstrip())
            out.append(quote + line.indent + text)
            previous = line
        return "\n".join(out).strip()


def _too_deep(html):
    depth = 0
    for match in TAG.finditer(html):
        if match.group(2).lower() in UNNESTED:
            continue
        depth = max(depth - 1, 0) if match.group(1) else depth + 1
        if depth > MAX_NESTING:
            return True
    return False


def _stripped(html):
    lines = entities.unescape(ANY_TAG.sub(" ", html)).replace("\xa0", " ").splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def read_html(html):
    """(text, sanitised HTML) of an HTML body. The text: blocks and <br> become line breaks, lists get bullets or
    numbers, quoted blocks get "> ", links keep their address, entities are decoded, scripts and styles dropped.
    Pathologically nested HTML gives tag-stripped text and no HTML."""
    html = html[:MAX_HTML]
    if _too_deep(html):
        return _stripped(html), ""
    safe = sanitise(html)
    writer = _TextWriter()  # reads the sanitised HTML: well-formed, so html.parser stays linear
    writer.feed(safe)
    writer.close()
    return writer.text(), safe
