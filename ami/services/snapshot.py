"""A JSON-serialisable copy of a whole dossier.

The submission service stores `dossier_snapshot(dossier)` in DossierVersion.data, and the PDF
(ami.pdf) renders from such a dict: the PDF of version n shows what was submitted then, even
if the draft changed afterwards.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

from ami.models import Dossier, Library

SCHEMA_VERSION = 1



def _json_value(field: models.Field, value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _copied_fields(model):
    """The columns copied as they are: not the key, nor the relations (the campaign and the communes
    have their own entries, the libraries theirs), nor the files (« signed_document » has its own)."""
    return [
        f for f in model._meta.concrete_fields
        if not (f.primary_key or f.is_relation or isinstance(f, models.FileField))
    ]


def _commune(commune):
    if commune is None:
        return None
    return {"id": commune.pk, "insee_code": commune.insee_code, "name": commune.name}


def _library_data(library: Library) -> dict:
    data = {f.name: _json_value(f, getattr(library, f.attname)) for f in _copied_fields(Library)}
    data["associated_communes"] = [_commune(c) for c in library.associated_communes.all()]
    return data


def _campaign(campaign) -> dict:
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "statistics_year": campaign.statistics_year,
        "first_engagement_year": campaign.first_engagement_year,
        "opens_at": campaign.opens_at.isoformat(),
        "closes_at": campaign.closes_at.isoformat(),
        "team_email": campaign.team_email,
    }


def blank_snapshot(campaign, groups) -> dict:
    """A dossier of `campaign` with no answer and one library: what the blank questionnaire
    (ami.pdf.blank_questionnaire_pdf) prints. `groups`: the working groups offered."""
    return {
        "schema": SCHEMA_VERSION,
        "campaign": _campaign(campaign),
        "dossier": {f.name: None for f in _copied_fields(Dossier)},
        "commune": None,
        "head_commune": None,
        "communes": [],
        "libraries": [dict({f.name: None for f in _copied_fields(Library)}, associated_communes=[])],
        "working_groups": [{"group_id": g.pk, "group": g.name, "agent_names": ""} for g in groups],
        "signed_document": {"name": "", "size": None, "uploaded_at": None},
        "labels": {"engagement_choices": dict(campaign.engagement_choices())},
    }


def dossier_snapshot(dossier: Dossier) -> dict:
    """Every answer of the dossier, its communes, libraries and working-group signups."""
    campaign = dossier.campaign
    fields = {f.name: _json_value(f, getattr(dossier, f.attname)) for f in _copied_fields(Dossier)}
    communes = list(dossier.communes.order_by("name"))
    libraries = dossier.libraries.prefetch_related("associated_communes").order_by("sort_order", "id")
    signups = dossier.working_group_signups.select_related("group").order_by("group__sort_order", "group__name")
    return {
        "schema": SCHEMA_VERSION,
        "campaign": _campaign(campaign),
        "dossier": fields,
        "commune": _commune(dossier.commune),
        "head_commune": _commune(dossier.head_commune),
        "communes": [_commune(c) for c in communes],
        "libraries": [_library_data(lib) for lib in libraries],
        "working_groups": [
            {"group_id": s.group_id, "group": s.group.name, "agent_names": s.agent_names} for s in signups
        ],
        "signed_document": {
            "name": dossier.signed_document.name or "",
            "size": dossier.signed_document_size,
            "uploaded_at": _json_value(Dossier._meta.get_field("signed_document_uploaded_at"),
                                       dossier.signed_document_uploaded_at),
        },
        "labels": {
            "engagement_choices": dict(campaign.engagement_choices()),
        },
    }
