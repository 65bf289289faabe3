"""Groups « Équipe BNM » (runs the AMI: every ami permission, admin access) and « Éditeurs »
(admin access, pages under the root, images and documents of the root collection; nothing of
the AMI). Idempotent: groups are fetched or created, permissions added."""
from django.db import migrations

TEAM_GROUP = "Équipe BNM"  # ami.backoffice.groups.TEAM_GROUP (kept literal: migrations do not import app code)
EDITORS_GROUP = "Éditeurs"  # ami.backoffice.groups.EDITORS_GROUP

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "delete_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "delete_document", "choose_document"],
}


def ensure_permissions(apps):
    """Permissions are created after all migrations by post_migrate: create them now."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for label in ("ami", "wagtailadmin", "wagtailcore", "wagtailimages", "wagtaildocs"):
        config = global_apps.get_app_config(label)
        create_permissions(config, verbosity=0, apps=apps)


def create_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")

    team, _ = Group.objects.get_or_create(name=TEAM_GROUP)
    team.permissions.add(access_admin, *Permission.objects.filter(content_type__app_label="ami"))

    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.add(access_admin)
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=permission)
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
                GroupCollectionPermission.objects.get_or_create(
                    group=editors, collection=root_collection, permission=permission
                )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[TEAM_GROUP, EDITORS_GROUP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ami", "0005_url_dossier_public_id_step_revisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
