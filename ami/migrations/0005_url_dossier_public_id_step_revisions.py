"""Dossiers get an opaque public id (their URLs name it) and a per-step revision counter."""
from django.db import migrations, models

import ami.models


def fill_public_ids(apps, schema_editor):
    Dossier = apps.get_model("ami", "Dossier")
    for dossier in Dossier.objects.filter(public_id__isnull=True).only("pk"):
        dossier.public_id = ami.models.new_public_id()
        dossier.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("ami", "0004_links_token_revocation")]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="public_id",
            field=models.CharField(editable=False, max_length=22, null=True, verbose_name="identifiant public"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dossier",
            name="public_id",
            field=models.CharField(default=ami.models.new_public_id, editable=False, max_length=22, unique=True,
                                   verbose_name="identifiant public"),
        ),
        migrations.AddField(
            model_name="dossier",
            name="step_revisions",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="révisions des étapes"),
        ),
    ]
