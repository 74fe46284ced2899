from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cmdb", "0004_seed_ci_classes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="relationship",
            index=models.Index(fields=["target", "source", "kind"], name="cmdb_rel_target_source_kind"),
        ),
        migrations.RemoveIndex(
            model_name="relationship",
            name="cmdb_rel_target_source",
        ),
    ]
