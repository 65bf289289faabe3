"""Working groups in the back-office: the groups, their members (dossier sign-ups and members
added by the team), the members export, « Écrire au groupe », meetings on the public calendar
and their .ics invitations; what « Éditeurs » are refused."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from ami.backoffice.exports import build_sheets
from ami.backoffice.groups import EDITORS_GROUP, TEAM_GROUP
from ami.constants import DEFAULT_WORKING_GROUPS
from ami.models import Dossier, OutboxEmail, WorkingGroup, WorkingGroupMeeting, WorkingGroupMember
from ami.tasks import build_message
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

from .factories import commune, make_campaign

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
SEED = Path("/work/shared/seeds/000_e27dad83cdb1c0f7.txt")
EBOOKS = "Groupe livres numériques"


def user_in(group_name: str, username: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def team_client():
    """A member of « Équipe BNM » (not a superuser), with CSRF checks on."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user_in(TEAM_GROUP, "equipe"))
    return browser


def post(browser: Client, url: str, data: dict | None = None, *, page: str | None = None):
    """POST as a browser does: with the CSRF token of a page opened first."""
    browser.get(page or url)
    return browser.post(url, {**(data or {}), "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})


def ebooks() -> WorkingGroup:
    return WorkingGroup.objects.get(name=EBOOKS)


@pytest.fixture
def members(campaign):
    """For « Groupe livres numériques »: two submitted dossiers (one without referent address),
    one draft, one submitted dossier of another campaign, and two members added by the team."""
    group = ebooks()

    def dossier(name, camp, email, agents, submit=True):
        d = make_complete_dossier(camp, communes=(name,), libraries=1, agent_email=email)
        d.working_group_signups.all().delete()
        d.working_group_signups.create(group=group, agent_names=agents)
        if submit:
            submit_dossier_version(d, receipt_number=f"BNM-{name[:4].upper()}")
        return d

    other = make_campaign(title="AMI BNM 2030")
    return {
        "group": group,
        "roubaix": dossier("Roubaix", campaign, "lucas.martin@roubaix.fr", "Lucas Martin, Inès Petit"),
        "lille": dossier("Lille", campaign, "", "Paul Leroy"),
        "draft": dossier("Tourcoing", campaign, "brouillon@tourcoing.fr", "Agent Brouillon", submit=False),
        "other": dossier("Wattrelos", other, "autre@wattrelos.fr", "Agent Autre Campagne"),
        "alice": WorkingGroupMember.objects.create(group=group, name="Alice Durand", email="Alice.Durand@Hem.fr",
                                                   commune=commune("Hem")),
        "bruno": WorkingGroupMember.objects.create(group=group, name="Bruno Sans-Adresse", commune=commune("Lys-lez-Lannoy")),
    }


def members_url(group, campaign=None, **params):
    url = reverse("ami_workinggroup_members", args=[group.pk])
    query = {"campaign": campaign.pk} if campaign else {}
    query.update(params)
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text_of(response) -> str:
    """The page's text, runs of ASCII whitespace made one space (non-breaking spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", BeautifulSoup(response.content, "html.parser").get_text(" "))


def rows(response) -> list[list[str]]:
    soup = BeautifulSoup(response.content, "html.parser")
    table = soup.find("table", attrs={"aria-labelledby": "membres-titre"})
    return [[" ".join(cell.get_text(" ", strip=True).split()) for cell in tr.find_all(["th", "td"])][:4]
            for tr in table.tbody.find_all("tr")]


# --- The groups ---------------------------------------------------------------------------------


def test_the_four_groups_are_named_as_in_the_paper_dossier_with_no_invented_rhythm_or_contact():
    paper = SEED.read_text()
    groups = list(WorkingGroup.objects.order_by("sort_order"))
    assert [g.name for g in groups] == [name for name, _ in DEFAULT_WORKING_GROUPS]
    for group in groups:
        assert f"\n{group.name}\n" in paper, group.name
        assert group.rhythm == "" and group.contact == ""
    # Descriptions are the paper's words for each tool (case, apostrophe and final stop aside).
    flat = paper.casefold()
    for group in groups:
        assert group.description.rstrip(".").casefold().replace("’", "'") in flat, group.description


def test_the_team_edits_a_group_and_adds_one(team_client):
    group = ebooks()
    url = reverse("ami_workinggroup_modeladmin_edit", args=[group.pk])
    form = team_client.get(url).content.decode()
    assert "Rythme" in form and "Contact" in form and "Proposé dans le formulaire" in form
    data = {"name": group.name, "description": "Choisir ensemble les livres numériques.", "rhythm": "Une réunion par mois",
            "contact": "Marie Lefebvre, mlefebvre@lillemetropole.fr", "sort_order": 3, "is_active": "on"}
    assert post(team_client, url, data)["Location"] == reverse("ami_workinggroup_modeladmin_index")
    group.refresh_from_db()
    assert (group.rhythm, group.contact, group.description) == (data["rhythm"], data["contact"], data["description"])
    listing = team_client.get(reverse("ami_workinggroup_modeladmin_index")).content.decode()
    assert "Une réunion par mois" in listing and "Marie Lefebvre" in listing
    assert members_url(group) in listing  # « Membres et réunions »

    create = reverse("ami_workinggroup_modeladmin_create")
    new = {"name": "Groupe accessibilité", "description": "", "rhythm": "", "contact": "", "sort_order": 5}
    assert post(team_client, create, new).status_code == 302
    added = WorkingGroup.objects.get(name="Groupe accessibilité")
    assert not added.is_active  # unchecked: not offered in the dossier form


# --- Members --------------------------------------------------------------------------------------


def test_the_team_adds_a_member_from_the_group_page(team_client, campaign):
    group = ebooks()
    create = reverse("ami_workinggroupmember_modeladmin_create") + f"?group={group.pk}"
    form = BeautifulSoup(team_client.get(create).content, "html.parser")
    assert form.find("select", attrs={"name": "group"}).find("option", selected=True)["value"] == str(group.pk)
    data = {"group": group.pk, "name": "Chloé Bernard", "email": "chloe.bernard@croix.fr", "commune": commune("Croix").pk}
    response = post(team_client, create, data, page=create)
    assert response.status_code == 302 and response["Location"] == members_url(group)
    member = WorkingGroupMember.objects.get()
    assert (member.name, member.email, member.commune.name, member.added_by.username) == (
        "Chloé Bernard", "chloe.bernard@croix.fr", "Croix", "equipe")
    page = team_client.get(members_url(group, campaign))
    assert ["Chloé Bernard", "Croix", "chloe.bernard@croix.fr", "ajouté par l’équipe"] in rows(page)

    bad = post(team_client, create, {**data, "name": "", "email": "pas-une-adresse"}, page=create)
    assert bad.status_code == 200 and WorkingGroupMember.objects.count() == 1
    assert "Saisissez une adresse e-mail valide" in bad.content.decode()


def test_members_are_submitted_dossiers_of_the_campaign_and_members_added_by_the_team(team_client, campaign, members):
    page = team_client.get(members_url(members["group"], campaign))
    assert page.status_code == 200
    assert rows(page) == [
        ["Paul Leroy", "Lille", "pas d’adresse", "dossier BNM-LILL"],
        ["Lucas Martin, Inès Petit", "Roubaix", "lucas.martin@roubaix.fr", "dossier BNM-ROUB"],
        ["Alice Durand", "Hem", "Alice.Durand@Hem.fr", "ajouté par l’équipe"],
        ["Bruno Sans-Adresse", "Lys-lez-Lannoy", "pas d’adresse", "ajouté par l’équipe"],
    ]
    text = text_of(page)
    assert "Seules comptent les inscriptions des dossiers de la campagne" in text
    assert "(état «\u00a0déposé\u00a0», «\u00a0en instruction\u00a0», «\u00a0à compléter\u00a0», «\u00a0retenu\u00a0»)" in text
    assert "Les brouillons et les dossiers non retenus n’en font pas partie" in text
    assert "Agent Brouillon" not in text and "Agent Autre Campagne" not in text
    # Another campaign: its submitted dossier, and the team's members (whatever the campaign).
    other = team_client.get(members_url(members["group"], members["other"].campaign))
    assert [r[0] for r in rows(other)] == ["Agent Autre Campagne", "Alice Durand", "Bruno Sans-Adresse"]


def test_members_export_xlsx_and_csv(team_client, campaign, members):
    url = members_url(members["group"], campaign)
    response = team_client.get(url + "&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="membres-groupe-livres-numeriques-')
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content))["Membres"]
    assert sheet.freeze_panes == "A2"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Numéro de récépissé", "Nom de la commune", "Agent(s)", "Adresse e-mail", "Origine"],
        ["BNM-LILL", "Lille", "Paul Leroy", None, "Dossier"],
        ["BNM-ROUB", "Roubaix", "Lucas Martin, Inès Petit", "lucas.martin@roubaix.fr", "Dossier"],
        [None, "Hem", "Alice Durand", "Alice.Durand@Hem.fr", "Ajouté par l’équipe"],
        [None, "Lys-lez-Lannoy", "Bruno Sans-Adresse", None, "Ajouté par l’équipe"],
    ]
    csv_response = team_client.get(url + "&export=csv")
    text = csv_response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert lines[0] == ["Numéro de récépissé", "Nom de la commune", "Agent(s)", "Adresse e-mail", "Origine"]
    assert lines[2] == ["BNM-ROUB", "Roubaix", "Lucas Martin, Inès Petit", "lucas.martin@roubaix.fr", "Dossier"]
    assert len(lines) == 5


def test_dossier_members_are_the_export_groups_sheet_of_the_campaigns_submitted_dossiers(team_client, campaign, members):
    """The dossier export's « Groupes de travail » sheet, filtered on the campaign and « déposé »,
    has the same sign-ups as the members « dossier » of the page."""
    sheet = next(s for s in build_sheets(Dossier.objects.filter(campaign=campaign, status=Dossier.Status.SUBMITTED))
                 if s.title == "Groupes de travail")
    from_export = sorted((r[0], r[1], r[3]) for r in sheet.rows if r[2] == EBOOKS)
    page = team_client.get(members_url(members["group"], campaign))
    from_page = sorted((r[3].removeprefix("dossier "), r[1], r[0]) for r in rows(page) if r[3].startswith("dossier "))
    assert from_export == from_page == [("BNM-LILL", "Lille", "Paul Leroy"),
                                        ("BNM-ROUB", "Roubaix", "Lucas Martin, Inès Petit")]


def test_members_page_query_budget_with_100_dossiers(team_client, django_assert_max_num_queries):
    from tests.ami.export_data import make_export_dossiers

    campaign = make_export_dossiers(100, libraries=3)
    group = WorkingGroup.objects.order_by("sort_order").first()
    for index in range(20):
        WorkingGroupMember.objects.create(group=group, name=f"Agent {index:02d}", email=f"agent{index}@example.org")
    for days in (5, 12):
        WorkingGroupMeeting.objects.create(group=group, starts_at=timezone.now() + dt.timedelta(days=days), place="Lille")
    url = members_url(group, campaign)
    team_client.get(url)
    with django_assert_max_num_queries(16):
        response = team_client.get(url)
    assert len(rows(response)) == 50 + 20  # the 50 submitted dossiers' sign-ups and the team's members
    with django_assert_max_num_queries(16):
        assert team_client.get(url + "&export=xlsx").status_code == 200


# --- « Écrire au groupe » ---------------------------------------------------------------------------


def test_write_to_the_group_queues_one_email_per_address_and_names_the_members_not_reached(
    team_client, campaign, members, django_capture_on_commit_callbacks
):
    group = members["group"]
    WorkingGroupMember.objects.create(group=group, name="Lucas Martin (doublon)", email="LUCAS.MARTIN@roubaix.fr")
    url = reverse("ami_workinggroup_write", args=[group.pk]) + f"?campaign={campaign.pk}"
    form = team_client.get(url)
    soup = BeautifulSoup(form.content, "html.parser")
    text = text_of(form)
    assert "à 2 adresses des membres" in text
    assert "2 membres sans adresse e-mail ne recevront pas ce message" in text
    assert "Paul Leroy (Lille, dossier)" in text and "Bruno Sans-Adresse (Lys-lez-Lannoy, ajouté par l’équipe)" in text
    assert not OutboxEmail.objects.exists()  # opening the form sends nothing
    token = soup.find("input", attrs={"name": "token"})["value"]
    data = {"subject": "Prochaine réunion", "message": "Bonjour à toutes et à tous,\nà bientôt.", "token": token,
            "campaign": campaign.pk, "csrfmiddlewaretoken": team_client.cookies["csrftoken"].value}
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(url, data, follow=True)
    assert sorted(tuple(e.to) for e in OutboxEmail.objects.all()) == [("alice.durand@hem.fr",), ("lucas.martin@roubaix.fr",)]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice.durand@hem.fr", "lucas.martin@roubaix.fr"]
    message = mail.outbox[0]
    assert message.subject == f"Prochaine réunion – {EBOOKS}"
    assert "Bonjour à toutes et à tous,\nà bientôt." in message.body
    assert f"membre du groupe de travail «\u00a0{EBOOKS}\u00a0»" in message.body
    page = text_of(response)
    assert "Message envoyé à 2 adresses" in page
    assert "Non joints (sans adresse e-mail)\u202f: Paul Leroy (Lille), Bruno Sans-Adresse (Lys-lez-Lannoy)" in page

    # The same form posted again (double click, back button): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = team_client.post(url, data, follow=True)
    assert OutboxEmail.objects.count() == 2 and len(mail.outbox) == 2
    assert "2 adresses avaient déjà reçu ce message" in again.content.decode()


def test_write_to_the_group_errors_are_in_french_next_to_the_field(team_client, campaign, members):
    url = reverse("ami_workinggroup_write", args=[members["group"].pk])
    team_client.get(url)
    token = BeautifulSoup(team_client.get(url).content, "html.parser").find("input", attrs={"name": "token"})["value"]
    csrf = team_client.cookies["csrftoken"].value
    response = team_client.post(url, {"subject": "", "message": "  ", "token": token, "csrfmiddlewaretoken": csrf})
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    summary = soup.find(id="write-error-summary").get_text(" ")
    assert "Indiquez l’objet du message." in summary and "Écrivez le message à envoyer aux membres." in summary
    assert soup.find("input", attrs={"name": "subject"}).get("aria-invalid") == "true" or "error" in str(
        soup.find("input", attrs={"name": "subject"}).find_parent(class_=re.compile("w-field")))
    forged = team_client.post(url, {"subject": "a", "message": "b", "token": "pas-un-jeton", "csrfmiddlewaretoken": csrf})
    assert forged.status_code == 302
    assert not OutboxEmail.objects.exists()


def test_write_to_the_group_needs_post_and_the_csrf_token(campaign, members):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user_in(TEAM_GROUP, "equipe"))
    url = reverse("ami_workinggroup_write", args=[members["group"].pk])
    data = {"subject": "a", "message": "b", "token": "3f1c2b7e-1d2a-4c6b-9a0e-2f1d3c4b5a69"}
    assert browser.post(url, data).status_code == 403
    assert not OutboxEmail.objects.exists()


# --- Meetings -----------------------------------------------------------------------------------------


@pytest.fixture
def calendar(db):
    from django.core.management import call_command

    call_command("load_bnm_content", stdout=open("/dev/null", "w"))
    from home.models import CalendarPage

    return CalendarPage.objects.live().get()


def meeting_form(group, start: dt.datetime, end: dt.datetime | None = None, **fields) -> dict:
    data = {"group": group.pk, "starts_at": start.strftime("%Y-%m-%d %H:%M"),
            "ends_at": end.strftime("%Y-%m-%d %H:%M") if end else "", "place": "", "online_url": "", "description": ""}
    data.update(fields)
    return data


def test_meeting_shows_on_the_public_calendar_and_in_its_ical_feed(team_client, calendar, campaign):
    from home.models import EventPage

    group = ebooks()
    start = dt.datetime(2027, 3, 11, 14, 0, tzinfo=PARIS)
    create = reverse("ami_workinggroupmeeting_modeladmin_create") + f"?group={group.pk}"
    data = meeting_form(group, start, start + dt.timedelta(hours=2), place="Hôtel de la Métropole, Lille",
                        is_online="on", online_url="https://visio.example.org/livres-numeriques",
                        description="Choix des premiers titres.")
    response = post(team_client, create, data, page=create)
    assert response.status_code == 302 and response["Location"] == members_url(group)
    meeting = WorkingGroupMeeting.objects.get()
    assert meeting.starts_at == start and meeting.sequence == 0

    public = Client()
    page = public.get(calendar.url).content.decode()
    assert f"Réunion – {EBOOKS}" in page
    event = EventPage.objects.get(pk=meeting.event_page_id)
    assert event.live and event.category == "groupes" and event.get_parent().pk == calendar.pk
    detail = public.get(event.url).content.decode()
    assert "11 mars 2027, 14 h – 16 h" in detail
    assert "Hôtel de la Métropole, Lille et en visioconférence" in detail
    assert "Choix des premiers titres." in detail
    assert "visio.example.org" not in detail and "visio.example.org" not in page  # the link is for members only

    feed = Calendar.from_ical(public.get(calendar.ical_url).content)
    found = [e for e in feed.walk("VEVENT") if str(e["SUMMARY"]) == f"Réunion – {EBOOKS}"]
    assert len(found) == 1
    assert found[0].decoded("DTSTART") == start and found[0].decoded("DTEND") == start + dt.timedelta(hours=2)
    assert str(found[0]["LOCATION"]) == "Hôtel de la Métropole, Lille et en visioconférence"
    filtered = public.get(calendar.url + "?categorie=groupes").content.decode()
    assert f"Réunion – {EBOOKS}" in filtered and "Groupes de travail" in filtered

    # Moved by an hour: the same event follows; deleted: gone from the calendar.
    edit = reverse("ami_workinggroupmeeting_modeladmin_edit", args=[meeting.pk])
    moved = {**data, "starts_at": "2027-03-11 15:00", "ends_at": "2027-03-11 17:00"}
    assert post(team_client, edit, moved, page=edit)["Location"] == members_url(group)
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert "15 h – 17 h" in public.get(EventPage.objects.get(pk=meeting.event_page_id).url).content.decode()
    delete = reverse("ami_workinggroupmeeting_modeladmin_delete", args=[meeting.pk])
    assert post(team_client, delete, page=delete).status_code == 302
    assert not EventPage.objects.filter(title=f"Réunion – {EBOOKS}").exists()
    assert f"Réunion – {EBOOKS}" not in public.get(calendar.url).content.decode()


def test_meeting_form_refuses_an_end_before_the_start_and_no_place(team_client, campaign):
    group = ebooks()
    create = reverse("ami_workinggroupmeeting_modeladmin_create")
    start = dt.datetime(2027, 3, 11, 14, 0, tzinfo=PARIS)
    response = post(team_client, create, meeting_form(group, start, start - dt.timedelta(hours=1)), page=create)
    assert response.status_code == 200
    content = response.content.decode()
    assert "La fin doit suivre le début." in content
    assert "Indiquez le lieu de la réunion, ou cochez «\u00a0en visio\u00a0»." in content
    assert not WorkingGroupMeeting.objects.exists()


def test_invitation_sends_each_member_one_email_with_a_valid_ics_per_version_of_the_meeting(
    team_client, campaign, members, django_capture_on_commit_callbacks
):
    group = members["group"]
    start = timezone.now().astimezone(PARIS).replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=14)
    meeting = WorkingGroupMeeting.objects.create(
        group=group, starts_at=start, place="", is_online=True, online_url="https://visio.example.org/abc",
        description="Ordre du jour : la charte.",
    )
    url = reverse("ami_workinggroupmeeting_invite", args=[meeting.pk])
    confirm = text_of(team_client.get(url + f"?campaign={campaign.pk}"))
    assert "à 2 adresses des membres" in confirm and "Paul Leroy (Lille, dossier)" in confirm
    assert not OutboxEmail.objects.exists()

    data = {"campaign": campaign.pk, "csrfmiddlewaretoken": team_client.cookies["csrftoken"].value}
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(url, data, follow=True)
    page = text_of(response)
    assert "Invitation envoyée à 2 adresses" in page
    assert "Non joints (sans adresse e-mail)\u202f: Paul Leroy (Lille), Bruno Sans-Adresse (Lys-lez-Lannoy)" in page
    assert "envoyée à 2 adresses" in page  # the meeting's line on the members page
    assert sorted(m.to[0] for m in mail.outbox) == ["alice.durand@hem.fr", "lucas.martin@roubaix.fr"]
    for message in mail.outbox:
        assert message.subject.startswith(f"Invitation – {EBOOKS}, ")
        assert "https://visio.example.org/abc" in message.body
        [(name, content, mimetype)] = message.attachments
        assert (name, mimetype) == ("invitation.ics", "text/calendar")
        event = next(iter(Calendar.from_ical(content).walk("VEVENT")))
        assert str(event["UID"]) == f"meeting-{meeting.pk}@bnm.lillemetropole.fr"
        assert event.decoded("DTSTART") == start and event.decoded("DTEND") == start + dt.timedelta(hours=1)
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert int(event["SEQUENCE"]) == 0 and str(event["LOCATION"]) == "En visioconférence"
        assert "https://visio.example.org/abc" in str(event["DESCRIPTION"])

    with django_capture_on_commit_callbacks(execute=True):
        again = team_client.post(url, data, follow=True)
    assert len(mail.outbox) == 2 and "2 adresses avaient déjà reçu cette invitation" in again.content.decode()

    # A new time is a new version: one more invitation each, with SEQUENCE 1.
    edit = reverse("ami_workinggroupmeeting_modeladmin_edit", args=[meeting.pk])
    later = start + dt.timedelta(hours=4)
    form = meeting_form(group, later, is_online="on", online_url="https://visio.example.org/abc",
                        description=meeting.description)
    assert post(team_client, edit, form, page=edit)["Location"] == members_url(group)
    data["csrfmiddlewaretoken"] = team_client.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        team_client.post(url, data)
    assert len(mail.outbox) == 4
    update = mail.outbox[-1]
    assert update.subject.startswith(f"Réunion modifiée – {EBOOKS}, ")
    event = next(iter(Calendar.from_ical(update.attachments[0][1]).walk("VEVENT")))
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == later


def test_the_outbox_attaches_a_stored_file_with_the_type_of_its_name(campaign):
    from django.core.files.base import ContentFile

    ics = OutboxEmail.objects.create(key="t-ics", to=["a@example.org"], subject="s", body="b",
                                     attachment=ContentFile(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", name="t/x.ics"),
                                     attachment_name="invitation.ics")
    pdf = OutboxEmail.objects.create(key="t-pdf", to=["a@example.org"], subject="s", body="b",
                                     attachment=ContentFile(b"%PDF-1.4", name="t/x.pdf"), attachment_name="dossier.pdf")
    assert [(n, m) for n, _, m in build_message(ics).attachments] == [("invitation.ics", "text/calendar")]
    assert [(n, m) for n, _, m in build_message(pdf).attachments] == [("dossier.pdf", "application/pdf")]


# --- Permissions ----------------------------------------------------------------------------------------


def test_editors_get_403_on_the_group_views_and_nothing_is_sent(client, campaign, members):
    group = members["group"]
    meeting = WorkingGroupMeeting.objects.create(group=group, starts_at=timezone.now() + dt.timedelta(days=3), place="Lille")
    client.force_login(user_in(EDITORS_GROUP, "editeur"))
    urls = [
        members_url(group, campaign),
        members_url(group, campaign, export="xlsx"),
        members_url(group, campaign, export="csv"),
        reverse("ami_workinggroup_write", args=[group.pk]),
        reverse("ami_workinggroupmeeting_invite", args=[meeting.pk]),
    ]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url, {"subject": "a", "message": "b", "token": "3f1c2b7e-1d2a-4c6b-9a0e-2f1d3c4b5a69"})
            assert response.status_code == 403, (url, method)
            assert "lucas.martin@roubaix.fr" not in response.content.decode()
    assert not OutboxEmail.objects.exists()


def test_the_migration_replaces_the_first_descriptions_but_keeps_the_teams_own():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ami.migrations.0012_working_groups_wording_and_team_permissions")
    software = WorkingGroup.objects.get(name="Groupe logiciel métier")
    software.description = "Choix, paramétrage et déploiement du logiciel de gestion de bibliothèque (SIGB)."
    software.save()
    resources = WorkingGroup.objects.get(name="Groupe ressources en ligne")
    resources.description = "Texte écrit par l’équipe."
    resources.save()
    migration.forwards(apps, None)
    software.refresh_from_db()
    resources.refresh_from_db()
    assert software.description == "Système intégré de gestion en bibliothèque (SIGB)."
    assert resources.description == "Texte écrit par l’équipe."
    team = user_in(TEAM_GROUP, "equipe")
    assert team.has_perms(["ami.add_workinggroupmeeting", "ami.change_workinggroupmember", "ami.delete_workinggroupmeeting"])


def test_no_invitation_for_a_past_meeting(team_client, campaign, members):
    meeting = WorkingGroupMeeting.objects.create(group=members["group"], starts_at=timezone.now() - dt.timedelta(days=1),
                                                 place="Lille")
    url = reverse("ami_workinggroupmeeting_invite", args=[meeting.pk])
    response = post(team_client, url, {"campaign": campaign.pk})
    assert response.status_code == 302
    assert "déjà commencé ou est passée" in text_of(team_client.get(response["Location"]))
    assert not OutboxEmail.objects.exists()
