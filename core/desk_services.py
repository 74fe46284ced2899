"""Writes of assignment rules and canned responses (validated, one transaction each)."""

from django.db import transaction

from .desk_models import AssignmentRule, CannedResponse

RULE_FIELDS = ("name", "order", "active", "conditions", "team", "assign")
CANNED_FIELDS = ("title", "body", "team", "active")


def _write(instance, data, fields):
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def save_assignment_rule(actor, data, rule=None):
    """Create (rule=None) or change a rule from validated values; conditions are normalized by clean()."""
    return _write(rule or AssignmentRule(), data, RULE_FIELDS)


@transaction.atomic
def delete_assignment_rule(actor, rule):
    rule.delete()


@transaction.atomic
def save_canned_response(actor, data, response=None):
    return _write(response or CannedResponse(), data, CANNED_FIELDS)


@transaction.atomic
def delete_canned_response(actor, response):
    response.delete()
