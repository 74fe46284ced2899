from django.db import migrations


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    IncidentRule = apps.get_model("events", "IncidentRule")
    Group.objects.get_or_create(name="integration")
    if not IncidentRule.objects.exists():
        IncidentRule.objects.create(name="Major and critical alerts open an incident", order=1000,
                                    min_severity="major", open_incident=True, impact=2, urgency=2)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="integration").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
