"""Reporting data of service level management: satisfaction surveys and service reviews."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["SatisfactionSurvey", "ServiceReview", "ServiceReviewAction"]


class SatisfactionSurvey(models.Model):
    """The requester's 1-5 rating of a resolved ticket; sent once, answered once."""

    ticket = models.OneToOneField("core.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE,
                                  related_name="satisfaction_survey")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"), null=True,
                                  on_delete=models.SET_NULL, related_name="satisfaction_surveys")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [
            models.Index(fields=["requester", "-id"], name="survey_requester_id"),
            models.Index(fields=["answered_at"], name="survey_answered_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="survey_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.ticket_id}: {self.rating or '-'}"

    @property
    def is_answered(self):
        return self.answered_at is not None


class ServiceReview(models.Model):
    """A service review meeting with a customer (ISO/IEC 20000-1 8.3.3): findings, decisions and actions."""

    service = models.ForeignKey("slm.Service", verbose_name=_("service"), on_delete=models.CASCADE,
                                related_name="reviews")
    organization = models.ForeignKey("core.Organization", verbose_name=_("customer"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="service_reviews")
    date = models.DateField(_("date"))
    period = models.CharField(_("period reviewed"), max_length=7, blank=True,
                              help_text=_("A month (2026-10) or a quarter (2026Q3); empty: the month before the date."))
    participants = models.TextField(_("participants"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service review")
        verbose_name_plural = _("service reviews")
        indexes = [models.Index(fields=["service", "-date"], name="review_service_date")]

    def __str__(self):
        return f"{self.service} {self.date:%Y-%m-%d}"

    @property
    def reviewed_period(self):
        """The period whose monthly report the review discusses."""
        if self.period:
            return self.period
        first = self.date.replace(day=1)
        previous = first - timedelta(days=1)
        return f"{previous:%Y-%m}"


class ServiceReviewAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    review = models.ForeignKey(ServiceReview, verbose_name=_("service review"), on_delete=models.CASCADE,
                               related_name="actions")
    description = models.TextField(_("description"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="service_review_actions")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("service review action")
        verbose_name_plural = _("service review actions")

    def __str__(self):
        return self.description[:60]
