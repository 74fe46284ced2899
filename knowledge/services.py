"""Every write to knowledge articles: create, update (a kept version per change of title or body), publish,
retire, back to draft, links from tickets ("this helped"), articles shown before a ticket was raised, and
articles published from known errors. Ticket-side effects are audited on the ticket."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.models import AuditAction
from core.services import ConflictError, PermissionDeniedError, _audit, sequence_value

from . import queries
from .models import Article, ArticleLink, ArticleShown, ArticleState, ArticleVersion, Audience

PREFIX, SEQUENCE = "KB", "article"
FIELDS = ("title", "body", "audience", "review_date", "owner", "known_error")
M2M_FIELDS = ("services", "categories")
MAX_SHOWN = 20


def next_number():
    """KB0001001, ...: a PostgreSQL sequence (migration 0002; never waits), else core's locked NumberSequence row."""
    return f"{PREFIX}{sequence_value('knowledge_article_number', SEQUENCE):07d}"


def _require_writer(actor):
    if not queries.can_write(actor):
        raise PermissionDeniedError(_("Only service desk staff can write knowledge articles."))


def _check(article):
    if not (article.title or "").strip():
        raise ValidationError({"title": _("An article needs a title.")})
    if article.audience not in Audience.values:
        raise ValidationError({"audience": _("Choose who may read the article.")})


def _keep_version(article, actor, change_note):
    ArticleVersion.objects.create(article=article, version=article.version, title=article.title,
                                  body=article.body, author=actor if actor and actor.pk else None,
                                  change_note=(change_note or "")[:255], created_at=article.updated_at)


def _lock(article, expected_version):
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise ConflictError(locked.version)
    return locked


@transaction.atomic
def create_article(actor, data, change_note=""):
    """A draft article (version 1, kept in the history) from `data` (FIELDS, services, categories)."""
    _require_writer(actor)
    now = timezone.now()
    article = Article(created_at=now, updated_at=now, owner=actor if actor and actor.pk else None)
    for name in FIELDS:
        if name in data:
            setattr(article, name, data[name])
    _check(article)
    article.number = next_number()
    article.save()
    for name in M2M_FIELDS:
        if data.get(name):
            getattr(article, name).set(data[name])
    _keep_version(article, actor, change_note or _("Created"))
    return article


@transaction.atomic
def update_article(article, actor, data, expected_version=None, change_note=""):
    """Change an article; a stale `expected_version` raises ConflictError. Every write bumps `version`; a
    change of title or body is kept as an ArticleVersion."""
    _require_writer(actor)
    locked = _lock(article, expected_version)
    content_changed = False
    for name in FIELDS:
        if name in data and getattr(locked, name) != data[name]:
            content_changed |= name in ("title", "body")
            setattr(locked, name, data[name])
    _check(locked)
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    for name in M2M_FIELDS:
        if name in data:
            getattr(locked, name).set(data[name] or [])
    if content_changed:
        _keep_version(locked, actor, change_note)
    return locked


def _move(article, actor, to, allowed_from, expected_version):
    _require_writer(actor)
    locked = _lock(article, expected_version)
    if locked.state not in allowed_from:
        raise ValidationError({"state": _("A %(state)s article cannot become %(to)s.") % {
            "state": locked.get_state_display(), "to": ArticleState(to).label}})
    locked.state = to
    locked.version += 1
    locked.updated_at = timezone.now()
    if to == ArticleState.PUBLISHED:
        if not locked.body.strip():
            raise ValidationError({"body": _("An article needs a body before it is published.")})
        locked.published_at = locked.updated_at
    locked.save()
    return locked


@transaction.atomic
def publish(article, actor, expected_version=None):
    return _move(article, actor, ArticleState.PUBLISHED, (ArticleState.DRAFT, ArticleState.RETIRED),
                 expected_version)


@transaction.atomic
def retire(article, actor, expected_version=None):
    return _move(article, actor, ArticleState.RETIRED, (ArticleState.DRAFT, ArticleState.PUBLISHED),
                 expected_version)


@transaction.atomic
def back_to_draft(article, actor, expected_version=None):
    return _move(article, actor, ArticleState.DRAFT, (ArticleState.PUBLISHED, ArticleState.RETIRED),
                 expected_version)


@transaction.atomic
def link_to_ticket(ticket, article, actor, helped=True):
    """Record that `article` helped with `ticket` (once per pair), audited on the ticket. Staff may link any
    article to any ticket; a requester only an article they may read to a ticket they may see."""
    if not permissions.can_view(actor, ticket):
        raise PermissionDeniedError(_("You cannot see this ticket."))
    if not queries.suggestable_articles(actor).filter(pk=article.pk).exists():
        raise PermissionDeniedError(_("You cannot link this article."))
    link, created = ArticleLink.objects.get_or_create(
        ticket_id=ticket.pk, article=article, defaults={"helped": helped, "created_by": actor})
    if created:
        _audit(ticket, actor, AuditAction.LINKED, {"article": [None, article.number]})
    return link


def record_shown(ticket, article_ids):
    """Keep which articles a requester was offered before raising `ticket` (ids from the form: unknown ids,
    and any article a requester could not have been shown, are dropped)."""
    ids = {pk for pk in article_ids if isinstance(pk, int)}
    if not ids:
        return []
    articles = queries.requester_articles().filter(pk__in=sorted(ids)[:MAX_SHOWN]).values_list("pk", flat=True)
    rows = [ArticleShown(ticket_id=ticket.pk, article_id=pk) for pk in articles]
    return ArticleShown.objects.bulk_create(rows, ignore_conflicts=True)


def known_error_body(problem):
    sections = [(_("Problem"), problem.description or problem.title), (_("Root cause"), problem.root_cause),
                (_("Workaround"), problem.workaround)]
    parts = [f"{_('Known error')} {problem.number}."]
    parts += [f"## {heading}\n\n{text.strip()}" for heading, text in sections if (text or "").strip()]
    return "\n\n".join(parts) + "\n"


@transaction.atomic
def publish_known_error(problem, actor):
    """The agents' article for a known error, created or brought up to date from the problem (statement, root
    cause, workaround; its service and category), published. Returns the article."""
    if not problem.known_error:
        raise ValidationError({"problem": _("Only a known error can be published as an article.")})
    data = {"title": problem.title, "body": known_error_body(problem), "known_error": problem,
            "services": [problem.service_id] if problem.service_id else [],
            "categories": [problem.category_id] if getattr(problem, "category_id", None) else []}
    article = Article.objects.filter(known_error=problem).order_by("id").first()
    note = _("From known error %(number)s") % {"number": problem.number}
    if article is None:
        article = create_article(actor, {**data, "audience": Audience.AGENTS}, change_note=note)
    else:
        article = update_article(article, actor, data, change_note=note)
    if article.state != ArticleState.PUBLISHED:
        article = publish(article, actor)
    return article
