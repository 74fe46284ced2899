"""What knowledge adds to other pages through core.hooks: the ticket page's panel (linked and suggested
articles, "This helped") and the requester portal's suggestions while a problem is described."""

from core import permissions
from core.converters import parse_id

from . import queries, search

PANEL_SUGGESTIONS = 5
PORTAL_SUGGESTIONS = 5
MAX_SHOWN = 20


def ticket_panel_context(ticket, request):
    user = request.user
    links = list(queries.links_for_ticket(ticket, user))
    linked = {link.article_id for link in links}
    suggestions = []
    if permissions.is_agent(user) or permissions.can_view(user, ticket):
        text = f"{ticket.title}\n{ticket.description}"
        found = search.suggest(text, user, service=ticket.service_id,
                               category=getattr(ticket, "category_id", None), limit=PANEL_SUGGESTIONS + len(linked))
        suggestions = [article for article in found if article.pk not in linked][:PANEL_SUGGESTIONS]
    return {"kb_links": links, "kb_suggestions": suggestions, "kb_can_write": queries.can_write(user)}


def shown_ids(data):
    """The article ids already offered (hidden inputs `shown_articles`), parsed, distinct, bounded."""
    ids = []
    for raw in data.getlist("shown_articles")[:MAX_SHOWN]:
        pk = parse_id(raw)
        if pk and pk not in ids:
            ids.append(pk)
    return ids


def report_text(request, form):
    """The title and details typed so far (bound form data, or the initial values of a re-shown form)."""
    source = form.data if form.is_bound else form.initial
    return f"{source.get('title') or ''}\n{source.get('description') or ''}".strip()


def portal_suggest_context(request, form):
    text = report_text(request, form)
    suggestions = search.suggest(text, request.user, limit=PORTAL_SUGGESTIONS) if text else []
    data = request.POST if request.method == "POST" else request.GET
    ids = shown_ids(data)
    ids += [article.pk for article in suggestions if article.pk not in ids]
    return {"kb_suggestions": suggestions, "kb_shown_ids": ids[:MAX_SHOWN], "kb_searched": bool(text)}
