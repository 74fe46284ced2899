"""Fewer indexes on alerts, each repeat rewriting its alert's row: drop those another index covers (the foreign
keys' single-column indexes, led by alert_ci_state and alert_incident_state) and the fingerprint's two (the open
alert is found through the alert_open_fingerprint constraint); the last closed alert of a fingerprint with an
incident gets a partial index that open alerts are never written into.

The fingerprint's indexes are dropped by name: AlterField(db_index=False) would also drop the constraint's
partial unique index on the same column."""

import django.db.models.deletion
from django.db import migrations, models

FINGERPRINT_INDEXES = ("events_alert_fingerprint_39535465", "events_alert_fingerprint_39535465_like")


def drop_fingerprint_indexes(apps, schema_editor):
    for name in FINGERPRINT_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_fingerprint_indexes(apps, schema_editor):
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{FINGERPRINT_INDEXES[0]}" ON "events_alert" ("fingerprint")')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{FINGERPRINT_INDEXES[1]}" ON "events_alert" '
                              '("fingerprint" varchar_pattern_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ("cmdb", "0005_relationship_target_source_kind_index"),
        ("events", "0004_event_retries"),
        ("incidents", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="configuration_item",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name="alerts",
                                    to="cmdb.configurationitem", verbose_name="configuration item"),
        ),
        migrations.AlterField(
            model_name="alert",
            name="incident",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name="alerts",
                                    to="incidents.incident", verbose_name="incident"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="alert",
                name="fingerprint",
                field=models.CharField(max_length=255, verbose_name="fingerprint"),
            )],
            database_operations=[migrations.RunPython(drop_fingerprint_indexes, create_fingerprint_indexes)],
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(condition=models.Q(("incident__isnull", False), ("state", "closed")),
                               fields=["fingerprint", "-closed_at", "-id"], name="alert_closed_fingerprint"),
        ),
    ]
