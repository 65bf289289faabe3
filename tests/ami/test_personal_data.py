"""Personal data (RGPD): the daily purge applies the retention periods of « Données personnelles »
(drafts warned a month before and deleted with their files; submitted dossiers anonymised with
their figures kept; nothing when a period is not set), and the export of what the site holds
about one person."""
import datetime as dt
import json
import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Site

from ami.models import Dossier, DossierVersion, Library, OutboxEmail, WorkingGroup, WorkingGroupMember
from ami.pdf import DRAFT_CACHE_PREFIX, draft_dossier_pdf
from ami.services.submission import submit_dossier
from ami.services.uploads import store_signed_document
from ami.tasks import purge_personal_data
from home.dates import PARIS
from home.models import LegalSettings
from tests.text import pdf_text

from .factories import commune, complete_dossier, make_campaign, make_dossier, valid_pdf_bytes

OPENS = dt.datetime(2027, 1, 4, 9, 0, tzinfo=PARIS)
CLOSES = dt.datetime(2027, 3, 31, 23, 59, tzinfo=PARIS)


def on(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def set_periods(drafts: int | None, dossiers: int | None) -> None:
    legal = LegalSettings.for_site(Site.objects.get(is_default_site=True))
    legal.draft_retention_months, legal.dossier_retention_months = drafts, dossiers
    legal.save()


def storage():
    return Dossier._meta.get_field("signed_document").storage


def run_beat(when: dt.datetime, django_capture_on_commit_callbacks) -> dict:
    """The beat task on `when`, its e-mails handed to the (locmem) mail backend on commit."""
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        return purge_personal_data()


@pytest.fixture
def campaign(db):
    with time_machine.travel(OPENS, tick=False):
        return make_campaign(opens_at=OPENS, closes_at=CLOSES)


@pytest.fixture
def draft(campaign):
    """A draft of Roubaix, never submitted, with its signed document uploaded."""
    with time_machine.travel(on(2027, 2, 1), tick=False):
        dossier = make_dossier(campaign, commune("Roubaix"), agent_email="agent@ville-roubaix.fr", agent_last_name="Petit")
        store_signed_document(dossier, valid_pdf_bytes())
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def submitted(campaign):
    """Lille's dossier, complete and submitted, its receipt PDF stored."""
    with time_machine.travel(on(2027, 3, 1), tick=False):
        dossier = complete_dossier(make_dossier(campaign, commune("Lille"), agent_email="agent@mairie-lille.fr"))
        Library.objects.filter(dossier=dossier).update(books=12345)
        result = submit_dossier(dossier.pk)
        result.version.pdf.save("recepisse.pdf", ContentFile(valid_pdf_bytes("Récépissé")), save=True)
    dossier.refresh_from_db()
    return dossier


def test_a_draft_is_warned_once_a_month_before_and_deleted_with_its_files_at_its_period(
    draft, submitted, django_capture_on_commit_callbacks
):
    set_periods(drafts=6, dossiers=60)  # closed 31 March 2027 23:59 → draft deleted on 30 September 2027 23:59
    document = draft.signed_document.name
    assert storage().exists(document)

    run_beat(on(2027, 8, 30), django_capture_on_commit_callbacks)  # 31 days before: too early
    assert mail.outbox == []

    run_beat(on(2027, 8, 31), django_capture_on_commit_callbacks)  # one month before
    assert [m.to for m in mail.outbox] == [["agent@ville-roubaix.fr"]]
    warning = mail.outbox[0]
    assert warning.subject == "Suppression le 30 septembre 2027 de la candidature BNM non déposée de Roubaix"
    assert "sera supprimé le 30 septembre 2027" in warning.body
    assert "/candidater/acces/" not in warning.body  # the call is closed: no private link

    run_beat(on(2027, 9, 15), django_capture_on_commit_callbacks)
    run_beat(on(2027, 9, 30), django_capture_on_commit_callbacks)  # the day itself, before 23:59
    assert len(mail.outbox) == 1  # warned once
    assert Dossier.objects.filter(pk=draft.pk).exists() and storage().exists(document)

    run_beat(on(2027, 10, 1), django_capture_on_commit_callbacks)
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not storage().exists(document)
    assert not OutboxEmail.objects.filter(to=["agent@ville-roubaix.fr"]).exists()
    assert len(mail.outbox) == 1
    # The submitted dossier of the same call is untouched (its own period runs to 2032).
    assert Dossier.objects.get(pk=submitted.pk).agent_email == "agent@mairie-lille.fr"


def test_a_period_set_late_still_gives_a_month_of_notice(draft, django_capture_on_commit_callbacks):
    set_periods(drafts=6, dossiers=None)
    run_beat(on(2028, 2, 1), django_capture_on_commit_callbacks)  # 10 months after the closing
    assert len(mail.outbox) == 1 and "sera supprimé le 1er mars 2028" in mail.outbox[0].body
    run_beat(on(2028, 2, 29), django_capture_on_commit_callbacks)
    assert Dossier.objects.filter(pk=draft.pk).exists()
    run_beat(on(2028, 3, 1), django_capture_on_commit_callbacks)
    assert not Dossier.objects.filter(pk=draft.pk).exists()


def test_a_dossier_reopened_after_its_submission_is_not_deleted_as_a_draft(submitted, django_capture_on_commit_callbacks):
    Dossier.objects.filter(pk=submitted.pk).update(status=Dossier.Status.DRAFT)  # « Modifier ma candidature »
    set_periods(drafts=6, dossiers=60)
    run_beat(on(2027, 10, 1), django_capture_on_commit_callbacks)
    assert mail.outbox == [] and Dossier.objects.get(pk=submitted.pk).agent_email == "agent@mairie-lille.fr"
    run_beat(on(2032, 4, 1), django_capture_on_commit_callbacks)  # its submitted version counts: anonymised, kept
    assert Dossier.objects.get(pk=submitted.pk).agent_email == ""


def test_a_submitted_dossier_is_anonymised_at_its_period_and_its_figures_remain(
    submitted, django_capture_on_commit_callbacks
):
    set_periods(drafts=6, dossiers=60)
    version = submitted.versions.get()
    files = [submitted.signed_document.name, version.pdf.name]
    assert all(storage().exists(name) for name in files)
    receipt = submitted.receipt_number
    assert "Petit" in pdf_text(draft_dossier_pdf(submitted))  # a copy the back-office keeps for an hour

    run_beat(on(2032, 3, 31), django_capture_on_commit_callbacks)  # 60 months, before 23:59
    assert Dossier.objects.get(pk=submitted.pk).agent_last_name == "Petit"

    run_beat(on(2032, 4, 1), django_capture_on_commit_callbacks)
    dossier = Dossier.objects.get(pk=submitted.pk)
    personal = [dossier.agent_last_name, dossier.agent_first_name, dossier.agent_email, dossier.agent_phone,
                dossier.elected_last_name, dossier.elected_first_name, dossier.elected_email]
    assert personal == [""] * 7
    assert not dossier.signed_document and not any(storage().exists(name) for name in files)
    library = dossier.libraries.get()
    assert (library.manager_name, library.phone, library.email) == ("", "", "")
    assert dossier.working_group_signups.get().agent_names == ""
    snapshot = json.dumps(DossierVersion.objects.get(pk=version.pk).data, ensure_ascii=False)
    for value in ("Petit", "Durand", "agent@mairie-lille.fr", "elue@example.fr", "Martin, Claire", "03 20"):
        assert value not in snapshot
    assert not OutboxEmail.objects.filter(dossier=dossier).exists()
    assert cache.get(f"{DRAFT_CACHE_PREFIX}{dossier.pk}") is None  # the cached PDF with the names is gone too
    # What the état des lieux counts stays.
    assert (dossier.status, dossier.receipt_number, dossier.commune.name) == (Dossier.Status.SUBMITTED, receipt, "Lille")
    assert (library.books, library.name, dossier.engagement_sigb, dossier.objective_public_service) == (
        12345, "Médiathèque La Grand-Plage", "oui", "+++"
    )
    assert DossierVersion.objects.get(pk=version.pk).data["libraries"][0]["books"] == 12345

    assert run_beat(on(2032, 4, 2), django_capture_on_commit_callbacks) == {"warned": 0, "deleted": 0, "anonymised": 0}


def test_nothing_happens_when_the_periods_are_not_set(draft, submitted, django_capture_on_commit_callbacks, caplog):
    set_periods(drafts=None, dossiers=None)
    with caplog.at_level(logging.INFO, logger="ami"):
        report = run_beat(on(2040, 1, 1), django_capture_on_commit_callbacks)
    assert report == {"warned": 0, "deleted": 0, "anonymised": 0}
    assert mail.outbox == []
    assert Dossier.objects.get(pk=draft.pk).agent_last_name == "Petit" and storage().exists(draft.signed_document.name)
    assert Dossier.objects.get(pk=submitted.pk).agent_email == "agent@mairie-lille.fr"
    assert "Draft retention period not set" in caplog.text and "Dossier retention period not set" in caplog.text


def test_the_dry_run_command_says_what_it_would_do_and_changes_nothing(draft, capsys):
    set_periods(drafts=6, dossiers=60)
    with time_machine.travel(on(2027, 8, 31), tick=False):
        call_command("purge_personal_data", "--dry-run")
    out = capsys.readouterr().out
    assert "Avertissements à envoyer\u202f: 1" in out and "rien n’a été modifié" in out
    assert not OutboxEmail.objects.filter(key__startswith="purge-warning:").exists()


def test_the_export_finds_a_persons_dossiers_and_emails_and_nothing_of_another(campaign, capsys):
    person, other = "claire.martin@ville-roubaix.fr", "agent@mairie-lille.fr"
    as_agent = make_dossier(campaign, commune("Roubaix"), agent_email="Claire.Martin@ville-roubaix.fr",
                            agent_last_name="Martin")
    as_elected = make_dossier(campaign, commune("Tourcoing"), agent_email="autre@ville-tourcoing.fr",
                              elected_email=person)
    someone_else = make_dossier(campaign, commune("Lille"), agent_email=other)
    OutboxEmail.objects.create(key="t:1", to=[person], subject="Votre lien privé", body="…", dossier=as_agent)
    OutboxEmail.objects.create(key="t:2", to=[other], subject="Lien de Lille", body="…", dossier=someone_else)
    OutboxEmail.objects.create(key="t:3", to=[f"x{person}"], subject="Une autre adresse", body="…")
    group = WorkingGroup.objects.create(name="Médiation numérique")
    WorkingGroupMember.objects.create(group=group, name="Claire Martin", email=person)
    WorkingGroupMember.objects.create(group=group, name="Autre agent", email=other)
    user = get_user_model().objects.create_user("cmartin", person, "motdepasse-solide-42", last_name="Martin")
    TOTPDevice.objects.create(user=user, name="Téléphone de Claire", confirmed=True)
    AccessAttempt.objects.create(username="cmartin", ip_address="203.0.113.7", failures_since_start=2,
                                 user_agent="", get_data="", post_data="", http_accept="", path_info="/admin/login/")
    AccessAttempt.objects.create(username="quelquun", ip_address="198.51.100.9", failures_since_start=1,
                                 user_agent="", get_data="", post_data="", http_accept="", path_info="/admin/login/")

    call_command("export_personal_data", "--email", "CLAIRE.MARTIN@ville-roubaix.fr")
    data = json.loads(capsys.readouterr().out)

    assert {(d["id"], tuple(d["rôles"])) for d in data["dossiers"]} == {(as_agent.pk, ("agent",)), (as_elected.pk, ("élu",))}
    assert [e["objet"] for e in data["e-mails"]] == ["Votre lien privé"]
    assert [m["nom"] for m in data["membre_de_groupes_de_travail"]] == ["Claire Martin"]
    [account] = data["compte_administration"]
    assert account["identifiant"] == "cmartin" and account["second_facteur"] == [{"nom": "Téléphone de Claire", "confirmé": True}]
    assert [a["adresse_ip"] for a in account["tentatives_de_connexion_échouées"]] == ["203.0.113.7"]
    exported = json.dumps(data, ensure_ascii=False)
    assert other not in exported and "198.51.100.9" not in exported and "Lille" not in exported and "autre@ville-tourcoing.fr" not in exported


def test_beat_runs_the_purge_every_day(settings):
    from celery.schedules import crontab

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["ami-purge-personal-data"]
    assert entry["task"] == "ami.tasks.purge_personal_data" and entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=9, minute=30)  # once a day, in office hours (Paris)
