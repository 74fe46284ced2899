"""Query-count assertions as a reusable helper."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def max_queries(limit):
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    executed = len(ctx.captured_queries)
    if executed > limit:
        listing = "\n".join(q["sql"][:200] for q in ctx.captured_queries)
        raise AssertionError(f"{executed} queries, more than {limit}:\n{listing}")


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)
