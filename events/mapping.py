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


MAX_PK = 2 ** 63 - 1


def _is_pk(value):
    return bool(value) and value.isascii() and value.isdigit() and int(value) <= MAX_PK


class CILookup:
    """The CI lookups of one batch, each made once: :meth:`prefetch` reads the default mapping's candidates of
    many signals in one query; what a rule asks for is read on first use and remembered."""

    def __init__(self):
        self._by_name = {}
        self._by_name_or_external_id = {}
        self._by_pk = {}
        self._by_attribute = {}

    def by_name(self, name):
        if not name:
            return None
        if name not in self._by_name:
            self._by_name[name] = _candidates().filter(name=name).first()
        return self._by_name[name]

    def by_name_or_external_id(self, value):
        if not value:
            return None
        if value not in self._by_name_or_external_id:
            self._by_name_or_external_id[value] = _candidates().filter(Q(name=value) | Q(external_id=value)).first()
        return self._by_name_or_external_id[value]

    def by_pk(self, pk):
        if pk not in self._by_pk:
            self._by_pk[pk] = _candidates().filter(pk=pk).first()
        return self._by_pk[pk]

    def by_attribute(self, key, value):
        if (key, value) not in self._by_attribute:
            self._by_attribute[key, value] = _candidates().filter(**{f"attributes__{key}": value}).first()
        return self._by_attribute[key, value]

    def prefetch(self, signals):
        """Read, in one query, every CI the default mapping may ask for on these signals (rules still ask on
        first use): the names of the node and of its host part, the explicit CI references."""
        names, refs, pks = set(), set(), set()
        for signal in signals:
            try:
                if signal.ci_ref:
                    refs.add(signal.ci_ref)
                    if _is_pk(signal.ci_ref):
                        pks.add(int(signal.ci_ref))
                    continue
                names.update(filter(None, (signal.node, host_part(signal.node),
                                           host_part(signal.labels.get("instance") or ""))))
            except (AttributeError, TypeError):  # an odd signal: its event fails (and retries) on its own
                continue
        names, refs = {n for n in names if isinstance(n, str)}, {r for r in refs if isinstance(r, str)}
        names -= self._by_name.keys()
        refs -= self._by_name_or_external_id.keys()
        pks -= self._by_pk.keys()
        if not (names or refs or pks):
            return
        found = list(_candidates().filter(Q(name__in=names | refs) | Q(external_id__in=refs) | Q(pk__in=pks)))
        for name in names:  # rows come by id: the first match is what .first() would return
            self._by_name[name] = next((ci for ci in found if ci.name == name), None)
        for ref in refs:
            self._by_name_or_external_id[ref] = next(
                (ci for ci in found if ci.name == ref or ci.external_id == ref), None)
        for pk in pks:
            self._by_pk[pk] = next((ci for ci in found if ci.pk == pk), None)


def _apply_rule(rule, signal, lookup):
    if rule.source and rule.source != signal.source:
        return None
    if rule.match == CIMappingRule.Match.NODE_NAME:
        return lookup.by_name(_extract(rule.pattern, signal.node))
    if rule.match == CIMappingRule.Match.ATTRIBUTE:
        value = _extract(rule.pattern, signal.node)
        if not value:
            return None
        return lookup.by_attribute(rule.key, value)
    value = signal.labels.get(rule.key)
    return lookup.by_name_or_external_id(_extract(rule.pattern, value) if value else None)


def resolve_ci(signal, rules, lookup=None):
    """The CI of a signal, or None. `lookup`: a batch's CILookup (else each lookup is a query)."""
    lookup = lookup or CILookup()
    for rule in rules:
        ci = _apply_rule(rule, signal, lookup)
        if ci is not None:
            return ci
    if signal.ci_ref:
        if _is_pk(signal.ci_ref):
            ci = lookup.by_pk(int(signal.ci_ref))
            if ci:
                return ci
        return lookup.by_name_or_external_id(signal.ci_ref)
    ci = lookup.by_name(signal.node)
    if ci is None and signal.labels.get("instance"):
        host = host_part(signal.labels["instance"])
        if host != signal.node:
            ci = lookup.by_name(host)
    if ci is None and signal.node and host_part(signal.node) != signal.node:
        ci = lookup.by_name(host_part(signal.node))
    return ci
