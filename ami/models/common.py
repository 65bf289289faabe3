"""Helpers shared by the AMI models: private file storage, stored file names, public ids and
the keyword arguments of the questionnaire's nullable answers."""
from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.validators import MinValueValidator
from django.utils import timezone


def private_storage():
    """Files that must never be served from public media (signed documents, PDFs): on disk under
    PRIVATE_MEDIA_ROOT, or in a private S3 bucket (settings.PRIVATE_STORAGE, config/storage.py)."""
    config = getattr(settings, "PRIVATE_STORAGE", None)
    if not config:
        return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
    return storages.create_storage(config)


def new_public_id() -> str:
    """The opaque id naming a dossier in its URLs (never the database key): 16 URL-safe characters."""
    return secrets.token_urlsafe(12)


def _random_pdf_name(prefix: str) -> str:
    """Stored names are random: the user's file name is never kept."""
    return f"{prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}.pdf"


def signed_document_path(instance, filename):
    return _random_pdf_name("signed")


def version_pdf_path(instance, filename):
    return _random_pdf_name("receipts")


money = dict(max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
count = dict(null=True, blank=True)
yes_no = dict(null=True, blank=True)
