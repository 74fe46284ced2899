"""Assignment rules: which team (and agent) a ticket goes to. Called by core.services inside its transaction.

Condition keys are ticket fields (CONDITION_FIELDS) or fields of a kind's own model that hold an id or a
choice (e.g. an incident's category); each maps to a list of accepted values, and every condition of a rule
must match. The first active rule by (order, id) that matches wins.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from . import hooks, permissions
from .converters import MAX_ID
from .desk_models import AssignMode, AssignmentRule
from .models import Team, Ticket

CONDITION_FIELDS = ("kind", "service", "configuration_item", "organization", "channel", "priority", "impact",
                    "urgency")


# --- which fields may be conditions -----------------------------------------------------------

def kind_fields(model):
    """A kind model's own fields usable as conditions: foreign keys (not to users or itself) and choices."""
    user_model = get_user_model()
    fields = {}
    for field in model._meta.local_concrete_fields:
        if field.primary_key or field.name == "ticket_ptr":
            continue
        if field.is_relation and field.related_model not in (user_model, model) or field.choices:
            fields[field.name] = field
    return fields


def condition_fields(kinds=None):
    """{name: model field} for the ticket fields plus the own fields of `kinds` (every registered kind)."""
    fields = {name: Ticket._meta.get_field(name) for name in CONDITION_FIELDS}
    for kind in kinds or hooks.ticket_kinds:
        if kind in hooks.ticket_kinds:
            for name, field in kind_fields(hooks.ticket_kinds[kind].model).items():
                fields.setdefault(name, field)
    return fields


def trigger_fields(ticket):
    """The fields whose change makes the rules run again on this ticket."""
    model = type(ticket)
    return set(CONDITION_FIELDS) | (set(kind_fields(model)) if model is not Ticket else set())


# --- validation ---------------------------------------------------------------------------------

def _check_values(field, values):
    """(clean values, error message or None) for one condition."""
    if field.name == "kind":
        unknown = [v for v in values if not isinstance(v, str) or v not in hooks.ticket_kinds]
        return values, (_("Unknown kind: %(values)s.") % {"values": ", ".join(map(str, unknown))}
                        if unknown else None)
    if field.is_relation:
        if any(isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= MAX_ID for v in values):
            return values, _("Give ids (whole numbers).")
        found = set(field.related_model.objects.filter(pk__in=values).values_list("pk", flat=True))
        missing = [v for v in values if v not in found]
        return values, (_("Unknown id: %(values)s.") % {"values": ", ".join(map(str, missing))}
                        if missing else None)
    allowed = {str(key): key for key, _label in field.flatchoices}
    if any(isinstance(v, (list, dict, bool)) or str(v) not in allowed for v in values):
        return values, _("Choose among: %(choices)s.") % {"choices": ", ".join(allowed)}
    return [allowed[str(v)] for v in values], None


def validate_conditions(conditions):
    """(normalized {key: [values]}, errors {key: [messages]}) of a rule's conditions."""
    if not isinstance(conditions, dict):
        return {}, {"conditions": [_("Give an object of conditions.")]}
    kinds = conditions.get("kind")
    kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)] if kinds else None
    every = condition_fields()
    allowed = condition_fields([k for k in kinds if k in hooks.ticket_kinds]) if kinds else every
    normalized, errors = {}, {}
    for key, value in conditions.items():
        values = value if isinstance(value, list) else [value]
        if key not in allowed:
            errors[key] = [_("Not a field of the chosen kinds.") if key in every else _("Unknown condition.")]
        elif not values:
            errors[key] = [_("Give at least one value.")]
        else:
            clean, message = _check_values(allowed[key], values)
            if message:
                errors[key] = [message]
            else:
                normalized[key] = list(dict.fromkeys(clean))
    return normalized, errors


def team_for_assignee(ticket, assignee):
    """The team a ticket keeps when `assignee` takes it: its own when the assignee is a member (or it has
    none), else the assignee's first team by name (None when they have no team)."""
    if not ticket.team_id or Team.members.through.objects.filter(team_id=ticket.team_id,
                                                                 user_id=assignee.pk).exists():
        return ticket.team
    return Team.objects.filter(members=assignee).order_by("name").first()


# --- matching and choosing --------------------------------------------------------------------------

def matches(rule, ticket):
    for key, values in (rule.conditions or {}).items():
        try:
            field = type(ticket)._meta.get_field(key)
        except Exception:  # noqa: BLE001 - a condition on another kind's field
            return False
        accepted = values if isinstance(values, list) else [values]
        if getattr(ticket, getattr(field, "attname", key), None) not in accepted:
            return False
    return True


def find_rule(ticket):
    """The first active rule by (order, id) whose conditions all match, or None (one query)."""
    for rule in AssignmentRule.objects.filter(active=True).order_by("order", "id"):
        if matches(rule, ticket):
            return rule
    return None


def eligible_members(team_id):
    """Ids of the team's active members who are service desk staff."""
    staff = Q(groups__name__in=permissions.STAFF_ROLES) | Q(is_superuser=True)
    return get_user_model().objects.filter(staff, teams__id=team_id, is_active=True).values("pk").distinct()


def open_tickets_q(prefix="assigned_tickets__"):
    q = Q()
    for registered in hooks.ticket_kinds.values():
        q |= Q(**{f"{prefix}kind": registered.kind, f"{prefix}state__in": sorted(registered.workflow.open_states)})
    return q


def pick_round_robin(rule):
    """The next eligible member after the rule's pointer (by id, wrapping); moves the pointer under a row lock."""
    locked = AssignmentRule.objects.select_for_update().only("pk", "last_assignee").get(pk=rule.pk)
    ids = list(get_user_model().objects.filter(pk__in=eligible_members(rule.team_id))
               .order_by("pk").values_list("pk", flat=True))
    if not ids:
        return None
    last = locked.last_assignee_id or 0
    chosen = next((pk for pk in ids if pk > last), ids[0])
    AssignmentRule.objects.filter(pk=rule.pk).update(last_assignee_id=chosen)
    rule.last_assignee_id = chosen
    return chosen


def pick_least_loaded(rule):
    """The eligible member with the fewest open assigned tickets (ties: lowest id), in one grouped query."""
    return (get_user_model().objects.filter(pk__in=eligible_members(rule.team_id))
            .annotate(load=Count("assigned_tickets", filter=open_tickets_q()))
            .order_by("load", "pk").values_list("pk", flat=True).first())


PICKERS = {AssignMode.ROUND_ROBIN: pick_round_robin, AssignMode.LEAST_LOADED: pick_least_loaded}


def route(ticket):
    """Apply the first matching rule to the (unsaved) ticket; returns the audit changes or {}.

    Nothing changes when no rule matches, or when the ticket already has the rule's team and either an
    assignee or a team-only rule. A new team without a picked agent leaves the ticket unassigned.
    """
    rule = find_rule(ticket)
    if rule is None:
        return {}
    if rule.team_id == ticket.team_id and (ticket.assignee_id or rule.assign == AssignMode.NONE):
        return {}
    picker = PICKERS.get(rule.assign)
    assignee_id = picker(rule) if picker else None
    changes = {}
    if rule.team_id != ticket.team_id:
        changes["team"] = [ticket.team_id, rule.team_id]
        ticket.team_id = rule.team_id
    if assignee_id != ticket.assignee_id:
        changes["assignee"] = [ticket.assignee_id, assignee_id]
        ticket.assignee_id = assignee_id
    if changes:
        changes["rule"] = [None, rule.name]
        changes["rule_id"] = rule.pk
    return changes
