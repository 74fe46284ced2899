from django.db import models
from django.utils.translation import gettext_lazy as _


class ConfigurationItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_USE = "in_use", _("In use")
        MAINTENANCE = "maintenance", _("Maintenance")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_USE)
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="configuration_items")
    organization = models.ForeignKey("core.Organization", verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="configuration_items")

    class Meta:
        ordering = ["name"]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")

    def __str__(self):
        return self.name
