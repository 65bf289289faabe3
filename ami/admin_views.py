"""Staff-only views under /admin/ (registered by ami.wagtail_hooks): downloads of dossier
files and « Renvoyer » for an outbox e-mail in « échec ».

Wagtail wraps these URLs with its admin-access check; the downloads also require the
`ami.view_dossier` permission, « Renvoyer » `ami.change_outboxemail`. Files come from
private storage, never from public media.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ami.models import Dossier, DossierVersion, OutboxEmail
from ami.pdf import draft_dossier_pdf, get_or_create_version_pdf, version_pdf_filename
from ami.services.uploads import signed_document_response


def _check(request) -> None:
    if not (request.user.is_active and request.user.has_perm("ami.view_dossier")):
        raise PermissionDenied


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def dossier_pdf(request, pk: int):
    """The last submitted version's PDF, or the current draft when never submitted."""
    _check(request)
    dossier = get_object_or_404(Dossier.objects.select_related("campaign", "commune"), pk=pk)
    version = dossier.versions.order_by("-number").first()
    if version is not None and dossier.is_with_mel:
        version.dossier = dossier
        return _pdf_response(get_or_create_version_pdf(version), version_pdf_filename(version))
    return _pdf_response(draft_dossier_pdf(dossier), f"candidature-bnm-brouillon-{dossier.pk}.pdf")


def version_pdf(request, pk: int, number: int):
    _check(request)
    version = get_object_or_404(
        DossierVersion.objects.select_related("dossier", "dossier__campaign", "dossier__commune"),
        dossier_id=pk,
        number=number,
    )
    return _pdf_response(get_or_create_version_pdf(version), version_pdf_filename(version))


def signed_document(request, pk: int):
    _check(request)
    return signed_document_response(get_object_or_404(Dossier.objects.select_related("commune"), pk=pk))


def can_resend_email(user) -> bool:
    return user.is_active and user.has_perm("ami.change_outboxemail")


def outbox_resend(request, pk: int):
    """« Renvoyer »: GET asks for confirmation, POST puts the e-mail back in the queue."""
    from ami.tasks import resend_failed_email

    if not can_resend_email(request.user):
        raise PermissionDenied
    index_url = reverse("ami_outboxemail_modeladmin_index")
    email = get_object_or_404(OutboxEmail, pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            email = get_object_or_404(OutboxEmail.objects.select_for_update(), pk=pk)
            if email.status != OutboxEmail.Status.FAILED:
                messages.warning(request, f"L’e-mail « {email.subject} » n’est pas en échec : rien à renvoyer.")
                return redirect(index_url)
            resend_failed_email(email)
        messages.success(request, f"L’e-mail « {email.subject} » est renvoyé à la file d’envoi.")
        return redirect(index_url)
    return TemplateResponse(
        request, "ami/admin/outbox_resend.html", {"email": email, "recipients": ", ".join(email.to), "index_url": index_url}
    )


urlpatterns = [
    path("ami/dossiers/<int:pk>/pdf/", dossier_pdf, name="ami_admin_dossier_pdf"),
    path("ami/dossiers/<int:pk>/versions/<int:number>/pdf/", version_pdf, name="ami_admin_version_pdf"),
    path("ami/dossiers/<int:pk>/document-signe/", signed_document, name="ami_admin_signed_document"),
    path("ami/e-mails/<int:pk>/renvoyer/", outbox_resend, name="ami_admin_outbox_resend"),
]
