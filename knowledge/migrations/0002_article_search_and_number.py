"""PostgreSQL only (a no-op elsewhere): the article number sequence, and trigram indexes for knowledge.search.

`icontains` is written by Django as UPPER(col::text) LIKE UPPER(%s); these GIN indexes are on exactly those
expressions, as core/0004 does for tickets. Built CONCURRENTLY (hence atomic = False)."""

from django.db import migrations

INDEXES = {
    "article_title_upper_trgm": 'UPPER(("title")::text) gin_trgm_ops',
    "article_body_upper_trgm": 'UPPER(("body")::text) gin_trgm_ops',
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS knowledge_article_number START 1001")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "knowledge_article" '
                              f"USING gin ({expression})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
    schema_editor.execute("DROP SEQUENCE IF EXISTS knowledge_article_number")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
