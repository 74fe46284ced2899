from django.db import migrations

DEFAULT_MATRIX = [(i, u, min(5, i + u - 1)) for i in (1, 2, 3) for u in (1, 2, 3)]


def seed(apps, schema_editor):
    from core.roles import sync_roles

    sync_roles()
    PriorityMatrix = apps.get_model("core", "PriorityMatrix")
    for impact, urgency, priority in DEFAULT_MATRIX:
        PriorityMatrix.objects.get_or_create(impact=impact, urgency=urgency, defaults={"priority": priority})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
