"""The campaign's page in the admin (« Calendrier et journal »): its dates and state, the
extensions granted to communes, the team's timing actions (« Ouvrir maintenant », « Clôturer
maintenant », « Prolonger jusqu’au … », « Prolonger pour une commune ») and the journal.

Views only read forms and show messages: the rules are in ami.services.campaigns."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ami.models import Campaign, CampaignEvent, CampaignExtension, Commune
from ami.pdf import paris_datetime_label
from ami.services import campaigns as service
from ami.services.deadlines import open_extensions

PARIS = ZoneInfo("Europe/Paris")
VIEW_PERMISSION = "ami.view_campaign"
CHANGE_PERMISSION = "ami.change_campaign"
JOURNAL_LENGTH = 200


def can_view_campaign(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_change_campaign(user) -> bool:
    return user.is_active and user.has_perm(CHANGE_PERMISSION)


def forbidden():
    """A plain 403 (Wagtail turns a raised PermissionDenied into a redirect to the dashboard)."""
    return HttpResponseForbidden(
        "Vous n’avez pas l’autorisation de gérer les campagnes de l’AMI.", content_type="text/plain; charset=utf-8"
    )


def campaign_url(campaign: Campaign) -> str:
    return reverse("ami_campaign_timing", args=[campaign.pk])


# --- Forms ----------------------------------------------------------------------------------

DATETIME_HELP = "Heure de Paris. Par exemple 30/04/2027 à 23:59."


class ParisDateTimeField(forms.DateTimeField):
    """A date and time typed in Paris time (datetime-local input), whatever the user's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "invalid": "Saisissez une date et une heure valides, par exemple 30/04/2027 à 23:59.",
        "required": "Indiquez la nouvelle date limite (date et heure).",
    }

    def to_python(self, value):
        with timezone.override(PARIS):
            return super().to_python(value)

    def prepare_value(self, value):
        if hasattr(value, "astimezone") and timezone.is_aware(value):
            value = value.astimezone(PARIS).replace(tzinfo=None)
        return super().prepare_value(value)


class DeadlineForm(forms.Form):
    closes_at = ParisDateTimeField(label="Nouvelle date limite (heure de Paris)", help_text=DATETIME_HELP)


class ExtensionForm(forms.Form):
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Commune.objects.order_by("name"), empty_label="— Choisir une commune —",
        error_messages={"required": "Choisissez la commune à qui accorder la prolongation.",
                        "invalid_choice": "Choisissez une commune de la liste."},
    )
    closes_at = ParisDateTimeField(label="Nouvelle date limite pour cette commune (heure de Paris)", help_text=DATETIME_HELP)
    reason = forms.CharField(
        label="Motif", max_length=255, help_text="Visible par l’équipe seulement, dans le journal de la campagne.",
        error_messages={"required": "Indiquez le motif de la prolongation.",
                        "max_length": "Le motif tient en 255 caractères au plus."},
    )

    def __init__(self, *args, commune: Commune | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if commune is not None:  # editing one commune's extension: the commune is fixed
            del self.fields["commune"]
        self.fixed_commune = commune

    def chosen_commune(self) -> Commune:
        return self.fixed_commune or self.cleaned_data["commune"]


def error_summary(form) -> list[dict]:
    items = [{"id": "", "label": "", "message": error} for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            items.append({"id": field.id_for_label, "label": field.label, "message": error})
    return items


# --- Views ----------------------------------------------------------------------------------


class CampaignViewMixin(WagtailAdminTemplateMixin):
    header_icon = "date"
    breadcrumbs_items = []
    needs_change = True

    def dispatch(self, request, *args, **kwargs):
        allowed = can_change_campaign if self.needs_change else can_view_campaign
        if not allowed(request.user):
            return forbidden()
        self.campaign = get_object_or_404(Campaign, pk=kwargs.get("pk") or kwargs.get("campaign_pk"))
        self.commune = get_object_or_404(Commune, pk=kwargs["commune_pk"]) if "commune_pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect(campaign_url(self.campaign))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(campaign=self.campaign, back_url=campaign_url(self.campaign))
        return context


def journal(campaign: Campaign, limit: int = JOURNAL_LENGTH) -> list[CampaignEvent]:
    events = list(campaign.events.select_related("commune", "actor")[:limit])
    for event in events:
        event.at_label = paris_datetime_label(event.at)
        event.actor_label = (service.actor_label(event.actor) if event.actor else event.actor_name) or "—"
        event.changes = service.event_changes(event)
    return events


class CampaignTimingView(CampaignViewMixin, TemplateView):
    """The campaign's dates, state, extensions, actions and journal."""

    template_name = "ami/backoffice/campaign.html"
    needs_change = False

    def get_page_title(self):
        return f"Calendrier et journal – {self.campaign.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, now = self.campaign, timezone.now()
        state = campaign.state(now)
        extensions = list(campaign.extensions.select_related("commune", "created_by").order_by("commune__name"))
        running = {extension.pk for extension in open_extensions(campaign, now)}
        for extension in extensions:
            extension.closes_label = paris_datetime_label(extension.closes_at)
            extension.is_running = extension.pk in running
        context.update(
            state=state,
            state_label=Campaign.State(state).label,
            opens_label=paris_datetime_label(campaign.opens_at),
            closes_label=paris_datetime_label(campaign.closes_at),
            extensions=extensions,
            events=journal(campaign),
            can_change=can_change_campaign(self.request.user),
            can_open=state == Campaign.State.UPCOMING,
            can_close=state == Campaign.State.OPEN,
            edit_url=reverse("ami_campaign_modeladmin_edit", args=[campaign.pk]),
        )
        return context


def open_now_view(request, pk: int):
    """« Ouvrir maintenant » (POST only)."""
    if not can_change_campaign(request.user):
        return forbidden()
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        service.open_now(campaign, request.user)
    except service.CampaignChangeRefused as refusal:
        messages.error(request, f"La campagne n’a pas été ouverte\u202f: {refusal.message}")
    else:
        messages.success(request, f"«\u00a0{campaign.title}\u00a0» est ouverte depuis le {paris_datetime_label(campaign.opens_at)}.")
    return redirect(campaign_url(campaign))


class CloseNowView(CampaignViewMixin, TemplateView):
    """« Clôturer maintenant »: GET asks for confirmation, POST closes."""

    template_name = "ami/backoffice/campaign_close.html"

    def get_page_title(self):
        return f"Clôturer «\u00a0{self.campaign.title}\u00a0» maintenant"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            closes_label=paris_datetime_label(self.campaign.closes_at),
            is_open=self.campaign.is_open(),
            running=list(open_extensions(self.campaign)),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            service.close_now(self.campaign, request.user)
        except service.CampaignChangeRefused as refusal:
            messages.error(request, f"La campagne n’a pas été clôturée\u202f: {refusal.message}")
        else:
            messages.success(
                request, f"«\u00a0{self.campaign.title}\u00a0» est close depuis le {paris_datetime_label(self.campaign.closes_at)}."
            )
        return self.back()


class ExtendView(CampaignViewMixin, TemplateView):
    """« Prolonger jusqu’au … » for every commune."""

    template_name = "ami/backoffice/campaign_form.html"

    def get_page_title(self):
        return f"Prolonger «\u00a0{self.campaign.title}\u00a0» pour toutes les communes"

    def get(self, request, *args, **kwargs):
        return self.render_form(DeadlineForm(initial={"closes_at": self.campaign.closes_at}))

    def render_form(self, form, status=200):
        intro = (
            f"Date limite actuelle\u202f: {paris_datetime_label(self.campaign.closes_at)} (heure de Paris). "
            "La nouvelle date limite vaut pour toutes les communes et doit être plus tardive."
        )
        return self.render_to_response(
            self.get_context_data(form=form, errors=error_summary(form), intro=intro, submit_label="Prolonger"),
            status=status,
        )

    def post(self, request, *args, **kwargs):
        form = DeadlineForm(request.POST)
        if form.is_valid():
            try:
                service.extend(self.campaign, form.cleaned_data["closes_at"], request.user)
            except service.CampaignChangeRefused as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                messages.success(
                    request,
                    f"«\u00a0{self.campaign.title}\u00a0» est prolongée jusqu’au "
                    f"{paris_datetime_label(self.campaign.closes_at)} pour toutes les communes.",
                )
                return self.back()
        return self.render_form(form, status=400)


class ExtensionView(CampaignViewMixin, TemplateView):
    """« Prolonger pour une commune »: grant (commune chosen) or change (commune in the URL)."""

    template_name = "ami/backoffice/campaign_form.html"

    def existing(self) -> CampaignExtension | None:
        if self.commune is None:
            return None
        return CampaignExtension.objects.filter(campaign=self.campaign, commune=self.commune).first()

    def get_page_title(self):
        if self.commune is not None:
            return f"Prolongation pour {self.commune.name}"
        return "Prolonger pour une commune"

    def render_form(self, form, status=200):
        existing = self.existing()
        intro = (
            f"Date limite de la campagne\u202f: {paris_datetime_label(self.campaign.closes_at)} (heure de Paris). "
            "Seul le dossier de cette commune (ou du réseau dont elle fait partie) reste modifiable jusqu’à la "
            "nouvelle date, qui doit être plus tardive\u202f; la commune peut aussi commencer son dossier jusque-là. "
            "La page publique de l’appel l’annonce."
        )
        return self.render_to_response(
            self.get_context_data(
                form=form, errors=error_summary(form), intro=intro, commune=self.commune,
                submit_label="Enregistrer la prolongation" if existing else "Accorder la prolongation",
                withdraw_url=reverse("ami_campaign_extension_withdraw", args=[self.campaign.pk, self.commune.pk])
                if existing else "",
            ),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        existing = self.existing()
        initial = {"closes_at": existing.closes_at, "reason": existing.reason} if existing else {}
        return self.render_form(ExtensionForm(initial=initial, commune=self.commune))

    def post(self, request, *args, **kwargs):
        form = ExtensionForm(request.POST, commune=self.commune)
        if form.is_valid():
            commune = form.chosen_commune()
            try:
                extension, event = service.grant_extension(
                    self.campaign, commune, form.cleaned_data["closes_at"], form.cleaned_data["reason"], request.user
                )
            except service.CampaignChangeRefused as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                verb = "accordée" if event.kind == CampaignEvent.Kind.EXTENSION_GRANTED else "modifiée"
                messages.success(
                    request,
                    f"Prolongation {verb}\u202f: le dossier de {commune.name} reste modifiable jusqu’au "
                    f"{paris_datetime_label(extension.closes_at)} (heure de Paris).",
                )
                return self.back()
        elif "closes_at" in form.cleaned_data:  # another field is wrong: say what is wrong with the date too
            refusal = service.extension_date_refusal(self.campaign, form.cleaned_data["closes_at"])
            if refusal is not None:
                form.add_error(refusal.field, refusal.message)
        return self.render_form(form, status=400)


class WithdrawExtensionView(CampaignViewMixin, TemplateView):
    """Withdraw a commune's extension: GET asks for confirmation, POST withdraws."""

    template_name = "ami/backoffice/campaign_withdraw.html"

    def get_page_title(self):
        return f"Retirer la prolongation de {self.commune.name}"

    def get(self, request, *args, **kwargs):
        extension = CampaignExtension.objects.filter(campaign=self.campaign, commune=self.commune).first()
        if extension is None:
            messages.warning(request, f"{self.commune.name} n’a pas de prolongation pour cette campagne.")
            return self.back()
        context = self.get_context_data(
            commune=self.commune, extension_label=paris_datetime_label(extension.closes_at),
            campaign_closes_label=paris_datetime_label(self.campaign.closes_at),
        )
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        try:
            service.withdraw_extension(self.campaign, self.commune, request.user)
        except service.CampaignChangeRefused as refusal:
            messages.warning(request, refusal.message)
        else:
            messages.success(
                request,
                f"Prolongation de {self.commune.name} retirée\u202f: son dossier suit la date limite de la campagne "
                f"({paris_datetime_label(self.campaign.closes_at)}).",
            )
        return self.back()


urlpatterns = [
    path("ami/campagnes/<int:pk>/", CampaignTimingView.as_view(), name="ami_campaign_timing"),
    path("ami/campagnes/<int:pk>/ouvrir/", open_now_view, name="ami_campaign_open_now"),
    path("ami/campagnes/<int:pk>/cloturer/", CloseNowView.as_view(), name="ami_campaign_close_now"),
    path("ami/campagnes/<int:pk>/prolonger/", ExtendView.as_view(), name="ami_campaign_extend"),
    path("ami/campagnes/<int:pk>/prolonger-une-commune/", ExtensionView.as_view(), name="ami_campaign_extension_add"),
    path(
        "ami/campagnes/<int:campaign_pk>/prolongations/<int:commune_pk>/",
        ExtensionView.as_view(),
        name="ami_campaign_extension_edit",
    ),
    path(
        "ami/campagnes/<int:campaign_pk>/prolongations/<int:commune_pk>/retirer/",
        WithdrawExtensionView.as_view(),
        name="ami_campaign_extension_withdraw",
    ),
]
