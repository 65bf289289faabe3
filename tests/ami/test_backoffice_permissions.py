"""Groups created by migration: « Équipe BNM » runs the AMI, « Éditeurs » edit pages, images and
documents and are refused every AMI admin URL (enumerated from the URL resolver, not listed by hand)."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.models import Page

from ami.backoffice.groups import EDITORS_GROUP, TEAM_GROUP
from ami.models import OutboxEmail, WorkingGroupMeeting, WorkingGroupMember, WorkingGroupSignup

from .factories import commune, valid_pdf_bytes

pytestmark = pytest.mark.django_db
SECRET = "agent-confidentiel@roubaix.fr"


def ami_admin_url_names() -> list[str]:
    """Names of every URL under the admin that belongs to the AMI (modeladmin and back-office views)."""
    names = []

    def walk(patterns, under_admin):
        for item in patterns:
            if isinstance(item, URLResolver):
                walk(item.url_patterns, under_admin or str(item.pattern).startswith("admin/"))
            elif isinstance(item, URLPattern) and under_admin and item.name and item.name.startswith("ami_"):
                names.append(item.name)

    walk(get_resolver().url_patterns, False)
    return sorted(set(names))


@pytest.fixture
def objects(campaign):
    from ami.services.uploads import store_signed_document
    from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

    dossier = make_complete_dossier(campaign, agent_email=SECRET)
    store_signed_document(dossier, valid_pdf_bytes())
    submit_dossier_version(dossier)
    signup = WorkingGroupSignup.objects.filter(dossier=dossier).select_related("group").first()
    group = signup.group
    email = OutboxEmail.objects.create(key="k", to=[SECRET], subject="Sujet", body="Corps", dossier=dossier,
                                       status=OutboxEmail.Status.FAILED)
    member = WorkingGroupMember.objects.create(group=group, name="Agent ajouté", email=SECRET)
    meeting = WorkingGroupMeeting.objects.create(group=group, starts_at=timezone.now() + dt.timedelta(days=9),
                                                 place="Salle du conseil", description=SECRET)
    return {"campaign": campaign, "dossier": dossier, "workinggroup": group, "workinggroupsignup": signup,
            "workinggroupmember": member, "workinggroupmeeting": meeting,
            "outboxemail": email, "commune": commune("Tourcoing")}


def url_for(name: str, objects) -> str:
    from django.urls import NoReverseMatch

    for model in ("workinggroupsignup", "workinggroupmember", "workinggroupmeeting", "workinggroup", "outboxemail",
                  "campaign", "dossier"):
        if name.startswith(f"ami_{model}_"):
            pk = objects[model].pk
            break
    else:
        pk = objects["outboxemail" if "outbox" in name else "dossier"].pk
    candidates = [
        {},
        {"instance_pk": pk},
        {"pk": pk},
        {"pk": pk, "number": 1},
        {"campaign_pk": objects["campaign"].pk, "commune_pk": objects["commune"].pk},
    ]
    for kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"no arguments known for {name}")


def member(group_name: str, username: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_migration_gives_the_groups_their_permissions():
    editor = member(EDITORS_GROUP, "editeur")
    team = member(TEAM_GROUP, "equipe")
    root = Page.objects.get(depth=1)
    from wagtail.permission_policies.pages import PagePermissionPolicy

    assert editor.has_perm("wagtailadmin.access_admin") and team.has_perm("wagtailadmin.access_admin")
    assert PagePermissionPolicy().user_has_permission_for_instance(editor, "publish", root)
    assert not any(perm.startswith("ami.") for perm in editor.get_all_permissions())
    for perm in ("ami.view_dossier", "ami.change_dossier", "ami.change_outboxemail", "ami.add_campaign",
                 "ami.change_workinggroup", "ami.view_workinggroupsignup"):
        assert team.has_perm(perm), perm
    from wagtail.documents.permissions import permission_policy as documents
    from wagtail.images.permissions import permission_policy as images

    assert images.user_has_permission(editor, "add") and documents.user_has_permission(editor, "change")


def test_editors_are_refused_every_ami_admin_url(client, objects):
    names = ami_admin_url_names()
    assert {"ami_dossier_modeladmin_index", "ami_backoffice_tracker", "ami_admin_dossier_pdf"} <= set(names)
    assert len(names) >= 20
    superuser = get_user_model().objects.create_superuser("admin", "admin@example.org", "motdepasse-solide-42")
    client.force_login(superuser)
    reachable = {name: url_for(name, objects) for name in names}
    for name, url in reachable.items():  # the URLs are real: the team gets them
        assert client.get(url).status_code in (200, 302, 405), name

    client.force_login(member(EDITORS_GROUP, "editeur"))
    for name, url in reachable.items():
        for method in (client.get, client.post):
            response = method(url)
            # A 403 that says why, in French (never a redirect to the dashboard that says nothing).
            assert response.status_code == 403, (name, method, response.status_code)
            assert "autorisation" in response.content.decode(), name
            assert SECRET not in response.content.decode(), name
    client.logout()
    login = reverse("wagtailadmin_login")
    for name, url in reachable.items():  # not logged in: to the login page
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].split("?")[0] == login, name
    assert OutboxEmail.objects.get().status == OutboxEmail.Status.FAILED  # « Renvoyer » did nothing


def test_editors_see_no_ami_menu_nor_dashboard_panel(client, objects):
    client.force_login(member(EDITORS_GROUP, "editeur"))
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    for name in ("ami_dossier_modeladmin_index", "ami_backoffice_tracker", "ami_campaign_modeladmin_index"):
        assert reverse(name) not in content, name
    assert "Tableau de bord de l’AMI" not in content and "en échec" not in content

    client.force_login(member(TEAM_GROUP, "equipe"))
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("ami_backoffice_tracker") in content and "Suivi des communes" in content
    assert "Tableau de bord de l’AMI" in content
