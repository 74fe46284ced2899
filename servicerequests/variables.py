"""A catalogue item's form as data: validating a request's `variables` against the item's fields, whichever
channel they came through (API, portal, agent form).

Rules
- Fields are read in order; a field with `shown_when_field` is visible only when that (earlier) field is
  visible and its value equals `shown_when_value` (for a multiple choice: the value is among those chosen).
  A field shown only when a hidden field has some value is therefore hidden too (chains).
- A hidden field's value is dropped without a word; its `required` does not apply.
- A visible field whose name is absent takes its default, when it has one; present but empty (``""``, ``[]``,
  ``None``) is no answer: an error when required, else left out of the answers.
- Unknown names are refused: "Unknown field." under that name. Answers that are not an object are refused
  under ``"__all__"``.
"""

import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from core import permissions
from core.converters import parse_id

from .models import FieldType

ALL = "__all__"
TEXT_LIMIT = 1000  # longest text (characters) whatever the field's own maximum
LONG_TEXT_LIMIT = 20000
NUMBER = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,10})?", re.ASCII)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
NUMBER_LIMIT = Decimal("1e15")


class VariablesError(Exception):
    """Bad answers: `errors` maps a field's name (or "__all__") to a list of messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(str(errors))


class _Invalid(Exception):
    def __init__(self, *messages):
        self.messages = list(messages)
        super().__init__(messages)


def _fields(item):
    return list(item.fields.all())


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], ())


def matches(value, expected):
    """Does a field's value (raw or cleaned) satisfy a shown_when value?"""
    if is_empty(value):
        return False
    if isinstance(value, (list, tuple)):
        return expected in [str(v) for v in value]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        try:
            return Decimal(str(value)) == Decimal(expected.strip())
        except (InvalidOperation, ValueError):
            return False
    if isinstance(value, str):
        text = value.strip()
        if NUMBER.fullmatch(text) and NUMBER.fullmatch(expected.strip()):
            return Decimal(text) == Decimal(expected.strip())
        return text == expected
    return str(value) == expected


def _visible(field, shown, values):
    """Is `field` visible, given the visibility (`shown`) and values of the fields before it?"""
    controller = field.shown_when_field
    if not controller:
        return True
    return bool(shown.get(controller)) and matches(values.get(controller), field.shown_when_value)


def visible_fields(item, variables):
    """The item's fields shown for these (raw) answers, shown_when followed, chains included, in order."""
    values = variables if isinstance(variables, dict) else {}
    shown, result = {}, []
    for field in _fields(item):
        shown[field.name] = _visible(field, shown, values)
        if shown[field.name]:
            result.append(field)
    return result


# -- one cleaner per type: raw -> JSON-ready value, or _Invalid --

def _decimal(value):
    return None if value is None else Decimal(value)


def _text(field, raw, limit):
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise _Invalid(_("Enter text."))
    if "\x00" in raw:
        raise _Invalid(_("Null characters are not allowed."))
    value = raw.strip()
    low, high = _decimal(field.min_value), _decimal(field.max_value)
    if low is not None and len(value) < low:
        raise _Invalid(_("Enter at least %(min)d characters.") % {"min": int(low)})
    if high is not None and len(value) > high:
        raise _Invalid(_("Enter at most %(max)d characters.") % {"max": int(high)})
    if len(value) > limit:
        raise _Invalid(_("Enter at most %(max)d characters.") % {"max": limit})
    if field.pattern:
        try:
            matched = re.fullmatch(field.pattern, value)
        except re.error:
            matched = True  # refused when the item was saved; never block a requester on it
        if not matched:
            raise _Invalid(_("Enter a value in the expected format."))
    return value


def clean_text(field, raw, user=None, files=None):
    return _text(field, raw, TEXT_LIMIT)


def clean_long_text(field, raw, user=None, files=None):
    return _text(field, raw, LONG_TEXT_LIMIT)


def clean_number(field, raw, user=None, files=None):
    if isinstance(raw, bool):
        raise _Invalid(_("Enter a number."))
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
    elif isinstance(raw, str) and NUMBER.fullmatch(raw.strip()):
        number = Decimal(raw.strip())
    else:
        number = None
    if number is None or abs(number) >= NUMBER_LIMIT:
        raise _Invalid(_("Enter a number."))
    low, high = _decimal(field.min_value), _decimal(field.max_value)
    if low is not None and number < low:
        raise _Invalid(_("Enter a number of at least %(min)s.") % {"min": _plain(low)})
    if high is not None and number > high:
        raise _Invalid(_("Enter a number of at most %(max)s.") % {"max": _plain(high)})
    return _plain(number)


def _plain(number):
    """An integral Decimal as int, else float (JSON-ready)."""
    return int(number) if number == number.to_integral_value() else float(number)


def _choice_text(raw):
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return raw.strip() if isinstance(raw, str) else None


def clean_choice(field, raw, user=None, files=None):
    value = _choice_text(raw)
    if value is None or value not in field.choices:
        raise _Invalid(_("Choose one of the options."))
    return value


def clean_multiple_choice(field, raw, user=None, files=None):
    values = [raw] if isinstance(raw, (str, int)) and not isinstance(raw, bool) else raw
    if not isinstance(values, (list, tuple)):
        raise _Invalid(_("Choose from the options."))
    texts = [_choice_text(value) for value in values]
    if any(text is None or text not in field.choices for text in texts):
        raise _Invalid(_("Choose from the options."))
    if len(set(texts)) != len(texts):
        raise _Invalid(_("Choose each option at most once."))
    return [choice for choice in field.choices if choice in texts]


def clean_date(field, raw, user=None, files=None):
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        day = parse_date(text) if ISO_DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise _Invalid(_("Enter a date as YYYY-MM-DD."))
    return day.isoformat()


def user_scope(user):
    """The users `user` may name in an item's user field: active ones; a requester only their organization's."""
    users = get_user_model().objects.filter(is_active=True)
    if permissions.is_agent(user):
        return users
    organization_id = getattr(getattr(user, "profile", None), "organization_id", None)
    if organization_id:
        return users.filter(profile__organization_id=organization_id)
    return users.filter(pk=getattr(user, "pk", None))


def ci_scope(user):
    """The CIs `user` may name: all for staff; a requester those of their organization or of none (as
    core.services._check_configuration_item)."""
    items = apps.get_model("cmdb", "ConfigurationItem").objects.all()
    if permissions.is_agent(user):
        return items
    organization_id = getattr(getattr(user, "profile", None), "organization_id", None)
    return items.filter(Q(organization__isnull=True) | Q(organization_id=organization_id))


def clean_user(field, raw, user=None, files=None):
    pk = parse_id(raw)
    if not pk or not user_scope(user).filter(pk=pk).exists():
        raise _Invalid(_("Unknown user."))
    return pk


def clean_configuration_item(field, raw, user=None, files=None):
    pk = parse_id(raw)
    if not pk or not ci_scope(user).filter(pk=pk).exists():
        raise _Invalid(_("Unknown configuration item."))
    return pk


def clean_attachment(field, raw, user=None, files=None):
    from core.services import validate_upload

    upload = (files or {}).get(field.name)
    if upload is None:
        raise _Invalid(_("Upload the file itself; a file name alone is not an attachment."))
    try:
        validate_upload(upload)
    except ValidationError as error:
        raise _Invalid(*error.messages)
    return (upload.name or "file").rsplit("/", 1)[-1][:255]


CLEANERS = {
    FieldType.TEXT: clean_text, FieldType.LONG_TEXT: clean_long_text, FieldType.NUMBER: clean_number,
    FieldType.CHOICE: clean_choice, FieldType.MULTIPLE_CHOICE: clean_multiple_choice, FieldType.DATE: clean_date,
    FieldType.USER: clean_user, FieldType.CONFIGURATION_ITEM: clean_configuration_item,
    FieldType.ATTACHMENT: clean_attachment,
}


def default_value(field):
    """The raw default of a field ("" = none): a multiple choice's default is one choice or several
    separated by commas."""
    default = (field.default or "").strip()
    if default and field.type == FieldType.MULTIPLE_CHOICE and default not in field.choices:
        return [part.strip() for part in default.split(",") if part.strip()]
    return default


def clean_value(field, raw, user=None, files=None):
    """One field's cleaned value; raises _Invalid."""
    return CLEANERS.get(field.type, clean_text)(field, raw, user, files)


def validate_variables(item, variables, user, files=None):
    """The cleaned answers (JSON-ready: numbers as numbers, dates ISO, users and CIs as ids, multiple choice as
    a list of choices in the item's order; an attachment field holds the uploaded file's name, the caller
    stores the file) for `variables` (name -> raw value) and `files` (name -> UploadedFile) given by `user`;
    raises VariablesError({name: [messages]}). See the module's rules for hidden fields, defaults and
    unknown names."""
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise VariablesError({ALL: [_("The answers must be an object of field names and values.")]})
    files = files or {}
    fields = _fields(item)
    known = {field.name for field in fields}
    attachments = {field.name for field in fields if field.type == FieldType.ATTACHMENT}
    errors = {str(name): [_("Unknown field.")] for name in variables if name not in known}
    errors.update({str(name): [_("Unknown field.")] for name in files if name not in attachments})
    shown, cleaned = {}, {}
    for field in fields:
        shown[field.name] = _visible(field, shown, cleaned)
        if not shown[field.name]:
            continue
        if field.type == FieldType.ATTACHMENT:
            raw = files.get(field.name) or variables.get(field.name)
        elif field.name not in variables:
            raw = default_value(field)
        else:
            raw = variables[field.name]
        if is_empty(raw):
            if field.required:
                errors[field.name] = [_("This field is required.")]
            continue
        try:
            cleaned[field.name] = clean_value(field, raw, user, files)
        except _Invalid as invalid:
            errors[field.name] = invalid.messages
    if errors:
        raise VariablesError(errors)
    return cleaned
