"""The working groups' descriptions in the paper dossier's wording (only where still the first
seeded text: a description the team edited is kept), and the permissions of the new models
(members added by the team, meetings) for « Équipe BNM »."""
from django.db import migrations

TEAM_GROUP = "Équipe BNM"  # ami.backoffice.groups.TEAM_GROUP (kept literal: migrations do not import app code)
NEW_MODELS = ("workinggroupmember", "workinggroupmeeting")
# Former and new wording (kept literal, as the code may change after this migration).
DESCRIPTIONS = {
    "Groupe logiciel métier": (
        "Choix, paramétrage et déploiement du logiciel de gestion de bibliothèque (SIGB).",
        "Système intégré de gestion en bibliothèque (SIGB).",
    ),
    "Groupe ressources en ligne": (
        "Presse, autoformation, vidéo à la demande : sélection et valorisation.",
        "Presse, autoformation et vidéo à la demande, puis livres numériques.",
    ),
    "Groupe service expérimental de médiation numérique": (
        "Conception en mode design de l’outil de médiation numérique.",
        "Conception d’un service expérimental de médiation numérique en mode design.",
    ),
}


def forwards(apps, schema_editor):
    WorkingGroup = apps.get_model("ami", "WorkingGroup")
    for name, (former, new) in DESCRIPTIONS.items():
        WorkingGroup.objects.filter(name=name, description=former).update(description=new)

    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    create_permissions(global_apps.get_app_config("ami"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    team = Group.objects.filter(name=TEAM_GROUP).first()
    if team is not None:
        team.permissions.add(
            *Permission.objects.filter(content_type__app_label="ami", content_type__model__in=NEW_MODELS)
        )


def backwards(apps, schema_editor):
    WorkingGroup = apps.get_model("ami", "WorkingGroup")
    for name, (former, new) in DESCRIPTIONS.items():
        WorkingGroup.objects.filter(name=name, description=new).update(description=former)


class Migration(migrations.Migration):
    dependencies = [("ami", "0011_working_group_members_meetings")]
    operations = [migrations.RunPython(forwards, backwards)]
