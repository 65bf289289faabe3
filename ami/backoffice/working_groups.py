"""Admin views of the working groups (under /admin/, registered by ami.wagtail_hooks): a group's
members for a campaign (page, XLSX and CSV), « Écrire au groupe » and « Envoyer l’invitation aux
membres » of a meeting. The rules are in ami.services.working_groups."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.views.generic import TemplateView
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ami.backoffice.exports import XLSX_CONTENT_TYPE, Sheet, attachment_response, write_csv, write_xlsx
from ami.backoffice.groups import can_view_group_members, can_write_to_group
from ami.backoffice.views import selected_campaign
from ami.forms.fields import FrenchEmailField, FrenchURLField
from ami.models import Campaign, Dossier, OutboxEmail, WorkingGroup, WorkingGroupMeeting, WorkingGroupMember
from ami.pdf import paris_datetime_label
from ami.services import working_groups as rules

EXPORT_FORMATS = ("xlsx", "csv")


class MemberForm(WagtailAdminModelForm):
    """The admin form of a member added by the team (the address checked with the project's French message)."""

    email = FrenchEmailField(label="Adresse e-mail", required=False, max_length=254,
                             help_text=WorkingGroupMember._meta.get_field("email").help_text)


class MeetingForm(WagtailAdminModelForm):
    online_url = FrenchURLField(label="Lien de la visio", required=False, max_length=500,
                                help_text=WorkingGroupMeeting._meta.get_field("online_url").help_text)


def forbidden() -> HttpResponseForbidden:
    """A plain 403 (Wagtail turns a raised PermissionDenied into a redirect to the dashboard)."""
    return HttpResponseForbidden(
        "Vous n’avez pas l’autorisation d’accéder aux membres des groupes de travail.",
        content_type="text/plain; charset=utf-8",
    )


def members_url(group: WorkingGroup, campaign: Campaign | None = None) -> str:
    url = reverse("ami_workinggroup_members", args=[group.pk])
    return f"{url}?{urlencode({'campaign': campaign.pk})}" if campaign else url


def _names(members) -> str:
    return ", ".join(f"{m.name or 'agent non nommé'} ({m.commune or 'commune non précisée'})" for m in members)


def members_sheet(members: list[rules.Member]) -> Sheet:
    """Columns as in the dossier export's « Groupes de travail » sheet (receipt, commune, agents), plus the address and origin."""
    def label(model, name):
        return capfirst(str(model._meta.get_field(name).verbose_name))

    return Sheet(
        "Membres",
        [label(Dossier, "receipt_number"), label(Dossier, "commune"), "Agent(s)", "Adresse e-mail", "Origine"],
        [18, 24, 40, 32, 20],
        [
            [m.receipt_number or None, m.commune or None, m.name or None, m.email or None, capfirst(m.origin_label)]
            for m in members
        ],
    )


class _GroupView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"
    breadcrumbs_items = []

    def allowed(self, user) -> bool:
        return can_view_group_members(user)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            return forbidden()
        self.group = get_object_or_404(WorkingGroup, pk=kwargs["pk"])
        self.campaign = selected_campaign(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(group=self.group, campaign=self.campaign, members_url=members_url(self.group, self.campaign))
        return context


class MembersView(_GroupView):
    """The group's members for the selected campaign; ?export=xlsx|csv downloads them."""

    template_name = "ami/backoffice/group_members.html"

    def get_page_title(self):
        return f"Membres – {self.group.name}"

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in EXPORT_FORMATS:
            sheet = members_sheet(rules.group_members(self.group, self.campaign))
            filename = f"membres-{slugify(self.group.name)}-{timezone.localdate():%Y-%m-%d}.{export}"
            if export == "xlsx":
                return attachment_response(write_xlsx([sheet]), XLSX_CONTENT_TYPE, filename)
            return attachment_response(write_csv(sheet), "text/csv; charset=utf-8", filename)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = rules.group_members(self.group, self.campaign)
        for member in members:
            if member.member_pk:
                member.edit_url = reverse("ami_workinggroupmember_modeladmin_edit", args=[member.member_pk])
                member.delete_url = reverse("ami_workinggroupmember_modeladmin_delete", args=[member.member_pk])
        found = rules.recipients(members)
        meetings = list(self.group.meetings.order_by("-starts_at")[:20])
        sent = self._invitations_sent(meetings)
        for meeting in meetings:
            meeting.when = paris_datetime_label(meeting.starts_at)
            meeting.location = rules.meeting_location(meeting)
            meeting.sent_count = sent.get(meeting.pk, 0)
            meeting.edit_url = reverse("ami_workinggroupmeeting_modeladmin_edit", args=[meeting.pk])
            meeting.invite_url = reverse("ami_workinggroupmeeting_invite", args=[meeting.pk])
        base = members_url(self.group, self.campaign)
        joiner = "&" if "?" in base else "?"
        context.update(
            campaigns=Campaign.objects.all(),
            members=members,
            dossier_count=sum(1 for m in members if m.origin == rules.ORIGIN_DOSSIER),
            team_count=sum(1 for m in members if m.origin == rules.ORIGIN_TEAM),
            address_count=len(found.by_address),
            unreached=found.unreached,
            meetings=meetings,
            now=timezone.now(),
            can_write=can_write_to_group(self.request.user),
            xlsx_url=f"{base}{joiner}export=xlsx",
            csv_url=f"{base}{joiner}export=csv",
            add_member_url=f"{reverse('ami_workinggroupmember_modeladmin_create')}?group={self.group.pk}",
            add_meeting_url=f"{reverse('ami_workinggroupmeeting_modeladmin_create')}?group={self.group.pk}",
            edit_group_url=reverse("ami_workinggroup_modeladmin_edit", args=[self.group.pk]),
            write_url=f"{reverse('ami_workinggroup_write', args=[self.group.pk])}"
            + (f"?campaign={self.campaign.pk}" if self.campaign else ""),
            member_states_label=", ".join(f"«\u00a0{Dossier.Status(state).label}\u00a0»" for state in rules.MEMBER_STATES),
        )
        return context

    def _invitations_sent(self, meetings) -> dict[int, int]:
        """Invitations queued for the current version of each meeting, in one query."""
        if not meetings:
            return {}
        prefixes = {f"group-meeting:{m.pk}:v{m.sequence}:": m.pk for m in meetings}
        query = Q()
        for prefix in prefixes:
            query |= Q(key__startswith=prefix)
        counts: dict[int, int] = {}
        for key in OutboxEmail.objects.filter(query).values_list("key", flat=True):
            pk = prefixes[key.rsplit(":", 1)[0] + ":"]
            counts[pk] = counts.get(pk, 0) + 1
        return counts


class WriteForm(forms.Form):
    subject = forms.CharField(
        label="Objet", max_length=150,
        error_messages={"required": "Indiquez l’objet du message.",
                        "max_length": "L’objet est trop long (150 caractères au plus)."},
    )
    message = forms.CharField(
        label="Message", widget=forms.Textarea(attrs={"rows": 12}), max_length=10000,
        error_messages={"required": "Écrivez le message à envoyer aux membres.",
                        "max_length": "Le message est trop long (10 000 caractères au plus)."},
    )
    token = forms.UUIDField(widget=forms.HiddenInput)


class WriteView(_GroupView):
    """« Écrire au groupe »: one e-mail per address of the members (POST, the form's token makes
    a second post of the same form a no-op); members without an address are named."""

    template_name = "ami/backoffice/group_write.html"
    header_icon = "mail"

    def allowed(self, user) -> bool:
        return can_write_to_group(user)

    def get_page_title(self):
        return f"Écrire au groupe – {self.group.name}"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=WriteForm(initial={"token": uuid.uuid4()})))

    def post(self, request, *args, **kwargs):
        form = WriteForm(request.POST)
        if not form.is_valid():
            if form.has_error("token"):  # a form not from this page: nothing sent, start again
                messages.error(request, "Ce formulaire n’est pas valable : rien n’a été envoyé. Écrivez le message à nouveau.")
                return redirect(request.get_full_path())
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        sending = rules.write_to_group(self.group, self.campaign, data["subject"].strip(), data["message"].strip(),
                                       data["token"].hex)
        report_sending(request, sending, "Message envoyé", "ce message")
        return redirect(members_url(self.group, self.campaign))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = rules.recipients(rules.group_members(self.group, self.campaign))
        context.update(address_count=len(found.by_address), unreached=found.unreached)
        return context


def report_sending(request, sending: rules.Sending, sent: str, this: str) -> None:
    """The admin messages after « Écrire au groupe » (« Message envoyé », « ce message ») or
    « Envoyer l’invitation » (« Invitation envoyée », « cette invitation »)."""
    if sending.queued:
        plural = "s" if sending.queued > 1 else ""
        messages.success(request, f"{sent} à {sending.queued} adresse{plural} (file d’envoi des e-mails).")
    if sending.already:
        verb = "avaient" if sending.already > 1 else "avait"
        plural = "s" if sending.already > 1 else ""
        messages.warning(request, f"{sending.already} adresse{plural} {verb} déjà reçu {this}\u202f: pas de second envoi.")
    if not sending.queued and not sending.already:
        messages.error(request, "Aucun membre n’a d’adresse e-mail\u202f: rien n’a été envoyé.")
    if sending.unreached:
        plural = "s" if len(sending.unreached) > 1 else ""
        messages.warning(request, f"Non joint{plural} (sans adresse e-mail)\u202f: {_names(sending.unreached)}.")


class InviteView(WagtailAdminTemplateMixin, TemplateView):
    """« Envoyer l’invitation aux membres » of a meeting: a confirmation page that POSTs."""

    template_name = "ami/backoffice/meeting_invite.html"
    header_icon = "date"
    breadcrumbs_items = []

    def dispatch(self, request, *args, **kwargs):
        if not can_write_to_group(request.user):
            return forbidden()
        self.meeting = get_object_or_404(WorkingGroupMeeting.objects.select_related("group"), pk=kwargs["pk"])
        self.campaign = selected_campaign(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Envoyer l’invitation – {self.meeting.group.name}"

    def post(self, request, *args, **kwargs):
        if self.meeting.starts_at <= timezone.now():
            messages.error(request, "Cette réunion a déjà commencé ou est passée\u202f: aucune invitation envoyée.")
            return redirect(members_url(self.meeting.group, self.campaign))
        sending = rules.invite_members(self.meeting, self.campaign)
        report_sending(request, sending, "Invitation envoyée", "cette invitation")
        return redirect(members_url(self.meeting.group, self.campaign))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.meeting
        found = rules.recipients(rules.group_members(meeting.group, self.campaign))
        context.update(
            meeting=meeting,
            group=meeting.group,
            campaign=self.campaign,
            when=paris_datetime_label(meeting.starts_at),
            location=rules.meeting_location(meeting),
            address_count=len(found.by_address),
            unreached=found.unreached,
            members_url=members_url(meeting.group, self.campaign),
        )
        return context


urlpatterns = [
    path("ami/groupes-de-travail/<int:pk>/membres/", MembersView.as_view(), name="ami_workinggroup_members"),
    path("ami/groupes-de-travail/<int:pk>/ecrire/", WriteView.as_view(), name="ami_workinggroup_write"),
    path("ami/groupes-de-travail/reunions/<int:pk>/inviter/", InviteView.as_view(), name="ami_workinggroupmeeting_invite"),
]
