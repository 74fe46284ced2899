import pytest
from django.db import connection

TRIGRAM_INDEXES = {"ticket_title_upper_trgm", "ticket_description_upper_trgm"}


def ticket_indexes():
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "core_ticket"))


@pytest.mark.django_db
def test_text_search_trigram_indexes_exist_on_postgresql_only():
    if connection.vendor == "postgresql":
        assert TRIGRAM_INDEXES <= ticket_indexes()
    else:
        assert not TRIGRAM_INDEXES & ticket_indexes()


@pytest.mark.django_db
def test_text_search_uses_the_trigram_index_on_postgresql(agent_user):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist only on PostgreSQL")
    from core.models import Ticket
    from incidents.filters import IncidentFilter

    # The queue's text condition alone (other conditions, e.g. kind=, may offer the planner other indexes).
    queryset = IncidentFilter().filter_text(Ticket.objects.all(), "q", "kubernetes")
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        # An empty test table is cheapest to scan; rule the scans out to see whether the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_title_upper_trgm" in plan and "ticket_description_upper_trgm" in plan
