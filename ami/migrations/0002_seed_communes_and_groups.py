from django.db import migrations

from ami.communes import load_mel_communes
from ami.constants import DEFAULT_WORKING_GROUPS


def seed(apps, schema_editor):
    load_mel_communes(apps.get_model("ami", "Commune"))
    WorkingGroup = apps.get_model("ami", "WorkingGroup")
    for order, (name, description) in enumerate(DEFAULT_WORKING_GROUPS):
        WorkingGroup.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("ami", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
