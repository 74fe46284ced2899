"""Knowledge management: articles (Markdown, versioned), their links from tickets ("this helped") and the
articles a requester was shown before reporting a problem (deflection)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    AGENTS = "agents", _("Service desk only")
    REQUESTERS = "requesters", _("Requesters too")


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Article(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.AGENTS)
    services = models.ManyToManyField("slm.Service", verbose_name=_("services"), blank=True,
                                      related_name="articles")
    categories = models.ManyToManyField("incidents.Category", verbose_name=_("categories"), blank=True,
                                        related_name="articles")
    review_date = models.DateField(_("review date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=ArticleState.choices, default=ArticleState.DRAFT)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="knowledge_articles")
    known_error = models.ForeignKey("problems.Problem", verbose_name=_("known error"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="articles")
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [models.Index(fields=["state", "audience", "-id"], name="article_state_audience_id")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def body_html(self):
        from .rendering import render_markdown

        return render_markdown(self.body)

    @property
    def is_published(self):
        return self.state == ArticleState.PUBLISHED


class ArticleVersion(models.Model):
    """Every saved title/body of an article, kept so its history can be read."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    change_note = models.CharField(_("change note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")


class ArticleLink(models.Model):
    """An article that helped with a ticket."""

    ticket = models.ForeignKey("core.Ticket", on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")
    helped = models.BooleanField(_("helped"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "article"], name="article_link_unique")]


class ArticleShown(models.Model):
    """An article offered to a requester while they described a problem, recorded with the ticket they then
    submitted anyway (deflection reporting: shown, and not enough)."""

    ticket = models.ForeignKey("core.Ticket", on_delete=models.CASCADE, related_name="articles_shown")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="shown")
    shown_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "article"], name="article_shown_unique")]
