"""« Tableau de bord » panel on the admin home, for the « Équipe BNM » and superusers: the current
campaign's state and countdown, communes by état (ami.backoffice.tracker) and the names of those
not started, the latest submissions, failed e-mails, and the way to the « État des lieux »."""
from __future__ import annotations

from django.urls import reverse
from wagtail.admin.ui.components import Component

from ami.backoffice import tracker
from ami.backoffice.groups import is_ami_team
from ami.models import Campaign, Dossier, OutboxEmail
from ami.pdf import paris_datetime_label
from home.dates import days_until, format_deadline


def countdown_label(campaign: Campaign, now=None) -> str:
    state = campaign.state(now)
    if state == Campaign.State.UPCOMING:
        days = days_until(campaign.opens_at, now)
        when = "aujourd’hui" if days == 0 else f"dans {days} jour{'s' if days > 1 else ''}"
        return f"Ouverture {when}, le {format_deadline(campaign.opens_at)}."
    if state == Campaign.State.OPEN:
        days = days_until(campaign.closes_at, now)
        when = "aujourd’hui" if days == 0 else f"dans {days} jour{'s' if days > 1 else ''}"
        return f"Clôture {when}, le {format_deadline(campaign.closes_at)}."
    return f"Clos depuis le {format_deadline(campaign.closes_at)}."


class DashboardPanel(Component):
    name = "ami_dashboard"
    template_name = "ami/backoffice/dashboard_panel.html"
    order = 10
    latest_count = 5
    not_started_names = 8  # then « et N autres » (the tracker lists them all)

    def __init__(self, campaign: Campaign | None):
        self.campaign = campaign

    def get_context_data(self, parent_context):
        campaign = self.campaign
        context = {"campaign": campaign, "failed_count": OutboxEmail.objects.failed().count(),
                   "failed_url": f"{reverse('ami_outboxemail_modeladmin_index')}?status__exact={OutboxEmail.Status.FAILED}"}
        if campaign is None:
            return context
        rows = tracker.tracker_rows(campaign)
        counts = tracker.state_counts(rows)
        not_started = [row.commune.name for row in rows if row.state == tracker.NOT_STARTED]
        latest = list(
            Dossier.objects.filter(campaign=campaign, submitted_at__isnull=False)
            .select_related("commune")
            .order_by("-submitted_at")[: self.latest_count]
        )
        for dossier in latest:
            dossier.submitted_label = paris_datetime_label(dossier.submitted_at)
        context.update(
            state_label=Campaign.State(campaign.state()).label,
            countdown=countdown_label(campaign),
            counts=[{"label": label, "count": counts[key]} for key, label in tracker.STATE_LABELS.items()],
            not_started=counts[tracker.NOT_STARTED],
            not_started_url=f"{reverse('ami_backoffice_tracker')}?campaign={campaign.pk}&etat={tracker.NOT_STARTED}",
            not_started_names=not_started[: self.not_started_names],
            not_started_more=max(0, len(not_started) - self.not_started_names),
            latest=latest,
            report_url=f"{reverse('ami_backoffice_report')}?campaign={campaign.pk}",
        )
        return context


def add_dashboard_panel(request, panels) -> None:
    if is_ami_team(request.user):
        panels.append(DashboardPanel(Campaign.objects.current()))
