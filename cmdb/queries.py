"""Reusable reads: list querysets and the impact walks over relationships.

Impact flows from a relationship's target to its source. `impacted(ids)` walks target -> source (who
depends on these CIs); `upstream(ids)` walks source -> target (what these CIs depend on). Each walk is ONE
recursive SQL query (PostgreSQL and SQLite). It is cycle-safe because the recursive part keeps distinct
(ci, depth, via, kind) rows with UNION, so its size is bounded by relationships x max_depth rather than by
the number of paths; the same statement keeps each CI's shortest depth and one edge reaching it at that
depth (a window function, no self-join), from which the path that explains it is rebuilt in Python.
"""

from dataclasses import dataclass, field

from django.db import connection

from core import permissions

from .models import CIAuditEntry, CIClass, ConfigurationItem, Relationship

LIST_RELATED = ("ci_class", "service", "organization", "owner_team")
MAX_DEPTH_LIMIT = 50
# The walk's starting rows: (ci_id, depth, via, kind), typed so PostgreSQL accepts the recursive UNION.
SEED = "SELECT id, 0, CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR(20))"


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


@dataclass
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
    return f"""
WITH RECURSIVE walk(ci_id, depth, via, kind) AS (
    {seed_sql}
    UNION
    SELECT r.{far}, w.depth + 1, w.ci_id, r.kind
    FROM walk w JOIN {rel} r ON r.{near} = w.ci_id WHERE w.depth < %s
),
ranked AS (
    SELECT ci_id, depth, via, kind, ROW_NUMBER() OVER (PARTITION BY ci_id ORDER BY depth, via, kind) AS rank
    FROM walk
)
SELECT b.ci_id, b.depth, b.via, b.kind, c.name, cl.name, cl.label, c.status, c.service_id, s.name
FROM ranked b
JOIN {ci} c ON c.id = b.ci_id
LEFT JOIN {cls} cl ON cl.id = c.ci_class_id
LEFT JOIN {svc} s ON s.id = c.service_id
WHERE b.rank = 1
"""


def _run(seed_sql, seed_params, max_depth, downstream):
    max_depth = max(0, min(int(max_depth), MAX_DEPTH_LIMIT))
    with connection.cursor() as cursor:
        cursor.execute(_walk_sql(seed_sql, downstream), [*seed_params, max_depth])
        raw = cursor.fetchall()
    rows = {}
    for ci_id, depth, via, kind, name, cls_name, cls_label, status, service_id, service_name in raw:
        rows[ci_id] = ImpactRow(ci_id, name, cls_name or "", cls_label or "", status, service_id, service_name,
                                depth, via, kind or "")
    for row in rows.values():
        names, ids, step = [], [], row
        while step is not None:
            names.append(step.name)
            ids.append(step.id)
            step = rows.get(step.via) if step.via is not None else None
        row.path = names[::-1]
        row.path_ids = ids[::-1]
    return sorted(rows.values(), key=lambda r: (r.depth, r.name, r.id))


def _id_seed(ci_ids):
    ids = [int(i) for i in ci_ids]
    if not ids:
        return None, []
    table = ConfigurationItem._meta.db_table
    return f"{SEED} FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids


def impacted(ci_ids, max_depth=10, include_start=False):
    """Every CI that (transitively) depends on the given CIs, with its depth and path; ONE query."""
    seed_sql, params = _id_seed(ci_ids)
    if seed_sql is None:
        return []
    rows = _run(seed_sql, params, max_depth, downstream=True)
    return rows if include_start else [r for r in rows if r.depth > 0]


def upstream(ci_ids, max_depth=10, include_start=False):
    """Every CI the given CIs (transitively) depend on, with its depth and path; ONE query."""
    seed_sql, params = _id_seed(ci_ids)
    if seed_sql is None:
        return []
    rows = _run(seed_sql, params, max_depth, downstream=False)
    return rows if include_start else [r for r in rows if r.depth > 0]


def service_cis(service_id, max_depth=10):
    """The CIs beneath a service: those with service = it (depth 0) and everything they depend on."""
    table = ConfigurationItem._meta.db_table
    return _run(f"{SEED} FROM {table} WHERE service_id = %s", [int(service_id)], max_depth, downstream=False)


def impacted_services(rows):
    """The services of the given impact rows (including the start CIs' own), closest first."""
    services = {}
    for row in rows:
        if row.service_id and row.service_id not in services:
            services[row.service_id] = {"id": row.service_id, "name": row.service_name, "depth": row.depth,
                                        "via": row.name, "path": row.path}
    return sorted(services.values(), key=lambda s: (s["depth"], s["name"]))
