"""Hostile signed documents are refused with a clear message and nothing is stored; replaced files go away.

Every file of the bad-input set is built here, by hand, so each test says exactly what it sends.
"""
import io
import os
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ami.models import Dossier
from ami.services.submission import submit_dossier
from ami.services.uploads import MESSAGES, read_signed_pdf, store_signed_document
from tests.text import visible_text

from .factories import valid_pdf_bytes
from .test_uploads import upload

GIB = 1 << 30


def build_pdf(*objects: bytes, trailer_extra: bytes = b"") -> bytes:
    """A PDF whose object n (1-based) is objects[n-1]; object 1 is the catalog, with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
CONTENT = stream(b"BT /F1 12 Tf 72 770 Td (Signe) Tj ET")


def pdf_with_catalog(extra: bytes, *more: bytes) -> bytes:
    return build_pdf(b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>", PAGES, PAGE, CONTENT, *more)


def javascript_open_action() -> bytes:
    return pdf_with_catalog(b"/OpenAction << /S /JavaScript /JS (app.alert\\('signed'\\)) >>")


def launch_action() -> bytes:
    return pdf_with_catalog(b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe) >>")


def embedded_file() -> bytes:
    payload = b"MZ pretend this is a program"
    return pdf_with_catalog(
        b"/Names << /EmbeddedFiles << /Names [(facture.exe) 5 0 R] >> >>",
        b"<< /Type /Filespec /F (facture.exe) /EF << /F 6 0 R >> >>",
        stream(payload, b"/Type /EmbeddedFile "),
    )


def html_polyglot() -> bytes:
    """A fully valid PDF whose title is also a web page a browser would run if it sniffed the file."""
    page = b"<html><body><script>fetch\\('/candidater/dossier/'\\)</script></body></html>"
    return build_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, CONTENT, b"<< /Title (" + page + b") >>",
                     trailer_extra=b"/Info 5 0 R ")


def zip_polyglot() -> bytes:
    """A valid PDF followed by a ZIP archive: PDF readers and ZIP tools both open it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("lisez-moi.html", "<p>hello</p>")
    return valid_pdf_bytes() + archive.getvalue()


def zeros_deflate(size: int) -> bytes:
    """A zlib stream inflating to `size` zero bytes (multiple of 1 MiB), built in milliseconds.

    Once the window is full of zeros, every further MiB compresses to the same bytes, so the
    stream is the first block, that repeated block, the final block and the Adler-32 of `size`
    zeros (A = 1, B = size mod 65521).
    """
    mib = bytes(1 << 20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_SYNC_FLUSH)
    repeated = compressor.compress(mib) + compressor.flush(zlib.Z_SYNC_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)[:-4]
    adler = ((size % 65521) << 16) | 1
    return first + repeated * (size // len(mib) - 1) + end + adler.to_bytes(4, "big")


def inflation_bomb() -> bytes:
    """About 1 MB on disk; its page content inflates to 1 GiB."""
    bomb = zeros_deflate(GIB)
    return build_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, stream(bomb, b"/Filter /FlateDecode "))


def test_the_bomb_really_inflates_to_one_gib():
    """The test file is what it claims (checked on a prefix and by its structure, without inflating it all)."""
    bomb = zeros_deflate(GIB)
    assert len(bomb) < 1_100_000
    inflater = zlib.decompressobj()
    assert inflater.decompress(bomb, 1 << 20) == bytes(1 << 20)
    assert zlib.decompress(zeros_deflate(8 << 20)) == bytes(8 << 20)  # same construction, fully checked


def private_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.mark.parametrize(
    "name, build, code",
    [
        ("javascript.pdf", javascript_open_action, "javascript"),
        ("launch.pdf", launch_action, "launch"),
        ("piece-jointe.pdf", embedded_file, "embedded"),
        ("page-web.pdf", html_polyglot, "polyglot"),
        ("archive.pdf", zip_polyglot, "polyglot"),
        ("bombe.pdf", inflation_bomb, "inflates"),
    ],
)
def test_hostile_pdf_refused_with_its_message_and_nothing_stored(referent, dossier, name, build, code):
    content = build()
    before = private_files()
    response = upload(referent, dossier, name, content)
    assert response.status_code == 200
    text, message = visible_text(response.content.decode()), visible_text(MESSAGES[code])
    assert message in text  # next to the field …
    assert text.count(message) == 2  # … and in the error summary
    assert "Vos réponses n’ont pas été enregistrées" in text
    dossier.refresh_from_db()
    assert not dossier.signed_document and dossier.signed_place == ""
    assert private_files() == before


def test_bomb_is_refused_quickly_and_without_inflating_it():
    content = inflation_bomb()

    class Upload:
        name = "bombe.pdf"
        size = len(content)

        def chunks(self):
            yield content

    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        read_signed_pdf(Upload())
    elapsed = time.perf_counter() - started
    assert refused.value.messages == [MESSAGES["inflates"]]
    assert elapsed < 1.5  # about 0.1 s: reading stops at the 20 MB budget, far from 1 GiB

    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            read_signed_pdf(Upload())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024  # the file itself is 1 MB; nothing close to 1 GiB was allocated


def test_page_content_budget_is_per_stream_and_for_the_whole_document():
    """Eight streams of 15 MiB pass one by one, not together (100 MiB in all); one of 21 MiB is too much alone."""
    flate = b"/Filter /FlateDecode "
    fifteen = stream(zeros_deflate(15 << 20), flate)
    kids = b" ".join(b"%d 0 R" % n for n in range(4, 12))
    many = build_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES,
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [" + kids + b"] >>",
                     *[fifteen] * 8)
    assert refusal(many) == [MESSAGES["inflates"]]
    six = build_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES,
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 5 0 R 6 0 R] >>",
                    *[fifteen] * 3)
    assert read_signed_pdf(_raw_upload(six)) == six
    one = build_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, stream(zeros_deflate(21 << 20), flate))
    assert refusal(one) == [MESSAGES["inflates"]]


def test_names_hidden_with_escapes_are_still_found():
    """`/J#61vaScript` is `/JavaScript` for a reader: found in the parsed objects, not only in the bytes."""
    sneaky = pdf_with_catalog(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")
    assert refusal(sneaky) == [MESSAGES["javascript"]]


def test_javascript_on_an_annotation_is_found():
    pdf = build_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        PAGES,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [5 0 R] >>",
        CONTENT,
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /J#61vaScript /J#53 (1) >> >>",
    )
    assert refusal(pdf) == [MESSAGES["javascript"]]


def test_content_before_the_header_is_a_polyglot():
    assert refusal(b"GIF89a" + b"\x00" * 2000 + valid_pdf_bytes()) == [MESSAGES["polyglot"]]
    assert refusal(b"%!PS-Adobe-3.0\n" + valid_pdf_bytes()) == [MESSAGES["polyglot"]]


def test_ordinary_pdfs_are_accepted():
    """A hand-made page, a compressed page, a pypdf file and a WeasyPrint dossier PDF all pass."""
    from weasyprint import HTML

    compressed = build_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE,
                           stream(zlib.compress(b"BT (Signe) Tj ET\n" * 5000), b"/Filter /FlateDecode "))
    weasy = HTML(string="<h1>Délibération</h1><p>Signé : le maire</p>").write_pdf()
    for content in (pdf_with_catalog(b""), compressed, valid_pdf_bytes(), weasy):
        assert read_signed_pdf(_raw_upload(content)) == content


def refusal(content: bytes) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        read_signed_pdf(_raw_upload(content))
    return refused.value.messages


def _raw_upload(content: bytes):
    class Upload:
        name = "document.pdf"
        size = len(content)

        def chunks(self):
            yield content

    return Upload()


def test_good_signed_pdf_accepted_and_replacing_it_removes_the_old_file(
    referent, dossier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(referent, dossier, "signe.pdf", valid_pdf_bytes("premier")).status_code == 302
    dossier.refresh_from_db()
    first = Path(dossier.signed_document.path)
    assert first.read_bytes() == valid_pdf_bytes("premier")

    with django_capture_on_commit_callbacks(execute=True):
        assert upload(referent, dossier, "signe-v2.pdf", valid_pdf_bytes("second")).status_code == 302
    dossier.refresh_from_db()
    second = Path(dossier.signed_document.path)
    assert second != first and second.read_bytes() == valid_pdf_bytes("second")
    assert not first.exists()


def test_refused_replacement_keeps_the_current_file(referent, dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(referent, dossier, "signe.pdf", valid_pdf_bytes())
    dossier.refresh_from_db()
    current = Path(dossier.signed_document.path)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(referent, dossier, "bombe.pdf", inflation_bomb()).status_code == 200
    dossier.refresh_from_db()
    assert Path(dossier.signed_document.path) == current and current.exists()


def test_document_of_a_submitted_version_is_kept_when_replaced(complete, django_capture_on_commit_callbacks):
    submitted_with = Path(complete.signed_document.path)
    with django_capture_on_commit_callbacks(execute=True):
        submit_dossier(complete.pk)
    Dossier.objects.filter(pk=complete.pk).update(status="draft")  # reopened to amend it
    complete.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        store_signed_document(complete, valid_pdf_bytes("amendé"))
    assert submitted_with.exists()  # version 1 names it
    assert Path(complete.signed_document.path).exists()


# --- purge_orphan_uploads ---------------------------------------------------------------------------


def _orphan(relative: str, age_seconds: float) -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(valid_pdf_bytes())
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


def test_purge_removes_old_orphans_and_keeps_referenced_and_young_files(complete, django_capture_on_commit_callbacks):
    call_command("purge_orphan_uploads", "--min-age", "0", stdout=io.StringIO())  # files of earlier tests
    with django_capture_on_commit_callbacks(execute=True):
        submit_dossier(complete.pk)
    complete.refresh_from_db()
    referenced = {Path(complete.signed_document.path), Path(complete.versions.get().pdf.path)}
    for path in referenced:  # old, but a row points to them
        os.utime(path, (time.time() - 86_400, time.time() - 86_400))
    old_signed = _orphan("signed/2026/0123456789abcdef0123456789abcdef.pdf", 2 * 3600)
    old_receipt = _orphan("receipts/2026/fedcba9876543210fedcba9876543210.pdf", 5 * 86_400)
    young = _orphan("signed/2026/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pdf", 60)  # an upload in flight

    out = io.StringIO()
    call_command("purge_orphan_uploads", "--dry-run", stdout=out)
    assert "2 fichiers orphelins à supprimer" in out.getvalue()
    assert old_signed.exists() and old_receipt.exists()

    out = io.StringIO()
    call_command("purge_orphan_uploads", stdout=out)
    report = out.getvalue()
    assert "2 fichiers orphelins supprimés" in report
    assert "1 fichier récent conservé" in report
    assert not old_signed.exists() and not old_receipt.exists()
    assert young.exists() and all(p.exists() for p in referenced)

    out = io.StringIO()
    call_command("purge_orphan_uploads", stdout=out)  # idempotent
    assert "0 fichier orphelin supprimé" in out.getvalue()
    young.unlink()
