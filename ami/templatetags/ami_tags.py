"""Template helpers of the AMI: Paris dates, deadlines, accessible field widgets."""
from __future__ import annotations

import datetime as dt
import math

from django import template
from django.utils import timezone

from home.dates import format_date_fr, format_deadline, format_time_fr, to_paris

register = template.Library()


# Dates are written by home.dates, the one French formatter of the project (pages, e-mails, PDF).


@register.filter
def paris_date(value) -> str:
    """« 1er avril 2027 », « 31 mars 2027 » (Europe/Paris)."""
    if not value:
        return ""
    return format_date_fr(to_paris(value).date() if isinstance(value, dt.datetime) else value)


@register.filter
def paris_time(value) -> str:
    """« 23 h 59 », « 9 h »."""
    return format_time_fr(to_paris(value).time()) if value else ""


@register.filter
def paris_datetime(value) -> str:
    """« 31 mars 2027 à 23 h 59 »."""
    if not value:
        return ""
    return f"{paris_date(value)} à {paris_time(value)}"


@register.filter
def paris_deadline(value) -> str:
    """« 31 mars 2027 à 23 h 59, heure de Paris »."""
    return format_deadline(value) if value else ""


@register.simple_tag
def days_left(campaign_or_deadline) -> str:
    """« Il reste 12 jours. » until a campaign's deadline, or until a given date (a dossier's)."""
    deadline = getattr(campaign_or_deadline, "closes_at", campaign_or_deadline)
    if not isinstance(deadline, dt.datetime):
        return ""
    remaining = deadline - timezone.now()
    if remaining.total_seconds() <= 0:
        return ""
    days = math.floor(remaining.total_seconds() / 86400)
    if days == 0:
        hours = math.ceil(remaining.total_seconds() / 3600)
        return "Dernier jour : il reste moins d’une heure." if hours <= 1 else f"Dernier jour : il reste {hours} heures."
    return "Il reste 1 jour." if days == 1 else f"Il reste {days} jours."


@register.simple_tag
def campaign_state(campaign) -> str:
    return campaign.state() if campaign else ""


@register.simple_tag
def running_extensions(campaign) -> list:
    """The extensions granted to communes that run after the campaign's deadline (public: the
    commune and its date, never the reason), by commune name."""
    from ami.services.public_call import running_extensions as running

    return running(campaign) if campaign else []


VOWELS = set("AEIOUYÂÀÉÈÊËÎÏÔÖÛÜŒ")


@register.filter
def de_name(name) -> str:
    """« de Lille », « d’Armentières » (elision before a vowel)."""
    name = str(name)
    return f"d’{name}" if name[:1].upper() in VOWELS else f"de {name}"


@register.simple_tag
def field_widget(bound):
    """The widget with aria-describedby (help, error) and aria-invalid when in error."""
    describedby = []
    if bound.help_text:
        describedby.append(f"{bound.auto_id}-help")
    if bound.errors:
        describedby.append(f"{bound.auto_id}-error")
    attrs = {}
    if describedby and not bound.field.widget.use_fieldset:
        attrs["aria-describedby"] = " ".join(describedby)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    return bound.as_widget(attrs=attrs)


@register.filter
def describedby(bound) -> str:
    ids = []
    if bound.help_text:
        ids.append(f"{bound.auto_id}-help")
    if bound.errors:
        ids.append(f"{bound.auto_id}-error")
    return " ".join(ids)


@register.inclusion_tag("ami/includes/field.html")
def ami_field(bound, extra_class=""):
    return {"field": bound, "extra_class": extra_class}


@register.simple_tag(takes_context=True)
def step_sections(context, form, slug):
    """The sections of step `slug` as ami.questionnaire declares them, for templates/ami/steps/sections.html:
    heading, intro (with the campaign's years), the section's own template if any, and the bound
    fields of its questions that `form` has."""
    from ami import questionnaire

    campaign = context.get("campaign")
    return [
        {
            "section": section,
            "heading": section.heading,
            "intro": section.intro_for(campaign),
            "template": f"ami/steps/sections/{section.template}" if section.template else "",
            "fields": [form[q.name] for q in section.questions if q.name in form.fields],
        }
        for section in questionnaire.step(slug).sections
    ]
