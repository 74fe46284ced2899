"""Writes of the request catalogue: an item with its form, approval steps and task templates, validated as a
whole (catalog_validation) and saved in one transaction.

`data` uses the API's names: the item's own fields (name, summary, description, category, service,
organizations, icon, request_type, team, needs_approval, active, order) and the nested lists
    fields:   [{name, label, type, required, help_text, default, choices, min, max, pattern,
                shown_when: {field, value} | None}]      (their order is the form's order)
    approval: [{order, approver, group, user, rule, required}]
    tasks:    [{id?, stage, title, team, instructions}]
On update only the keys given change; a nested list given replaces the item's list (fields are kept by name,
task templates by id, so requests already raised keep their references).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from core import permissions
from core.services import PermissionDeniedError

from . import catalog_validation as rules
from .models import ApprovalStep, CatalogCategory, CatalogItem, ItemField, TaskTemplate

ITEM_ATTRIBUTES = ("name", "summary", "description", "category", "service", "icon", "request_type", "team",
                   "needs_approval", "active", "order")
# Model attribute of a form field -> its name in the API.
FIELD_API_NAMES = {"min_value": "min", "max_value": "max", "shown_when_field": "shown_when",
                   "shown_when_value": "shown_when"}


class ItemValidationError(ValidationError):
    """Refused item data. `nested` holds the API's shape: {"name": [...], "fields": {"0": {"min": [...]}},
    "approval": {...}, "tasks": {...}}; as a Django ValidationError its keys are flat ("fields.0.min")."""

    def __init__(self, nested):
        self.nested = nested
        flat = {}
        for key, value in nested.items():
            if isinstance(value, dict):
                for index, row in value.items():
                    for attribute, messages in row.items():
                        flat[f"{key}.{index}.{attribute}"] = messages
            else:
                flat[key] = value
        super().__init__(flat)


def _nested(errors, names=None):
    names = names or {}
    result = {}
    for index, row in errors.items():
        converted = {}
        for attribute, messages in row.items():
            converted.setdefault(names.get(attribute, attribute), []).extend(messages)
        result[str(index)] = converted
    return result


def field_from_data(row, index):
    shown = row.get("shown_when") or {}
    return ItemField(order=index + 1, name=row.get("name") or "", label=row.get("label") or "",
                     type=row.get("type") or "text", required=bool(row.get("required", False)),
                     help_text=row.get("help_text") or "", default=row.get("default") or "",
                     choices=list(row.get("choices") or []), min_value=row.get("min"), max_value=row.get("max"),
                     pattern=row.get("pattern") or "", shown_when_field=shown.get("field") or "",
                     shown_when_value=shown.get("value") or "")


def step_from_data(row, index):
    return ApprovalStep(order=row.get("order") or index + 1, approver=row.get("approver") or "",
                        group=row.get("group"), user=row.get("user"), rule=row.get("rule") or "any",
                        required=row.get("required", 1))


def task_from_data(row):
    return TaskTemplate(id=row.get("id"), stage=row.get("stage", 1), title=row.get("title") or "",
                        team=row.get("team"), instructions=row.get("instructions") or "")


def _item_errors(item):
    try:
        item.full_clean(exclude=["organizations"])
    except ValidationError as error:
        return dict(error.message_dict)
    return {}


def validate(item, fields=None, steps=None, tasks=None):
    """All the problems of an item and its nested rows, in the API's shape ({} when none)."""
    errors = _item_errors(item)
    for key, found in (("fields", fields is not None and _nested(rules.field_errors(fields), FIELD_API_NAMES)),
                       ("approval", steps is not None and _nested(rules.approval_errors(steps))),
                       ("tasks", tasks is not None and _nested(rules.task_errors(tasks)))):
        if found:
            errors[key] = found
    return errors


def _sync_fields(item, fields):
    kept = {field.name for field in fields}
    existing = {field.name: field.pk for field in ItemField.objects.filter(item=item)}
    ItemField.objects.filter(item=item).exclude(name__in=kept).delete()
    for field in fields:
        field.item = item
        field.pk = existing.get(field.name)
        field.save()


def _sync_steps(item, steps):
    ApprovalStep.objects.filter(item=item).delete()
    for step in steps:
        step.item = item
        step.pk = None
    ApprovalStep.objects.bulk_create(steps)


def _sync_tasks(item, tasks):
    existing = set(TaskTemplate.objects.filter(item=item).values_list("pk", flat=True))
    kept = {task.pk for task in tasks if task.pk in existing}
    TaskTemplate.objects.filter(item=item).exclude(pk__in=kept).delete()
    for task in tasks:
        task.item = item
        if task.pk not in kept:
            task.pk = None
        task.save()


def _check_actor(actor):
    if actor is not None and not permissions.is_manager(actor):
        raise PermissionDeniedError(_("Only managers and administrators may change the catalogue."))


@transaction.atomic
def write_item(item, values, actor, organizations=None, fields=None, steps=None, tasks=None):
    """Validate and save `item` (new when it has no pk) with `values` and the nested rows given (None: keep
    the item's own); raises ItemValidationError."""
    _check_actor(actor)
    for name, value in values.items():
        setattr(item, name, value)
    errors = validate(item, fields, steps, tasks)
    if errors:
        raise ItemValidationError(errors)
    item.save()
    if organizations is not None:
        item.organizations.set(organizations)
    if fields is not None:
        _sync_fields(item, fields)
    if steps is not None:
        _sync_steps(item, steps)
    if tasks is not None:
        _sync_tasks(item, tasks)
    return item


def save_item(item, data, actor):
    """Create (item None) or change an item from `data` (see the module); returns the item."""
    item = item if item is not None else CatalogItem()
    values = {name: data[name] for name in ITEM_ATTRIBUTES if name in data}
    fields = [field_from_data(row, i) for i, row in enumerate(data["fields"])] if "fields" in data else None
    steps = [step_from_data(row, i) for i, row in enumerate(data["approval"])] if "approval" in data else None
    tasks = [task_from_data(row) for row in data["tasks"]] if "tasks" in data else None
    if item.pk is None:
        fields, steps, tasks = fields or [], steps or [], tasks or []
    return write_item(item, values, actor, data.get("organizations"), fields, steps, tasks)


@transaction.atomic
def delete_item(item, actor):
    _check_actor(actor)
    try:
        item.delete()
    except ProtectedError:
        raise ValidationError(_("Requests were raised for this item: make it inactive instead of deleting it."))


@transaction.atomic
def save_category(category, data, actor):
    _check_actor(actor)
    category = category if category is not None else CatalogCategory()
    for name in ("name", "description", "order"):
        if name in data:
            setattr(category, name, data[name])
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def delete_category(category, actor):
    _check_actor(actor)
    try:
        category.delete()
    except ProtectedError:
        raise ValidationError(_("This category still has items: move or delete them first."))
