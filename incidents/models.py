from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Ticket

from . import workflow


class OnHoldReason(models.TextChoices):
    AWAITING_CALLER = "awaiting_caller", _("Awaiting caller")
    AWAITING_VENDOR = "awaiting_vendor", _("Awaiting vendor")
    AWAITING_CHANGE = "awaiting_change", _("Awaiting change")


class ResolutionCode(models.TextChoices):
    SOLVED_PERMANENTLY = "solved_permanently", _("Solved (permanently)")
    SOLVED_WORKAROUND = "solved_workaround", _("Solved (workaround)")
    NOT_REPRODUCIBLE = "not_reproducible", _("Not reproducible")
    RESOLVED_BY_CALLER = "resolved_by_caller", _("Resolved by caller")
    RESOLVED_BY_CHANGE = "resolved_by_change", _("Resolved by change")
    DUPLICATE = "duplicate", _("Duplicate")


class Category(models.Model):
    """Incident categories; a category with a parent is a subcategory."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="subcategories")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        unique_together = [("parent", "name")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class Incident(Ticket):
    TICKET_KIND = "incident"

    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", limit_choices_to={"parent": None})
    subcategory = models.ForeignKey(Category, verbose_name=_("subcategory"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    on_hold_reason = models.CharField(_("on hold reason"), max_length=30, choices=OnHoldReason.choices, blank=True)
    resolution_code = models.CharField(_("resolution code"), max_length=30, choices=ResolutionCode.choices,
                                       blank=True)
    resolution_notes = models.TextField(_("resolution notes"), blank=True)
    reopen_count = models.PositiveIntegerField(_("reopen count"), default=0)
    is_major = models.BooleanField(_("major incident"), default=False)
    major_incident_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("major incident manager"),
                                               null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parent = models.ForeignKey("self", verbose_name=_("parent incident"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="children")
    outage_start = models.DateTimeField(_("outage start"), null=True, blank=True)
    outage_end = models.DateTimeField(_("outage end"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def clean(self):
        super().clean()
        if self.subcategory_id and self.subcategory.parent_id != self.category_id:
            raise ValidationError({"subcategory": _("The subcategory does not belong to the category.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An incident cannot be its own parent.")})
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("The parent incident is itself a child incident.")})
        if self.outage_start and self.outage_end and self.outage_end < self.outage_start:
            raise ValidationError({"outage_end": _("The outage cannot end before it starts.")})

    def before_transition(self, from_state, to_state, actor):
        """Practice rules on a state change; returns extra audited changes."""
        changes = {}
        if from_state == workflow.RESOLVED and to_state == workflow.IN_PROGRESS:
            changes["reopen_count"] = [self.reopen_count, self.reopen_count + 1]
            self.reopen_count += 1
        if from_state == workflow.ON_HOLD and to_state != workflow.ON_HOLD and self.on_hold_reason:
            changes["on_hold_reason"] = [self.on_hold_reason, ""]
            self.on_hold_reason = ""
        return changes
