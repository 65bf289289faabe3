"""Back up and restore the whole site: the database and every uploaded file.

A backup is a directory:
- ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or ``database.sqlite3`` (SQLite, the
  sqlite3 online backup API, consistent while the site runs);
- ``files/media/…``: the public media (CMS images and documents, STORAGES["default"]);
- ``files/private/…``: the private files (signed documents, dossier PDFs, e-mail attachments);
- ``manifest.json``, written last: a directory without it is an unfinished backup. It lists each
  file with its size and sha256, the rows of every table, the date, the application's version
  and the migrations applied.

Files are read and written through the storage API, so the same commands work with files on the
web host's disk and in S3 buckets (config/storage.py). README « Backups ».
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from core.typography import plural

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (French)."""


def storages_to_save() -> dict:
    """The storages a backup covers, by the name of their folder in the backup."""
    from ami.models import Dossier

    return {"media": default_storage, "private": Dossier._meta.get_field("signed_document").storage}


def stored_names(storage, prefix: str = ""):
    """Every file of `storage` (on disk or in its bucket), by its stored name. On disk, symbolic
    links are neither followed nor counted."""
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix()
        return
    directories, files = storage.listdir(prefix)
    for name in files:
        yield f"{prefix}{name}"
    for directory in directories:
        yield from stored_names(storage, f"{prefix}{directory}/")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(source, target) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


# --- Database ----------------------------------------------------------------

def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _pg_args_and_env(alias: str) -> tuple[list[str], dict]:
    db = connections[alias].settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return args + ["--no-password", "--dbname", str(db["NAME"])], env


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"Commande introuvable : {command[0]} (installer le client PostgreSQL).") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué ({result.returncode}) : {result.stderr.strip()}")


def dump_database(alias: str, directory: Path) -> Path:
    if _vendor(alias) == "postgresql":
        target = directory / "database.dump"
        args, env = _pg_args_and_env(alias)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)
        return target
    if _vendor(alias) == "sqlite":
        target = directory / "database.sqlite3"
        source = sqlite3.connect(connections[alias].settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    raise BackupError(f"Base de données non prise en charge : {_vendor(alias)}.")


def database_is_empty(alias: str) -> bool:
    return not connections[alias].introspection.table_names()


def load_database(alias: str, dump: Path, *, force: bool) -> None:
    vendor = _vendor(alias)
    connections[alias].close()  # no session of ours holds a lock during the restore
    if vendor == "postgresql":
        args, env = _pg_args_and_env(alias)
        clean = ["--clean", "--if-exists"] if force else []
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *clean, *args, str(dump)], env)
    elif vendor == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(connections[alias].settings_dict["NAME"])
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        raise BackupError(f"Base de données non prise en charge : {vendor}.")
    connections[alias].close()


def row_counts(alias: str) -> dict[str, int]:
    """Rows of every table this code knows and the database has, by model label."""
    tables = set(connections[alias].introspection.table_names())
    counts = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables:
            continue
        counts[meta.label] = model._base_manager.using(alias).count()
    return dict(sorted(counts.items()))


def applied_migrations(alias: str) -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def pending_migrations(alias: str) -> list[str]:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


def app_version() -> dict:
    base_dir = Path(settings.BASE_DIR)
    version = {"version": "", "commit": ""}
    try:
        version["version"] = tomllib.loads((base_dir / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        result = subprocess.run(["git", "-C", str(base_dir), "rev-parse", "HEAD"], capture_output=True, text=True)
        version["commit"] = result.stdout.strip() if result.returncode == 0 else ""
    except OSError:
        pass
    return version


# --- Backup ------------------------------------------------------------------

@dataclass
class Report:
    files: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    warnings: list[str] = field(default_factory=list)


def backup_site(directory: Path, *, alias: str = "default") -> tuple[dict, Report]:
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"Le dossier {directory} n’est pas vide : choisir un nouveau dossier pour la sauvegarde.")
    directory.mkdir(parents=True, exist_ok=True)
    report = Report()
    started = dt.datetime.now(dt.UTC)
    # The database first, then the files: every file a saved row names was stored before the dump.
    dump = dump_database(alias, directory)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": started.isoformat(timespec="seconds"),
        "application": app_version(),
        "database": {
            "vendor": _vendor(alias), "file": dump.name, "size": dump.stat().st_size, "sha256": sha256_of(dump),
            "migrations": applied_migrations(alias), "rows": row_counts(alias),
        },
        "files": [],
    }
    for kind, storage in storages_to_save().items():
        report.files[kind] = 0
        for name in sorted(stored_names(storage)):
            target = directory / "files" / kind / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with storage.open(name, "rb") as source, open(target, "wb") as out:
                    size, digest = _copy_hashing(source, out)
            except FileNotFoundError:  # deleted since it was listed
                target.unlink(missing_ok=True)
                report.warnings.append(f"{kind}/{name} supprimé pendant la sauvegarde, ignoré.")
                continue
            manifest["files"].append({"storage": kind, "name": name, "size": size, "sha256": digest})
            report.files[kind] += 1
            report.bytes += size
    manifest["counts"] = {"files": report.files, "bytes": report.bytes}
    partial = directory / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    partial.replace(directory / MANIFEST)
    return manifest, report


def summary(manifest: dict, report: Report) -> str:
    """What a backup holds or a restore gave back, for the operator: the same counts both ways."""
    rows = manifest["database"]["rows"]
    return ", ".join([
        plural(rows.get("ami.Dossier", 0), "dossier", "dossiers"),
        plural(rows.get("ami.DossierVersion", 0), "version", "versions"),
        plural(report.files.get("media", 0), "fichier public", "fichiers publics"),
        plural(report.files.get("private", 0), "fichier privé", "fichiers privés"),
        plural(report.bytes, "octet", "octets"),
    ])


# --- Restore -----------------------------------------------------------------

def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts:
        raise BackupError(f"Nom de fichier refusé dans le manifeste : {name!r}.")
    return name


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"Pas de {MANIFEST} dans {directory} : sauvegarde absente ou inachevée.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Format de sauvegarde inconnu : {manifest.get('format')!r}.")
    return manifest


def verify_backup(directory: Path, manifest: dict) -> list[str]:
    """Every problem found in the backup's files against their sha256 (empty: intact)."""
    directory = Path(directory)
    problems = []
    database = manifest["database"]
    dump = directory / _safe_name(database["file"])
    if not dump.is_file():
        problems.append(f"{database['file']} manquant")
    elif sha256_of(dump) != database["sha256"]:
        problems.append(f"{database['file']} altéré (sha256 différent)")
    for entry in manifest["files"]:
        path = directory / "files" / entry["storage"] / _safe_name(entry["name"])
        if not path.is_file():
            problems.append(f"{entry['storage']}/{entry['name']} manquant")
        elif path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            problems.append(f"{entry['storage']}/{entry['name']} altéré (sha256 différent)")
    return problems


def restore_site(directory: Path, *, force: bool = False, alias: str = "default") -> tuple[dict, Report]:
    directory = Path(directory)
    manifest = read_manifest(directory)
    report = Report()
    problems = verify_backup(directory, manifest)
    if problems:
        raise BackupError("Sauvegarde corrompue, rien n’a été restauré : " + " ; ".join(problems[:10]))
    if manifest["database"]["vendor"] != _vendor(alias):
        raise BackupError(
            f"Sauvegarde {manifest['database']['vendor']}, base cible {_vendor(alias)} : restauration impossible."
        )
    targets = storages_to_save()
    if not force:
        if not database_is_empty(alias):
            raise BackupError("La base cible n’est pas vide : restaurer dans une base vide, ou ajouter --force.")
        for kind, storage in targets.items():
            if next(iter(stored_names(storage)), None) is not None:
                raise BackupError(
                    f"Le stockage « {kind} » n’est pas vide : restaurer dans un stockage vide, ou ajouter --force."
                )
    load_database(alias, directory / manifest["database"]["file"], force=force)
    for entry in manifest["files"]:
        storage, name = targets[entry["storage"]], entry["name"]
        if storage.exists(name):
            storage.delete(name)  # only with --force: the check above found the storage empty
        with open(directory / "files" / entry["storage"] / name, "rb") as source:
            saved = storage.save(name, File(source, name=name))
        if saved != name:
            raise BackupError(f"{entry['storage']}/{name} enregistré sous un autre nom ({saved}).")
        with storage.open(name, "rb") as stored:
            digest = hashlib.sha256()
            while chunk := stored.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['storage']}/{name} relu différent après restauration.")
        report.files[entry["storage"]] = report.files.get(entry["storage"], 0) + 1
        report.bytes += entry["size"]
    rows = row_counts(alias)
    for label, count in manifest["database"]["rows"].items():
        if label in rows and rows[label] != count:
            raise BackupError(f"{label} : {rows[label]} lignes restaurées, {count} sauvegardées.")
    from ami.services.uploads import referenced_private_files

    private = targets["private"]
    missing = sorted(name for name in referenced_private_files() if not private.exists(name))
    if missing:
        report.warnings.append(f"{len(missing)} fichier(s) privé(s) référencé(s) absent(s) : {', '.join(missing[:5])}")
    pending = pending_migrations(alias)
    if pending:
        report.warnings.append(
            f"{len(pending)} migration(s) du code plus récentes que la sauvegarde : lancer « manage.py migrate »."
        )
    return manifest, report
