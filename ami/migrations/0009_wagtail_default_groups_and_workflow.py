"""Wagtail's own English defaults give way to the project's groups:

- the groups « Editors » and « Moderators » (created by Wagtail's migrations) are removed; their
  members join « Éditeurs » (0006), which has the same rights on pages, images and documents;
- the workflow « Moderators approval » and its task, which asked « Moderators » to approve every
  page, are removed: « Éditeurs » publish. A workflow or task that was already used (it has
  states, kept for the pages' history) is renamed in French and disabled instead.

Not reversed (the reverse does nothing): the English groups would come back empty."""
from django.conf import settings
from django.db import migrations

EDITORS_GROUP = "Éditeurs"  # ami.backoffice.groups.EDITORS_GROUP (migrations do not import app code)
WAGTAIL_GROUPS = ("Editors", "Moderators")
DEFAULT_WORKFLOW = "Moderators approval"
FRENCH_NAME = "Validation par un modérateur (désactivée)"


def replace_defaults(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")

    editors = Group.objects.filter(name=EDITORS_GROUP).first()
    old_groups = Group.objects.filter(name__in=WAGTAIL_GROUPS)
    if editors is not None:
        for user in User.objects.filter(groups__in=old_groups).distinct():
            user.groups.add(editors)

    for workflow in Workflow.objects.filter(name=DEFAULT_WORKFLOW):
        tasks = list(Task.objects.filter(workflow_tasks__workflow=workflow))
        WorkflowPage.objects.filter(workflow=workflow).delete()
        WorkflowContentType.objects.filter(workflow=workflow).delete()
        if WorkflowState.objects.filter(workflow=workflow).exists():
            workflow.name, workflow.active = FRENCH_NAME, False
            workflow.save()
        else:
            workflow.delete()
        for task in tasks:
            if TaskState.objects.filter(task=task).exists():
                task.name, task.active = FRENCH_NAME, False
                task.save()
            else:
                task.delete()
    old_groups.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ami", "0008_campaign_events"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(replace_defaults, migrations.RunPython.noop)]
