"""Service desk helpers shared by every ticket kind: assignment rules and canned responses."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignMode(models.TextChoices):
    NONE = "none", _("Team only")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class AssignmentRule(models.Model):
    """Routes a ticket to a team (and optionally an agent) when all its conditions match.

    `conditions` is {field: [values]}; keys are ticket fields or fields of a kind's model (core.assignment).
    """

    name = models.CharField(_("name"), max_length=200)
    order = models.IntegerField(_("order"), default=100, help_text=_("Lower runs first."))
    active = models.BooleanField(_("active"), default=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), on_delete=models.CASCADE,
                             related_name="assignment_rules")
    assign = models.CharField(_("assign to"), max_length=20, choices=AssignMode.choices, default=AssignMode.NONE)
    # Round-robin pointer: the member chosen last; the next pick is the next member by id.
    last_assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
                                      on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["active", "order", "id"], name="assignrule_active_order")]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from .assignment import validate_conditions

        normalized, errors = validate_conditions(self.conditions)
        if errors:
            raise ValidationError({"conditions": [f"{key}: {' '.join(map(str, msgs))}"
                                                  for key, msgs in errors.items()]})
        self.conditions = normalized


class CannedResponse(models.Model):
    """A reusable reply with whitelisted placeholders; global (no team) or for one team."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    team = models.ForeignKey("core.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="canned_responses", help_text=_("Empty: every agent may use it."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        from .canned import unknown_placeholders

        unknown = unknown_placeholders(self.body)
        if unknown:
            raise ValidationError({"body": unknown_placeholder_message(unknown)})


def unknown_placeholder_message(unknown):
    from .canned import PLACEHOLDERS

    return _("Unknown placeholders: %(unknown)s. Allowed: %(allowed)s.") % {
        "unknown": ", ".join("{%s}" % name for name in unknown),
        "allowed": ", ".join("{%s}" % name for name in PLACEHOLDERS)}
