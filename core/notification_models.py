"""Watchers, in-app notifications and per-user notification preferences (imported by core.models)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationEvent(models.TextChoices):
    """What a user may be told about; each can be switched on or off per channel."""

    ASSIGNED = "assigned", _("A ticket is assigned to me or my team")
    REQUESTER_REPLIED = "requester_replied", _("The requester replied on a ticket assigned to me")
    PUBLIC_REPLY = "public_reply", _("An agent replied on my request")
    RESOLVED = "resolved", _("My request is resolved or closed")
    WATCHED_UPDATED = "watched_updated", _("A ticket I watch has a new reply or state")
    SLA_WARNING = "sla_warning", _("Service level warnings and breaches")
    APPROVAL_REQUESTED = "approval_requested", _("My approval is asked for")


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")


class TicketWatcher(models.Model):
    """A user who follows a ticket: told of its public replies and state changes."""

    ticket = models.ForeignKey("core.Ticket", on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watched_tickets")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ticketwatcher_unique")]
        indexes = [models.Index(fields=["user", "-id"], name="ticketwatcher_user_id")]
        verbose_name = _("ticket watcher")
        verbose_name_plural = _("ticket watchers")

    def __str__(self):
        return f"{self.user} -> {self.ticket_id}"


class Notification(models.Model):
    """An in-app notification, written in the transaction of the change it tells of, in the recipient's
    language."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey("core.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationEvent.choices)
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_id"),
            # The header badge: COUNT(*) of a user's unread rows reads only this partial index.
            models.Index(fields=["recipient"], name="notification_unread",
                         condition=models.Q(read_at__isnull=True)),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text


class NotificationPreference(models.Model):
    """A user's choice for one event; without a row both channels are on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    event = models.CharField(_("event"), max_length=30, choices=NotificationEvent.choices)
    in_app = models.BooleanField(_("in the application"), default=True)
    email = models.BooleanField(_("e-mail"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notificationpreference_unique")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user} {self.event}"
