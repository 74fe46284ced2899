"""Trigram indexes for the ticket text search (PostgreSQL only; a no-op elsewhere).

The incident filter's `q` is `title ILIKE %q% OR description ILIKE %q%`, which Django writes as
UPPER(col::text) LIKE UPPER(%s). Without these indexes that is a sequential scan of core_ticket (seconds at
a million rows); with them a BitmapOr of two GIN scans. The expressions match Django's SQL exactly.
Built CONCURRENTLY (hence atomic = False) so a live ticket table is not locked while they build.
"""

from django.db import migrations

INDEXES = {
    "ticket_title_upper_trgm": 'UPPER(("title")::text) gin_trgm_ops',
    "ticket_description_upper_trgm": 'UPPER(("description")::text) gin_trgm_ops',
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "core_ticket" '
                              f"USING gin ({expression})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("core", "0003_roles_and_priority_matrix")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
