"""Public pages of the AMI: call state, start a dossier, private links, resume."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from ami.forms import ResumeForm, StartForm
from ami.models import Campaign, Commune
from ami.services.dossiers import (
    CampaignNotOpen,
    find_dossier_for_commune,
    grant_session_access,
    request_resume_links,
    send_resume_link,
    start_dossier,
)
from ami.services.tokens import check_token, use_token

from .common import error_items

RESUME_RATE = "5/h"
START_RATE = "20/h"


def _limited(request, group: str, rate: str, key) -> bool:
    return is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


def rate_limited_response(request):
    return render(request, "ami/rate_limited.html", status=429)


def call_home(request):
    campaign = Campaign.objects.current()
    return render(request, "ami/call_home.html", {"campaign": campaign})


@require_http_methods(["GET", "POST"])
def start(request):
    campaign = Campaign.objects.current()
    if campaign is None or not campaign.is_open():
        return render(request, "ami/call_home.html", {"campaign": campaign}, status=403 if request.method == "POST" else 200)
    form = StartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _limited(request, "ami-start", START_RATE, "ip"):
            return rate_limited_response(request)
        if form.is_valid():
            commune = form.cleaned_data["commune"]
            try:
                result = start_dossier(
                    campaign, commune, is_network=form.cleaned_data["is_network"],
                    agent_email=form.cleaned_data["agent_email"],
                )
            except CampaignNotOpen:
                return render(request, "ami/call_home.html", {"campaign": campaign}, status=403)
            if not result.created:
                return render(request, "ami/start_exists.html", {"campaign": campaign, "commune": commune})
            grant_session_access(request, result.dossier)
            messages.success(
                request,
                f"Votre dossier pour {commune.name} est créé. Un lien privé pour le reprendre plus tard a été envoyé "
                f"à {result.dossier.agent_email}. Vos réponses sont enregistrées à chaque étape.",
            )
            return redirect("ami:step", slug="commune")
    return render(request, "ami/start.html", {"campaign": campaign, "form": form, "errors": error_items([form])})


@require_POST
def send_existing_link(request):
    """The commune already has a dossier: e-mail a new private link to its agent referent."""
    campaign = Campaign.objects.current()
    raw = (request.POST.get("commune") or "").strip()
    commune = Commune.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
    if _limited(request, "ami-resume-ip", RESUME_RATE, "ip") or (
        commune and _limited(request, "ami-resume-commune", RESUME_RATE, lambda g, r: f"c{commune.pk}")
    ):
        return rate_limited_response(request)
    if campaign and commune:
        dossier = find_dossier_for_commune(campaign, commune)
        if dossier:
            send_resume_link(dossier)
    return render(request, "ami/link_sent.html", {"campaign": campaign, "to_referent": True})


@require_http_methods(["GET", "POST"])
def resume(request):
    campaign = Campaign.objects.current()
    form = ResumeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        email = (request.POST.get("email") or "").strip().lower()[:254]
        commune_key = (request.POST.get("commune") or "").strip()[:10]
        if _limited(request, "ami-resume-ip", RESUME_RATE, "ip"):
            return rate_limited_response(request)
        if email and _limited(request, "ami-resume-email", RESUME_RATE, lambda g, r: f"e:{email}"):
            return rate_limited_response(request)
        if commune_key and _limited(request, "ami-resume-commune", RESUME_RATE, lambda g, r: f"c{commune_key}"):
            return rate_limited_response(request)
        if form.is_valid():
            if campaign is not None and campaign.is_open():
                request_resume_links(
                    campaign, email=form.cleaned_data.get("email") or "", commune=form.cleaned_data.get("commune")
                )
            return render(request, "ami/link_sent.html", {"campaign": campaign, "to_referent": False})
    return render(request, "ami/resume.html", {"campaign": campaign, "form": form, "errors": error_items([form])})


@require_http_methods(["GET", "POST"])
def access(request, token: str):
    """GET shows a button and changes nothing (mail scanners); POST opens the dossier."""
    check = use_token(token) if request.method == "POST" else check_token(token)
    if check.status == "unknown":
        return render(request, "ami/access_invalid.html", {"expired": False}, status=404)
    if check.status == "expired":
        return render(request, "ami/access_invalid.html", {"expired": True, "campaign": check.dossier.campaign},
                      status=410)
    if request.method == "POST":
        grant_session_access(request, check.dossier)
        return redirect(reverse("ami:dossier"))
    return render(request, "ami/access.html", {"dossier": check.dossier, "campaign": check.dossier.campaign})
