"""Private links can be revoked; at most one live (not revoked) link per dossier."""
from django.db import migrations, models
from django.db.models import Max


def revoke_all_but_newest(apps, schema_editor):
    AccessToken = apps.get_model("ami", "AccessToken")
    newest = AccessToken.objects.values("dossier_id").annotate(last=Max("pk")).values_list("last", flat=True)
    AccessToken.objects.exclude(pk__in=list(newest)).update(revoked_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("ami", "0003_outbox_scheduling"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesstoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="révoqué le"),
        ),
        migrations.RunPython(revoke_all_but_newest, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="accesstoken",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("dossier",),
                name="one_live_access_token_per_dossier",
            ),
        ),
    ]
