"""Writes of change models and their authority steps. A model that changes already use is never edited in place:
saving it saves a new version (previous_version set, the old one made inactive), so each change keeps the
model version it was raised under. The saved version is active as its "active" says; an active one makes every
other version of the same name inactive."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Authority, AuthorityStep, Change, ChangeModel

MODEL_FIELDS = ("name", "change_type", "description", "active", "requires_review", "lead_time_days")
STEP_FIELDS = ("order", "name", "min_risk", "max_risk", "authority", "board", "group", "user", "rule", "required")
NEEDS = {Authority.BOARD: "board", Authority.GROUP: "group", Authority.USER: "user"}


def step_errors(data):
    """{field: [message]} for one step's data (its authority's target named, a sensible risk range)."""
    errors = {}
    needed = NEEDS.get(data.get("authority"))
    if needed and not data.get(needed):
        errors[needed] = [_("Choose the %(field)s this step asks.") % {"field": AuthorityStep._meta.get_field(
            needed).verbose_name}]
    low, high = data.get("min_risk"), data.get("max_risk")
    if low and high and int(low) > int(high):
        errors["max_risk"] = [_("“Up to risk” cannot be below “from risk”.")]
    return errors


def in_use(model):
    return bool(getattr(model, "pk", model)) and Change.objects.filter(model_id=getattr(model, "pk", model)).exists()


def _set_steps(model, steps):
    for position, data in enumerate(steps, start=1):
        values = {name: data.get(name) for name in STEP_FIELDS if name in data}
        values.setdefault("order", position)
        values["name"] = values.get("name") or ""
        AuthorityStep.objects.create(model=model, **values)


def _step_values(step):
    return {name: getattr(step, name) for name in STEP_FIELDS}


@transaction.atomic
def save_version(old, fields, steps=None):
    """A new version of `old` with `fields` changed and `steps` (dicts; None: a copy of old's steps). The old
    version is made inactive (its changes keep it); the new one is active unless fields["active"] is false."""
    old = ChangeModel.objects.select_for_update().get(pk=old.pk)
    errors = {}
    for data in steps or []:
        for name, messages in step_errors(data).items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    steps = [_step_values(step) for step in old.steps.order_by("order", "id")] if steps is None else steps
    latest = ChangeModel.objects.filter(name=old.name).aggregate(top=Max("version"))["top"] or old.version
    new = ChangeModel(**{name: getattr(old, name) for name in MODEL_FIELDS})
    for name, value in fields.items():
        if name in MODEL_FIELDS:
            setattr(new, name, value)
    new.version, new.previous_version, new.created_at = max(latest, old.version) + 1, old, timezone.now()
    new.active = bool(fields.get("active", True))  # the admin's "active" tick: unticked, the new version waits
    new.save()
    _set_steps(new, steps)
    ChangeModel.objects.filter(pk=old.pk).update(active=False)
    deactivate_other_versions(new)
    return new


def deactivate_other_versions(model):
    """Only one version of a model is active: when `model` is, every other version with its name is made
    inactive (changes keep the version they were raised under)."""
    if model.active:
        ChangeModel.objects.filter(name=model.name, active=True).exclude(pk=model.pk).update(active=False)


@transaction.atomic
def save_model(model, fields, steps=None):
    """Create (model None) or update a change model with its steps (None: keep them). A model in use gets a new
    version instead (save_version). Returns the saved model."""
    if model is not None and model.pk and in_use(model):
        return save_version(model, fields, steps)
    errors = {}
    for data in steps or []:
        for name, messages in step_errors(data).items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    model = model or ChangeModel()
    for name, value in fields.items():
        if name in MODEL_FIELDS:
            setattr(model, name, value)
    model.save()
    deactivate_other_versions(model)
    if steps is not None:
        model.steps.all().delete()
        _set_steps(model, steps)
    return model
