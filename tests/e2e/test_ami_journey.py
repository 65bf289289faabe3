"""THE acceptance test of issue 3, in a real browser against real services.

A library agent starts the dossier of a network of two communes, fills the five first steps
(two libraries, every field), leaves (closed tab: no cookie left), comes back days later
through the private link of the e-mail (sent by a real Celery worker on Redis to a real SMTP
server), signs, uploads the PDF, submits, and gets the receipt, the PDF and the e-mails. Every
page and every error state passes axe-core with zero violations. Then the database must hold
every answer exactly as typed. The user's actions never go through the ORM: only the campaign
is created with the factories.
"""
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.ami.factories import valid_pdf_bytes

from .ami_helpers import (
    LIBRARY_NAMES,
    NETWORK_COMMUNES,
    PROJECT_STATEMENT,
    TEAM_EMAIL,
    TRAINING_LABEL,
    access_path_from_email,
    axe,
    compare,
    dossier_path,
    engagement_answers,
    expect_error_state,
    expect_saved,
    expect_step,
    fill_answers,
    fill_working_groups,
    h1,
    library_answers,
    normalise_spaces,
    objective_answers,
    only_campaign,
    pdf_text,
    save,
    start_answers,
    step1_answers,
    step_path,
    working_group_answers,
)
from .conftest import _new_context

pytestmark = pytest.mark.e2e

AGENT_EMAIL = "lucas.martin@ville-roubaix.example.fr"


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def test_network_dossier_filled_resumed_from_the_email_and_submitted(
    browser, e2e_db, celery_worker_live, smtp_sink, request
):
    campaign = only_campaign()
    signed_pdf = valid_pdf_bytes("Délibération")
    answers = {
        "step1": step1_answers(),
        "libraries": [library_answers(0), library_answers(1)],
        "engagements": engagement_answers(campaign),
        "objectives": objective_answers(),
        "groups": working_group_answers(),
    }

    # --- First visit ------------------------------------------------------------------------
    first_context = _new_context(browser, e2e_db, request)
    page = first_context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto("/candidater/")
    expect(page.locator(".call-state--open")).to_contain_text("Les candidatures sont ouvertes jusqu’au")
    axe(page, "/candidater/ (open)")
    page.get_by_role("link", name="Commencer", exact=True).click()
    expect(h1(page)).to_have_text("Commencer un dossier de candidature")
    axe(page, "start form")
    fill_answers(page, start_answers(AGENT_EMAIL))
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier").click()
    expect_step(page, 1, "Commune et référents")
    expect(page.locator(".ami-messages")).to_contain_text(f"Un lien privé pour le reprendre plus tard a été envoyé à {AGENT_EMAIL}")

    # The private link leaves through Redis, the Celery worker and SMTP.
    [link_email] = smtp_sink.wait_for(1, timeout=60)
    assert link_email["To"] == AGENT_EMAIL
    access_path = access_path_from_email(link_email)

    # Step 1: error state first (bad e-mail, bad phone), then every answer.
    page.locator("#id_elected_email").fill("claire.durand(at)mairie")
    page.locator("#id_agent_phone").fill("12")
    save(page)
    expect_error_state(page, "step 1", ["id_elected_email", "id_agent_phone"])
    expect(page.locator("#id_agent_phone-error")).to_contain_text("Saisissez un numéro de téléphone valide")
    fill_answers(page, answers["step1"])
    save(page)
    expect_saved(page)
    expect_step(page, 1, "Commune et référents")
    axe(page, "step 1 (saved)")
    save(page, "Enregistrer et continuer")

    # Step 2: error state of the first library, then two libraries, every field.
    expect_step(page, 2, "Bibliothèque(s)")
    libraries = page.locator("section.library")
    expect(libraries).to_have_count(1)
    first = libraries.nth(0)
    first.get_by_label("Nombre de bénévoles", exact=True).fill("abc")
    first.get_by_label("Communication", exact=True).fill("-3")
    save(page)
    first = page.locator("section.library").nth(0)
    bad_ids = [first.get_by_label(label, exact=True).get_attribute("id")
               for label in ("Nombre de bénévoles", "Communication")]
    expect_error_state(page, "step 2", bad_ids)
    expect(page.locator(f"#{bad_ids[0]}-error")).to_contain_text("Saisissez un nombre entier positif ou nul.")
    expect(page.locator(f"#{bad_ids[1]}-error")).to_contain_text("Saisissez un montant en euros positif ou nul")

    fill_answers(page.locator("section.library").nth(0), answers["libraries"][0])
    page.get_by_role("button", name="Ajouter une bibliothèque").click()
    expect(page.locator("section.library")).to_have_count(2)
    expect(page.locator("section.library").nth(0).get_by_role("heading", level=2)).to_have_text(
        f"Bibliothèque 1 : {LIBRARY_NAMES[0]}"
    )
    fill_answers(page.locator("section.library").nth(1), answers["libraries"][1])
    axe(page, "step 2 with two filled libraries")
    save(page, "Enregistrer et continuer")

    # Step 3: error state (longer than the 20 000 characters allowed), then the text.
    expect_step(page, 3, "Projet communal")
    statement = page.get_by_label(
        "Comment intégrez-vous la Bibliothèque Numérique Métropolitaine (BNM) dans votre projet communal ?",
        exact=True,
    )
    # The textarea has maxlength=20000: remove it (a browser ignoring it) to reach the server check.
    statement.evaluate("el => el.removeAttribute('maxlength')")
    statement.fill("x" * 20_001)
    save(page)
    expect_error_state(page, "step 3", ["id_project_statement"])
    page.get_by_label(
        "Comment intégrez-vous la Bibliothèque Numérique Métropolitaine (BNM) dans votre projet communal ?",
        exact=True,
    ).fill(PROJECT_STATEMENT)
    save(page, "Enregistrer et continuer")

    # Step 4: a choice the form does not offer (a tampered radio value) is refused next to it.
    expect_step(page, 4, "Engagements")
    axe(page, "step 4")
    page.locator('input[name="engagement_sigb"][value="oui"]').evaluate("el => { el.value = 'peut-être'; el.checked = true; }")
    save(page)
    expect_error_state(page, "step 4", ["id_engagement_sigb"])
    fill_answers(page, answers["engagements"])
    save(page, "Enregistrer et continuer")

    # Step 5: four objectives are refused; then exactly three, the groups and the training.
    expect_step(page, 5, "Objectifs et groupes de travail")
    axe(page, "step 5")
    four = {"objective_public_service": "+++", "objective_varied_offer": "++", "objective_networking": "+",
            "objective_modernise": "+"}
    for name, level in four.items():
        group = page.get_by_role("group", name=answers["objectives"][name].label, exact=True)
        group.get_by_label(level, exact=True).check()
    expect(page.locator("[data-objectives-count]")).to_have_text("4 objectifs cochés sur 3")
    save(page)
    expect_error_state(page, "step 5", ["id_objective_networking", "id_objective_modernise"])
    expect(page.locator("#id_objective_modernise-error")).to_contain_text("ne peut être attribué qu’à un seul objectif")
    fill_answers(page, answers["objectives"])
    expect(page.locator("[data-objectives-count]")).to_have_text("3 objectifs cochés sur 3")
    page.get_by_label(TRAINING_LABEL, exact=True).check()
    fill_working_groups(page, answers["groups"])
    save(page)
    expect_saved(page)
    axe(page, "step 5 (saved)")

    # Summary before validation: only step 6 is missing; submitting now is refused.
    page.get_by_role("navigation", name="Étapes du dossier").get_by_role("link", name="7. Récapitulatif").click()
    expect_step(page, 7, "Récapitulatif et dépôt")
    missing = page.locator(".missing li")
    expect(missing).to_have_count(3)
    from ami.models import Dossier

    dossier = Dossier.objects.get(campaign=campaign)
    for link in missing.get_by_role("link").all():
        assert link.get_attribute("href").startswith(step_path(dossier, "validation") + "?manquantes=1#")
    progress = page.get_by_role("navigation", name="Étapes du dossier")
    for number in range(1, 6):
        expect(progress.get_by_role("listitem").nth(number - 1)).to_contain_text("(complet)")
    axe(page, "summary with missing answers")
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer ma candidature").click()
    expect(page.locator(".error-summary[role=alert]")).to_contain_text("Le dossier est incomplet")
    axe(page, "summary: submission refused (incomplete)")

    # --- The tab is closed: no cookie, no session --------------------------------------------
    first_context.close()
    context = _new_context(browser, e2e_db, request)
    page = context.new_page()
    page.goto(dossier_path(dossier, "ami:dossier"))
    expect(h1(page)).not_to_have_text("Dossier de candidature de Roubaix")

    # Days later: the private link of the e-mail. GET shows a button and opens nothing.
    page.goto(access_path)
    expect(h1(page)).to_have_text("Ouvrir le dossier de candidature")
    axe(page, "private link landing page")
    assert context.request.get(dossier_path(dossier, "ami:dossier")).status == 403, "a GET of the link must not open the dossier"
    page.get_by_role("button", name="Ouvrir mon dossier").click()
    expect(h1(page)).to_have_text(f"Dossier de candidature de {NETWORK_COMMUNES[0]}")
    axe(page, "overview")

    # Everything typed during the first visit is there.
    page.goto(step_path(dossier, "commune"))
    for name, answer in answers["step1"].items():
        if answer.kind in ("text", "date"):
            shown = answer.expected if name == "agent_phone" else answer.typed
            expect(page.locator(f"#{answer.field_id}")).to_have_value(shown)
    expect(page.get_by_role("group", name="Communes du réseau").get_by_label("Wattrelos", exact=True)).to_be_checked()
    page.goto(step_path(dossier, "bibliotheques"))
    sections = page.locator("section.library")
    expect(sections).to_have_count(2)
    for index, library in enumerate(answers["libraries"]):
        section = sections.nth(index)
        expect(section.get_by_role("heading", level=2)).to_have_text(f"Bibliothèque {index + 1} : {LIBRARY_NAMES[index]}")
        for answer in library.values():
            if answer.kind == "text" and isinstance(answer.expected, str) and answer.label != "Téléphone":
                expect(section.get_by_label(answer.label, exact=True)).to_have_value(answer.typed)
            elif answer.kind == "checkbox":
                control = section.get_by_label(answer.label, exact=True)
                (expect(control).to_be_checked if answer.expected else expect(control).not_to_be_checked)()
    page.goto(step_path(dossier, "projet"))
    expect(page.locator("#id_project_statement")).to_have_value(PROJECT_STATEMENT)

    # Step 6: a text file named .pdf is refused; then « Fait à », « Le » and the signed PDF.
    page.goto(step_path(dossier, "validation"))
    expect_step(page, 6, "Validation")
    axe(page, "step 6")
    page.get_by_label("Fait à", exact=True).fill("Roubaix")
    page.get_by_label("Le", exact=True).fill("2026-11-20")
    page.get_by_label("Signature du représentant légal + cachet").set_input_files(
        {"name": "deliberation.pdf", "mimeType": "application/pdf", "buffer": b"Ceci n'est pas un PDF.\n"}
    )
    save(page)
    expect_error_state(page, "step 6", ["id_signed_document"])
    page.get_by_label("Signature du représentant légal + cachet").set_input_files(
        {"name": "deliberation-signee.pdf", "mimeType": "application/pdf", "buffer": signed_pdf}
    )
    save(page)
    expect_saved(page)
    expect(page.locator(".document-status")).to_contain_text("Document signé déposé le")
    expect(page.get_by_label("Fait à", exact=True)).to_have_value("Roubaix")
    expect(page.get_by_label("Le", exact=True)).to_have_value("2026-11-20")
    axe(page, "step 6 (document uploaded)")
    save(page, "Enregistrer et continuer")

    # Step 7: nothing missing; submit.
    expect_step(page, 7, "Récapitulatif et dépôt")
    expect(page.locator(".missing")).to_have_count(0)
    expect(page.get_by_text("Toutes les réponses nécessaires sont renseignées")).to_be_visible()
    summary = normalise_spaces(page.locator(".dossier-main").inner_text())
    for name in LIBRARY_NAMES + ("DEL-2026-117", "Lucas Martin", "Inès Petit, Paul Leroy"):
        assert name in summary
    axe(page, "summary, complete")
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer ma candidature").click()

    receipt = f"BNM-{timezone.localtime(campaign.opens_at).year}-0001"
    expect(h1(page)).to_have_text("Votre candidature a été déposée")
    expect(page.locator(".receipt")).to_have_text(f"Numéro de récépissé : {receipt}")
    axe(page, "confirmation")

    # The PDF of the submitted dossier.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le récépissé et le dossier (PDF)").click()
    download = download_info.value
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF-")
    text = normalise_spaces(pdf_text(content))
    for needle in (receipt, *LIBRARY_NAMES, "Wattrelos", "DEL-2026-117"):
        assert needle in text, f"{needle!r} not in the PDF"

    # The e-mails: confirmation with the PDF to the agent and the elected referent, notice to the team.
    messages = smtp_sink.wait_for(3, timeout=90)
    assert len(messages) == 3
    by_subject = {subject(m): m for m in messages[1:]}
    confirmation = by_subject[f"Candidature BNM déposée – récépissé {receipt}"]
    recipients = sorted(a.strip() for a in confirmation["To"].split(","))
    assert recipients == sorted([AGENT_EMAIL, "claire.durand@ville-roubaix.example.fr"])
    [attachment] = list(confirmation.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    attached = attachment.get_content()
    assert receipt in normalise_spaces(pdf_text(attached))
    assert receipt in confirmation.get_body(preferencelist=("plain",)).get_content()
    [notice] = [m for s, m in by_subject.items() if s.startswith("Nouveau dépôt AMI BNM")]
    assert notice["To"] == TEAM_EMAIL
    assert receipt in subject(notice)

    # The database holds every answer, as typed, for the dossier and both libraries.
    dossier = Dossier.objects.select_related("commune", "head_commune").get(campaign=campaign)
    assert dossier.is_submitted and dossier.receipt_number == receipt and dossier.version == 1
    problems = compare(dossier, answers["step1"], "dossier", skip={"network_communes", "head_choice"})
    communes = {link.commune.name for link in dossier.commune_links.select_related("commune")}
    if communes != set(NETWORK_COMMUNES):
        problems.append(f"network communes: {communes}")
    if not (dossier.has_head_commune and dossier.head_commune.name == NETWORK_COMMUNES[0]):
        problems.append(f"head commune: {dossier.has_head_commune} {dossier.head_commune}")
    if dossier.project_statement != PROJECT_STATEMENT.replace("\n", "\r\n"):  # CRLF: HTML form encoding
        problems.append(f"project statement: {dossier.project_statement!r}")
    problems += compare(dossier, answers["engagements"], "dossier")
    problems += compare(dossier, answers["objectives"], "dossier")
    if not dossier.training_commitment:
        problems.append("training commitment not recorded")
    signups = {s.group.name: s.agent_names for s in dossier.working_group_signups.select_related("group")}
    if signups != answers["groups"]:
        problems.append(f"working groups: {signups}")
    if (dossier.signed_place, dossier.signed_on.isoformat()) != ("Roubaix", "2026-11-20"):
        problems.append(f"signature: {dossier.signed_place} {dossier.signed_on}")
    with dossier.signed_document.open("rb") as stored:
        if stored.read() != signed_pdf:
            problems.append("the stored signed document is not the uploaded PDF")
    stored_libraries = list(dossier.libraries.order_by("sort_order"))
    assert len(stored_libraries) == 2
    for index, (library, library_answers_) in enumerate(zip(stored_libraries, answers["libraries"], strict=True)):
        problems += compare(library, library_answers_, f"library {index + 1}")
    assert not problems, "answers lost or changed:\n" + "\n".join(problems)
    context.close()
