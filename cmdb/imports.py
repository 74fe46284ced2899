"""Bulk import (CSV or JSON) with a dry run, upserting by natural key, and export.

A CI row: name, class, status, environment, service (name or id), organization (name), owner_team (name),
location, external_id, description, and attributes (a JSON object, or one CSV column per attribute named
"attr.<name>"). A row updates the CI with its external_id, else the CI with its (class, name), else
creates one. All rows are checked first; if any has errors nothing is written (all or nothing).

A relationship row: source, source_class, kind, target, target_class (or source_external_id /
target_external_id). An existing relationship is left as it is.
"""

import copy
import csv
import io
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import csv_export
from core.models import Organization, Team
from slm.models import Service

from . import services
from .models import CIAuditAction, CIClass, ConfigurationItem, Relationship, RelationshipKind

CI_COLUMNS = ["name", "class", "status", "environment", "service", "organization", "owner_team", "location",
              "external_id", "description"]
REL_COLUMNS = ["source", "source_class", "source_external_id", "kind", "target", "target_class",
               "target_external_id"]


class ImportFormatError(Exception):
    pass


def parse_upload(upload=None, data=None):
    """Rows (a list of dicts) from an uploaded CSV/JSON file or a JSON body."""
    if upload is not None:
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFormatError(_("The file must be UTF-8 text.")) from None
        name = (upload.name or "").lower()
        if name.endswith(".json") or text.lstrip().startswith(("[", "{")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ImportFormatError(_("The file is not valid JSON: %(error)s") % {"error": exc}) from None
        else:
            return [dict(row) for row in csv.DictReader(io.StringIO(text))]
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise ImportFormatError(_("Send a list of objects, or upload a CSV or JSON file."))
    return data


def _text(row, key):
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _attributes(row):
    attributes = row.get("attributes") or {}
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes) if attributes.strip() else {}
        except json.JSONDecodeError:
            raise ValidationError({"attributes": [_("Enter a JSON object.")]}) from None
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": [_("Enter a JSON object.")]})
    attributes = dict(attributes)
    for key, value in row.items():
        if key and key.startswith("attr.") and value not in (None, ""):
            attributes[key[5:]] = value
    return attributes


class _Lookups:
    """Small reference tables and the CIs the rows may match, loaded once per import."""

    def __init__(self, rows):
        self.classes = {c.name: c for c in CIClass.objects.all()}
        self.services = {s.name: s.pk for s in Service.objects.only("id", "name")}
        self.service_ids = set(self.services.values())
        self.organizations = dict(Organization.objects.values_list("name", "id"))
        self.teams = dict(Team.objects.values_list("name", "id"))
        names = {_text(r, "name") for r in rows} | {_text(r, "source") for r in rows} | {
            _text(r, "target") for r in rows}
        external_ids = {_text(r, k) for r in rows for k in ("external_id", "source_external_id",
                                                              "target_external_id")} - {""}
        self.by_external_id, self.by_key = {}, {}
        for ci in ConfigurationItem.objects.filter(name__in=names - {""}).select_related("ci_class"):
            self.by_key[(ci.ci_class_id, ci.name)] = ci
        for ci in ConfigurationItem.objects.filter(external_id__in=external_ids).select_related("ci_class"):
            self.by_external_id[ci.external_id] = ci
            self.by_key[(ci.ci_class_id, ci.name)] = ci

    def find(self, class_name, name, external_id):
        """The CI with this external id; else the one with this class and name, unless it has another id."""
        if external_id and external_id in self.by_external_id:
            return self.by_external_id[external_id]
        ci_class = self.classes.get(class_name)
        ci = self.by_key.get((ci_class.pk, name)) if ci_class else None
        if ci is not None and external_id and ci.external_id:
            return None
        return ci


def _ci_data(row, lookups):
    """(field values for services.create_ci/update_ci, {field: [messages]}) from one row."""
    errors, data = {}, {}
    class_name = _text(row, "class") or _text(row, "ci_class")
    if class_name not in lookups.classes:
        errors["class"] = [_("Unknown class “%(name)s”.") % {"name": class_name} if class_name
                           else _("This field is required.")]
    else:
        data["ci_class"] = lookups.classes[class_name]
    for key in ("name", "status", "environment", "location", "description", "external_id"):
        if key in row and (key != "external_id" or _text(row, key)):
            data[key] = _text(row, key)
    for key, table in (("organization", lookups.organizations), ("owner_team", lookups.teams)):
        value = _text(row, key)
        if value:
            if value not in table:
                errors[key] = [_("Unknown %(field)s “%(name)s”.") % {"field": key, "name": value}]
            else:
                data[key] = table[value]
    service = _text(row, "service")
    if service:
        service_id = lookups.services.get(service)
        if service_id is None and service.isascii() and service.isdigit() and int(service) in lookups.service_ids:
            service_id = int(service)
        if service_id is None:
            errors["service"] = [_("Unknown service “%(name)s”.") % {"name": service}]
        data["service"] = service_id
    try:
        data["attributes"] = _attributes(row)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return data, errors


def _check(ci, data):
    """Validate the CI as it would be after the row, without saving."""
    for name, value in data.items():
        services._set(ci, name, value)
    ci.full_clean(validate_unique=False, validate_constraints=False)


def import_cis(rows, actor, dry_run=False):
    """{"created", "updated", "errors": [{"row": i, "errors": {...}}]}; rows are numbered from 1."""
    lookups = _Lookups(rows)
    plan, errors, seen = [], [], {}
    for number, row in enumerate(rows, 1):
        try:
            data, reference_errors = _ci_data(row, lookups)
            if "ci_class" not in data:
                raise ValidationError(reference_errors)
            existing = lookups.find(data["ci_class"].name, data.get("name", ""), data.get("external_id"))
            if existing is not None and "attributes" in data and not _text(row, "attributes"):
                data["attributes"] = {**(existing.attributes or {}), **data["attributes"]}
            candidate = copy.copy(existing) if existing else ConfigurationItem()
            try:
                _check(candidate, data)
            except ValidationError as exc:
                raise ValidationError({**exc.message_dict, **reference_errors}) from None
            if reference_errors:
                raise ValidationError(reference_errors)
            key = (candidate.ci_class_id, candidate.name)
            clash = lookups.by_key.get(key)
            if clash is not None and existing is not None and clash.pk != existing.pk:
                raise ValidationError({"name": [_("Another configuration item of this class has this name.")]})
            if clash is not None and existing is None:
                raise ValidationError({"external_id": [_("A configuration item of this class and name has "
                                                         "another external id.")]})
            for natural_key in (key, ("external_id", candidate.external_id)):
                if natural_key[1] and natural_key in seen:
                    raise ValidationError({"name": [_("Duplicate of row %(row)d.") % {"row": seen[natural_key]}]})
            seen[key] = number
            if candidate.external_id:
                seen[("external_id", candidate.external_id)] = number
            plan.append((existing, data))
        except ValidationError as exc:
            errors.append({"row": number, "errors": exc.message_dict})
    report = {"created": sum(1 for existing, _d in plan if existing is None),
              "updated": sum(1 for existing, _d in plan if existing is not None), "errors": errors,
              "dry_run": dry_run}
    if errors and not dry_run:
        report["created"] = report["updated"] = 0  # all or nothing: nothing was written
    if dry_run or errors:
        return report
    with transaction.atomic():
        for existing, data in plan:
            if existing is None:
                services.create_ci(actor, data, action=CIAuditAction.IMPORTED)
            else:
                services.update_ci(existing, actor, data, action=CIAuditAction.IMPORTED)
    return report


def import_relationships(rows, actor, dry_run=False):
    lookups = _Lookups(rows)
    existing = set()
    plan, errors, seen = [], [], set()
    for number, row in enumerate(rows, 1):
        row_errors, ends = {}, {}
        for end in ("source", "target"):
            ci = lookups.find(_text(row, f"{end}_class"), _text(row, end), _text(row, f"{end}_external_id"))
            if ci is None:
                row_errors[end] = [_("No configuration item matches this row's %(end)s.") % {"end": end}]
            ends[end] = ci
        kind = _text(row, "kind")
        if kind not in RelationshipKind.values:
            row_errors["kind"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(RelationshipKind.values)}]
        if not row_errors and ends["source"].pk == ends["target"].pk:
            row_errors["target"] = [_("A configuration item cannot be related to itself.")]
        if row_errors:
            errors.append({"row": number, "errors": row_errors})
            continue
        key = (ends["source"].pk, ends["target"].pk, kind)
        if key not in seen:
            seen.add(key)
            plan.append(key)
    if plan:
        sources = {k[0] for k in plan}
        existing = set(Relationship.objects.filter(source_id__in=sources).values_list("source_id", "target_id",
                                                                                       "kind"))
    new = [key for key in plan if key not in existing]
    report = {"created": len(new) if not errors or dry_run else 0, "updated": 0,
              "unchanged": len(plan) - len(new), "errors": errors, "dry_run": dry_run}
    if dry_run or errors:
        return report
    with transaction.atomic():
        for source_id, target_id, kind in new:
            services.add_relationship(actor, source_id, target_id, kind)
    return report


# --- export ---------------------------------------------------------------------------------

def ci_export_row(ci):
    return {"name": ci.name, "class": ci.ci_class.name if ci.ci_class_id else "", "status": ci.status,
            "environment": ci.environment, "service": ci.service.name if ci.service_id else "",
            "organization": ci.organization.name if ci.organization_id else "",
            "owner_team": ci.owner_team.name if ci.owner_team_id else "", "location": ci.location,
            "external_id": ci.external_id or "", "description": ci.description, "attributes": ci.attributes}


def export_csv_lines(queryset):
    """CSV text in chunks: attributes as one JSON column, so every class fits one header."""
    buffer = io.StringIO()
    writer = csv_export.writer(buffer)
    writer.writerow(CI_COLUMNS + ["attributes"])
    for ci in queryset.iterator(chunk_size=2000):
        row = ci_export_row(ci)
        writer.writerow([row[c] for c in CI_COLUMNS] + [json.dumps(row["attributes"], sort_keys=True)])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_json_chunks(queryset):
    yield "["
    first = True
    for ci in queryset.iterator(chunk_size=2000):
        yield ("" if first else ",") + json.dumps(ci_export_row(ci))
        first = False
    yield "]"
