"""Article bodies: Markdown to HTML, then sanitised with nh3 (ammonia), so an article can never carry script,
event handlers, styles or javascript: links into a page."""

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "code", "pre", "a", "em", "strong",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
EXTENSIONS = ["tables", "fenced_code", "sane_lists"]


def render_markdown(text):
    """Sanitised HTML of a Markdown text (raw HTML in the text is cleaned like the rest)."""
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, clean_content_tags={"script", "style"},
                     attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=LINK_REL)
