"""Wagtail's English defaults give way to the project's groups (migration 0009): no « Editors » /
« Moderators » group, no « Moderators approval » workflow; no Gravatar, no update check."""
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowState, WorkflowTask

from ami.backoffice.groups import EDITORS_GROUP, TEAM_GROUP

pytestmark = pytest.mark.django_db
migration = importlib.import_module("ami.migrations.0009_wagtail_default_groups_and_workflow")


def test_only_the_project_groups_and_no_default_workflow_after_migrate():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted([TEAM_GROUP, EDITORS_GROUP])
    assert not Workflow.objects.exists() and not WorkflowPage.objects.exists()
    assert not GroupApprovalTask.objects.exists()


def test_members_of_the_english_groups_join_editors_and_a_used_workflow_is_kept_in_french():
    moderators = Group.objects.create(name="Moderators")
    Group.objects.create(name="Editors")
    member = get_user_model().objects.create_user("ancienne", "a@example.org", "motdepasse-solide-42")
    member.groups.add(moderators)
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    task.groups.add(moderators)
    used = Workflow.objects.create(name="Moderators approval")
    WorkflowTask.objects.create(workflow=used, task=task, sort_order=0)
    root = Page.objects.get(depth=1)
    WorkflowPage.objects.create(workflow=used, page=root)
    home = Page.objects.filter(depth=2).first()
    WorkflowState.objects.create(
        workflow=used, base_content_type=ContentType.objects.get_for_model(Page),
        content_type=ContentType.objects.get_for_model(home.specific_class), object_id=str(home.pk),
        status=WorkflowState.STATUS_CANCELLED,
    )

    migration.replace_defaults(apps, None)

    assert sorted(Group.objects.values_list("name", flat=True)) == sorted([TEAM_GROUP, EDITORS_GROUP])
    assert list(member.groups.values_list("name", flat=True)) == [EDITORS_GROUP]
    used.refresh_from_db()
    assert (used.name, used.active) == ("Validation par un modérateur (désactivée)", False)
    assert not WorkflowPage.objects.exists()  # no page asks for it any more
    assert not GroupApprovalTask.objects.exists()  # the task was never started: deleted


def test_an_unused_default_workflow_is_deleted():
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    workflow = Workflow.objects.create(name="Moderators approval")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    migration.replace_defaults(apps, None)
    assert not Workflow.objects.exists() and not GroupApprovalTask.objects.exists()


def test_no_request_to_third_parties_from_the_admin():
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert settings.WAGTAIL_ENABLE_UPDATE_CHECK is False


def test_editor_page_editor_has_no_english_workflow(client):
    user = get_user_model().objects.create_user("editeur", "e@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(user)
    home = Page.objects.get(depth=2)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[home.pk])).content.decode()
    assert "Moderators" not in html and "Editors" not in html
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in dashboard.lower()
