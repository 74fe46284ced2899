"""Which configuration item an alert is about: the admins' CIMappingRules in order, then the defaults
(an explicit CI reference, a CI named like the node, the host part of labels.instance)."""

import re

from django.db.models import Q

from cmdb.models import ConfigurationItem

from .models import CIMappingRule


def active_rules():
    return list(CIMappingRule.objects.filter(active=True).order_by("order", "id"))


def _candidates():
    return (ConfigurationItem.objects.exclude(status=ConfigurationItem.Status.RETIRED)
            .select_related("ci_class", "service").order_by("id"))


def _by_name(name):
    if not name:
        return None
    return _candidates().filter(name=name).first()


def _by_name_or_external_id(value):
    if not value:
        return None
    return _candidates().filter(Q(name=value) | Q(external_id=value)).first()


def _extract(pattern, value):
    """The CI name a pattern takes out of a value: its group "name", else the whole match; None if no match."""
    if not pattern:
        return value
    found = re.search(pattern, value or "")
    if not found:
        return None
    return found.groupdict().get("name") or found.group(0)


def host_part(value):
    """'web01:9100' -> 'web01', '[::1]:9100' -> '::1', 'http://web01:80/x' -> 'web01'."""
    value = (value or "").split("://", 1)[-1].split("/", 1)[0]
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def _apply_rule(rule, signal):
    if rule.source and rule.source != signal.source:
        return None
    if rule.match == CIMappingRule.Match.NODE_NAME:
        return _by_name(_extract(rule.pattern, signal.node))
    if rule.match == CIMappingRule.Match.ATTRIBUTE:
        value = _extract(rule.pattern, signal.node)
        if not value:
            return None
        return _candidates().filter(**{f"attributes__{rule.key}": value}).first()
    value = signal.labels.get(rule.key)
    return _by_name_or_external_id(_extract(rule.pattern, value) if value else None)


def resolve_ci(signal, rules):
    """The CI of a signal, or None."""
    for rule in rules:
        ci = _apply_rule(rule, signal)
        if ci is not None:
            return ci
    if signal.ci_ref:
        if signal.ci_ref.isascii() and signal.ci_ref.isdigit():
            ci = _candidates().filter(pk=int(signal.ci_ref)).first()
            if ci:
                return ci
        return _by_name_or_external_id(signal.ci_ref)
    ci = _by_name(signal.node)
    if ci is None and signal.labels.get("instance"):
        host = host_part(signal.labels["instance"])
        if host != signal.node:
            ci = _by_name(host)
    if ci is None and signal.node and host_part(signal.node) != signal.node:
        ci = _by_name(host_part(signal.node))
    return ci
