"""AMI data model: campaigns, communes, dossiers and their library sections, split by concept.

Field verbose names carry the paper dossier's wording (../shared/spec/ami-questions.csv):
forms take their labels from here, so the wording lives in one place. Drafts may be
incomplete, so answers are nullable; completeness is checked at submission
(ami.services.completeness).

Every name is re-exported here: `from ami.models import X` works for all of them, and the
migrations' references (ami.models.private_storage, ...) keep resolving.
"""
from .campaign import Campaign, CampaignEvent, CampaignExtension, CampaignQuerySet, Commune
from .common import (
    count,
    money,
    new_public_id,
    private_storage,
    signed_document_path,
    version_pdf_path,
    yes_no,
)
from .dossier import AccessToken, Dossier, DossierCommune, DossierEvent, DossierNote, DossierVersion
from .groups import WorkingGroup, WorkingGroupMeeting, WorkingGroupMember, WorkingGroupSignup
from .library import Library
from .outbox import Heartbeat, OutboxEmail, OutboxEmailQuerySet, outbox_first_sweep_time

__all__ = [
    "AccessToken",
    "Campaign",
    "CampaignEvent",
    "CampaignExtension",
    "CampaignQuerySet",
    "Commune",
    "Dossier",
    "DossierCommune",
    "DossierEvent",
    "DossierNote",
    "DossierVersion",
    "Heartbeat",
    "Library",
    "OutboxEmail",
    "OutboxEmailQuerySet",
    "WorkingGroup",
    "WorkingGroupMeeting",
    "WorkingGroupMember",
    "WorkingGroupSignup",
    "count",
    "money",
    "new_public_id",
    "outbox_first_sweep_time",
    "private_storage",
    "signed_document_path",
    "version_pdf_path",
    "yes_no",
]
