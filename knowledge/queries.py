"""Reads of knowledge articles, shared by the API and the pages: who may read which article."""

from core import permissions

from .models import Article, ArticleLink, ArticleState, Audience


def can_write(user):
    """Service desk staff write articles, publish and retire them."""
    return permissions.is_agent(user)


def can_read(user):
    """Staff read every article; requesters the published requester articles; integrations nothing."""
    if user is None or not user.is_authenticated:
        return False
    if permissions.is_agent(user):
        return True
    return not permissions.has_role(user, permissions.INTEGRATION) or permissions.has_role(user, permissions.REQUESTER)


def requester_articles(queryset=None):
    queryset = Article.objects.all() if queryset is None else queryset
    return queryset.filter(state=ArticleState.PUBLISHED, audience=Audience.REQUESTERS)


def visible_articles(user, queryset=None):
    """Every article the user may read: staff all (any state); requesters only published requester articles."""
    queryset = Article.objects.all() if queryset is None else queryset
    if not can_read(user):
        return queryset.none()
    if permissions.is_agent(user):
        return queryset
    return requester_articles(queryset)


def suggestable_articles(user):
    """The published articles a user may be offered (staff: every audience; requesters: their own)."""
    return visible_articles(user).filter(state=ArticleState.PUBLISHED)


def article_list(user):
    return visible_articles(user).select_related("owner").only(
        "id", "number", "title", "audience", "state", "version", "review_date", "updated_at", "published_at",
        "owner__id", "owner__username", "owner__first_name", "owner__last_name")


def article_detail(user):
    return visible_articles(user).select_related("owner", "known_error").prefetch_related("services", "categories")


def versions_of(article):
    return article.versions.select_related("author").order_by("-version")


def links_for_ticket(ticket, user):
    """The articles linked from a ticket that the user may read."""
    links = ArticleLink.objects.filter(ticket_id=ticket.pk).select_related("article", "created_by")
    if not permissions.is_agent(user):
        links = links.filter(article__state=ArticleState.PUBLISHED, article__audience=Audience.REQUESTERS)
    return links.order_by("created_at", "id")
