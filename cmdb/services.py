"""Every write to the CMDB: classes, configuration items and relationships, each in one transaction with
its CI audit entry ({field: [old, new]})."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CIAuditAction, CIAuditEntry, CIClass, ConfigurationItem, Relationship

CI_FIELDS = ("name", "ci_class", "status", "environment", "attributes", "service", "organization", "owner_team",
             "location", "external_id", "description")
CLASS_FIELDS = ("name", "label", "description", "attribute_schema")


def _actor(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None


def _value(instance, name):
    field = instance._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return getattr(instance, field.attname)
    return getattr(instance, name)


def _set(instance, name, value):
    field = instance._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        if isinstance(value, models.Model) or value is None:
            setattr(instance, name, value)
        else:
            setattr(instance, field.attname, value)
    else:
        setattr(instance, name, value)


def audit(ci, actor, action, changes):
    return CIAuditEntry.objects.create(ci_id=ci.pk, actor=_actor(actor), action=action, changes=changes)


def _normalise(data):
    data = dict(data)
    if "external_id" in data and not (data["external_id"] or "").strip():
        data["external_id"] = None
    for name in ("name", "location", "external_id"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    return data


def _save_ci(ci):
    ci.full_clean()
    try:
        with transaction.atomic():
            ci.save()
    except IntegrityError:
        raise ValidationError({"name": _("A configuration item with this class and name or external id "
                                         "already exists.")}) from None


# --- configuration items --------------------------------------------------------------------

@transaction.atomic
def create_ci(actor, data, action=CIAuditAction.CREATED):
    data = _normalise(data)
    unknown = set(data) - set(CI_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    ci = ConfigurationItem()
    for name, value in data.items():
        _set(ci, name, value)
    ci.created_at = ci.updated_at = timezone.now()
    _save_ci(ci)
    snapshot = {name: [None, _value(ci, name)] for name in CI_FIELDS if _value(ci, name) not in (None, "", {})}
    audit(ci, actor, action, snapshot)
    return ci


@transaction.atomic
def update_ci(ci, actor, data, action=CIAuditAction.UPDATED):
    """Change fields; returns the CI. Writes an audit entry only when something changed."""
    data = _normalise(data)
    unknown = set(data) - set(CI_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    ci = ConfigurationItem.objects.select_for_update(of=("self",)).select_related("ci_class").get(pk=ci.pk)
    before = {name: _value(ci, name) for name in data}
    for name, value in data.items():
        _set(ci, name, value)
    ci.full_clean()  # coerces attributes to their declared types
    changes = {name: [before[name], _value(ci, name)] for name in data if before[name] != _value(ci, name)}
    if not changes:
        return ci
    if "attributes" in changes:
        old, new = changes.pop("attributes")
        old = old or {}
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                changes[f"attributes.{key}"] = [old.get(key), new.get(key)]
    ci.updated_at = timezone.now()
    _save_ci(ci)
    if changes:
        audit(ci, actor, action, changes)
    return ci


@transaction.atomic
def delete_ci(ci, actor):
    ci.delete()


# --- relationships --------------------------------------------------------------------------

@transaction.atomic
def add_relationship(actor, source, target, kind):
    source_id = source.pk if isinstance(source, models.Model) else source
    target_id = target.pk if isinstance(target, models.Model) else target
    relationship = Relationship(source_id=source_id, target_id=target_id, kind=kind)
    relationship.full_clean()
    try:
        with transaction.atomic():
            relationship.save()
    except IntegrityError:
        raise ValidationError({"target": _("These configuration items are already related this way.")}) from None
    names = dict(ConfigurationItem.objects.filter(pk__in=[source_id, target_id]).values_list("id", "name"))
    audit(relationship.source, actor, CIAuditAction.RELATED,
          {"relationship": [None, f"{kind} → {names.get(target_id)}"]})
    audit(relationship.target, actor, CIAuditAction.RELATED,
          {"relationship": [None, f"{names.get(source_id)} → {kind}"]})
    return relationship


@transaction.atomic
def remove_relationship(relationship, actor):
    source, target, kind = relationship.source, relationship.target, relationship.kind
    relationship.delete()
    audit(source, actor, CIAuditAction.UNRELATED, {"relationship": [f"{kind} → {target.name}", None]})
    audit(target, actor, CIAuditAction.UNRELATED, {"relationship": [f"{source.name} → {kind}", None]})


# --- classes --------------------------------------------------------------------------------

@transaction.atomic
def save_class(actor, data, ci_class=None):
    """Create (ci_class=None) or update a CI class."""
    unknown = set(data) - set(CLASS_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    ci_class = ci_class or CIClass()
    for name, value in data.items():
        setattr(ci_class, name, value)
    ci_class.full_clean()
    ci_class.save()
    return ci_class


@transaction.atomic
def delete_class(ci_class, actor):
    if ci_class.configuration_items.exists():
        raise ValidationError({"name": _("This class still has configuration items.")})
    ci_class.delete()
