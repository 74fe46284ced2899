"""Schedule conflicts: two open changes touching the same CI, or CIs affecting the same service, in overlapping
windows; a change inside a blackout window.

Windows are half-open, [planned_start, planned_end): a change ending at 22:00 and one starting at 22:00 do not
overlap. Only open changes conflict (closed, rejected and cancelled ones never do): the conflict queries read the
ChangeCI / ChangeService rows, which carry their change's window and an `active` flag (changes.services
.sync_windows) behind the partial indexes (configuration_item | service, planned_start, planned_end) WHERE active.

`for_change(change)` runs at most six queries; `for_range(start, end)` (the calendar) and `for_changes(changes)` (the CAB agenda) seven,
whatever the number of changes: self-joins of those rows driven by the change window index. See
bench/change_conflicts.py for the figures at 100k changes.

A conflict is a dict: {"kind": "ci_overlap" | "service_overlap" | "blackout", "change": id or None,
"blackout_window": id or None, "detail": a sentence, and for display "number", "title" (the other change's, or
the blackout window's name), "start", "end" (its window)}.
"""

from datetime import datetime

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _, ngettext

from .models import BlackoutWindow, Change
from .workflow import WORKFLOW

CI_OVERLAP, SERVICE_OVERLAP, BLACKOUT = "ci_overlap", "service_overlap", "blackout"
KINDS = (CI_OVERLAP, SERVICE_OVERLAP, BLACKOUT)
CLOSED_STATES = tuple(sorted(WORKFLOW.closed_states))
CLOSED_SQL = ", ".join(f"%(closed{i})s" for i in range(len(CLOSED_STATES)))

# Pairs (this change, another open change, shared CI or service) whose windows overlap. {scope} joins `a` (the
# rows of the changes asked about) and binds a_start / a_end, the window of a's change.
_PAIRS = """
    SELECT a.change_id, b.change_id, x.id, x.name
    FROM {scope}
    JOIN {table} b ON b.{column} = a.{column} AND b.active AND b.change_id <> a.change_id
                  AND b.planned_start < {a_end} AND b.planned_end > {a_start}
    JOIN {target} x ON x.id = a.{column}
"""
# Service blackouts hit by the changes asked about (through their affected services).
_SERVICE_BLACKOUTS = """
    SELECT a.change_id, bw.id, x.name
    FROM {scope}
    JOIN changes_blackoutwindow_services bs ON bs.service_id = a.service_id
    JOIN changes_blackoutwindow bw ON bw.id = bs.blackoutwindow_id
                                  AND bw.start < {a_end} AND bw."end" > {a_start}
    JOIN slm_service x ON x.id = a.service_id
"""
_TABLES = {
    "ci": ("changes_changeci", "configuration_item_id", "cmdb_configurationitem"),
    "service": ("changes_changeservice", "service_id", "slm_service"),
}


def _scope_one(table):
    return f"{table} a", "%(start)s", "%(end)s", "a.change_id = %(change)s"


def _scope_range(table):
    # Driven by the changes' window index (change_planned_window), then each change's rows by its unique key.
    return (f"changes_change c JOIN core_ticket t ON t.id = c.ticket_ptr_id AND t.state NOT IN ({CLOSED_SQL}) "
            f"JOIN {table} a ON a.change_id = c.ticket_ptr_id AND a.active",
            "a.planned_start", "a.planned_end",
            "c.planned_start < %(end)s AND c.planned_end > %(start)s")


def _fetch(sql, params):
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM stores them (SQLite: naive UTC text)
    params = {name: adapt(value) if isinstance(value, datetime) else value for name, value in params.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pairs(kind, scope, params):
    table, column, target = _TABLES[kind]
    source, a_start, a_end, where = scope(table)
    sql = _PAIRS.format(scope=source, table=table, column=column, target=target, a_start=a_start, a_end=a_end)
    return _fetch(f"{sql} WHERE {where} ORDER BY x.name", params)


def _service_blackouts(scope, params):
    source, a_start, a_end, where = scope("changes_changeservice")
    sql = _SERVICE_BLACKOUTS.format(scope=source, a_start=a_start, a_end=a_end)
    return _fetch(f"{sql} WHERE {where} ORDER BY x.name", params)


class _Texts:
    """The sentences of one call: each instant formatted and each message translated once (a month of a busy
    schedule has thousands of conflicts)."""

    def __init__(self):
        self.instants, self.messages = {}, {}

    def when(self, value):
        if value not in self.instants:
            self.instants[value] = formats.date_format(timezone.localtime(value), "Y-m-d H:i") \
                if value else ""
        return self.instants[value]

    def message(self, key, count):
        plural = count != 1
        if (key, plural) not in self.messages:
            self.messages[key, plural] = _MESSAGES[key](count)
        return self.messages[key, plural]


_MESSAGES = {
    CI_OVERLAP: lambda n: ngettext(
        "%(number)s “%(title)s” also changes the configuration item %(names)s, from %(start)s to %(end)s.",
        "%(number)s “%(title)s” also changes the configuration items %(names)s, from %(start)s to %(end)s.", n),
    SERVICE_OVERLAP: lambda n: ngettext(
        "%(number)s “%(title)s” also affects the service %(names)s, from %(start)s to %(end)s.",
        "%(number)s “%(title)s” also affects the services %(names)s, from %(start)s to %(end)s.", n),
    BLACKOUT: lambda n: ngettext(
        "The window falls in the blackout window “%(name)s” (%(start)s to %(end)s) for the service %(names)s.",
        "The window falls in the blackout window “%(name)s” (%(start)s to %(end)s) for the services %(names)s.",
        n),
    "global": lambda n: _("The window falls in the blackout window “%(name)s” (%(start)s to %(end)s) for every "
                          "service."),
}


def _change_conflict(texts, kind, other, names):
    values = {"number": other["number"], "title": other["title"], "names": ", ".join(names),
              "start": texts.when(other["planned_start"]), "end": texts.when(other["planned_end"])}
    return {"kind": kind, "change": other["id"], "blackout_window": None,
            "detail": texts.message(kind, len(names)) % values,
            "number": other["number"], "title": other["title"], "start": other["planned_start"],
            "end": other["planned_end"]}


def _blackout_conflict(texts, window, names):
    values = {"name": window.name, "start": texts.when(window.start), "end": texts.when(window.end),
              "names": ", ".join(names)}
    detail = texts.message(BLACKOUT if names else "global", len(names)) % values
    return {"kind": BLACKOUT, "change": None, "blackout_window": window.pk, "detail": detail,
            "number": "", "title": window.name, "start": window.start, "end": window.end}


def _overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def _collect(scope, params, windows, start, end):
    """{change id: [conflicts]} for the changes `scope` selects; `windows`: {change id: (start, end)} of them."""
    grouped = {}  # change id -> kind -> other change id -> [names]
    seen_ci = set()
    for kind in ("ci", "service"):
        for change_id, other_id, _pk, name in _pairs(kind, scope, params):
            if kind == "service" and (change_id, other_id) in seen_ci:
                continue
            if kind == "ci":
                seen_ci.add((change_id, other_id))
            names = grouped.setdefault(change_id, {}).setdefault(
                CI_OVERLAP if kind == "ci" else SERVICE_OVERLAP, {}).setdefault(other_id, [])
            if name not in names:
                names.append(name)
    others = {}
    other_ids = {other for kinds in grouped.values() for by_other in kinds.values() for other in by_other}
    if other_ids:
        others = {row["id"]: row for row in Change.objects.filter(pk__in=other_ids).values(
            "id", "number", "title", "planned_start", "planned_end")}
    blackouts = list(BlackoutWindow.objects.filter(start__lt=end, end__gt=start).prefetch_related("services")
                     .order_by("start", "id"))
    hit = {}  # change id -> blackout id -> [service names]
    everywhere = [w for w in blackouts if not w.services.all()]
    for change_id, (c_start, c_end) in windows.items() if everywhere else ():
        for window in everywhere:
            if _overlaps(c_start, c_end, window.start, window.end):
                hit.setdefault(change_id, {})[window.pk] = []
    if len(everywhere) < len(blackouts):
        for change_id, window_id, name in _service_blackouts(scope, params):
            names = hit.setdefault(change_id, {}).setdefault(window_id, [])
            if name not in names:
                names.append(name)
    by_id = {w.pk: w for w in blackouts}
    texts = _Texts()
    result = {}
    for change_id in windows:
        conflicts = []
        for kind in (CI_OVERLAP, SERVICE_OVERLAP):
            by_other = grouped.get(change_id, {}).get(kind, {})
            for other_id in sorted(by_other, key=lambda pk: (others[pk]["planned_start"], pk)):
                conflicts.append(_change_conflict(texts, kind, others[other_id], by_other[other_id]))
        for window_id, names in sorted(hit.get(change_id, {}).items(),
                                       key=lambda item: (by_id[item[0]].start, item[0])):
            conflicts.append(_blackout_conflict(texts, by_id[window_id], names))
        result[change_id] = conflicts
    return result


def is_open(change):
    return change.state not in WORKFLOW.closed_states


def for_change(change):
    """[{"kind", "change", "blackout_window", "detail", "number", "title", "start", "end"}] for one change: the
    other open changes on its CIs (ci_overlap), then those affecting its services and not already reported
    (service_overlap), then the blackout windows it falls in. None for a closed change or one without a window."""
    if not change.planned_start or not change.planned_end or not is_open(change):
        return []
    params = {"change": change.pk, "start": change.planned_start, "end": change.planned_end}
    windows = {change.pk: (change.planned_start, change.planned_end)}
    return _collect(_scope_one, params, windows, change.planned_start, change.planned_end)[change.pk]


def for_changes(changes):
    """{change id: [conflicts]} for the given open changes only (a CAB meeting's agenda), in the same bounded
    number of queries as for_range."""
    windows = {c.pk: (c.planned_start, c.planned_end) for c in changes
               if c.planned_start and c.planned_end and is_open(c)}
    if not windows:
        return {}
    params = {f"id{i}": pk for i, pk in enumerate(windows)}
    wanted = ", ".join(f"%({name})s" for name in params)

    def scope(table):
        return f"{table} a", "a.planned_start", "a.planned_end", f"a.change_id IN ({wanted}) AND a.active"

    return _collect(scope, params, windows, min(s for s, _e in windows.values()),
                    max(e for _s, e in windows.values()))


def for_range(start, end):
    """{change id: [conflicts]} for every open change whose window overlaps [start, end) (an empty list when it
    has none); closed changes are left out. A bounded number of queries, whatever the number of changes."""
    windows = dict((pk, (s, e)) for pk, s, e in Change.objects.filter(
        planned_start__lt=end, planned_end__gt=start).exclude(state__in=CLOSED_STATES).values_list(
        "pk", "planned_start", "planned_end"))
    if not windows:
        return {}
    params = {"start": start, "end": end, **{f"closed{i}": state for i, state in enumerate(CLOSED_STATES)}}
    blackout_start = min(s for s, _e in windows.values())
    blackout_end = max(e for _s, e in windows.values())
    return _collect(_scope_range, params, windows, blackout_start, blackout_end)
