"""The rules of a catalogue item's form and fulfilment plan, checked on unsaved model instances so that
save_item (API, seeding) and the admin's inline formsets refuse exactly the same things.

Each function takes the rows in their order and answers {row index: {model attribute: [messages]}}
(empty when all is well); it may normalize rows in place (choices cleared on a type without options).
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ApproverType, FieldType
from .variables import ALL, LONG_TEXT_LIMIT, TEXT_LIMIT, _Invalid, clean_value, default_value

CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE)
TEXT_TYPES = (FieldType.TEXT, FieldType.LONG_TEXT)
BOUNDED_TYPES = TEXT_TYPES + (FieldType.NUMBER,)
NO_DEFAULT_TYPES = (FieldType.USER, FieldType.CONFIGURATION_ITEM, FieldType.ATTACHMENT)
PATTERN_LIMIT = 255
CHOICE_LIMIT = 255
RESERVED_NAMES = {ALL}


def _add(errors, index, attribute, message):
    errors.setdefault(index, {}).setdefault(attribute, []).append(str(message))


def _model_errors(errors, index, instance, exclude):
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for attribute, messages in error.message_dict.items():
            for message in messages:
                _add(errors, index, attribute, message)


def _check_choices(field, index, errors):
    if field.type not in CHOICE_TYPES:
        field.choices = []
        return
    choices = field.choices
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        _add(errors, index, "choices", _("Give the options as a list of texts."))
        return
    field.choices = choices = [choice.strip() for choice in choices]
    if not choices:
        _add(errors, index, "choices", _("A choice field needs at least one option."))
    elif any(not choice for choice in choices):
        _add(errors, index, "choices", _("An option cannot be empty."))
    elif len(set(choices)) != len(choices):
        _add(errors, index, "choices", _("Each option may appear only once."))
    elif any(len(choice) > CHOICE_LIMIT or "\x00" in choice for choice in choices):
        _add(errors, index, "choices", _("An option may have at most %(max)d characters.") % {"max": CHOICE_LIMIT})


def _check_bounds(field, index, errors):
    low, high = (value if isinstance(value, Decimal) or value is None else None
                 for value in (field.min_value, field.max_value))
    if field.type not in BOUNDED_TYPES:
        for attribute, value in (("min_value", low), ("max_value", high)):
            if value is not None:
                _add(errors, index, attribute, _("Only text and number fields have a minimum or maximum."))
        return
    if field.type in TEXT_TYPES:
        for attribute, value in (("min_value", low), ("max_value", high)):
            if value is not None and (value < 0 or value != value.to_integral_value()):
                _add(errors, index, attribute, _("A text length is a whole number of 0 or more."))
        limit = TEXT_LIMIT if field.type == FieldType.TEXT else LONG_TEXT_LIMIT
        if high is not None and high > limit:  # answers longer than this are refused whatever the field says
            _add(errors, index, "max_value", _("A text is at most %(limit)s characters.") % {"limit": limit})
    if low is not None and high is not None and low > high:
        _add(errors, index, "max_value", _("The maximum must not be less than the minimum."))


def _check_pattern(field, index, errors):
    if not field.pattern:
        return True
    if field.type not in TEXT_TYPES:
        _add(errors, index, "pattern", _("Only text fields have a pattern."))
        return False
    if len(field.pattern) > PATTERN_LIMIT:
        _add(errors, index, "pattern", _("A pattern may have at most %(max)d characters.") % {"max": PATTERN_LIMIT})
        return False
    try:
        re.compile(field.pattern)
    except (re.error, RecursionError, OverflowError) as error:
        _add(errors, index, "pattern", _("This is not a valid regular expression: %(error)s") % {"error": error})
        return False
    return True


def _check_shown_when(field, index, earlier, errors):
    name, value = field.shown_when_field, field.shown_when_value
    if not name:
        if value:
            _add(errors, index, "shown_when_field", _("Name the field whose value shows this one."))
        return
    controller = earlier.get(name)
    if controller is None:
        _add(errors, index, "shown_when_field", _("Name a field that comes before this one."))
        return
    if not value:
        _add(errors, index, "shown_when_value", _("Give the value that shows this field."))
    elif controller.type in CHOICE_TYPES and value not in (controller.choices or []):
        _add(errors, index, "shown_when_value", _("Choose one of the options of “%(field)s”.") % {
            "field": controller.label or controller.name})


def _check_default(field, index, errors, pattern_ok):
    if not (field.default or "").strip():
        return
    if field.type in NO_DEFAULT_TYPES:
        _add(errors, index, "default", _("This type of field has no default."))
        return
    if field.type in CHOICE_TYPES and not field.choices:
        return
    checked = field if pattern_ok else _without_pattern(field)
    try:
        clean_value(checked, default_value(field))
    except _Invalid as invalid:
        for message in invalid.messages:
            _add(errors, index, "default", message)


def _without_pattern(field):
    from copy import copy

    checked = copy(field)
    checked.pattern = ""
    return checked


def field_errors(fields):
    """Problems of an item's form fields, given in their order (ItemField instances, item not needed)."""
    errors, earlier = {}, {}
    for index, field in enumerate(fields):
        _model_errors(errors, index, field, exclude=["item", "choices"])
        if field.name in RESERVED_NAMES:
            _add(errors, index, "name", _("This name is reserved."))
        elif field.name and field.name in earlier:
            _add(errors, index, "name", _("Another field of this item has this name."))
        _check_choices(field, index, errors)
        _check_bounds(field, index, errors)
        pattern_ok = _check_pattern(field, index, errors)
        _check_shown_when(field, index, earlier, errors)
        _check_default(field, index, errors, pattern_ok)
        if field.name and field.name not in earlier:
            earlier[field.name] = field
    return errors


def approval_errors(steps):
    """Problems of an item's approval steps (ApprovalStep instances)."""
    errors = {}
    for index, step in enumerate(steps):
        _model_errors(errors, index, step, exclude=["item"])
        if step.approver == ApproverType.GROUP and step.group_id is None:
            _add(errors, index, "group", _("Choose the group that approves."))
        if step.approver == ApproverType.USER and step.user_id is None:
            _add(errors, index, "user", _("Choose the user who approves."))
        if step.approver != ApproverType.GROUP:
            step.group = None
        if step.approver != ApproverType.USER:
            step.user = None
        if step.rule == "n_of_m" and isinstance(step.required, int) and step.required < 1:
            _add(errors, index, "required", _("At least one approval must be needed."))
        if isinstance(step.order, int) and step.order < 1:
            _add(errors, index, "order", _("The order starts at 1."))
    return errors


def task_errors(tasks):
    """Problems of an item's task templates (TaskTemplate instances)."""
    errors = {}
    for index, task in enumerate(tasks):
        exclude = ["item"]
        if task.team_id is None:
            _add(errors, index, "team", _("Choose the team that does this task."))
            exclude.append("team")
        _model_errors(errors, index, task, exclude=exclude)
        if isinstance(task.stage, int) and task.stage < 1:
            _add(errors, index, "stage", _("Stages start at 1."))
    return errors
