"""The dossier list of the back-office (« AMI › Dossiers »): its columns, filters and search.

Read by `DossierAdmin` (ami.wagtail_hooks). The exports (?export=xlsx|csv, ami.backoffice.exports)
receive the same filtered and searched queryset, so a filter narrows the export too.

Filters are `SimpleListFilter`s (django.contrib.admin is not installed; wagtail-modeladmin renders
them): each one reads its value itself and ignores a value it does not know, so a hand-edited
query string never reaches the ORM unchecked (no HTTP 500).
"""
from __future__ import annotations

import re

from django.contrib.admin import SimpleListFilter
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from ami.models import Campaign, Dossier, Library, WorkingGroup
from ami.pdf import EMPTY, paris_datetime_label
from core.parsing import parse_ascii_int

YES, NO, UNANSWERED = "oui", "non", "sans-reponse"
YES_NO_LOOKUPS = ((YES, "Oui"), (NO, "Non"))

# What the search box looks in: the commune and every commune of its network, both referents
# (names and e-mails), the receipt number and the libraries' names.
SEARCH_FIELDS = (
    "commune__name",
    "communes__name",
    "receipt_number",
    "agent_last_name",
    "agent_first_name",
    "agent_email",
    "elected_last_name",
    "elected_first_name",
    "elected_email",
    "libraries__name",
)


class ChoiceFilter(SimpleListFilter):
    """A filter whose value must be one of its lookups (anything else: no filtering)."""

    def value(self):
        value = super().value()
        return value if value in self.known_values() else None

    def known_values(self) -> set[str]:
        return {key for key, _label in self.lookup_choices}


class CampaignFilter(ChoiceFilter):
    title = "campagne"
    parameter_name = "campaign"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.title) for c in Campaign.objects.order_by("-opens_at")]

    def queryset(self, request, queryset):
        value = parse_ascii_int(self.value())
        return queryset.filter(campaign_id=value) if value is not None else queryset


class StatusFilter(ChoiceFilter):
    title = "état"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(key, capfirst(str(label))) for key, label in Dossier.Status.choices]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class NetworkFilter(ChoiceFilter):
    title = "réseau"
    parameter_name = "reseau"

    def lookups(self, request, model_admin):
        return [(YES, "Dossier de réseau"), (NO, "Commune seule"), (UNANSWERED, "Sans réponse")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == YES:
            return queryset.filter(is_network=True)
        if value == NO:
            return queryset.filter(is_network=False)
        if value == UNANSWERED:
            return queryset.filter(is_network__isnull=True)
        return queryset


class SigbEngagementFilter(ChoiceFilter):
    """Partie 2: « La commune souhaite intégrer le logiciel de gestion de bibliothèque métropolitain »
    (ami.questionnaire, step « engagements »). « Envisagé en N+1 / N+2 » name the years of the
    campaign chosen in the campaign filter, else stay relative."""

    title = "engagement SIGB métropolitain"
    parameter_name = "engagement_sigb"

    def lookups(self, request, model_admin):
        campaign_pk = parse_ascii_int(request.GET.get(CampaignFilter.parameter_name))
        campaign = Campaign.objects.filter(pk=campaign_pk).first() if campaign_pk is not None else None
        if campaign is not None:
            choices = [(key, capfirst(label.lower())) for key, label in campaign.engagement_choices()]
        else:
            choices = [("oui", "Oui"), ("non", "Non"), ("n+1", "Envisagé l’année suivante"),
                       ("n+2", "Envisagé dans deux ans")]
        return [*choices, (UNANSWERED, "Sans réponse")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == UNANSWERED:
            return queryset.filter(engagement_sigb="")
        return queryset.filter(engagement_sigb=value) if value else queryset


class WorkingGroupFilter(ChoiceFilter):
    title = "groupe de travail"
    parameter_name = "groupe"

    def lookups(self, request, model_admin):
        return [(str(group.pk), group.name) for group in WorkingGroup.objects.all()]

    def queryset(self, request, queryset):
        value = parse_ascii_int(self.value())
        # One sign-up per dossier and group (a constraint): no duplicate rows.
        return queryset.filter(working_group_signups__group_id=value) if value is not None else queryset


class SignedDocumentFilter(ChoiceFilter):
    title = "document signé"
    parameter_name = "document_signe"

    def lookups(self, request, model_admin):
        return [(YES, "Avec document signé"), (NO, "Sans document signé")]

    def queryset(self, request, queryset):
        if self.value() == YES:
            return queryset.exclude(signed_document="")
        if self.value() == NO:
            return queryset.filter(signed_document="")
        return queryset


LIST_FILTERS = (
    CampaignFilter, StatusFilter, NetworkFilter, SigbEngagementFilter, WorkingGroupFilter, SignedDocumentFilter,
)


def with_list_data(queryset):
    """What the columns read, in a constant number of queries: the communes (one prefetch),
    the campaign (a join) and the number of libraries (a subquery, unaffected by the search's joins)."""
    libraries = (
        Library.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier").annotate(n=Count("pk")).values("n")
    )
    return (
        queryset.select_related("commune", "campaign")
        .prefetch_related("communes")
        .annotate(_libraries=Coalesce(Subquery(libraries, output_field=IntegerField()), Value(0)))
    )


def breakable_email(address: str):
    """The address, escaped, with a line-break opportunity (<wbr>) after its @ and before its dots:
    a narrow column wraps it there, never inside a name."""
    parts = re.split(r"(@|\.)", address)
    html = []
    for part in parts:
        if part == ".":
            html.append("<wbr>.")
        elif part == "@":
            html.append("@<wbr>")
        else:
            html.append(escape(part))
    return mark_safe("".join(html))  # noqa: S308 (every part escaped above)


class DossierListColumns:
    """Columns of the dossier list (mixed into DossierAdmin): short French headers, values that
    never need the whole width of the page."""

    list_display = (
        "communes_column", "network_column", "status_column", "receipt_column", "submitted_column",
        "libraries_column", "referent_column",
    )
    list_display_add_buttons = "communes_column"
    list_filter = LIST_FILTERS
    search_fields = SEARCH_FIELDS

    def communes_column(self, obj):
        """The candidate commune, then the other communes of its network."""
        others = sorted(c.name for c in obj.communes.all() if c.pk != obj.commune_id)
        if not others:
            return obj.commune.name
        return format_html(
            '{}<span class="ami-list__network">, {}</span>', obj.commune.name, ", ".join(others)
        )

    communes_column.short_description = "Commune(s)"
    communes_column.admin_order_field = "commune__name"

    def network_column(self, obj):
        return EMPTY if obj.is_network is None else ("Oui" if obj.is_network else "Non")

    network_column.short_description = "Réseau"
    network_column.admin_order_field = "is_network"

    def status_column(self, obj):
        return format_html('<span class="ami-list__state">{}</span>', capfirst(obj.get_status_display()))

    status_column.short_description = "État"
    status_column.admin_order_field = "status"

    def receipt_column(self, obj):
        return format_html('<span class="ami-list__nowrap">{}</span>', obj.receipt_number) if obj.receipt_number else EMPTY

    receipt_column.short_description = "Récépissé"
    receipt_column.admin_order_field = "receipt_number"

    def submitted_column(self, obj):
        """« 30 septembre 2022 » and « à 23 h 59 », each kept on one line."""
        if not obj.submitted_at:
            return EMPTY
        day, _sep, time = paris_datetime_label(obj.submitted_at).partition(" à ")
        return format_html(
            '<span class="ami-list__nowrap">{}</span> <span class="ami-list__nowrap">à {}</span>', day, time
        )

    submitted_column.short_description = "Déposé le"
    submitted_column.admin_order_field = "submitted_at"

    def libraries_column(self, obj):
        return obj._libraries

    libraries_column.short_description = "Bibliothèques"
    libraries_column.admin_order_field = "_libraries"

    def referent_column(self, obj):
        """The agent referent (name, e-mail): whom the team writes to about the dossier."""
        name = " ".join(part for part in (obj.agent_first_name, obj.agent_last_name) if part)
        lines = [escape(name)] if name else []
        if obj.agent_email:
            lines.append(breakable_email(obj.agent_email))
        if not lines:
            return EMPTY
        return format_html_join("", '<span class="ami-list__line">{}</span>', ((line,) for line in lines))

    referent_column.short_description = "Agent référent"
    referent_column.admin_order_field = "agent_last_name"
