"""Shared machinery: organizations, teams, profiles, tokens and the Ticket spine every practice extends."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    requesters_see_organization_tickets = models.BooleanField(
        _("requesters see all of the organization's tickets"), default=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name


class Team(models.Model):
    """An assignment group."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_teams",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True,
                                     related_name="teams")

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class TimelineOrder(models.TextChoices):
    OLDEST_FIRST = "oldest", _("Oldest first")
    NEWEST_FIRST = "newest", _("Newest first")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="members")
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("manager"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text=_("Approves this person's requests where a catalogue item asks for it."))
    timeline_order = models.CharField(_("timeline order"), max_length=10, choices=TimelineOrder.choices,
                                      default=TimelineOrder.OLDEST_FIRST)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self):
        return str(self.user)

    def clean(self):
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"timezone": _("Unknown time zone.")})


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A named, revocable API token; only its SHA-256 hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def generate(cls, user, name, expires_at=None):
        """Create a token; returns (token, key). The key is shown once and never stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_token(key),
                                   expires_at=expires_at)
        return token, key

    @property
    def is_active(self):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class NumberSequence(models.Model):
    """Per-kind counter behind ticket numbers; incremented with a row lock, so concurrent creates never clash."""

    kind = models.CharField(max_length=20, primary_key=True)
    last_value = models.BigIntegerField(default=1000)


class PriorityMatrix(models.Model):
    """Impact x urgency -> priority, editable by administrators."""

    impact = models.PositiveSmallIntegerField(_("impact"))
    urgency = models.PositiveSmallIntegerField(_("urgency"))
    priority = models.PositiveSmallIntegerField(_("priority"))

    class Meta:
        unique_together = [("impact", "urgency")]
        ordering = ["impact", "urgency"]
        verbose_name = _("priority matrix entry")
        verbose_name_plural = _("priority matrix")

    def __str__(self):
        return f"I{self.impact} x U{self.urgency} -> P{self.priority}"


class Impact(models.IntegerChoices):
    HIGH = 1, _("1 - High")
    MEDIUM = 2, _("2 - Medium")
    LOW = 3, _("3 - Low")


class Urgency(models.IntegerChoices):
    HIGH = 1, _("1 - High")
    MEDIUM = 2, _("2 - Medium")
    LOW = 3, _("3 - Low")


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("P1 - Critical")
    HIGH = 2, _("P2 - High")
    MODERATE = 3, _("P3 - Moderate")
    LOW = 4, _("P4 - Low")
    PLANNING = 5, _("P5 - Planning")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    MONITORING = "monitoring", _("Monitoring")
    WALK_IN = "walk_in", _("Walk-in")


class Ticket(models.Model):
    """The concrete base every ticket kind extends (multi-table inheritance)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=30, db_index=True)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.LOW)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.LOW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.PLANNING)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="tickets")
    configuration_item = models.ForeignKey("cmdb.ConfigurationItem", verbose_name=_("configuration item"),
                                           null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="tickets")
    organization = models.ForeignKey(Organization, verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="tickets")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="requested_tickets")
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_tickets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancel reason"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The earliest due instant of the ticket's running SLA timers, kept by slm so queues sort by it cheaply.
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["kind", "state", "-id"], name="ticket_kind_state_id"),
            models.Index(fields=["kind", "priority", "-id"], name="ticket_kind_priority_id"),
            models.Index(fields=["kind", "-updated_at", "-id"], name="ticket_kind_updated_id"),
            models.Index(fields=["kind", "sla_due_at", "id"], name="ticket_kind_sla_due",
                         condition=models.Q(sla_due_at__isnull=False)),
            models.Index(fields=["team", "state"], name="ticket_team_state"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state"),
            models.Index(fields=["requester", "-id"], name="ticket_requester_id"),
            models.Index(fields=["organization", "-id"], name="ticket_org_id"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def clean(self):
        if self.assignee_id and self.team_id:
            if not Team.members.through.objects.filter(team_id=self.team_id, user_id=self.assignee_id).exists():
                raise ValidationError({"assignee": _("The assignee must be a member of the assigned team.")})

    @property
    def state_label(self):
        from . import hooks

        kind = hooks.ticket_kinds.get(self.kind)
        return kind.workflow.label(self.state) if kind else self.state

    @property
    def specific(self):
        """The practice's subclass row (Incident, Problem, ...)."""
        from . import hooks

        model = hooks.ticket_kinds[self.kind].model
        return self if isinstance(self, model) else model.objects.get(pk=self.pk)


class Comment(models.Model):
    """A public reply (visible to the requester) or an internal work note (agents only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("text"))
    is_internal = models.BooleanField(_("work note"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_created")]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.ticket_id}: {self.body[:40]}"


def attachment_path(instance, filename):
    return f"attachments/{instance.ticket_id}/{secrets.token_hex(8)}/{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related to")
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")
    CAUSED_BY = "caused_by", _("Caused by")


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("link type"), max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticketlink_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="ticketlink_no_self"),
        ]
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")


class AuditAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    TRANSITIONED = "transitioned", _("State changed")
    ASSIGNED = "assigned", _("Assigned")
    COMMENTED = "commented", _("Comment added")
    WORK_NOTE = "work_note", _("Work note added")
    ATTACHED = "attached", _("File attached")
    LINKED = "linked", _("Linked")
    UNLINKED = "unlinked", _("Unlinked")
    SLA = "sla", _("Service level")
    SLA_BREACHED = "sla_breached", _("Service level target breached")
    SLA_REPAIRED = "sla_repaired", _("Service level timers repaired")
    APPROVAL = "approval", _("Approval")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only")

    def delete(self):
        raise TypeError("Audit entries are append-only")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed or deleted (audit trails)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only")


class AuditEntry(AppendOnlyModel):
    """Append-only record of a change to a ticket: who, when, what ({field: [old, new]})."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="audit_ticket_created")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")


class SavedFilter(models.Model):
    """A saved view of a ticket list: its query string (filters and ordering), personal or shared with a team."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    kind = models.CharField(max_length=20)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=2000)
    team = models.ForeignKey(Team, verbose_name=_("shared with team"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="saved_views")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        unique_together = [("user", "kind", "name")]


class Outbox(models.Model):
    """Notifications and webhooks are rows first, delivered by Celery with retries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(max_length=20, default="email")
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt: not tried again before this instant (exponential backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # E-mail threading (core.mail_threading): this message's own id and its extra headers (In-Reply-To, ...).
    message_id = models.CharField(max_length=255, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    reply_to = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"], name="outbox_status_id")]


from .notification_models import (Notification, NotificationChannel, NotificationEvent,  # noqa: E402,F401
                                  NotificationPreference, TicketWatcher)
from .approval_models import Approval, ApprovalDelegation, ApprovalRule, ApprovalStage  # noqa: E402,F401
from .desk_models import AssignMode, AssignmentRule, CannedResponse  # noqa: E402,F401  (split for size)
