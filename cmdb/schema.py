"""Attribute schemas of CI classes: a list of {"name", "type", "required", "choices"}.

validate_attributes() checks a CI's attributes against its class schema and coerces text (from CSV or a
form) to the declared type, so "4" becomes 4 for an integer attribute.
"""

import datetime
import re

from django.utils.translation import gettext as _

TYPES = ("string", "integer", "number", "boolean", "date", "choice")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TRUE_WORDS = {"true", "1", "yes", "y", "on"}
FALSE_WORDS = {"false", "0", "no", "n", "off"}


def check_schema(attribute_schema):
    """Messages describing what is wrong with a schema (empty when it is valid)."""
    if not isinstance(attribute_schema, list):
        return [_("The schema must be a list of attributes.")]
    errors, seen = [], set()
    for index, item in enumerate(attribute_schema, 1):
        if not isinstance(item, dict):
            errors.append(_("Attribute %(n)d must be an object.") % {"n": index})
            continue
        name = item.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            errors.append(_("Attribute %(n)d needs a name of lower-case letters, digits and _.") % {"n": index})
        elif name in seen:
            errors.append(_("The attribute “%(name)s” is declared twice.") % {"name": name})
        seen.add(name)
        if item.get("type") not in TYPES:
            errors.append(_("Attribute %(n)d has an unknown type; use one of %(types)s.") % {
                "n": index, "types": ", ".join(TYPES)})
        if item.get("type") == "choice" and not (isinstance(item.get("choices"), list) and item["choices"]):
            errors.append(_("Attribute %(n)d is a choice and needs a list of choices.") % {"n": index})
        if "required" in item and not isinstance(item["required"], bool):
            errors.append(_("Attribute %(n)d: “required” must be true or false.") % {"n": index})
    return errors


def _coerce(kind, value, spec):
    """The value converted to `kind`; raises ValueError with a message when it cannot be."""
    if kind == "string":
        if isinstance(value, (dict, list)):
            raise ValueError(_("Enter text."))
        return str(value)
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError(_("Enter a whole number."))
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise ValueError(_("Enter a whole number."))
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        if isinstance(value, (int, float)):
            return value
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
        return int(number) if number.is_integer() and "." not in str(value) else number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("Enter true or false."))
    if kind == "date":
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == "choice":
        choices = [str(c) for c in spec.get("choices") or []]
        if str(value) not in choices:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
        return str(value)
    raise ValueError(_("Unknown attribute type."))


def validate_attributes(attribute_schema, attributes):
    """(cleaned attributes, {attribute name: [messages]}). Unknown attributes are refused."""
    if not isinstance(attributes, dict):
        return {}, {"__all__": [_("Attributes must be an object of name: value.")]}
    specs = {item["name"]: item for item in attribute_schema or [] if isinstance(item, dict) and "name" in item}
    cleaned, errors = {}, {}
    for name, value in attributes.items():
        spec = specs.get(name)
        if spec is None:
            errors[name] = [_("This class has no attribute “%(name)s”.") % {"name": name}]
            continue
        if value is None or value == "":
            continue
        try:
            cleaned[name] = _coerce(spec.get("type"), value, spec)
        except ValueError as exc:
            errors[name] = [str(exc)]
    for name, spec in specs.items():
        if spec.get("required") and name not in cleaned and name not in errors:
            errors[name] = [_("This attribute is required.")]
    return cleaned, errors


def flatten(errors):
    """{"cpus": ["Enter a whole number."]} -> ["cpus: Enter a whole number."] (for one field's message list)."""
    return [f"{name}: {message}" if name != "__all__" else message
            for name, messages in errors.items() for message in messages]
