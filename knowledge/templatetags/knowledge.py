from django import template
from django.utils.safestring import mark_safe

from ..rendering import render_markdown

register = template.Library()


@register.filter
def markdown_safe(text):
    """{{ article.body|markdown_safe }}: Markdown rendered and sanitised by knowledge.rendering."""
    return mark_safe(render_markdown(text))  # nh3 output: only the allowed tags and attributes remain
