"""Many complete dossiers fast (bulk inserts), for the export tests and `make bench`."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ami.models import Commune, Dossier, DossierCommune, Library, WorkingGroup, WorkingGroupSignup
from tests.integration_fixtures import _complete_library_values, make_complete_dossier

SKIP = {"id", "public_id", "receipt_number", "commune", "head_commune", "created_at", "updated_at"}


def make_export_dossiers(count: int, libraries: int = 3, campaign=None):
    """`count` complete network-free dossiers of one campaign, each with `libraries` libraries and
    two working-group signups; every other one submitted. Returns the campaign."""
    model = make_complete_dossier(campaign=campaign, communes=("Roubaix",), libraries=0)
    campaign = model.campaign
    template = {
        f.attname: getattr(model, f.attname) for f in Dossier._meta.concrete_fields if f.name not in SKIP
    }
    taken = set(DossierCommune.objects.filter(campaign=campaign).values_list("commune_id", flat=True))
    communes = [c for c in Commune.objects.exclude(pk__in=taken).order_by("name")][: count - 1]
    missing = count - 1 - len(communes)
    if missing > 0:
        communes += Commune.objects.bulk_create(
            [Commune(insee_code=f"9{index:04d}", name=f"Commune d’essai {index:03d}") for index in range(missing)]
        )
    now = timezone.now()
    dossiers = []
    for index, commune in enumerate(communes):
        fields = dict(template, commune_id=commune.pk, head_commune_id=commune.pk, signed_place=commune.name)
        if index % 2 == 0:
            fields.update(
                status=Dossier.Status.SUBMITTED, version=1, receipt_number=f"BNM-X-{index:05d}",
                submitted_at=now - dt.timedelta(hours=index),
            )
        dossiers.append(Dossier(**fields))
    dossiers = Dossier.objects.bulk_create(dossiers)
    DossierCommune.objects.bulk_create(
        [DossierCommune(dossier=d, commune_id=d.commune_id, campaign=campaign) for d in dossiers]
    )
    Library.objects.bulk_create(
        [
            Library(dossier=d, sort_order=i, **_complete_library_values(i, []))
            for d in dossiers + [model]
            for i in range(libraries)
        ]
    )
    groups = list(WorkingGroup.objects.order_by("sort_order")[:2])
    WorkingGroupSignup.objects.bulk_create(
        [WorkingGroupSignup(dossier=d, group=g, agent_names="Lucas Martin") for d in dossiers for g in groups]
    )
    return campaign
