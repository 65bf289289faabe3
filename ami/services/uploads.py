"""The signed document: a real PDF (checked by content), at most 10 MB, stored privately."""
from __future__ import annotations

import io
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.utils import timezone

from ami.models import Dossier

logger = logging.getLogger("ami")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MESSAGES = {
    "empty": "Le fichier envoyé est vide. Choisissez le PDF signé.",
    "too_big": "Le fichier dépasse la taille maximale de 10 Mo. Réduisez-le (par exemple en le numérisant en noir et blanc) puis recommencez.",
    "not_pdf": "Ce fichier n’est pas un PDF valide. Déposez le document signé au format PDF.",
    "bad_name": "Le nom du fichier n’est pas valide. Renommez-le (par exemple « deliberation.pdf ») puis recommencez.",
}


def _bad_name(name: str) -> bool:
    return not name or "/" in name or "\\" in name or ".." in name or "\x00" in name or len(name) > 255


def read_signed_pdf(uploaded) -> bytes:
    """Return the bytes of a valid signed PDF, or raise ValidationError with a French message."""
    name = getattr(uploaded, "name", "") or ""
    if _bad_name(name):
        raise ValidationError(MESSAGES["bad_name"], code="bad_name")
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(MESSAGES["too_big"], code="too_big")
    content = b"".join(uploaded.chunks()) if hasattr(uploaded, "chunks") else uploaded.read()
    if not content:
        raise ValidationError(MESSAGES["empty"], code="empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(MESSAGES["too_big"], code="too_big")
    if not content.lstrip(b"\r\n\t ")[:5] == b"%PDF-" or b"%%EOF" not in content[-2048:]:
        raise ValidationError(MESSAGES["not_pdf"], code="not_pdf")
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content), strict=False)
        if len(reader.pages) < 1:
            raise ValueError("no page")
    except Exception as exc:  # any parse failure means "not a usable PDF"
        logger.info("Refused signed document: %s", exc)
        raise ValidationError(MESSAGES["not_pdf"], code="not_pdf") from exc
    return content


def store_signed_document(dossier: Dossier, content: bytes) -> None:
    """Replace the dossier's signed document (random name in private storage).

    Earlier files are kept: a submitted version may refer to them.
    """
    dossier.signed_document.save("document.pdf", ContentFile(content), save=False)
    dossier.signed_document_uploaded_at = timezone.now()
    dossier.signed_document_size = len(content)
    dossier.save(update_fields=["signed_document", "signed_document_uploaded_at", "signed_document_size", "updated_at"])


def signed_document_download_name(dossier: Dossier) -> str:
    prefix = "deliberation" if dossier.validation_mode == "deliberation" else "document-signe"
    return f"{prefix}-{dossier.commune.insee_code}.pdf"


def signed_document_response(dossier: Dossier) -> FileResponse:
    """The signed PDF as a private download (the caller checks who may read it)."""
    if not dossier.signed_document:
        raise Http404("Aucun document signé")
    try:
        handle = dossier.signed_document.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Document introuvable") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=signed_document_download_name(dossier), content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
