"""A request's answers (its `variables`) as the pages show them: labelled by the item's fields, people and
configuration items by name, attachment fields linked through core's permission-checked download view."""

from dataclasses import dataclass

from django.urls import reverse

from .models import FieldType
from .queries import users_and_cis
from .variables import visible_fields

NAMED = {FieldType.USER: "user", FieldType.CONFIGURATION_ITEM: "configuration_item"}


@dataclass
class Answer:
    name: str
    label: str
    text: str
    url: str = ""


def _ids(value):
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _text(value):
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return "" if value is None else str(value)


def answers(request, attachments=()):
    """[Answer] for the request's answered fields, in the form's order; answers to fields the item no longer has
    come last under their names. `attachments`: the ones the viewer may see (matched by file name)."""
    variables = request.variables or {}
    fields = {field.name: field for field in visible_fields(request.catalog_item, variables)}
    ids = {}
    for name, field in fields.items():
        if field.type in NAMED and name in variables:
            ids.setdefault(NAMED[field.type], []).extend(_ids(variables[name]))
    names = users_and_cis(ids)
    by_name = {attachment.filename: attachment for attachment in attachments}
    result = []
    for name, field in fields.items():
        if name not in variables or variables[name] in (None, "", []):
            continue
        value = variables[name]
        if field.type in NAMED:
            kind = NAMED[field.type]
            text = ", ".join(names.get((kind, pk), "—") for pk in _ids(value)) or _text(value)
            result.append(Answer(name, field.label, text))
        elif field.type == FieldType.ATTACHMENT:
            attachment = by_name.get(_text(value))
            url = reverse("attachment_download", args=[attachment.pk]) if attachment else ""
            result.append(Answer(name, field.label, _text(value), url))
        else:
            result.append(Answer(name, field.label, _text(value)))
    result += [Answer(name, name, _text(value)) for name, value in variables.items()
               if name not in fields and value not in (None, "", [])]
    return result
