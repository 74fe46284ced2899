"""Cancelled tickets had their response timer left running (a breach later) and their resolution timer marked
met: cancel all their timers and clear their tickets' SLA due, set-based."""

from django.db import migrations


def cancel_timers(apps, schema_editor):
    from slm.repairs import cancel_timers_of_cancelled_tickets

    cancel_timers_of_cancelled_tickets(apps.get_model("slm", "SLATimer"), apps.get_model("core", "Ticket"))


class Migration(migrations.Migration):
    dependencies = [
        ("slm", "0008_timer_cancelled_state_calendar_version"),
    ]

    operations = [migrations.RunPython(cancel_timers, migrations.RunPython.noop)]
