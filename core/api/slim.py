"""A ticket list page without model instances: rows come from values(), related names from one small query
per related model, and each value goes through the list serializer's own field, so the output is the
serializer's to the byte.

Building ~40 model instances a row and walking every field's source made DRF spend most of a list request in
Python. slim_plan() reads the list serializer once and returns None when a field is beyond what it can read
from columns (a nested serializer, a many-to-many, a method field not declared row-safe), and the list then
takes DRF's usual path.

A method field is row-safe when the serializer names it in `slim_method_fields`: it reads only the row's own
columns (as attributes of a SimpleNamespace).
"""

from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, relations, serializers
from rest_framework.settings import api_settings

from .serializers import UserNameField, display_name

_plans = {}


class SlimPlan:
    def __init__(self, serializer_class, model):
        self.serializer_class = serializer_class
        self.model = model
        self.columns = []  # values() names
        self.outputs = []  # (output name, how, detail)
        self.lookups = {}  # relation attname -> (related model, set of attributes)
        self.relation_names = {}  # relation attname -> relation name

    def joined(self, queryset):
        """The relations (attnames) the queryset joins (select_related): their names are read in the same query."""
        selected = queryset.query.select_related
        names = set(selected) if isinstance(selected, dict) else set()
        return {attname for attname, name in self.relation_names.items() if name in names}

    def values(self, queryset, joined, extra=()):
        """The queryset as values() rows, with the names of the `joined` relations; the other names are read
        by one query per related model in represent()."""
        columns = [*self.columns, *extra]
        for attname in joined:
            columns += [f"{self.relation_names[attname]}__{attribute}" for attribute in self.lookups[attname][1]]
        return queryset.select_related(None).prefetch_related(None).values(*dict.fromkeys(columns))

    def represent(self, rows, joined, context):
        serializer = self.serializer_class(context=context)
        zone = timezone.get_current_timezone()
        names = self._related_values(rows, joined)
        users = self._user_names(names)
        out = []
        for row in rows:
            item = {}
            namespace = None
            for name, how, detail in self.outputs:
                if how == "column":
                    column, field = detail
                    value = row[column]
                    item[name] = None if value is None else field.to_representation(value)
                elif how == "instant":  # DRF's DateTimeField in ISO 8601, without its per-value lookups
                    value = row[detail]
                    if value is None:
                        item[name] = None
                    else:
                        text = value.astimezone(zone).isoformat()
                        item[name] = text[:-6] + "Z" if text.endswith("+00:00") else text
                elif how == "raw":
                    item[name] = row[detail]
                elif how == "related":
                    attname, attribute, field = detail
                    value = names[attname].get(row[attname], {}).get(attribute)
                    item[name] = None if value is None else field.to_representation(value)
                elif how == "user":
                    item[name] = users.get(row[detail])
                elif how == "display":
                    column, choices = detail
                    value = row[column]
                    item[name] = None if value is None else str(choices.get(value, value))
                else:  # method
                    if namespace is None:
                        namespace = SimpleNamespace(**row)
                    item[name] = getattr(serializer, detail)(namespace)
            out.append(item)
        return out

    def _user_names(self, names):
        """{user id: display name} of the users shown by name (unsaved User objects: their own get_full_name)."""
        user_model = get_user_model()
        shown = {}
        for attname, (related, _attributes) in self.lookups.items():
            if related is user_model:
                for pk, values in names[attname].items():
                    if pk not in shown:
                        shown[pk] = display_name(user_model(**values))
        return shown

    def _related_values(self, rows, joined):
        """{attname: {id: {attribute: value}}} for every relation a name is shown from."""
        found = {}
        by_model = {}
        for attname in joined:
            relation, attributes = self.relation_names[attname], self.lookups[attname][1]
            found[attname] = {row[attname]: {a: row[f"{relation}__{a}"] for a in attributes}
                              for row in rows if row[attname] is not None}
        for attname, (related, attributes) in self.lookups.items():
            if attname in joined:
                continue
            ids = {row[attname] for row in rows if row[attname] is not None}
            entry = by_model.setdefault(related, [set(), set()])
            entry[0] |= ids
            entry[1] |= attributes
        fetched = {}
        for related, (ids, attributes) in by_model.items():
            fields = sorted(attributes)
            fetched[related] = ({row["pk"]: row for row in related._base_manager.filter(pk__in=ids)
                                 .values("pk", *fields)} if ids else {})
        for attname, (related, _attributes) in self.lookups.items():
            if attname not in joined:
                found[attname] = fetched[related]
        return found


def _concrete(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) and not field.many_to_many else None


def _build(serializer_class, model):
    plan = SlimPlan(serializer_class, model)
    row_safe = set(getattr(serializer_class, "slim_method_fields", ()))
    user_model = get_user_model()
    for name, field in serializer_class().fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.SerializerMethodField):
            if name not in row_safe:
                return None
            plan.outputs.append((name, "method", field.method_name))
            continue
        if isinstance(field, (serializers.BaseSerializer, relations.ManyRelatedField)) or field.source == "*":
            return None
        attrs = field.source_attrs
        if len(attrs) == 1 and attrs[0].startswith("get_") and attrs[0].endswith("_display"):
            model_field = _concrete(model, attrs[0][4:-8])
            if model_field is None or not model_field.choices:
                return None
            plan.columns.append(model_field.attname)
            plan.outputs.append((name, "display", (model_field.attname, dict(model_field.flatchoices))))
            continue
        model_field = _concrete(model, attrs[0])
        if model_field is None:
            return None
        if isinstance(model_field, models.ForeignKey):
            attname = model_field.attname
            plan.columns.append(attname)
            plan.relation_names[attname] = model_field.name
            related = model_field.related_model
            if len(attrs) == 1 and isinstance(field, UserNameField) and related is user_model:
                plan.lookups.setdefault(attname, (related, set()))[1].update(("first_name", "last_name",
                                                                              "username"))
                plan.outputs.append((name, "user", attname))
            elif len(attrs) == 1 and isinstance(field, relations.PrimaryKeyRelatedField) and not field.pk_field:
                plan.outputs.append((name, "raw", attname))
            elif len(attrs) == 2 and _concrete(related, attrs[1]) is not None:
                plan.lookups.setdefault(attname, (related, set()))[1].add(attrs[1])
                plan.outputs.append((name, "related", (attname, attrs[1], field)))
            else:
                return None
            continue
        if len(attrs) != 1 or isinstance(field, serializers.RelatedField):
            return None
        plan.columns.append(model_field.attname)
        if (type(field) is serializers.DateTimeField and settings.USE_TZ and not hasattr(field, "timezone")
                and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601):
            plan.outputs.append((name, "instant", model_field.attname))
        else:
            plan.outputs.append((name, "column", (model_field.attname, field)))
    return plan


def slim_plan(serializer_class, model):
    """The plan for listing `model` rows with `serializer_class`, or None (DRF's usual path)."""
    key = (serializer_class, model)
    if key not in _plans:
        _plans[key] = _build(serializer_class, model)
    return _plans[key]
