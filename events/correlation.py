"""Topology-based correlation: a new alert joins the incident of an open alert, seen within the correlation
window, whose CI shares an upstream CI with it (per the CMDB's relationships), so one failing database
behind ten applications opens one incident, not eleven."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from cmdb import queries as cmdb_queries
from incidents.workflow import WORKFLOW

from .models import Alert

MAX_CANDIDATES = 50
MAX_DEPTH = 10


@dataclass
class Correlation:
    alert: Alert  # the open alert whose incident the new one joins
    shared_ci_id: int
    shared_ci_name: str


def _with_upstream(ci_id, cache=None):
    """{ci id: name} of a CI and everything it depends on; `cache` (a dict) keeps them for a batch."""
    if cache is not None and ci_id in cache:
        return cache[ci_id]
    rows = cmdb_queries.upstream([ci_id], max_depth=MAX_DEPTH, include_start=True)
    found = {row.id: row.name for row in rows}
    if cache is not None:
        cache[ci_id] = found
    return found


def window_start(alert):
    return alert.first_seen - timedelta(seconds=settings.EVENTS_CORRELATION_WINDOW)


def find(alert, upstream_cache=None):
    """The Correlation for a new alert, or None. `upstream_cache`: a dict that keeps the CMDB walks of a batch."""
    if not alert.configuration_item_id:
        return None
    candidates = list(
        Alert.objects.filter(state=Alert.State.OPEN, incident__isnull=False, configuration_item__isnull=False,
                             last_seen__gte=window_start(alert), incident__state__in=WORKFLOW.open_states)
        .exclude(pk=alert.pk).select_related("incident").order_by("-last_seen", "-id")[:MAX_CANDIDATES])
    if not candidates:
        return None
    mine = _with_upstream(alert.configuration_item_id, upstream_cache)
    failing = {c.configuration_item_id for c in candidates}
    seen = {}
    for candidate in candidates:
        ci_id = candidate.configuration_item_id
        if ci_id not in seen:
            seen[ci_id] = _with_upstream(ci_id, upstream_cache)
        shared = set(mine) & set(seen[ci_id])
        if not shared:
            continue
        # Name the shared CI that is itself failing if there is one, else the candidate's own CI if it is
        # upstream of ours, else the nearest common dependency.
        nearest_first = [i for i in mine if i in shared]  # upstream rows come ordered by depth
        chosen = ([i for i in nearest_first if i in failing] or ([ci_id] if ci_id in shared else [])
                  or nearest_first)[0]
        return Correlation(candidate, chosen, mine[chosen])
    return None
