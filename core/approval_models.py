"""Approvals of any ticket kind (service requests, changes): stages of approvers under a rule, and delegation
while an approver is away (imported by core.models; written only through core.approvals)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApprovalRule(models.TextChoices):
    ANY = "any", _("Any one approver")
    ALL = "all", _("All approvers")
    N_OF_M = "n_of_m", _("N of the approvers")


class ApprovalStage(models.Model):
    """One round of approval on a ticket: its approvers decide under `rule` (`required` approvals for N of M)."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey("core.Ticket", on_delete=models.CASCADE, related_name="approval_stages")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=150, blank=True)
    rule = models.CharField(_("rule"), max_length=10, choices=ApprovalRule.choices, default=ApprovalRule.ANY)
    required = models.PositiveSmallIntegerField(_("approvals needed"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["ticket", "order", "id"]
        verbose_name = _("approval stage")
        verbose_name_plural = _("approval stages")


class Approval(models.Model):
    """One approver's decision within a stage. `on_behalf_of` is the approver who delegated it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SKIPPED = "skipped", _("No longer needed")

    stage = models.ForeignKey(ApprovalStage, on_delete=models.CASCADE, related_name="approvals")
    ticket = models.ForeignKey("core.Ticket", on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.CASCADE,
                                 related_name="approvals")
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("on behalf of"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["approver", "state", "-id"], name="approval_approver_state"),
                   models.Index(fields=["ticket", "id"], name="approval_ticket")]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")


class ApprovalDelegation(models.Model):
    """While `user` is away (from `starts_on` to `ends_on`, inclusive), `delegate` approves for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.CASCADE,
                             related_name="approval_delegations")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delegate"), on_delete=models.CASCADE,
                                 related_name="approval_delegations_received")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["user", "ends_on"], name="approval_delegation_user")]
        constraints = [models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")),
                                              name="approval_delegation_dates"),
                       models.CheckConstraint(condition=~models.Q(user=models.F("delegate")),
                                              name="approval_delegation_not_self")]
        verbose_name = _("approval delegation")
        verbose_name_plural = _("approval delegations")
