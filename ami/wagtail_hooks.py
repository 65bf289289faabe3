"""Back-office of the AMI (wagtail-modeladmin): menu « AMI » with campaigns, dossiers,
working groups, signups and the e-mail outbox."""
from __future__ import annotations

from django.contrib.admin import SimpleListFilter
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import InspectView

from ami import admin_views
from ami.models import Campaign, Dossier, OutboxEmail, WorkingGroup, WorkingGroupSignup
from ami.pdf import paris_datetime_label


class _RelatedFilter(SimpleListFilter):
    """Filter on a foreign key without django.contrib.admin (not installed; Wagtail is the admin)."""

    lookup = ""

    def lookups(self, request, model_admin):
        return [(str(obj.pk), str(obj)) for obj in self.choices_queryset()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.lookup: self.value()})
        return queryset


class CampaignFilter(_RelatedFilter):
    title = "campagne"
    parameter_name = "campaign"
    lookup = "campaign_id"

    def choices_queryset(self):
        return Campaign.objects.all()


class SignupCampaignFilter(CampaignFilter):
    lookup = "dossier__campaign_id"


class GroupFilter(_RelatedFilter):
    title = "groupe"
    parameter_name = "group"
    lookup = "group_id"

    def choices_queryset(self):
        return WorkingGroup.objects.all()


class ReadOnlyPermissionHelper(PermissionHelper):
    """List and inspect only: dossiers are written by their referents, e-mails by the outbox."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class CampaignAdmin(ModelAdmin):
    model = Campaign
    menu_label = "Campagnes"
    menu_icon = "date"
    list_display = ("title", "opens_label", "closes_label", "state_label", "dossier_count")
    search_fields = ("title",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            _dossiers=Count("dossiers", distinct=True)
        )

    def opens_label(self, obj):
        return paris_datetime_label(obj.opens_at)

    opens_label.short_description = "ouverture (heure de Paris)"

    def closes_label(self, obj):
        return paris_datetime_label(obj.closes_at)

    closes_label.short_description = "date limite (heure de Paris)"

    def state_label(self, obj):
        state = Campaign.State(obj.state())
        days = ""
        if state == Campaign.State.OPEN:
            left = (obj.closes_at - timezone.now()).days
            days = f" – {left} jour{'s' if left > 1 else ''} restant{'s' if left > 1 else ''}"
        return f"{state.label}{days}"

    state_label.short_description = "état"

    def dossier_count(self, obj):
        return obj._dossiers

    dossier_count.short_description = "dossiers"


class DossierInspectView(InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["file_links"] = dossier_file_links(self.instance)
        context["libraries"] = self.instance.libraries.all()
        context["member_communes"] = ", ".join(c.name for c in self.instance.communes.all()) or "—"
        return context


class DossierAdmin(ModelAdmin):
    model = Dossier
    menu_label = "Dossiers"
    menu_icon = "doc-full"
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = DossierInspectView
    inspect_template_name = "ami/admin/dossier_inspect.html"
    list_display = ("commune", "network_communes", "status", "receipt_number", "submitted_label", "version", "campaign")
    list_display_add_buttons = "commune"
    list_filter = (CampaignFilter, "status", "is_network")
    search_fields = ("commune__name", "receipt_number", "agent_email", "agent_last_name", "libraries__name")
    inspect_view_fields = [
        "campaign", "commune", "status", "receipt_number", "submitted_at", "version", "is_network",
        "head_commune", "elected_last_name", "elected_first_name", "elected_email", "agent_last_name",
        "agent_first_name", "agent_email", "agent_phone", "validation_mode", "created_at", "updated_at",
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .select_related("commune", "campaign")
            .prefetch_related("communes")
        )

    def network_communes(self, obj):
        names = [c.name for c in obj.communes.all()]
        return ", ".join(names) if len(names) > 1 else "—"

    network_communes.short_description = "communes du réseau"

    def submitted_label(self, obj):
        return paris_datetime_label(obj.submitted_at) if obj.submitted_at else "—"

    submitted_label.short_description = "déposé le"


class WorkingGroupAdmin(ModelAdmin):
    model = WorkingGroup
    menu_label = "Groupes de travail"
    menu_icon = "group"
    list_display = ("name", "sort_order", "is_active", "signup_count")
    list_filter = ("is_active",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_signups=Count("signups"))

    def signup_count(self, obj):
        return obj._signups

    signup_count.short_description = "inscriptions"


class WorkingGroupSignupAdmin(ModelAdmin):
    model = WorkingGroupSignup
    menu_label = "Inscriptions aux groupes"
    menu_icon = "list-ul"
    permission_helper_class = ReadOnlyPermissionHelper
    list_display = ("group", "dossier_commune", "agent_names", "dossier_status")
    list_filter = (GroupFilter, SignupCampaignFilter)
    search_fields = ("agent_names", "dossier__commune__name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "dossier__commune")

    def dossier_commune(self, obj):
        return obj.dossier.commune.name

    dossier_commune.short_description = "commune"

    def dossier_status(self, obj):
        return obj.dossier.get_status_display()

    dossier_status.short_description = "état du dossier"


class OutboxEmailAdmin(ModelAdmin):
    model = OutboxEmail
    menu_label = "E-mails"
    menu_icon = "mail"
    permission_helper_class = ReadOnlyPermissionHelper
    list_display = ("subject", "recipients", "created_at", "sent_label", "attempts", "last_error")
    list_filter = ("sent_at",)
    search_fields = ("subject", "to", "key")

    def recipients(self, obj):
        return ", ".join(obj.to)

    recipients.short_description = "destinataires"

    def sent_label(self, obj):
        return paris_datetime_label(obj.sent_at) if obj.sent_at else "en attente"

    sent_label.short_description = "envoyé le"


class AmiGroup(ModelAdminGroup):
    menu_label = "AMI"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (CampaignAdmin, DossierAdmin, WorkingGroupAdmin, WorkingGroupSignupAdmin, OutboxEmailAdmin)


modeladmin_register(AmiGroup)


@hooks.register("register_admin_urls")
def register_ami_admin_urls():
    return admin_views.urlpatterns


def dossier_file_links(dossier) -> str:
    """HTML links to the staff-only downloads of a dossier (used by the inspect template)."""
    links = [(reverse("ami_admin_dossier_pdf", args=[dossier.pk]), "Télécharger le PDF du dossier")]
    for version in dossier.versions.order_by("-number"):
        links.append(
            (
                reverse("ami_admin_version_pdf", args=[dossier.pk, version.number]),
                f"PDF de la version {version.number} (déposée le {paris_datetime_label(version.submitted_at)})",
            )
        )
    if dossier.signed_document:
        links.append((reverse("ami_admin_signed_document", args=[dossier.pk]), "Télécharger le document signé"))
    return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links))
