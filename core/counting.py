"""List totals that stay fast at any size: the planner's estimate for big results, a bounded COUNT for small.

On PostgreSQL one `EXPLAIN (FORMAT JSON)` of the filtered query (no joins for display, no ORDER BY) gives the
row estimate; below the threshold an exact `COUNT(*)` over `LIMIT threshold + 1` rows follows, so it never reads
more than threshold + 1 rows. Elsewhere (SQLite) the bounded count alone.
"""

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.formats import number_format
from django.utils.translation import gettext as _

THRESHOLD = 10_000
ESTIMATE_SECONDS = 60  # a big list's estimate is reused this long (planning a join at 1M rows costs ms)


@dataclass
class RowCount:
    value: int
    approximate: bool = False  # the planner's estimate
    capped: bool = False  # more than `value` rows (the bounded count hit its limit)

    @property
    def display(self):
        """'123', 'about 1,200,000' or 'more than 10,000' in the active locale."""
        if self.capped:
            return _("more than %(count)s") % {"count": number_format(self.value, force_grouping=True)}
        if self.approximate:
            return _("about %(count)s") % {"count": number_format(_round(self.value), force_grouping=True)}
        return number_format(self.value, force_grouping=True)

    def __str__(self):
        return self.display


def _round(value):
    """Two significant digits: 1,234,567 -> 1,200,000."""
    if value < 100:
        return value
    step = 10 ** (len(str(int(value))) - 2)
    return int(round(value / step) * step)


def planner_estimate(queryset):
    """PostgreSQL's estimate of the rows `queryset` returns (one EXPLAIN, nothing executed); an estimate at or
    above the threshold is cached for ESTIMATE_SECONDS by the query's text, small ones are never cached."""
    query = queryset.order_by().values("pk")
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter no row can match (an id beyond the integer range)
        return 0
    key = "rowestimate:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    estimate = _explain_rows(queryset.db, sql, params)
    if estimate >= THRESHOLD:
        cache.set(key, estimate, ESTIMATE_SECONDS)
    return estimate


def _explain_rows(db, sql, params):
    with connections[db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(queryset, limit):
    """COUNT(*) over at most `limit` rows."""
    return queryset.order_by().values("pk")[:limit].count()


def count_or_estimate(queryset, threshold=THRESHOLD):
    """The number of rows of `queryset` as a RowCount: exact when small, else the planner's estimate."""
    if connections[queryset.db].vendor == "postgresql":
        estimate = planner_estimate(queryset)
        if estimate >= threshold:
            return RowCount(estimate, approximate=True)
    exact = bounded_count(queryset, threshold + 1)
    if exact > threshold:
        return RowCount(threshold, capped=True)
    return RowCount(exact)


def count_label(row_count, model):
    """'123 incidents' / 'about 1,000,000 incidents' / '1 incident' with the model's verbose names."""
    meta = model._meta
    noun = meta.verbose_name if row_count.value == 1 and not row_count.approximate else meta.verbose_name_plural
    return _("%(count)s %(things)s") % {"count": row_count.display, "things": noun}
