"""Backup and restore round-trip (README « Backups »): `manage.py backup_site` of a site with
submitted dossiers, then `manage.py restore_site`, in another process, into a brand-new empty
PostgreSQL database and empty media folders, gives back every dossier, version, PDF and signed
document byte for byte."""
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from ami.models import Dossier, DossierVersion
from ami.pdf import get_or_create_version_pdf
from ami.services.uploads import store_signed_document
from tests.ami.factories import valid_pdf_bytes
from tests.integration_fixtures import make_complete_dossier, submit_dossier_version

ROOT = Path(__file__).resolve().parent.parent
COMPARED_TABLES = ["ami_dossier", "ami_dossierversion", "ami_library", "ami_dossiercommune", "wagtaildocs_document"]

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the round-trip runs on PostgreSQL")


def _connect(dbname: str):
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
        password=db["PASSWORD"] or None, dbname=dbname, autocommit=True,
    )


def _rows(dbname: str) -> dict[str, list[tuple]]:
    with _connect(dbname) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in COMPARED_TABLES}


def _scratch_name() -> str:
    """Named after this run's test database (test_bnm_gw0…): parallel runs never share it."""
    return f"{connection.settings_dict['NAME']}_restore"


@pytest.fixture
def scratch_database():
    """A new, empty database, dropped afterwards."""
    name = _scratch_name()
    with _connect("postgres") as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    db = connection.settings_dict
    yield f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with _connect("postgres") as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _site_with_dossiers():
    """Three dossiers: one submitted twice, one submitted once, one draft; each with its signed
    document, each version with its PDF; and a public document in the CMS media."""
    from wagtail.documents.models import Document

    first = make_complete_dossier()
    store_signed_document(first, valid_pdf_bytes("Roubaix v1"))
    get_or_create_version_pdf(submit_dossier_version(first))
    store_signed_document(first, valid_pdf_bytes("Roubaix v2"))
    first.refresh_from_db()
    get_or_create_version_pdf(submit_dossier_version(first))
    second = make_complete_dossier(campaign=first.campaign, communes=("Tourcoing",), libraries=1)
    store_signed_document(second, valid_pdf_bytes("Tourcoing"))
    get_or_create_version_pdf(submit_dossier_version(second))
    draft = make_complete_dossier(campaign=first.campaign, communes=("Lille",), libraries=1)
    store_signed_document(draft, valid_pdf_bytes("Lille brouillon"))
    Document.objects.create(title="Guide de l’AMI", file=ContentFile(b"%PDF-1.4 guide", name="guide-ami.pdf"))


def _restore_in_new_process(backup: Path, database_url: str, media: Path, private: Path, *extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith("S3_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=database_url,
        MEDIA_ROOT=str(media), PRIVATE_MEDIA_ROOT=str(private),
    )
    return subprocess.run(
        [sys.executable, "manage.py", "restore_site", str(backup), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.django_db(transaction=True)
def test_restore_into_empty_database_gives_back_every_dossier_version_pdf_and_signed_document(
    tmp_path, scratch_database
):
    _site_with_dossiers()
    backup = tmp_path / "sauvegarde"
    out = StringIO()
    call_command("backup_site", str(backup), stdout=out)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["rows"]["ami.Dossier"] == 3
    assert manifest["database"]["rows"]["ami.DossierVersion"] == 3
    assert "ami.0001_initial" in manifest["database"]["migrations"]

    media, private = tmp_path / "media", tmp_path / "private"
    result = _restore_in_new_process(backup, scratch_database, media, private)
    assert result.returncode == 0, result.stderr
    # The operator reads the same counts after the backup and after the restore.
    backed_up, restored_counts = out.getvalue().split("\u202f: ")[1], result.stdout.split("\u202f: ")[1]
    assert backed_up.startswith("3 dossiers, 3 versions, ")
    assert "fichiers privés, " in backed_up and backed_up.endswith(" octets.\n")
    assert restored_counts == backed_up

    source_db = connection.settings_dict["NAME"]
    original, restored = _rows(source_db), _rows(_scratch_name())
    assert len(original["ami_dossier"]) == 3 and len(original["ami_dossierversion"]) == 3
    assert restored == original
    private_files = [d.signed_document for d in Dossier.objects.all()] + [v.pdf for v in DossierVersion.objects.all()]
    assert len(private_files) == 6 and all(private_files)
    for stored in private_files:
        with stored.open("rb") as f:
            assert (private / stored.name).read_bytes() == f.read(), stored.name
    from wagtail.documents.models import Document

    document = Document.objects.get()
    with document.file.open("rb") as f:
        assert (media / document.file.name).read_bytes() == f.read()

    # A second restore over the now non-empty database is refused and changes nothing.
    again = _restore_in_new_process(backup, scratch_database, tmp_path / "m2", tmp_path / "p2")
    assert again.returncode != 0
    assert "La base cible n’est pas vide" in again.stderr
    assert _rows(_scratch_name()) == original
    assert not (tmp_path / "p2").exists()


@pytest.mark.django_db(transaction=True)
def test_altered_backup_is_refused_before_anything_is_restored(tmp_path):
    dossier = make_complete_dossier(communes=("Lille",), libraries=1)
    store_signed_document(dossier, valid_pdf_bytes("Lille"))
    dossier.refresh_from_db()
    backup = tmp_path / "sauvegarde"
    call_command("backup_site", str(backup))
    copy = backup / "files" / "private" / dossier.signed_document.name
    copy.write_bytes(copy.read_bytes() + b"%")

    with pytest.raises(CommandError, match=r"Sauvegarde corrompue, rien n’a été restauré.*altéré"):
        call_command("restore_site", str(backup), "--force")
    with pytest.raises(CommandError, match="pas vide"):
        call_command("backup_site", str(backup))
