"""Standard change templates: lifecycle (proposed → authorised → published → retired) and raising a change
from one. STUB parts are replaced by the templates helper."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ChangeTemplate


def unusable_reason(template, today):
    """Why a standard change may not be raised (or implemented) from `template` today, or ""."""
    if template.state == ChangeTemplate.State.RETIRED:
        return _("The template “%(name)s” is retired.") % {"name": template.name}
    if template.state != ChangeTemplate.State.PUBLISHED:
        return _("The template “%(name)s” is not published.") % {"name": template.name}
    if template.review_date and template.review_date < today:
        return _("The authorisation of template “%(name)s” lapsed on %(date)s: it must be reviewed first.") % {
            "name": template.name, "date": template.review_date.isoformat()}
    return ""


def apply(template, data, relations):
    """The data and relations of a standard change raised from `template`: its plans, CIs, service, team and
    risk, and a window (now, or the given start, for the template's usual duration) unless one is given."""
    if not isinstance(template, ChangeTemplate):
        raise ValidationError({"template": [_("Choose a published template.")]})
    reason = unusable_reason(template, timezone.localdate())
    if reason:
        raise ValidationError({"template": [reason]})
    data = dict(data)
    data.setdefault("title", template.name)
    if not (data.get("title") or "").strip():
        data["title"] = template.name
    for name in ("implementation_plan", "backout_plan", "test_plan"):
        if not data.get(name):
            data[name] = getattr(template, name)
    if not data.get("description"):
        data["description"] = template.description
    if data.get("team") is None and data.get("assignee") is None and template.team_id:
        data["team"] = template.team
    if data.get("service") is None and template.service_id:
        data["service"] = template.service
    start = data.get("planned_start") or timezone.now()
    data["planned_start"] = start
    if not data.get("planned_end"):
        data["planned_end"] = start + timedelta(minutes=template.duration_minutes)
    data["risk_level"] = template.risk_level
    relations = dict(relations)
    if "configuration_items" not in relations:
        relations["configuration_items"] = list(template.configuration_items.values_list("pk", flat=True))
    return data, relations
