from django.db import migrations

BACKFILL = """
UPDATE core_ticket SET sla_due_at = (
    SELECT MIN(t.due_at) FROM slm_slatimer t
    WHERE t.ticket_id = core_ticket.id AND t.state = 'running' AND t.due_at IS NOT NULL
)
WHERE id IN (SELECT ticket_id FROM slm_slatimer WHERE state = 'running' AND due_at IS NOT NULL)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("slm", "0006_timer_report_copies"),
        ("core", "0006_ticket_sla_due"),
    ]
    operations = [migrations.RunSQL(BACKFILL, migrations.RunSQL.noop)]
