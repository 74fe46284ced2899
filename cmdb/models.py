"""Configuration items, their classes (with an attribute schema each), relationships and change history.

Relationship semantics (impact flows from target to source: if the target fails, the source is impacted):
- "source depends_on target": the source needs the target to work;
- "source runs_on target": the target hosts the source (an application runs on a server);
- "source connected_to target": the source reaches the network through the target;
- "source member_of target": the source is a node of the target (a cluster).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel

from . import schema


class CIClass(models.Model):
    """A kind of configuration item (server, database, ...) and the attributes its CIs carry."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    attribute_schema = models.JSONField(
        _("attribute schema"), default=list, blank=True,
        help_text=_('A list of {"name", "type", "required", "choices"}; type is one of string, integer, number, '
                    'boolean, date or choice.'))

    class Meta:
        ordering = ["label"]
        verbose_name = _("CI class")
        verbose_name_plural = _("CI classes")

    def __str__(self):
        return str(self.label or self.name)

    def clean(self):
        errors = schema.check_schema(self.attribute_schema)
        if errors:
            raise ValidationError({"attribute_schema": errors})


class Environment(models.TextChoices):
    PRODUCTION = "production", _("Production")
    STAGING = "staging", _("Staging")
    TEST = "test", _("Test")
    DEVELOPMENT = "development", _("Development")


class ConfigurationItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_USE = "in_use", _("In use")
        MAINTENANCE = "maintenance", _("Maintenance")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200, db_index=True)
    ci_class = models.ForeignKey(CIClass, verbose_name=_("class"), null=True, blank=False,
                                 on_delete=models.PROTECT, related_name="configuration_items")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_USE)
    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices,
                                   default=Environment.PRODUCTION)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="configuration_items")
    organization = models.ForeignKey("core.Organization", verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="configuration_items")
    owner_team = models.ForeignKey("core.Team", verbose_name=_("owner team"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="configuration_items")
    location = models.CharField(_("location"), max_length=200, blank=True)
    external_id = models.CharField(_("external id"), max_length=200, null=True, blank=True, unique=True,
                                   help_text=_("The key a discovery tool uses for this item."))
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        constraints = [
            models.UniqueConstraint(fields=["ci_class", "name"], name="cmdb_ci_class_name_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="cmdb_ci_status_id"),
            models.Index(fields=["environment", "id"], name="cmdb_ci_env_id"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.ci_class_id is None:
            raise ValidationError({"ci_class": _("This field is required.")})
        cleaned, errors = schema.validate_attributes(self.ci_class.attribute_schema, self.attributes or {})
        if errors:
            raise ValidationError({"attributes": schema.flatten(errors)})
        self.attributes = cleaned


class RelationshipKind(models.TextChoices):
    DEPENDS_ON = "depends_on", _("depends on")
    RUNS_ON = "runs_on", _("runs on")
    CONNECTED_TO = "connected_to", _("connected to")
    MEMBER_OF = "member_of", _("member of")


# The same relationship read from the target's side.
INVERSE_LABELS = {
    RelationshipKind.DEPENDS_ON: _("used by"),
    RelationshipKind.RUNS_ON: _("hosts"),
    RelationshipKind.CONNECTED_TO: _("connected from"),
    RelationshipKind.MEMBER_OF: _("has member"),
}


class Relationship(models.Model):
    """A directed edge: `source <kind> target`. If the target fails, the source is impacted."""

    source = models.ForeignKey(ConfigurationItem, verbose_name=_("source"), on_delete=models.CASCADE,
                               related_name="relationships_out")
    target = models.ForeignKey(ConfigurationItem, verbose_name=_("target"), on_delete=models.CASCADE,
                               related_name="relationships_in")
    kind = models.CharField(_("type"), max_length=20, choices=RelationshipKind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="cmdb_relationship_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="cmdb_relationship_no_self"),
        ]
        # The impact walk reads (target, source, kind) by target, the upstream walk (source, target, kind) by
        # source (the unique constraint's index): both from the index alone.
        indexes = [models.Index(fields=["target", "source", "kind"], name="cmdb_rel_target_source_kind")]

    def __str__(self):
        return f"{self.source_id} {self.kind} {self.target_id}"

    def clean(self):
        if self.source_id and self.source_id == self.target_id:
            raise ValidationError({"target": _("A configuration item cannot be related to itself.")})


class CIAuditAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    RELATED = "related", _("Relationship added")
    UNRELATED = "unrelated", _("Relationship removed")
    IMPORTED = "imported", _("Imported")


class CIAuditEntry(AppendOnlyModel):
    """Append-only history of a configuration item: who, when, what ({field: [old, new]})."""

    ci = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=CIAuditAction.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ci", "-created_at"], name="cmdb_audit_ci_created")]
        verbose_name = _("CI audit entry")
        verbose_name_plural = _("CI audit entries")
