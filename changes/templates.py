"""Standard change templates: their lifecycle (proposed → authorised → published → retired), the history of it,
raising a change from one in one step (no approval), and ordering one in the portal. Their success rate and
review flag are changes.template_review.

ITIL: a standard change's procedure is risk-assessed and authorised once. Editing the procedure of an authorised
or published template (its plans, CIs, CI classes, risk or duration) sends it back to proposed, to be assessed
and authorised again; editing its description, owner or catalogue item does not.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.services import PermissionDeniedError

from .models import ChangeTemplate, ChangeType, TemplateEvent

State = ChangeTemplate.State
Action = TemplateEvent.Action
# How a standard change is done: changing any of these needs a new risk assessment and authorisation.
PROCEDURE_FIELDS = ("implementation_plan", "backout_plan", "test_plan", "configuration_items", "ci_classes",
                    "risk_level", "risk_assessment", "duration_minutes")
FIELDS = ("name", "description", "owner", "team", "service") + PROCEDURE_FIELDS + ("failure_threshold",
                                                                                 "catalog_item")
M2M = ("configuration_items", "ci_classes")
DEFAULT_REVIEW_DAYS = 365


# --- who may do what ---------------------------------------------------------------------------------------

def _require(allowed, message):
    if not allowed:
        raise PermissionDeniedError(message)


# --- using a template ------------------------------------------------------------------------------------

def unusable_reason(template, today):
    """Why a standard change may not be raised (or implemented) from `template` today, or ""."""
    if template.state == State.RETIRED:
        return _("The template “%(name)s” is retired.") % {"name": template.name}
    if template.state != State.PUBLISHED:
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


def allowed_cis(template):
    """The CIs a change from `template` may touch: the template's own and any of its CI classes."""
    from cmdb.models import ConfigurationItem

    return ConfigurationItem.objects.filter(Q(pk__in=template.configuration_items.values("pk")) |
                                            Q(ci_class__in=template.ci_classes.values("pk")))


def check_cis(template, cis):
    ids = {getattr(ci, "pk", ci) for ci in cis}
    if not ids:
        return
    allowed = set(allowed_cis(template).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - allowed:
        from cmdb.models import ConfigurationItem

        names = ConfigurationItem.objects.filter(pk__in=ids - allowed).order_by("name").values_list("name", flat=True)
        raise ValidationError({"configuration_items": [
            _("Not within the template's configuration items or classes: %(names)s.") % {
                "names": ", ".join(names) or ", ".join(str(pk) for pk in sorted(ids - allowed))}]})


RAISE_FIELDS = ("title", "description", "planned_start", "configuration_items", "team", "assignee", "requester",
                "reason", "service", "channel")


@transaction.atomic
def raise_standard_change(template, actor, data=None):
    """One step, no approval: a scheduled standard change from a published template (changes.services.
    create_change → apply). data: planned_start, configuration_items (within the template's CIs and CI
    classes; default the template's CIs), title and the other RAISE_FIELDS. Refusals are {"template": [...]}."""
    data = {name: value for name, value in (data or {}).items() if name in RAISE_FIELDS}
    reason = unusable_reason(template, timezone.localdate())
    if reason:
        raise ValidationError({"template": [reason]})
    if data.get("configuration_items"):
        check_cis(template, data["configuration_items"])
    else:
        data.pop("configuration_items", None)
    if not (data.get("title") or "").strip():
        data.pop("title", None)
    from .services import create_change

    return create_change(actor, {**data, "change_type": ChangeType.STANDARD, "template": template})


# --- the lifecycle -----------------------------------------------------------------------------------------

def record(template, actor, action, changes=None, note=""):
    return TemplateEvent.objects.create(template=template, actor=actor if actor and actor.pk else None,
                                        action=action, changes=changes or {}, note=note)


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _current(template, name):
    if name in M2M:
        return sorted(getattr(template, name).values_list("pk", flat=True)) if template.pk else []
    field = ChangeTemplate._meta.get_field(name)
    return getattr(template, field.attname)


def _new_value(name, value):
    if name in M2M:
        return sorted({getattr(item, "pk", item) for item in value or []})
    return _plain(value)


@transaction.atomic
def save_template(actor, data, template=None):
    """Create (proposed) or edit a template; only FIELDS are taken. Editing the procedure of an authorised or
    published template sends it back to proposed (its authorisation is withdrawn)."""
    _require(permissions.is_change_authority(actor), _("Only managers and the change authority may edit standard change templates."))
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    creating = template is None
    if creating:
        template = ChangeTemplate(state=State.PROPOSED, owner=actor if actor and actor.pk else None)
    else:
        template = ChangeTemplate.objects.select_for_update().get(pk=template.pk)
        if template.state == State.RETIRED:
            raise ValidationError({"non_field_errors": [_("A retired template cannot be changed.")]})
    changes = {}
    for name, value in data.items():
        old, new = _current(template, name), _new_value(name, value)
        if old != new:
            changes[name] = [old, new]
        if name not in M2M:
            setattr(template, name, value)
    if not creating and not changes:
        return template
    reproposed = (not creating and template.state in (State.AUTHORISED, State.PUBLISHED)
                  and bool(set(changes) & set(PROCEDURE_FIELDS)))
    if reproposed:
        changes["state"] = [template.state, State.PROPOSED]
        template.state, template.authorised_by, template.authorised_at = State.PROPOSED, None, None
    template.updated_at = timezone.now()
    template.full_clean(exclude=list(M2M))
    template.save()
    for name in M2M:
        if name in data:
            getattr(template, name).set(_new_value(name, data[name]))
    if creating:
        record(template, actor, Action.CREATED, {name: [None, new] for name, (_old, new) in changes.items()})
    else:
        record(template, actor, Action.UPDATED, {k: v for k, v in changes.items() if k != "state"})
        if reproposed:
            record(template, actor, Action.REPROPOSED, {"state": changes["state"]}, note=_(
                "The procedure changed: it needs a new risk assessment and authorisation."))
    return template


def _lock(template):
    return ChangeTemplate.objects.select_for_update().get(pk=template.pk)


def _move(template, actor, state, action, fields=None, note=""):
    changes = {"state": [template.state, state]} if template.state != state else {}
    for name, value in (fields or {}).items():
        old = _plain(getattr(template, name))
        if old != _plain(value):
            changes[name] = [old, _plain(value)]
        setattr(template, name, value)
    template.state, template.updated_at = state, timezone.now()
    template.save()
    record(template, actor, action, changes, note)
    return template


@transaction.atomic
def authorise(template, actor, review_date=None, note=""):
    """The change authority authorises a proposed template once (its procedure and risk assessment), until
    `review_date` (default a year from today). An authorised or published template may be reviewed the same
    way: its authorisation is renewed until the new date."""
    _require(permissions.is_change_authority(actor), _("Only the change authority may authorise standard change templates."))
    template = _lock(template)
    if template.state == State.RETIRED:
        raise ValidationError({"state": [_("A retired template cannot be authorised.")]})
    today = timezone.localdate()
    review_date = review_date or today + timedelta(days=DEFAULT_REVIEW_DAYS)
    if review_date <= today:
        raise ValidationError({"review_date": [_("The review date must be in the future.")]})
    renewing = template.state != State.PROPOSED
    state = template.state if renewing else State.AUTHORISED
    return _move(template, actor, state, Action.REVIEWED if renewing else Action.AUTHORISED,
                 {"authorised_by": actor, "authorised_at": timezone.now(), "review_date": review_date}, note)


@transaction.atomic
def publish(template, actor):
    """Offer an authorised template for use (its authorisation must not have lapsed)."""
    _require(permissions.is_change_authority(actor), _("Only managers and the change authority may publish standard change templates."))
    template = _lock(template)
    if template.state != State.AUTHORISED:
        raise ValidationError({"state": [_("Only an authorised template can be published (this one is %(state)s).")
                                         % {"state": template.get_state_display()}]})
    if template.review_date and template.review_date < timezone.localdate():
        raise ValidationError({"review_date": [_("The authorisation lapsed on %(date)s: review it first.") % {
            "date": template.review_date.isoformat()}]})
    return _move(template, actor, State.PUBLISHED, Action.PUBLISHED)


@transaction.atomic
def retire(template, actor, note=""):
    """No more changes from this template (the ones already raised go on)."""
    _require(permissions.is_change_authority(actor), _("Only managers and the change authority may retire standard change templates."))
    template = _lock(template)
    if template.state == State.RETIRED:
        raise ValidationError({"state": [_("The template is already retired.")]})
    return _move(template, actor, State.RETIRED, Action.RETIRED, note=note)


def allowed_actions(template, user):
    """The lifecycle buttons `user` may use on `template`: a subset of authorise, publish, retire, raise, edit."""
    actions = []
    manage = permissions.is_change_authority(user)
    if permissions.is_change_authority(user) and template.state != State.RETIRED:
        actions.append("authorise")
    if manage and template.state == State.AUTHORISED:
        actions.append("publish")
    if manage and template.state != State.RETIRED:
        actions += ["retire", "edit"]
    if permissions.is_agent(user) and not unusable_reason(template, timezone.localdate()):
        actions.append("raise")
    return actions


# --- standard changes ordered in the portal ----------------------------------------------------------------

def on_fulfilment(request, actor):
    """core.hooks fulfilment listener: a request for a catalogue item that offers a standard change went into
    fulfilment. The change is raised from the item's template and linked to the request, with a work note on
    the request naming it; when the template cannot be used the work note says why, and the request goes on."""
    from core import services as core_services
    from core.models import LinkKind

    template = ChangeTemplate.objects.filter(catalog_item_id=request.catalog_item_id).first()
    if template is None:
        return None
    actor = actor if actor is not None and permissions.is_agent(actor) else None  # as the plan acts
    try:
        with transaction.atomic():
            change = raise_standard_change(template, actor, {
                "reason": _("Ordered in the portal as %(number)s.") % {"number": request.number}})
            core_services.add_link(request, actor, change, LinkKind.RELATED)
    except ValidationError as error:
        core_services.add_comment(request, actor, _(
            "No standard change was raised from the template “%(name)s”: %(reason)s") % {
            "name": template.name, "reason": " ".join(error.messages)}, internal=True)
        return None
    core_services.bump_version(request)
    core_services.add_comment(request, actor, _(
        "Standard change %(number)s was raised from the template “%(name)s”.") % {
        "number": change.number, "name": template.name}, internal=True)
    return change


def order_check(item, actor):
    """core.hooks order check: an item offering a standard change is refused while its template cannot be used
    (on_fulfilment still notes a template that lapses between the order and its approval)."""
    template = ChangeTemplate.objects.filter(catalog_item_id=getattr(item, "pk", None)).first()
    return unusable_reason(template, timezone.localdate()) if template is not None else ""


def register_hooks():
    from core import hooks

    from .template_review import on_ticket_written

    hooks.on_ticket_written(on_ticket_written)
    hooks.register_fulfilment_listener(on_fulfilment)
    hooks.register_order_check(order_check)
