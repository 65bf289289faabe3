"""Builders for AMI tests (also used by the browser tests): campaigns, dossiers, complete answers, PDFs."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from ami.models import Campaign, Commune, Dossier, DossierCommune, Library, WorkingGroup, WorkingGroupSignup
from ami.services.completeness import LIBRARY_REQUIRED
from ami.services.dossiers import SESSION_KEY
from ami.services.uploads import store_signed_document


def make_campaign(*, opens_in=timedelta(days=-10), closes_in=timedelta(days=30), **fields) -> Campaign:
    now = timezone.now()
    defaults = {
        "title": "AMI Bibliothèque Numérique Métropolitaine 2027",
        "statistics_year": 2026,
        "first_engagement_year": 2027,
        "opens_at": now + opens_in,
        "closes_at": now + closes_in,
    }
    defaults.update(fields)
    return Campaign.objects.create(**defaults)


def commune(name: str) -> Commune:
    return Commune.objects.get(name=name)


def make_dossier(campaign: Campaign, commune_obj: Commune | None = None, *, libraries=1, **fields) -> Dossier:
    commune_obj = commune_obj or commune("Roubaix")
    fields.setdefault("agent_email", "agent@example.fr")
    dossier = Dossier.objects.create(campaign=campaign, commune=commune_obj, **fields)
    DossierCommune.objects.create(dossier=dossier, commune=commune_obj, campaign=campaign)
    for index in range(libraries):
        Library.objects.create(dossier=dossier, sort_order=index)
    return dossier


def valid_pdf_bytes(text: str = "Signé") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


LIBRARY_COMPLETE = {
    "name": "Médiathèque La Grand-Plage",
    "manager_name": "Martin, Claire",
    "address": "2 rue Pierre Motte, 59100 Roubaix",
    "phone": "03 20 66 45 00",
    "email": "mediatheque@example.fr",
    "portal_url": "https://mediatheque.example.fr/",
    "network": "none",
    "management_mode": "direct",
    "free_for_all": True,
    "has_digital_advisors": True,
    "digital_advisors": 2,
    "offers_online_resources": False,
    "facebook": True,
    "facebook_account": "mediatheque.roubaix",
    "instagram": False,
    "tiktok": False,
    "ereaders": 0,
    "tablets": 0,
}


def complete_library(library: Library, **overrides) -> Library:
    values = dict(LIBRARY_COMPLETE, **overrides)
    for name in LIBRARY_REQUIRED:
        if name in values:
            continue
        field = Library._meta.get_field(name)
        internal = field.get_internal_type()
        if internal == "BooleanField":
            values[name] = False
        elif internal == "DecimalField":
            values[name] = Decimal("12.50")
        else:
            values[name] = 10
    for name, value in values.items():
        setattr(library, name, value)
    library.save()
    return library


def complete_dossier(dossier: Dossier, *, with_document=True) -> Dossier:
    """Fill every answer needed for submission (a non-network dossier)."""
    Dossier.objects.filter(pk=dossier.pk).update(
        is_network=dossier.is_network if dossier.is_network is not None else False,
        elected_last_name="Durand", elected_first_name="Alice", elected_delegation="Culture",
        elected_email="elue@example.fr",
        agent_last_name="Petit", agent_first_name="Bruno", agent_position="Directeur",
        agent_department="Direction de la culture", agent_email=dossier.agent_email or "agent@example.fr",
        agent_phone="03 20 00 00 00",
        validation_mode="signature",
        project_statement="La BNM complète notre projet de lecture publique.",
        engagement_sigb="oui", engagement_portal_link="oui", compatible_software="pmb",
        engagement_double_sso="n+1", engagement_federated_search="non", engagement_ebooks="oui",
        engagement_mediation_design=True, engagement_mediation_programme="n+2",
        objective_public_service="+++", objective_varied_offer="++", objective_networking="+",
        training_commitment=True,
        signed_place="Roubaix", signed_on=date(2027, 3, 1),
    )
    dossier.refresh_from_db()
    for library in dossier.libraries.all():
        complete_library(library)
    group = WorkingGroup.objects.filter(is_active=True).first()
    if group:
        WorkingGroupSignup.objects.get_or_create(dossier=dossier, group=group, defaults={"agent_names": "Bruno Petit"})
    if with_document:
        store_signed_document(dossier, valid_pdf_bytes())
    dossier.refresh_from_db()
    return dossier


def open_dossier_in_session(client, dossier: Dossier) -> None:
    """Give a test client the access a private link would give (added to the dossiers already open)."""
    session = client.session
    ids = [pk for pk in session.get(SESSION_KEY, []) if pk != dossier.pk]
    session[SESSION_KEY] = ids + [dossier.pk]
    session.save()


def dossier_path(name: str, dossier: Dossier, **kwargs) -> str:
    """The URL of one of `dossier`'s pages, e.g. dossier_path("ami:submit", dossier)."""
    from django.urls import reverse

    return reverse(name, kwargs={"public_id": dossier.public_id, **kwargs})


def step_url(dossier: Dossier, slug: str) -> str:
    return dossier_path("ami:step", dossier, slug=slug)


def step_post_data(dossier: Dossier, slug: str) -> dict:
    """The POST data a browser would send for step `slug` without changing anything."""
    from ami.services.completeness import load_dossier
    from ami.services.steps import get_step
    from ami.views.dossier import StepForms

    fresh = load_dossier(dossier.pk)
    data: dict = {}
    step_forms = StepForms(get_step(slug), fresh)
    for form in step_forms.forms:
        for bound in form:
            if bound.name == "signed_document":
                continue
            value = bound.field.prepare_value(bound.value())
            if getattr(bound.field.widget, "input_type", "") == "checkbox" and not isinstance(value, list | tuple):
                if value:
                    data[bound.html_name] = "on"
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif value is None:
                data[bound.html_name] = ""
            else:
                data[bound.html_name] = str(value)
    if slug == "bibliotheques":
        data["library_ids"] = [str(lib.pk) for lib in step_forms.libraries]
    # The revision of the step the page was rendered from (optimistic concurrency).
    data["step_revision"] = str((fresh.step_revisions or {}).get(slug, 0))
    return data
