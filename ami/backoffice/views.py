"""Admin views of the back-office (under /admin/, registered by ami.wagtail_hooks):
« Suivi des communes », its « Relancer » (POST) and « Inviter » (form) actions, and the
« État des lieux » report (page and XLSX)."""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ami.backoffice import report as state_report
from ami.backoffice import tracker
from ami.backoffice.charts import Bar, bar_chart
from ami.backoffice.exports import XLSX_CONTENT_TYPE, attachment_response, write_xlsx
from ami.backoffice.groups import can_act_on_dossiers, can_view_report, can_view_tracker
from ami.constants import OBJECTIVE_LEVELS
from ami.models import Campaign, Commune, Dossier
from ami.pdf import number_label, paris_datetime_label
from ami.services.deadlines import commune_may_start, dossier_closes_at, dossier_is_open, open_extensions
from core.parsing import parse_ascii_int


def selected_campaign(request) -> Campaign | None:
    """The campaign named by ?campaign=<id>, else the current one (bad input falls back too)."""
    pk = parse_ascii_int(request.GET.get("campaign") or request.POST.get("campaign"))
    if pk is not None:
        campaign = Campaign.objects.filter(pk=pk).first()
        if campaign is not None:
            return campaign
    return Campaign.objects.current()


def tracker_url(campaign: Campaign | None, state: str = "") -> str:
    params = {}
    if campaign is not None:
        params["campaign"] = campaign.pk
    if state:
        params["etat"] = state
    url = reverse("ami_backoffice_tracker")
    return f"{url}?{urlencode(params)}" if params else url


class TrackerView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "ami/backoffice/tracker.html"
    page_title = "Suivi des communes"
    header_icon = "site"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        if not can_view_tracker(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = selected_campaign(self.request)
        state = self.request.GET.get("etat", "")
        if state not in tracker.STATE_LABELS:
            state = ""
        rows = tracker.tracker_rows(campaign) if campaign else []
        counts = tracker.state_counts(rows)
        for row in rows:
            dossier = row.dossier
            row.last_activity = paris_datetime_label(dossier.updated_at) if dossier else ""
            row.submitted_label = paris_datetime_label(dossier.submitted_at) if dossier and dossier.submitted_at else ""
            row.due_label = (
                paris_datetime_label(dossier.completion_due_at) if dossier and dossier.completion_due_at else ""
            )
        context.update(
            campaign=campaign,
            campaigns=Campaign.objects.all(),
            state=state,
            state_label=tracker.STATE_LABELS.get(state, ""),
            counts=[
                {"state": key, "label": label, "count": counts[key], "url": tracker_url(campaign, key)}
                for key, label in tracker.STATE_LABELS.items()
            ],
            total=len(rows),
            all_url=tracker_url(campaign),
            rows=[row for row in rows if not state or row.state == state],
            can_act=can_act_on_dossiers(self.request.user),
            can_invite=bool(campaign and campaign.state() != Campaign.State.CLOSED),
            # After the close, a commune with a running extension may still start: it may be invited.
            extended_communes={e.commune_id for e in open_extensions(campaign)} if campaign else set(),
        )
        return context


def _back(request, campaign: Campaign):
    state = request.POST.get("etat", "")
    return redirect(tracker_url(campaign, state if state in tracker.STATE_LABELS else ""))


def remind_view(request, pk: int):
    """« Relancer » (POST only): a new private link to the draft's referent."""
    if not can_act_on_dossiers(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    dossier = get_object_or_404(Dossier.objects.select_related("campaign", "commune"), pk=pk)
    recipient = tracker.remind(dossier)
    name = dossier.commune.name
    if recipient:
        messages.success(
            request,
            f"Relance envoyée à {recipient} pour {name}\u202f: un nouveau lien privé, qui remplace les précédents.",
        )
    elif dossier.is_with_mel:
        messages.warning(request, f"Le dossier de {name} est déjà {dossier.get_status_display()}\u202f: pas de relance.")
    elif not dossier_is_open(dossier):
        messages.error(
            request,
            f"La date limite du dossier de {name} est passée ({paris_datetime_label(dossier_closes_at(dossier))})\u202f: "
            "aucune relance envoyée.",
        )
    else:
        messages.error(request, f"Le dossier de {name} n’a pas d’adresse de référent\u202f: aucune relance envoyée.")
    return _back(request, dossier.campaign)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail à inviter",
        max_length=254,
        error_messages={
            "required": "Indiquez l’adresse e-mail à laquelle envoyer l’invitation.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple prenom.nom@mairie-exemple.fr.",
        },
    )


class InviteView(WagtailAdminTemplateMixin, TemplateView):
    """« Inviter »: a commune with no dossier is asked to apply, at an address the staff type."""

    template_name = "ami/backoffice/invite.html"
    header_icon = "mail"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        if not can_act_on_dossiers(request.user):
            raise PermissionDenied
        self.campaign = get_object_or_404(Campaign, pk=kwargs["campaign_pk"])
        self.commune = get_object_or_404(Commune, pk=kwargs["commune_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Inviter {self.commune.name} à candidater"

    def already_applied(self):
        if self.campaign.state() == Campaign.State.CLOSED and not commune_may_start(self.campaign, self.commune):
            messages.error(self.request, f"«\u00a0{self.campaign.title}\u00a0» est close\u202f: plus d’invitation possible.")
            return redirect(tracker_url(self.campaign))
        if tracker.commune_dossier(self.campaign, self.commune) is None:
            return None
        messages.warning(
            self.request,
            f"{self.commune.name} a déjà un dossier pour cette campagne\u202f: utilisez «\u00a0Relancer\u00a0».",
        )
        return redirect(tracker_url(self.campaign))

    def get(self, request, *args, **kwargs):
        return self.already_applied() or self.render_to_response(self.get_context_data(form=InviteForm()))

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST)
        refused = self.already_applied()
        if refused:
            return refused
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        _, created = tracker.invite(self.campaign, self.commune, form.cleaned_data["email"])
        address = form.cleaned_data["email"].strip().lower()
        if created:
            messages.success(request, f"Invitation envoyée à {address} pour {self.commune.name}.")
        else:
            messages.warning(request, f"{self.commune.name} a déjà été invitée à {address} aujourd’hui\u202f: pas de second envoi.")
        return redirect(tracker_url(self.campaign, tracker.NOT_STARTED))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign,
            commune=self.commune,
            back_url=tracker_url(self.campaign, tracker.NOT_STARTED),
            call_url=reverse("ami:home"),
        )
        return context


# --- « État des lieux » -----------------------------------------------------------------------

NUMBER_FAMILIES = {"count": "nombre", "decimal": "nombre", "money": "euros"}


def _numbers_chart(block) -> str:
    """Totals of a section's numbers, drawn when at least three share a unit (never euros beside
    counts; two unlike counts, as libraries and m², are left to the table)."""
    rows = [r for r in block.rows if r.total is not None]
    if len(rows) < 3 or len({NUMBER_FAMILIES[r.kind] for r in rows}) != 1:
        return ""
    money = rows[0].money
    return bar_chart(f"{block.title} – totaux", [Bar(r.label, (r.total,)) for r in rows],
                     lambda v: number_label(v, money=money))


def present_block(block) -> dict:
    """A report block as the template shows it: French figures, and its chart."""
    if block.kind == "numbers":
        rows = [
            {"label": r.label, "total": number_label(r.total, money=r.money) if r.total is not None else "—",
             "median": number_label(r.median, money=r.money), "answers": number_label(r.answers)}
            for r in block.rows
        ]
        return {"kind": block.kind, "title": block.title, "rows": rows, "chart": _numbers_chart(block)}
    if block.kind == "objectives":
        rows = [{"rank": r.rank, "label": r.label, "levels": [number_label(n) for n in r.levels],
                 "chosen": number_label(r.chosen)} for r in block.rows]
        chart = bar_chart(block.title, [Bar(r.label, r.levels) for r in block.rows], number_label,
                          series=OBJECTIVE_LEVELS)
        return {"kind": block.kind, "title": block.title, "rows": rows, "chart": chart, "levels": OBJECTIVE_LEVELS,
                "out_of": number_label(block.out_of)}
    rows = [{"label": r.label, "count": number_label(r.count)} for r in block.rows]
    chart = bar_chart(block.title, [Bar(r.label, (r.count,)) for r in block.rows], number_label) if rows else ""
    return {"kind": block.kind, "title": block.title, "rows": rows, "chart": chart,
            "out_of": number_label(block.out_of), "unit": block.unit}


def report_url(campaign: Campaign | None, export: str = "") -> str:
    params = {}
    if campaign is not None:
        params["campaign"] = campaign.pk
    if export:
        params["export"] = export
    url = reverse("ami_backoffice_report")
    return f"{url}?{urlencode(params)}" if params else url


def report_filename(campaign: Campaign) -> str:
    return f"etat-des-lieux-{slugify(campaign.title)[:60]}-{timezone.localdate():%Y-%m-%d}.xlsx"


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    """« État des lieux » of the submitted dossiers of the selected campaign; ?export=xlsx."""

    template_name = "ami/backoffice/report.html"
    page_title = "État des lieux"
    header_icon = "table"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        # A plain 403 (Wagtail turns a raised PermissionDenied into a redirect to the dashboard).
        if not can_view_report(request.user):
            return HttpResponseForbidden(
                "Vous n’avez pas l’autorisation de lire l’état des lieux de l’AMI.",
                content_type="text/plain; charset=utf-8",
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.campaign = selected_campaign(request)
        self.report = state_report.build_report(self.campaign) if self.campaign else None
        if request.GET.get("export") == "xlsx" and self.report is not None:
            content = write_xlsx(state_report.report_sheets(self.report))
            return attachment_response(content, XLSX_CONTENT_TYPE, report_filename(self.campaign))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        parts = []
        if report is not None:
            for section in report.sections:
                if not parts or parts[-1]["title"] != section.part:
                    parts.append({"title": section.part, "sections": []})
                parts[-1]["sections"].append(
                    {"title": section.title, "blocks": [present_block(b) for b in section.blocks]}
                )
        context.update(
            campaign=self.campaign,
            campaigns=Campaign.objects.all(),
            report=report,
            dossiers=number_label(report.dossiers) if report else "0",
            libraries=number_label(report.libraries) if report else "0",
            parts=parts,
            export_url=report_url(self.campaign, "xlsx"),
        )
        return context


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_report(request.user)


def report_menu_item() -> MenuItem:
    return ReportMenuItem("État des lieux de l’AMI", reverse("ami_backoffice_report"), name="ami-etat-des-lieux",
                          icon_name="table", order=100)


class TrackerMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_tracker(request.user)


def tracker_menu_item(order: int) -> MenuItem:
    return TrackerMenuItem("Suivi des communes", reverse("ami_backoffice_tracker"), name="ami-suivi-communes",
                           icon_name="site", order=order)


urlpatterns = [
    path("ami/etat-des-lieux/", ReportView.as_view(), name="ami_backoffice_report"),
    path("ami/suivi-des-communes/", TrackerView.as_view(), name="ami_backoffice_tracker"),
    path("ami/suivi-des-communes/relancer/<int:pk>/", remind_view, name="ami_backoffice_remind"),
    path(
        "ami/suivi-des-communes/inviter/<int:campaign_pk>/<int:commune_pk>/",
        InviteView.as_view(),
        name="ami_backoffice_invite",
    ),
]
