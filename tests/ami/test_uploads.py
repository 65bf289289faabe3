"""The signed document: a real PDF by content, ≤ 10 MB, random private name, restricted download."""
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ami.models import Dossier

from .factories import dossier_path, step_post_data, step_url, valid_pdf_bytes

TEN_MB = 10 * 1024 * 1024


def upload(client, dossier, name, content, content_type="application/pdf"):
    data = step_post_data(dossier, "validation")
    data["signed_place"] = "Roubaix"
    data["signed_document"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(step_url(dossier, "validation"), data)


def padded_pdf(size: int) -> bytes:
    """A valid PDF of exactly `size` bytes (padding in a metadata string)."""
    import io

    from pypdf import PdfWriter

    def build(filler: int) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.add_metadata({"/Padding": "x" * filler})
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    filler = size - len(build(0))
    pdf = build(filler)
    pdf = build(filler + size - len(pdf))
    assert len(pdf) == size
    return pdf


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("lettre.pdf", b"Bonjour, ceci est un texte.\n", "Ce fichier n’est pas un PDF valide."),
        ("page.pdf", b"<!DOCTYPE html><html><body>%PDF-1.4</body></html>", "Ce fichier n’est pas seulement un PDF"),
        ("vide.pdf", b"", "Le fichier envoyé est vide."),
        ("faux.pdf", b"%PDF-1.7\n garbage without structure\n%%EOF\n", "Ce fichier n’est pas un PDF valide."),
    ],
)
def test_bad_uploads_refused_with_message(referent, dossier, name, content, message):
    upload_file = SimpleUploadedFile(name, content, content_type="application/pdf")
    data = step_post_data(dossier, "validation")
    data["signed_place"] = "Roubaix"
    data["signed_document"] = upload_file
    response = referent.post(step_url(dossier, "validation"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert message in text
    assert "Vos réponses n’ont pas été enregistrées" in text
    dossier.refresh_from_db()
    assert not dossier.signed_document and dossier.signed_place == ""


def test_path_like_name_refused_by_the_service():
    from django.core.exceptions import ValidationError

    from ami.services.uploads import read_signed_pdf

    for name in ("../../etc/passwd.pdf", "..\\..\\boot.pdf", "/etc/passwd.pdf"):
        content = valid_pdf_bytes()

        class RawUpload:  # UploadedFile itself strips directories from its name
            size = len(content)

            def chunks(self, data=content):
                yield data

        upload_file = RawUpload()
        upload_file.name = name
        with pytest.raises(ValidationError, match="Le nom du fichier n’est pas valide"):
            read_signed_pdf(upload_file)


def test_path_like_name_in_raw_multipart_never_escapes(referent, dossier):
    """A hand-made request with a path in the file name: no 500, no traversal, random stored name."""
    boundary = "XyZboundary"
    content = valid_pdf_bytes()
    fields = step_post_data(dossier, "validation")
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="signed_document"; '
        f'filename="../../etc/passwd.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode() + content + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    response = referent.generic("POST", step_url(dossier, "validation"), b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code in (200, 302)
    dossier.refresh_from_db()
    if response.status_code == 200:
        assert "Le nom du fichier n’est pas valide" in response.content.decode()
        assert not dossier.signed_document
    else:
        name = dossier.signed_document.name
        assert "passwd" not in name and ".." not in name and name.startswith("signed/")


def test_oversize_refused_and_limit_accepted(referent, dossier):
    response = upload(referent, dossier, "gros.pdf", padded_pdf(TEN_MB + 1))
    assert "Le fichier dépasse la taille maximale de 10 Mo." in response.content.decode()
    assert not Dossier.objects.get(pk=dossier.pk).signed_document
    response = upload(referent, dossier, "juste.pdf", padded_pdf(TEN_MB))
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).signed_document_size == TEN_MB


def test_valid_pdf_stored_privately_with_random_name(referent, dossier):
    content = valid_pdf_bytes()
    response = upload(referent, dossier, "Délibération conseil municipal.pdf", content)
    assert response.status_code == 302
    dossier.refresh_from_db()
    name = dossier.signed_document.name
    assert "liberation" not in name.lower() and "conseil" not in name
    path = Path(dossier.signed_document.path).resolve()
    assert path.read_bytes() == content
    assert not str(path).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
    assert str(path).startswith(str(Path(settings.PRIVATE_MEDIA_ROOT).resolve()))
    assert dossier.signed_place == "Roubaix"
    page = referent.get(step_url(dossier, "validation")).content.decode()
    assert "Document signé déposé" in page

    download = referent.get(dossier_path("ami:signed_document", dossier))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"] == f'attachment; filename="document-signe-{dossier.commune.insee_code}.pdf"'


def test_download_refused_to_others_and_allowed_to_staff(referent, dossier):
    upload(referent, dossier, "signe.pdf", valid_pdf_bytes())
    stranger = Client()
    assert stranger.get(dossier_path("ami:signed_document", dossier)).status_code in (403, 404)
    admin_url = f"/admin/ami/dossiers/{dossier.pk}/document-signe/"
    assert stranger.get(admin_url).status_code == 302  # to the login page
    user = get_user_model().objects.create_user("lambda", password="x")
    stranger.force_login(user)
    assert stranger.get(admin_url).status_code in (302, 403)  # not a back-office user
    staff = get_user_model().objects.create_user("equipe", password="x", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_dossier")
    )
    team = Client()
    team.force_login(staff)
    response = team.get(admin_url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


def test_no_document_yet_is_404(referent, dossier):
    assert referent.get(dossier_path("ami:signed_document", dossier)).status_code == 404
