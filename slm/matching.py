"""Which service level target measures a ticket.

A target applies to a ticket when it is active, its agreement is agreed and valid on the day
(valid_from <= day <= valid_to, an empty valid_to is open-ended), its ticket_kind equals the ticket's kind
and each of its conditions (priority, service, organization, category) is empty or equals the ticket's.
When several targets of the same metric apply, the most specific wins: the most non-empty conditions;
on a tie the shortest target_seconds; then the lowest id. The agreement's own services and party do not
narrow the match: the conditions of the target are the whole rule.
"""

import uuid

from django.db import connection
from django.db.models import Q

from .models import Agreement, BusinessCalendar, ServiceLevelTarget, TargetSetVersion

CONDITIONS = ("priority", "service_id", "organization_id", "category_id")
_KEY_SQL = (f"SELECT (SELECT token FROM {TargetSetVersion._meta.db_table} WHERE id = 1), "
            f"(SELECT COUNT(*) FROM {BusinessCalendar._meta.db_table}), "
            f"(SELECT COALESCE(SUM(version), 0) FROM {BusinessCalendar._meta.db_table})")
_matchable = (None, [])  # (key, the targets of agreed agreements with their agreement and calendar)


def ticket_conditions(ticket):
    """The values targets are matched on, read from a ticket (its practice subclass carries the category)."""
    return {
        "kind": ticket.kind,
        "priority": ticket.priority,
        "service_id": ticket.service_id,
        "organization_id": ticket.organization_id,
        "category_id": getattr(ticket, "category_id", None),
    }


def _condition(field, value):
    q = Q(**{f"{field}__isnull": True})
    if value is not None:
        q |= Q(**{field: value})
    return q


def candidate_targets(conditions, day):
    return (ServiceLevelTarget.objects
            .filter(active=True, ticket_kind=conditions["kind"], agreement__status=Agreement.Status.AGREED,
                    agreement__valid_from__lte=day)
            .filter(Q(agreement__valid_to__isnull=True) | Q(agreement__valid_to__gte=day))
            .filter(_condition("priority", conditions["priority"]),
                    _condition("service_id", conditions["service_id"]),
                    _condition("organization_id", conditions["organization_id"]),
                    _condition("category_id", conditions["category_id"]))
            .select_related("calendar"))


def precedence(target):
    return (-target.specificity, target.target_seconds, target.pk)


def best_targets(targets):
    """{metric: the winning target} among targets that all apply."""
    best = {}
    for target in targets:
        current = best.get(target.metric)
        if current is None or precedence(target) < precedence(current):
            best[target.metric] = target
    return best


def targets_changed():
    """Called after any write to agreements, targets or calendars (slm.apps connects the models' signals;
    QuerySet.update() and bulk_create callers call it themselves)."""
    TargetSetVersion.objects.update_or_create(id=1, defaults={"token": uuid.uuid4().hex})


def on_target_write(**kwargs):
    targets_changed()


def matchable_targets():
    """Every active target of an agreed agreement, read again only when the token or a calendar's version has
    changed since (one small query per call instead of the matching join)."""
    global _matchable
    with connection.cursor() as cursor:
        cursor.execute(_KEY_SQL)
        key = tuple(cursor.fetchone())
    cached_key, targets = _matchable
    if cached_key != key:
        targets = list(ServiceLevelTarget.objects.filter(active=True, agreement__status=Agreement.Status.AGREED)
                       .select_related("agreement", "calendar"))
        _matchable = (key, targets)
    return targets


def applies(target, conditions, day):
    """candidate_targets' rule for one target of matchable_targets()."""
    agreement = target.agreement
    return (target.ticket_kind == conditions["kind"] and agreement.valid_from <= day
            and (agreement.valid_to is None or agreement.valid_to >= day)
            and all(getattr(target, name) is None or getattr(target, name) == conditions[name]
                    for name in CONDITIONS))


def match(conditions, day):
    return best_targets(target for target in matchable_targets() if applies(target, conditions, day))
