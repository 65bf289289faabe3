"""Back-office of the AMI (wagtail-modeladmin): menu « AMI » with campaigns, dossiers,
working groups, signups and the e-mail outbox (with « Renvoyer » for e-mails in « échec »,
also listed on the admin dashboard)."""
from __future__ import annotations

from django.contrib.admin import SimpleListFilter
from django.db import transaction
from django.db.models import Count
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import CreateView, DeleteView, EditView

from ami import admin_views
from ami.backoffice import campaigns as backoffice_campaigns
from ami.backoffice import dashboard as backoffice_dashboard
from ami.backoffice import review_views
from ami.backoffice import views as backoffice_views
from ami.backoffice import working_groups as group_views
from ami.backoffice.dossier_list import DossierListColumns, with_list_data
from ami.backoffice.exports import DossierIndexView
from ami.backoffice.inspect import DossierInspectView
from ami.backoffice.permissions import GuardedHistoryView
from ami.models import (
    Campaign,
    Dossier,
    OutboxEmail,
    WorkingGroup,
    WorkingGroupMeeting,
    WorkingGroupMember,
    WorkingGroupSignup,
)
from ami.pdf import paris_datetime_label
from ami.services import campaigns as campaign_service
from ami.services import working_groups as group_rules


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


class CampaignButtonHelper(ButtonHelper):
    """Adds « Calendrier et journal » (the timing actions and the journal) to each campaign."""

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if backoffice_campaigns.can_view_campaign(self.request.user):
            buttons.insert(0, {
                "url": backoffice_campaigns.campaign_url(obj),
                "label": "Calendrier et journal",
                "classname": self.finalise_classname(["button-secondary"]),
                "title": f"Dates, prolongations et journal de «\u00a0{obj}\u00a0»",
            })
        return buttons


class CampaignSavedThroughService:
    """The campaign forms save through ami.services.campaigns: the journal logs the change of
    dates (before → after) and a refused change is shown next to its field."""

    def save_campaign(self, instance):
        raise NotImplementedError

    def form_valid(self, form):
        def save(commit=True):
            self.save_campaign(form.instance)
            return form.instance

        form.save = save
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except campaign_service.CampaignChangeRefused as refusal:
            form.add_error(refusal.field, refusal.message)
            return self.form_invalid(form)


class CampaignCreateView(CampaignSavedThroughService, CreateView):
    def save_campaign(self, instance):
        with transaction.atomic():
            instance.save()
            campaign_service.record_creation(instance, self.request.user)


class CampaignEditView(CampaignSavedThroughService, EditView):
    def save_campaign(self, instance):
        campaign_service.save_edited(instance, self.request.user)


class CampaignAdmin(ModelAdmin):
    model = Campaign
    menu_label = "Campagnes"
    menu_icon = "date"
    button_helper_class = CampaignButtonHelper
    create_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
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


class DossierAdmin(DossierListColumns, ModelAdmin):
    """Columns, filters and search: ami.backoffice.dossier_list."""

    model = Dossier
    menu_label = "Dossiers"
    menu_icon = "doc-full"
    permission_helper_class = ReadOnlyPermissionHelper
    index_view_class = DossierIndexView  # ?export=xlsx|csv: the filtered list (ami.backoffice.exports)
    inspect_view_enabled = True
    inspect_view_class = DossierInspectView  # answers, history, decision, notes: ami.backoffice.inspect
    inspect_template_name = "ami/admin/dossier_inspect.html"

    def get_queryset(self, request):
        return with_list_data(super().get_queryset(request))


def yes_no_column(model, field_name: str):
    """A list column showing a boolean field as « Oui » / « Non » (sortable like the field).

    Listing the field itself would make wagtail-modeladmin draw django.contrib.admin's
    icon-yes/icon-no images, which are not collected (django.contrib.admin is not installed):
    an HTTP 500 under the production static manifest."""

    def column(self, obj):
        value = getattr(obj, field_name)
        return "—" if value is None else ("Oui" if value else "Non")

    column.short_description = model._meta.get_field(field_name).verbose_name
    column.admin_order_field = field_name
    return column


class WorkingGroupAdmin(ModelAdmin):
    model = WorkingGroup
    menu_label = "Groupes de travail"
    menu_icon = "group"
    list_display = ("name", "rhythm_label", "contact_label", "active_label", "members_link")
    list_filter = ("is_active",)
    search_fields = ("name",)

    active_label = yes_no_column(WorkingGroup, "is_active")

    def rhythm_label(self, obj):
        return obj.rhythm or "—"

    rhythm_label.short_description = "rythme"

    def contact_label(self, obj):
        return obj.contact or "—"

    contact_label.short_description = "contact"

    def members_link(self, obj):
        return format_html(
            '<a href="{}">Membres et réunions<span class="w-sr-only"> du {}</span></a>',
            group_views.members_url(obj), obj.name,
        )

    members_link.short_description = "membres"


def _group_from_query(request) -> dict:
    """Initial group of a create form opened from a group's page (?group=<id>)."""
    from core.parsing import parse_ascii_int

    pk = parse_ascii_int(request.GET.get("group"))
    return {"group": pk} if pk is not None and WorkingGroup.objects.filter(pk=pk).exists() else {}


class _BackToGroupMixin:
    """After saving, back to the group's members page."""

    def get_success_url(self):
        return group_views.members_url(self.instance.group)


class MemberCreateView(_BackToGroupMixin, CreateView):
    def get_initial(self):
        return {**super().get_initial(), **_group_from_query(self.request)}

    def form_valid(self, form):
        form.instance.added_by = self.request.user
        return super().form_valid(form)


class MemberEditView(_BackToGroupMixin, EditView):
    pass


class WorkingGroupMemberAdmin(ModelAdmin):
    model = WorkingGroupMember
    menu_label = "Membres ajoutés aux groupes"
    menu_icon = "user"
    create_view_class = MemberCreateView
    edit_view_class = MemberEditView
    list_display = ("name", "group", "commune_label", "email_label", "created_label")

    def get_edit_handler(self):
        handler = super().get_edit_handler()
        handler.base_form_class = group_views.MemberForm
        return handler

    list_filter = (GroupFilter,)
    search_fields = ("name", "email", "commune__name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "commune")

    def commune_label(self, obj):
        return obj.commune.name if obj.commune else "—"

    commune_label.short_description = "commune"

    def email_label(self, obj):
        return obj.email or "pas d’adresse"

    email_label.short_description = "adresse e-mail"

    def created_label(self, obj):
        return paris_datetime_label(obj.created_at)

    created_label.short_description = "ajouté le"


class MeetingCreateView(_BackToGroupMixin, CreateView):
    def get_initial(self):
        return {**super().get_initial(), **_group_from_query(self.request)}

    def form_valid(self, form):
        response = super().form_valid(form)
        published = group_rules.meeting_saved(self.instance, form.changed_data, created=True, user=self.request.user)
        _report_calendar(self.request, published)
        return response


class MeetingEditView(_BackToGroupMixin, EditView):
    def form_valid(self, form):
        response = super().form_valid(form)
        published = group_rules.meeting_saved(self.instance, form.changed_data, created=False, user=self.request.user)
        _report_calendar(self.request, published)
        return response


def _report_calendar(request, page) -> None:
    from django.contrib import messages

    if page is None:
        messages.warning(request, "Le site n’a pas de page calendrier publiée : la réunion n’apparaît pas sur le calendrier public.")
    else:
        messages.info(request, "La réunion est publiée sur le calendrier public (sans le lien de la visio).")


class MeetingDeleteView(DeleteView):
    def delete_instance(self):
        group_rules.remove_meeting_event(self.instance)
        super().delete_instance()


class WorkingGroupMeetingAdmin(ModelAdmin):
    model = WorkingGroupMeeting
    menu_label = "Réunions des groupes"
    menu_icon = "date"
    create_view_class = MeetingCreateView
    edit_view_class = MeetingEditView
    delete_view_class = MeetingDeleteView
    list_display = ("group", "starts_label", "location_label", "members_link")

    def get_edit_handler(self):
        handler = super().get_edit_handler()
        handler.base_form_class = group_views.MeetingForm
        return handler

    list_filter = (GroupFilter,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group")

    def starts_label(self, obj):
        return paris_datetime_label(obj.starts_at)

    starts_label.short_description = "début (heure de Paris)"
    starts_label.admin_order_field = "starts_at"

    def location_label(self, obj):
        return group_rules.meeting_location(obj) or "—"

    location_label.short_description = "lieu"

    def members_link(self, obj):
        return format_html(
            '<a href="{}">Membres et invitation<span class="w-sr-only"> ({}, {})</span></a>',
            group_views.members_url(obj.group), obj.group.name, paris_datetime_label(obj.starts_at),
        )

    members_link.short_description = "invitation"


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


class OutboxButtonHelper(ButtonHelper):
    """Adds « Renvoyer » (to a confirmation page that POSTs) on e-mails in « échec »."""

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if obj.status == OutboxEmail.Status.FAILED and admin_views.can_resend_email(self.request.user):
            buttons.append(
                {
                    "url": reverse("ami_admin_outbox_resend", args=[obj.pk]),
                    "label": "Renvoyer",
                    "classname": self.finalise_classname(["button-secondary"]),
                    "title": f"Renvoyer l’e-mail «\u00a0{obj.subject}\u00a0»",
                }
            )
        return buttons


class OutboxEmailAdmin(ModelAdmin):
    model = OutboxEmail
    menu_label = "E-mails"
    menu_icon = "mail"
    permission_helper_class = ReadOnlyPermissionHelper
    button_helper_class = OutboxButtonHelper
    list_display = ("subject", "recipients", "created_at", "status_label", "attempts", "last_error")
    list_filter = ("status",)
    search_fields = ("subject", "to", "key")

    def recipients(self, obj):
        return ", ".join(obj.to)

    recipients.short_description = "destinataires"

    def status_label(self, obj):
        return outbox_status_label(obj)

    status_label.short_description = "état"


def outbox_status_label(email: OutboxEmail) -> str:
    if email.status == OutboxEmail.Status.SENT:
        return f"envoyé le {paris_datetime_label(email.sent_at)}"
    if email.status == OutboxEmail.Status.FAILED:
        return f"échec le {paris_datetime_label(email.failed_at)}" if email.failed_at else "échec"
    return f"en attente – prochaine tentative le {paris_datetime_label(email.next_attempt_at)}"


class FailedEmailsPanel(Component):
    """Admin dashboard: the e-mails in « échec », with a link to them in the e-mail list."""

    name = "ami_outbox_failed"
    template_name = "ami/admin/outbox_failed_panel.html"
    order = 50
    shown = 5

    def __init__(self, failed):
        self.failed = failed

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        count = self.failed.count()
        emails = list(self.failed.order_by("-failed_at")[: self.shown])
        for email in emails:
            email.failed_label = outbox_status_label(email)
        heading = f"{count} e-mail{'s' if count > 1 else ''} en échec"
        return {
            "heading": heading,
            "count": count,
            "emails": emails,
            "can_resend": admin_views.can_resend_email(request.user),
            "list_url": f"{reverse('ami_outboxemail_modeladmin_index')}?status__exact={OutboxEmail.Status.FAILED}",
        }


@hooks.register("construct_homepage_panels")
def add_failed_emails_panel(request, panels):
    if not request.user.has_perm("ami.view_outboxemail"):
        return
    failed = OutboxEmail.objects.failed()
    if failed.exists():
        panels.append(FailedEmailsPanel(failed))


class AmiGroup(ModelAdminGroup):
    menu_label = "AMI"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        CampaignAdmin, DossierAdmin, WorkingGroupAdmin, WorkingGroupMemberAdmin, WorkingGroupMeetingAdmin,
        WorkingGroupSignupAdmin, OutboxEmailAdmin,
    )

    def get_submenu_items(self):
        items = super().get_submenu_items()
        return items + [backoffice_views.tracker_menu_item(order=len(items) + 1)]


for _admin in AmiGroup.items:  # history views check nothing in wagtail-modeladmin: guard them
    _admin.history_view_class = GuardedHistoryView

modeladmin_register(AmiGroup)


@hooks.register("register_admin_urls")
def register_ami_admin_urls():
    return admin_views.urlpatterns


@hooks.register("register_admin_urls")
def register_backoffice_admin_urls():
    return backoffice_views.urlpatterns + backoffice_campaigns.urlpatterns + group_views.urlpatterns


@hooks.register("register_admin_urls")
def register_review_admin_urls():
    return review_views.urlpatterns


hooks.register("construct_homepage_panels", backoffice_dashboard.add_dashboard_panel)
hooks.register("register_reports_menu_item", backoffice_views.report_menu_item)


@hooks.register("insert_global_admin_css")
def backoffice_css():
    """The AMI's admin styles (static/css/backoffice.css, collected into the production manifest)."""
    return format_html('<link rel="stylesheet" href="{}">', static("css/backoffice.css"))
