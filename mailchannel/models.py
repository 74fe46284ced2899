"""The e-mail channel: the desk's mailboxes, the sender domains mapped to organizations, and every message read
from a mailbox (what became of it, and the whole message when it could not be handled)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Protocol(models.TextChoices):
    IMAPS = "imaps", _("IMAP over TLS")
    IMAP = "imap", _("IMAP (STARTTLS when offered)")


class TargetKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")


class Mailbox(models.Model):
    """A mailbox the desk reads; a new message in it becomes a ticket of `kind`, a reply a comment."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    address = models.EmailField(_("desk address"), help_text=_(
        "The address people write to. Notifications about its tickets carry it as their reply-to."))
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices, default=Protocol.IMAPS)
    host = models.CharField(_("server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True,
                                       help_text=_("Empty: 993 for IMAP over TLS, 143 for IMAP."))
    username = models.CharField(_("user name"), max_length=255)
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    processed_folder = models.CharField(
        _("move handled mail to"), max_length=255, blank=True,
        help_text=_("Empty: handled mail stays in the folder, marked as read."))
    kind = models.CharField(_("new mail becomes"), max_length=20, choices=TargetKind.choices,
                            default=TargetKind.INCIDENT)
    catalog_item = models.ForeignKey(
        "servicerequests.CatalogItem", verbose_name=_("catalogue item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("For service requests: the item a new mail orders. It must ask nothing that is required."))
    team = models.ForeignKey("core.Team", verbose_name=_("default team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    service = models.ForeignKey("slm.Service", verbose_name=_("default service"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        "core.Organization", verbose_name=_("organization"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Empty: the sender's organization, or the one their domain maps to."))
    create_requesters = models.BooleanField(
        _("create requesters"), default=False,
        help_text=_("A sender with no account gets a requester account. Otherwise their mail is held."))
    senders_per_hour = models.PositiveIntegerField(
        _("messages per sender per hour"), default=20,
        help_text=_("More mail than this from one sender within an hour is held (stops mail loops)."))
    from_settings = models.BooleanField(_("from INBOUND_MAIL_URLS"), default=False, editable=False)
    last_polled_at = models.DateTimeField(_("last read"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self):
        return self.name

    @property
    def effective_port(self):
        return self.port or (993 if self.protocol == Protocol.IMAPS else 143)


class OrganizationDomain(models.Model):
    """Mail from this domain belongs to this organization (for senders without an organization of their own)."""

    domain = models.CharField(_("domain"), max_length=255, unique=True)
    organization = models.ForeignKey("core.Organization", verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="mail_domains")

    class Meta:
        ordering = ["domain"]
        verbose_name = _("mail domain")
        verbose_name_plural = _("mail domains")

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


class Outcome(models.TextChoices):
    CREATED = "created", _("New ticket")
    REPLIED = "replied", _("Reply on a ticket")
    REOPENED = "reopened", _("Reply reopened a ticket")
    FOLLOW_UP = "follow_up", _("Reply to a closed ticket: new linked ticket")
    AUTO_REPLY = "auto_reply", _("Auto-reply, ignored")
    BOUNCE = "bounce", _("Bounce, ignored")
    OWN = "own", _("Our own mail, ignored")
    RATE_LIMITED = "rate_limited", _("Held: too much mail from this sender")
    UNKNOWN_SENDER = "unknown_sender", _("Held: unknown sender")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


# Outcomes an admin may retry or discard: the whole message is kept for them.
HELD_OUTCOMES = (Outcome.RATE_LIMITED, Outcome.UNKNOWN_SENDER, Outcome.FAILED)
TICKET_OUTCOMES = (Outcome.CREATED, Outcome.REPLIED, Outcome.REOPENED, Outcome.FOLLOW_UP)


class InboundMessage(models.Model):
    """One message read from a mailbox, recorded in the transaction that handled it: a message whose key is
    here is never handled again, however often a poll runs or crashes."""

    key = models.CharField(_("message key"), max_length=255, unique=True,
                           help_text=_("The Message-ID, or a digest of the message when it has none."))
    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="messages")
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    detail = models.TextField(_("detail"), blank=True)
    ticket = models.ForeignKey("core.Ticket", verbose_name=_("ticket"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey("core.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    html = models.TextField(_("sanitised HTML"), blank=True)
    raw = models.BinaryField(_("whole message"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text=_("The admin who retried or discarded it."))

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_received"),
            models.Index(fields=["ticket"], name="inbound_ticket"),
            models.Index(fields=["-id"], name="inbound_held", condition=models.Q(outcome__in=HELD_OUTCOMES)),
        ]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self):
        return f"{self.sender}: {self.subject}"
