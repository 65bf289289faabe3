"""Public pages of the AMI: call state, start a dossier, private links, resume."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from ami import questionnaire
from ami.constants import DELEGATION_NOTE, SIGNATURE_NOTE
from ami.forms import ResumeForm, StartForm
from ami.models import Campaign
from ami.pdf import blank_questionnaire_pdf
from ami.services.deadlines import accepts_requests
from ami.services.dossiers import (
    CampaignNotOpen,
    grant_session_access,
    request_resume_links,
    send_link_to_commune_referent,
    start_dossier,
)
from ami.services.public_call import current_campaign
from ami.services.tokens import CLOSED, UNKNOWN, check_token, link_lifetime, use_token
from ami.services.uploads import MAX_UPLOAD_BYTES
from core.pagecache import public_cache
from core.parsing import parse_ascii_int
from home.dates import format_deadline

from .common import dossier_url, error_items

# Form posts per client address (core.net.client_ip, behind settings.TRUSTED_PROXY_COUNT
# proxies): a flooding client gets « Trop de demandes » (429).
LINK_REQUEST_IP_RATE = "10/h"
START_RATE = "20/h"
# The call page counts the days left: kept one minute in the page cache.
CALL_PAGE_CACHE_SECONDS = 60
# Link e-mails per target (an address, a commune): only e-mails count, not form posts, and
# the page answers the same when the budget is spent, so nobody can lock a referent out.
LINK_EMAIL_TARGET_RATE = "5/h"


def _limited_ip(request, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


def _target_budget(request):
    """within_budget(target) for the link services: spends one e-mail of `target` if any is left."""

    def within_budget(target: str) -> bool:
        return not is_ratelimited(
            request, group="ami-link-email", key=lambda group, req: target, rate=LINK_EMAIL_TARGET_RATE,
            method=ALL, increment=True,
        )

    return within_budget


def _link_sent(request, campaign, *, to_referent: bool):
    """The one answer to a link request, whether a link was sent, held back by the budget, or no dossier matched."""
    context = {"campaign": campaign, "to_referent": to_referent, "lifetime_days": link_lifetime().days}
    return render(request, "ami/link_sent.html", context)


def rate_limited_response(request):
    return render(request, "ami/rate_limited.html", status=429)


def dossier_outline() -> list[dict]:
    """What the dossier asks, as /candidater/ previews it: the paper dossier's parts, each with its
    sections and number of questions (ami.questionnaire), and whether it is answered per library."""
    outline = []
    for title, slugs in questionnaire.PAPER_PARTS:
        steps = [questionnaire.step(slug) for slug in slugs]
        outline.append({
            "title": title,
            "sections": [section.title for step in steps for section in step.sections],
            "questions": sum(len(step.questions) for step in steps),
            "per_library": any(step.model == "ami.Library" for step in steps),
        })
    return outline


@public_cache(CALL_PAGE_CACHE_SECONDS)
def call_home(request):
    campaign = current_campaign(request)
    return render(request, "ami/call_home.html", _call_context(campaign))


def _call_context(campaign) -> dict:
    return {
        "campaign": campaign,
        "outline": dossier_outline(),
        "signature_note": SIGNATURE_NOTE,
        "delegation_note": DELEGATION_NOTE,
        "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }


BLANK_MAX_AGE = 3600  # seconds a browser or proxy may keep the blank questionnaire


def blank_questionnaire(request):
    """The current campaign's questionnaire with no answer (PDF), to print and prepare offline.
    The same for everyone: rendered once per campaign and questionnaire version (ami.pdf)."""
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404("Aucun appel à manifestation d’intérêt")
    content, key = blank_questionnaire_pdf(campaign)
    etag = f'"{key.rsplit(":", 1)[-1]}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="application/pdf")
        year = timezone.localtime(campaign.opens_at).year
        response["Content-Disposition"] = f'attachment; filename="questionnaire-bnm-{year}-vierge.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={BLANK_MAX_AGE}"
    return response


@require_http_methods(["GET", "POST"])
def start(request):
    campaign = Campaign.objects.current()
    # Open, or closed with an extension still running for a commune: that commune may start.
    if campaign is None or not accepts_requests(campaign):
        return render(request, "ami/call_home.html", _call_context(campaign),
                      status=403 if request.method == "POST" else 200)
    form = StartForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _limited_ip(request, "ami-start", START_RATE):
            return rate_limited_response(request)
        if form.is_valid():
            commune = form.cleaned_data["commune"]
            try:
                result = start_dossier(
                    campaign, commune, is_network=form.cleaned_data["is_network"],
                    agent_email=form.cleaned_data["agent_email"],
                )
            except CampaignNotOpen:  # closed for this commune: said next to the field, form kept
                form.add_error("commune", commune_refusal(campaign, commune))
                status = 403
            else:
                if not result.created:
                    return render(request, "ami/start_exists.html", {"campaign": campaign, "commune": commune})
                grant_session_access(request, result.dossier)
                messages.success(
                    request,
                    f"Votre dossier pour {commune.name} est créé. Un lien privé pour le reprendre plus tard a été envoyé "
                    f"à {result.dossier.agent_email}. Vos réponses sont enregistrées à chaque étape.",
                )
                return redirect(dossier_url("ami:step", result.dossier, slug="commune"))
    return render(
        request, "ami/start.html", {"campaign": campaign, "form": form, "errors": error_items([form])}, status=status
    )


def commune_refusal(campaign, commune) -> str:
    """Why `commune` may not start a dossier now (the campaign is closed and it has no running extension)."""
    if campaign.is_open() or timezone.now() < campaign.opens_at:
        return CampaignNotOpen.message
    return (
        f"La date limite de dépôt est passée pour {commune.name} ({format_deadline(campaign.closes_at)}) : "
        "seules les communes qui ont obtenu une prolongation peuvent encore commencer un dossier. "
        f"Pour toute question, écrivez à {campaign.team_email}."
    )


@require_POST
def send_existing_link(request):
    """The commune already has a dossier: e-mail a new private link to its agent referent."""
    if _limited_ip(request, "ami-link-request", LINK_REQUEST_IP_RATE):
        return rate_limited_response(request)
    campaign = Campaign.objects.current()
    commune_id = parse_ascii_int(request.POST.get("commune"))
    send_link_to_commune_referent(campaign, commune_id, within_budget=_target_budget(request))
    return _link_sent(request, campaign, to_referent=True)


@require_http_methods(["GET", "POST"])
def resume(request):
    campaign = Campaign.objects.current()
    form = ResumeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _limited_ip(request, "ami-link-request", LINK_REQUEST_IP_RATE):
            return rate_limited_response(request)
        if form.is_valid():
            request_resume_links(
                campaign, email=form.cleaned_data.get("email") or "", commune=form.cleaned_data.get("commune"),
                within_budget=_target_budget(request),
            )
            return _link_sent(request, campaign, to_referent=False)
    return render(request, "ami/resume.html", {"campaign": campaign, "form": form, "errors": error_items([form])})


@require_http_methods(["GET", "POST"])
def access(request, token: str):
    """GET shows a button and changes nothing (mail scanners); POST opens the dossier."""
    check = use_token(token) if request.method == "POST" else check_token(token)
    if check.status == UNKNOWN:
        return render(request, "ami/access_invalid.html", {"status": UNKNOWN}, status=404)
    if not check.is_valid:
        campaign = check.dossier.campaign
        context = {"status": check.status, "campaign": campaign, "lifetime_days": link_lifetime().days,
                   "campaign_closed": check.status == CLOSED}
        return render(request, "ami/access_invalid.html", context, status=410)
    if request.method == "POST":
        grant_session_access(request, check.dossier)
        return redirect(dossier_url("ami:dossier", check.dossier))
    return render(request, "ami/access.html", {"dossier": check.dossier, "campaign": check.dossier.campaign})
