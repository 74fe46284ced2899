"""Reports read only the timer table: copies of the ticket's grouping fields and instants on each timer,
`counted_at`, their indexes; filled from core_ticket in one UPDATE ... FROM (indexes built after it).
The expression index on COALESCE(breached_at, stopped_at) gives way to the counted_at column.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE slm_slatimer SET
  ticket_kind = t.kind, ticket_service_id = t.service_id, ticket_team_id = t.team_id,
  ticket_organization_id = t.organization_id, ticket_priority = t.priority, ticket_created_at = t.created_at,
  ticket_reached_at = CASE WHEN slm_slatimer.metric = 'response' THEN t.first_response_at ELSE t.resolved_at END,
  counted_at = CASE WHEN slm_slatimer.breached_at IS NOT NULL THEN slm_slatimer.breached_at
                    WHEN slm_slatimer.met IS NOT NULL THEN slm_slatimer.stopped_at END
FROM core_ticket t
WHERE t.id = slm_slatimer.ticket_id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_ticket_text_search_trigram'),
        ('slm', '0005_report_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='slatimer',
            name='counted_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='counted in reports at'),
        ),
        migrations.AddField(
            model_name='slatimer',
            name='ticket_created_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='ticket created at'),
        ),
        migrations.AddField(
            model_name='slatimer',
            name='ticket_kind',
            field=models.CharField(blank=True, default='', editable=False, max_length=20, verbose_name='ticket kind'),
        ),
        migrations.AddField(
            model_name='slatimer',
            name='ticket_organization',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.organization', verbose_name="ticket's organization"),
        ),
        migrations.AddField(
            model_name='slatimer',
            name='ticket_priority',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True, verbose_name="ticket's priority"),
        ),
        migrations.AddField(
            model_name='slatimer',
            name='ticket_reached_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='ticket responded / resolved at'),
        ),
        migrations.AddField(
            model_name='slatimer',
            name='ticket_service',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='slm.service', verbose_name="ticket's service"),
        ),
        migrations.AddField(
            model_name='slatimer',
            name='ticket_team',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.team', verbose_name="ticket's team"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL("DROP INDEX IF EXISTS slm_timer_counted_at",
                          "CREATE INDEX IF NOT EXISTS slm_timer_counted_at ON slm_slatimer "
                          "(COALESCE(breached_at, stopped_at))"),
        migrations.AddIndex(
            model_name='slatimer',
            index=models.Index(condition=models.Q(('counted_at__isnull', False)), fields=['counted_at', 'ticket_service', 'ticket_team', 'ticket_organization', 'ticket_priority', 'target', 'met', 'breached_at', 'ticket_kind'], name='slm_timer_counted'),
        ),
        migrations.AddIndex(
            model_name='slatimer',
            index=models.Index(condition=models.Q(('ticket_reached_at__isnull', False)), fields=['ticket_reached_at', 'target', 'metric', 'ticket_created_at', 'ticket_service', 'ticket_organization', 'ticket_kind'], name='slm_timer_reached'),
        ),
    ]
