"""Views of the online AMI (public pages and the dossier)."""
from .dossier import (  # noqa: F401
    confirmation,
    dossier_list,
    draft_pdf,
    leave,
    overview,
    receipt_pdf,
    reopen,
    signed_document,
    step_view,
    submit,
)
from .public import access, blank_questionnaire, call_home, resume, send_existing_link, start  # noqa: F401
