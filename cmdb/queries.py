"""Reusable reads: list querysets and the impact walks over relationships.

Impact flows from a relationship's target to its source. `impacted(ids)` walks target -> source (who
depends on these CIs); `upstream(ids)` walks source -> target (what these CIs depend on). Each walk is ONE
SQL statement (PostgreSQL and SQLite): a recursive part that carries only the CI id, with UNION so each CI
is visited once (cycle-safe, and linear in the relationships touched rather than in the number of paths),
then the relationships leaving the reached CIs and the CIs' details. Python runs a breadth-first search
over those relationships for each CI's shortest depth (cut at max_depth) and the CI one step closer,
from which the path that explains it is rebuilt.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter

from django.db import connection

from core import permissions

from .models import CIAuditEntry, CIClass, ConfigurationItem, Relationship

LIST_RELATED = ("ci_class", "service", "organization", "owner_team")
MAX_DEPTH_LIMIT = 50


def ci_list():
    return ConfigurationItem.objects.select_related(*LIST_RELATED)


def ci_detail():
    return ConfigurationItem.objects.select_related(*LIST_RELATED)


def relationship_list():
    return Relationship.objects.select_related("source__ci_class", "target__ci_class")


def class_list():
    return CIClass.objects.all()


def history(ci):
    return CIAuditEntry.objects.filter(ci=ci).select_related("actor")


def open_tickets(ci):
    """Tickets (incidents, problems, changes, ...) on this CI that are not in a closed state."""
    from core import hooks
    from core.models import Ticket

    closed = {(kind, state) for kind, reg in hooks.ticket_kinds.items() for state in reg.workflow.closed_states}
    rows = Ticket.objects.filter(configuration_item=ci).order_by("kind", "-id").only(
        "id", "number", "kind", "title", "state", "priority")
    return [t for t in rows if (t.kind, t.state) not in closed]


def can_read(user):
    return permissions.is_agent(user)


def can_write(user):
    return permissions.is_manager(user)


@dataclass(slots=True)
class ImpactRow:
    id: int
    name: str
    ci_class: str
    class_label: str
    status: str
    service_id: int | None
    service_name: str | None
    depth: int
    via: int | None = None  # the neighbour one step closer to the start
    kind: str = ""  # relationship type of the edge to `via`
    path: list = field(default_factory=list)  # names from a start CI to this CI
    path_ids: list = field(default_factory=list)

    def as_dict(self):
        return {"id": self.id, "name": self.name, "class": self.ci_class, "class_label": self.class_label,
                "status": self.status, "depth": self.depth, "relationship": self.kind or None,
                "service": {"id": self.service_id, "name": self.service_name} if self.service_id else None,
                "path": self.path, "path_ids": self.path_ids}


def _walk_sql(seed_sql, downstream):
    ci, rel = ConfigurationItem._meta.db_table, Relationship._meta.db_table
    cls = CIClass._meta.db_table
    from slm.models import Service

    svc = Service._meta.db_table
    # downstream (impact): from a target to its sources. upstream: from a source to its targets.
    near, far = ("target_id", "source_id") if downstream else ("source_id", "target_id")
    # `reach` carries only the CI id and UNION drops rows already produced, so each CI enters it once and
    # each relationship is followed once. The statement then returns the relationships leaving the reached
    # CIs (far is set) and the reached CIs themselves (far is NULL), in one result.
    return f"""
WITH RECURSIVE reach(ci_id) AS (
    {seed_sql}
    UNION
    SELECT r.{far} FROM reach w JOIN {rel} r ON r.{near} = w.ci_id
)
SELECT r.{near}, r.{far}, r.kind, NULL, NULL, NULL, NULL, NULL, NULL
FROM reach w JOIN {rel} r ON r.{near} = w.ci_id
UNION ALL
SELECT c.id, NULL, NULL, c.name, cl.name, cl.label, c.status, c.service_id, s.name
FROM reach w
JOIN {ci} c ON c.id = w.ci_id
LEFT JOIN {cls} cl ON cl.id = c.ci_class_id
LEFT JOIN {svc} s ON s.id = c.service_id
"""


def _breadth_first(starts, edges, max_depth):
    """{ci id: (depth, via, kind)} for the CIs within max_depth of `starts`, by breadth-first search.

    edges: {ci id: [(ci id, neighbour id, kind), ...]}. Each CI gets its shortest depth; among the CIs one
    step closer at that depth, `via` is the one with the lowest id, and `kind` the first relationship type
    (alphabetically) between the two.
    """
    found = {ci_id: (0, None, "") for ci_id in starts}
    frontier = sorted(found)
    depth = 0
    while frontier and depth < max_depth:
        depth += 1
        reached = []
        for ci_id in frontier:  # lowest id first, so the first CI to reach a neighbour is its `via`
            for edge in edges.get(ci_id, ()):
                other = edge[1]
                seen = found.get(other)
                if seen is None:
                    found[other] = (depth, ci_id, edge[2])
                    reached.append(other)
                elif seen[0] == depth and seen[1] == ci_id and edge[2] < seen[2]:
                    found[other] = (depth, ci_id, edge[2])
        frontier = sorted(reached)
    return found


@contextmanager
def _collector_paused():
    """A large walk builds a few hundred thousand small tuples and rows that form no reference cycles;
    the cyclic garbage collector would otherwise rescan them all several times while they are built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(seed_sql, seed_params, max_depth, downstream, is_start):
    """The walk from the CIs the seed selects; is_start(ci_id, service_id) tells those CIs apart."""
    with _collector_paused():
        return _walk(seed_sql, seed_params, max_depth, downstream, is_start)


def _walk(seed_sql, seed_params, max_depth, downstream, is_start):
    max_depth = max(0, min(int(max_depth), MAX_DEPTH_LIMIT))
    with connection.cursor() as cursor:
        cursor.execute(_walk_sql(seed_sql, downstream), seed_params)
        raw = cursor.fetchall()
    # Result rows are used as they come (no copies): a large walk returns hundreds of thousands of them.
    edges, cis = {}, {}
    for row in raw:
        if row[1] is None:
            cis[row[0]] = row
        else:
            near = edges.get(row[0])
            if near is None:
                edges[row[0]] = [row]
            else:
                near.append(row)
    del raw
    starts = [ci_id for ci_id, row in cis.items() if is_start(ci_id, row[7])]
    rows = {}
    # _breadth_first lists CIs in the order it reached them, so a CI's `via` row (and its path) comes first.
    for ci_id, (depth, via, kind) in _breadth_first(starts, edges, max_depth).items():
        _id, _far, _kind, name, cls_name, cls_label, status, service_id, service_name = cis[ci_id]
        if via is None:
            path, path_ids = [name], [ci_id]
        else:
            before = rows[via]
            path, path_ids = before.path + [name], before.path_ids + [ci_id]
        rows[ci_id] = ImpactRow(ci_id, name, cls_name or "", cls_label or "", status, service_id, service_name,
                                depth, via, kind or "", path, path_ids)
    return sorted(rows.values(), key=attrgetter("depth", "name", "id"))


def _by_ids(ci_ids, downstream, max_depth):
    ids = sorted({int(i) for i in ci_ids})
    if not ids:
        return []
    table = ConfigurationItem._meta.db_table
    seed_sql = f"SELECT id FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})"
    wanted = set(ids)
    return _run(seed_sql, ids, max_depth, downstream, lambda ci_id, _service_id: ci_id in wanted)


def impacted(ci_ids, max_depth=10, include_start=False):
    """Every CI that (transitively) depends on the given CIs, with its depth and path; ONE query."""
    rows = _by_ids(ci_ids, True, max_depth)
    return rows if include_start else [r for r in rows if r.depth > 0]


def upstream(ci_ids, max_depth=10, include_start=False):
    """Every CI the given CIs (transitively) depend on, with its depth and path; ONE query."""
    rows = _by_ids(ci_ids, False, max_depth)
    return rows if include_start else [r for r in rows if r.depth > 0]


def service_cis(service_id, max_depth=10):
    """The CIs beneath a service: those with service = it (depth 0) and everything they depend on."""
    service_id = int(service_id)
    table = ConfigurationItem._meta.db_table
    return _run(f"SELECT id FROM {table} WHERE service_id = %s", [service_id], max_depth, False,
                lambda _ci_id, ci_service_id: ci_service_id == service_id)


def impacted_services(rows):
    """The services of the given impact rows (including the start CIs' own), closest first."""
    services = {}
    for row in rows:
        if row.service_id and row.service_id not in services:
            services[row.service_id] = {"id": row.service_id, "name": row.service_name, "depth": row.depth,
                                        "via": row.name, "path": row.path}
    return sorted(services.values(), key=lambda s: (s["depth"], s["name"]))
