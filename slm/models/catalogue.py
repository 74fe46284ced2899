"""The service catalogue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    """A service in the service catalogue."""

    class Status(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        LIVE = "live", _("Live")
        RETIRED = "retired", _("Retired")

    class Criticality(models.IntegerChoices):
        CRITICAL = 1, _("Critical")
        HIGH = 2, _("High")
        MEDIUM = 3, _("Medium")
        LOW = 4, _("Low")

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("What the service does for the customer."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_services")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.LIVE)
    criticality = models.PositiveSmallIntegerField(_("criticality"), choices=Criticality.choices,
                                                   default=Criticality.MEDIUM)
    service_hours = models.ForeignKey("slm.BusinessCalendar", verbose_name=_("service hours"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="services")
    supporting_teams = models.ManyToManyField("core.Team", verbose_name=_("supporting teams"), blank=True,
                                              related_name="services")
    customers = models.ManyToManyField("core.Organization", verbose_name=_("customers"), blank=True,
                                       related_name="services")
    stakeholders = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("stakeholders"), blank=True,
                                          related_name="stakeholder_services")

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name
