"""Indexes the service level reports filter on (created as SQL: they index expressions and core's table).

- slm_slatimer: COALESCE(breached_at, stopped_at), the instant a timer counts in a report period.
- core_ticket: first_response_at and resolved_at, for MTTA / MTTR per period.
"""

from django.db import migrations

INDEXES = [
    ("slm_timer_counted_at", "slm_slatimer", "(COALESCE(breached_at, stopped_at))"),
    ("ticket_first_response_at", "core_ticket", "(first_response_at)"),
    ("ticket_resolved_at", "core_ticket", "(resolved_at)"),
]


class Migration(migrations.Migration):

    dependencies = [("slm", "0004_timer_event_stopped"), ("core", "0001_initial")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}",
                          f"DROP INDEX IF EXISTS {name}")
        for name, table, columns in INDEXES
    ]
