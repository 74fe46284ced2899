"""GIN index for the global search's full-text query (PostgreSQL only; a no-op elsewhere).

`core.search.search_vector()` compiles to exactly this expression (title weighted A, description B, the
'english' configuration), so `... @@ websearch_to_tsquery('english', q)` is a GIN index scan instead of a
sequential scan computing to_tsvector for every ticket. Built CONCURRENTLY (hence atomic = False) so a live
ticket table is not locked while it builds.
"""

from django.db import migrations

INDEX = "ticket_search_vector_gin"
EXPRESSION = ("(setweight(to_tsvector('english'::regconfig, COALESCE(\"title\", '')), 'A') || "
              "setweight(to_tsvector('english'::regconfig, COALESCE(\"description\", '')), 'B'))")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{INDEX}" ON "core_ticket" '
                          f"USING gin ({EXPRESSION})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("core", "0006_ticket_sla_due")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
