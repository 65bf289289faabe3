"""Uploaded files on S3-compatible object storage (config/storage.py), against a local S3 server
(moto's server mode on a free port, tests/integration_fixtures.py): public media in their bucket, readable by
anyone at their URL; the AMI's private files in another bucket, « private » ACL, unreadable
without credentials, served only through the application after its checks; the orphan purge
works on the bucket; and without S3 settings, files stay on the web host's disk."""
from __future__ import annotations

import io

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from config import storage as storage_config
from tests.ami.factories import make_campaign, make_dossier, open_dossier_in_session, valid_pdf_bytes

MEDIA, PRIVATE = "bnm-media", "bnm-private"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    """The settings a process started with S3_* variables gets, and a client to look in the buckets."""
    env = {"S3_ENDPOINT_URL": s3_endpoint, "S3_REGION": "eu-west-3", "S3_ACCESS_KEY_ID": "bnm",
           "S3_SECRET_ACCESS_KEY": "secret", "S3_MEDIA_BUCKET": MEDIA, "S3_PRIVATE_BUCKET": PRIVATE}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-3",
                          aws_access_key_id="bnm", aws_secret_access_key="secret")
    for bucket in (MEDIA, PRIVATE):
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    settings.STORAGES = {**settings.STORAGES, "default": storage_config.media_storage(env)}
    settings.PRIVATE_STORAGE = storage_config.private_storage(env)
    # FileFields take their storage when the models load: give them the one such a process has.
    from ami.models import Dossier, DossierVersion, OutboxEmail, private_storage

    private = private_storage()
    for model, name in ((Dossier, "signed_document"), (DossierVersion, "pdf"), (OutboxEmail, "attachment")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", private)
    yield client
    for bucket in (MEDIA, PRIVATE):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


def keys(client, bucket) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def public_to_everyone(client, bucket, key) -> bool:
    grants = client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    return any(grant["Grantee"].get("URI") == ALL_USERS for grant in grants)


def test_a_signed_document_goes_to_the_private_bucket_and_only_the_application_serves_it(s3, client, db):
    from ami.services.uploads import store_signed_document

    dossier = make_dossier(make_campaign())
    content = valid_pdf_bytes("Délibération signée")
    store_signed_document(dossier, content)
    dossier.refresh_from_db()

    assert keys(s3, PRIVATE) == [dossier.signed_document.name] and keys(s3, MEDIA) == []
    assert s3.get_object(Bucket=PRIVATE, Key=dossier.signed_document.name)["Body"].read() == content
    assert not public_to_everyone(s3, PRIVATE, dossier.signed_document.name)
    s3_url = f"{s3.meta.endpoint_url}/{PRIVATE}/{dossier.signed_document.name}"
    assert requests.get(s3_url, timeout=10).status_code == 403  # no credentials, no file

    download = reverse("ami:signed_document", kwargs={"public_id": dossier.public_id})
    assert client.get(download).status_code == 403  # a browser that did not open the dossier
    open_dossier_in_session(client, dossier)
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == content


def test_public_media_go_to_the_media_bucket_readable_at_their_url(s3, db):
    from wagtail.documents.models import Document

    document = Document(title="Programme BNM")
    document.file.save("programme.txt", ContentFile(b"Programme 2022-2025"), save=True)

    assert keys(s3, MEDIA) == [document.file.name] and keys(s3, PRIVATE) == []
    assert public_to_everyone(s3, MEDIA, document.file.name)
    url = document.file.url
    assert url.startswith(f"{s3.meta.endpoint_url}/{MEDIA}/") and "Signature" not in url
    assert requests.get(url, timeout=10).content == b"Programme 2022-2025"


def test_the_orphan_purge_works_in_the_private_bucket(s3, db):
    from ami.models import private_storage
    from ami.services.uploads import store_signed_document

    dossier = make_dossier(make_campaign())
    store_signed_document(dossier, valid_pdf_bytes())
    dossier.refresh_from_db()
    orphan = private_storage().save("signed/orphelin.pdf", ContentFile(valid_pdf_bytes("orphelin")))

    out = io.StringIO()
    call_command("purge_orphan_uploads", "--min-age", "0", stdout=out)
    assert keys(s3, PRIVATE) == [dossier.signed_document.name] and orphan != dossier.signed_document.name
    assert "1 fichier orphelin supprimé" in out.getvalue()


def test_without_s3_settings_files_stay_on_disk():
    assert storage_config.media_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storage_config.private_storage({}) is None  # ami.models.private_storage(): PRIVATE_MEDIA_ROOT
