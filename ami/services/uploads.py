"""The signed document: a real, inert PDF (checked by content), at most 10 MB, stored privately.

Refused besides non-PDFs: active content (JavaScript, launch actions), embedded files,
polyglots (a PDF that is also a web page or a ZIP archive) and page content that inflates
past a bound (a small file expanding to gigabytes). The page streams are inflated one at a
time with a running byte budget and the output is thrown away, so a « zip bomb » costs at most
the budget in CPU and a few kilobytes of memory.
"""
from __future__ import annotations

import io
import logging
import re
import zlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone

from ami.models import Dossier

logger = logging.getLogger("ami")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Readers accept the `%PDF-` header within the first 1024 bytes; only whitespace may precede it here.
HEADER_TOLERANCE = 1024
# Inflated page content: per stream and for the whole document (reading stops as soon as one is passed).
MAX_STREAM_INFLATED_BYTES = 20 * 1024 * 1024
MAX_CONTENT_INFLATED_BYTES = 100 * 1024 * 1024
# Objects visited when looking for active content (a 10 MB file cannot hold more honestly).
MAX_OBJECTS = 200_000
_CHUNK = 64 * 1024

NNBSP = "\u202f"  # narrow no-break space, before : ; ? !
MESSAGES = {
    "empty": "Le fichier envoyé est vide. Choisissez le PDF signé.",
    "too_big": "Le fichier dépasse la taille maximale de 10 Mo. Réduisez-le (par exemple en le numérisant en noir et blanc) puis recommencez.",
    "not_pdf": "Ce fichier n’est pas un PDF valide. Déposez le document signé au format PDF.",
    "bad_name": "Le nom du fichier n’est pas valide. Renommez-le (par exemple « deliberation.pdf ») puis recommencez.",
    "javascript": "Ce PDF contient du code JavaScript, refusé pour des raisons de sécurité. Enregistrez à nouveau "
    "le document signé au format PDF (« Imprimer », puis « Enregistrer au format PDF ») ou numérisez-le, "
    "puis déposez ce nouveau fichier.",
    "launch": "Ce PDF contient une action qui lance un programme, refusée pour des raisons de sécurité. "
    "Enregistrez à nouveau le document signé au format PDF ou numérisez-le, puis déposez ce nouveau fichier.",
    "embedded": "Ce PDF contient des fichiers joints, refusés pour des raisons de sécurité. Déposez le document "
    "signé seul, sans pièce jointe.",
    "polyglot": f"Ce fichier n’est pas seulement un PDF{NNBSP}: il contient aussi une page web ou une archive ZIP. "
    "Il est refusé pour des raisons de sécurité. Déposez le document signé au format PDF uniquement.",
    "inflates": "Les pages de ce PDF deviennent anormalement volumineuses une fois décompressées (plus de "
    "100 Mo). Numérisez à nouveau le document signé, puis déposez ce nouveau fichier.",
}
MESSAGES = {code: text.replace("« ", "«\u00a0").replace(" »", "\u00a0»") for code, text in MESSAGES.items()}

# A web page hidden in the bytes (browsers sniff these), or a ZIP archive: local file header,
# central directory header or end of central directory, with the fields that follow them
# plausible (version needed ≤ 6.3, disk numbers 0), so random compressed bytes rarely match.
_HTML_MARKERS = re.compile(rb"<(?:!doctype|html|head|body|script|iframe)[\s>/]", re.IGNORECASE)
_ZIP_MARKERS = re.compile(rb"PK\x03\x04[\x00-\x3f]\x00|PK\x01\x02..[\x00-\x3f]\x00|PK\x05\x06\x00\x00\x00\x00", re.DOTALL)
# Long names found in the raw bytes (objects the cross-reference table does not list are still read by some viewers).
_RAW_ACTIVE_NAMES = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|FileAttachment)(?![A-Za-z0-9#])")

# Name → refusal code, as a dictionary key or as a value (`/S /Launch`, `/Subtype /FileAttachment`).
_ACTIVE_KEYS = {"/JS": "javascript", "/JavaScript": "javascript", "/EmbeddedFiles": "embedded", "/EF": "embedded"}
_ACTIVE_VALUES = {"/JavaScript": "javascript", "/Launch": "launch", "/FileAttachment": "embedded",
                  "/EmbeddedFile": "embedded"}
_RAW_CODES = {b"JavaScript": "javascript", b"Launch": "launch", b"EmbeddedFile": "embedded",
              b"EmbeddedFiles": "embedded", b"FileAttachment": "embedded"}


class _Refused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _refuse(code: str):
    return ValidationError(MESSAGES[code], code=code)


def _bad_name(name: str) -> bool:
    return not name or "/" in name or "\\" in name or ".." in name or "\x00" in name or len(name) > 255


def _check_bytes(content: bytes) -> None:
    """Header, trailer and polyglot markers, on the raw bytes."""
    header = content.find(b"%PDF-")
    if header < 0:
        raise _refuse("not_pdf")
    if header > HEADER_TOLERANCE or content[:header].strip(b"\r\n\t\x0c\x00 "):
        raise _refuse("polyglot")
    if _HTML_MARKERS.search(content) or _ZIP_MARKERS.search(content):
        raise _refuse("polyglot")
    if b"%%EOF" not in content[-2048:]:
        raise _refuse("not_pdf")
    raw = _RAW_ACTIVE_NAMES.search(content)
    if raw:
        raise _refuse(_RAW_CODES[raw.group(1)])


def _active_content(reader) -> str | None:
    """Walk every object (from the trailer and from the cross-reference table) for active content."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    stack: list = [reader.trailer]
    stack.extend(IndirectObject(num, gen, reader) for gen, nums in reader.xref.items() for num in nums)
    stack.extend(IndirectObject(num, 0, reader) for num in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > MAX_OBJECTS:
            raise _Refused("not_pdf")
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # stream objects too (their dictionary)
            for name, value in dict.items(obj):
                if name in _ACTIVE_KEYS:
                    return _ACTIVE_KEYS[name]
                if isinstance(value, NameObject) and value in _ACTIVE_VALUES:
                    return _ACTIVE_VALUES[value]
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            for value in list.__iter__(obj):
                if isinstance(value, NameObject) and value in _ACTIVE_VALUES:
                    return _ACTIVE_VALUES[value]
                stack.append(value)
    return None


def _filters(stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    value = value.get_object()
    return [str(v.get_object()) for v in value] if isinstance(value, list) else [str(value)]


def _inflated_size(stream, budget: int) -> int:
    """Bytes the stream decodes to, counting at most budget + 1 (the output is not kept)."""
    from pypdf.filters import decode_stream_data

    filters = _filters(stream)
    raw = stream._data  # the encoded bytes, as stored in the file
    if not filters:
        return len(raw)
    if filters == ["/FlateDecode"] or filters == ["/Fl"]:
        inflater = zlib.decompressobj()
        total = 0
        pending = raw
        try:
            while pending and not inflater.eof:
                total += len(inflater.decompress(pending, _CHUNK))
                if total > budget:
                    return total
                pending = inflater.unconsumed_tail
            total += len(inflater.flush())
        except zlib.error:
            logger.info("Signed document: undecodable page stream (counted up to the error)")
        return total
    # Rare filters (LZW, run length, ASCII chains): pypdf decodes under the bounded configuration.
    return len(decode_stream_data(stream))


def _content_streams(reader):
    """Each page's content streams and the form XObjects they draw, each once."""
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    seen: set[int] = set()

    def first_time(obj) -> bool:
        key = id(obj)  # pypdf caches resolved objects: one Python object per PDF object
        if key in seen:
            return False
        seen.add(key)
        return True

    for page in reader.pages:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        for stream in contents if isinstance(contents, ArrayObject) else [contents]:
            stream = stream.get_object() if stream is not None else None
            if isinstance(stream, StreamObject) and first_time(stream):
                yield stream
        resources = [page.get("/Resources")]
        while resources:
            res = resources.pop()
            res = res.get_object() if res is not None else None
            if not isinstance(res, DictionaryObject):
                continue
            xobjects = res.get("/XObject")
            xobjects = xobjects.get_object() if xobjects is not None else None
            if not isinstance(xobjects, DictionaryObject):
                continue
            for ref in dict.values(xobjects):
                xobject = ref.get_object()
                if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form" and first_time(xobject):
                    yield xobject
                    resources.append(xobject.get("/Resources"))


def _check_inflated_size(reader) -> None:
    remaining = MAX_CONTENT_INFLATED_BYTES
    for stream in _content_streams(reader):
        size = _inflated_size(stream, min(MAX_STREAM_INFLATED_BYTES, remaining))
        if size > MAX_STREAM_INFLATED_BYTES or size > remaining:
            raise _Refused("inflates")
        remaining -= size


def check_pdf_content(content: bytes) -> None:
    """Raise ValidationError (French message) unless `content` is an inert PDF of bounded size."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    _check_bytes(content)
    limits = dict(
        zlib_maximum_output_length=MAX_STREAM_INFLATED_BYTES,
        lzw_maximum_output_length=MAX_STREAM_INFLATED_BYTES,
        run_length_maximum_output_length=MAX_STREAM_INFLATED_BYTES,
        array_based_stream_maximum_output_length=MAX_STREAM_INFLATED_BYTES,
        maximum_declared_stream_length=MAX_UPLOAD_BYTES,
    )
    try:
        with apply_configuration(**limits):
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ValueError("encrypted")
            if len(reader.pages) < 1:
                raise ValueError("no page")
            code = _active_content(reader)
            if code:
                raise _Refused(code)
            _check_inflated_size(reader)
    except _Refused as refused:
        logger.info("Refused signed document: %s", refused.code)
        raise _refuse(refused.code) from None
    except LimitReachedError as exc:
        logger.info("Refused signed document: %s", exc)
        raise _refuse("inflates") from exc
    except Exception as exc:  # any parse failure means "not a usable PDF"
        logger.info("Refused signed document: %s", exc)
        raise _refuse("not_pdf") from exc


def read_signed_pdf(uploaded) -> bytes:
    """Return the bytes of a valid signed PDF, or raise ValidationError with a French message."""
    name = getattr(uploaded, "name", "") or ""
    if _bad_name(name):
        raise _refuse("bad_name")
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _refuse("too_big")
    content = b"".join(uploaded.chunks()) if hasattr(uploaded, "chunks") else uploaded.read()
    if not content:
        raise _refuse("empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise _refuse("too_big")
    check_pdf_content(content)
    return content


# --- Storage -------------------------------------------------------------------------------------------


def referenced_private_files() -> set[str]:
    """Names of the private files some row still points to.

    The dossiers' signed documents, the submitted versions' PDFs and the signed document each
    version was submitted with (its snapshot names it), and the e-mails' attachments.
    """
    from ami.models import DossierVersion, OutboxEmail

    names = set(Dossier.objects.exclude(signed_document="").values_list("signed_document", flat=True))
    names |= set(DossierVersion.objects.exclude(pdf="").values_list("pdf", flat=True))
    names |= {
        name for name in DossierVersion.objects.values_list("data__signed_document__name", flat=True) if name
    }
    names |= set(OutboxEmail.objects.exclude(attachment="").values_list("attachment", flat=True))
    return names


def _delete_replaced(dossier_pk: int, old_name: str, new_name: str) -> None:
    """After commit: remove the replaced file if the dossier now points to the new one and nothing keeps it."""
    current = Dossier.objects.filter(pk=dossier_pk).values_list("signed_document", flat=True).first()
    if current != new_name or old_name in referenced_private_files():
        return
    storage = Dossier._meta.get_field("signed_document").storage
    try:
        storage.delete(old_name)
    except OSError:
        logger.warning("Could not delete the replaced signed document %s", old_name, exc_info=True)


def store_signed_document(dossier: Dossier, content: bytes) -> None:
    """Replace the dossier's signed document (random name in private storage).

    Once the transaction commits, the replaced file is deleted, unless a submitted version
    names it (the document that version was submitted with stays on file).
    """
    old_name = dossier.signed_document.name or ""
    dossier.signed_document.save("document.pdf", ContentFile(content), save=False)
    dossier.signed_document_uploaded_at = timezone.now()
    dossier.signed_document_size = len(content)
    dossier.save(update_fields=["signed_document", "signed_document_uploaded_at", "signed_document_size", "updated_at"])
    if old_name:
        new_name, pk = dossier.signed_document.name, dossier.pk
        transaction.on_commit(lambda: _delete_replaced(pk, old_name, new_name))


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
