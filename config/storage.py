"""Where uploaded files live: the web host's disk, or S3-compatible object storage when configured.

Two kinds of files, never mixed:
- public media (CMS images and documents): STORAGES["default"], MEDIA_URL;
- private files (the AMI's signed documents, dossier PDFs, e-mail attachments): PRIVATE_STORAGE,
  read by ami.models.private_storage(). Never given a public URL: on S3 they are written with
  the « private » ACL to their own bucket and every download goes through the application's
  views, with the same access checks as on disk.
"""
from __future__ import annotations

S3_BACKEND = "storages.backends.s3.S3Storage"


def _s3_options(env, bucket: str) -> dict:
    return {
        "bucket_name": bucket,
        "endpoint_url": env.get("S3_ENDPOINT_URL") or None,
        "region_name": env.get("S3_REGION") or None,
        "access_key": env.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": env.get("S3_SECRET_ACCESS_KEY") or None,
        "file_overwrite": False,
    }


def media_storage(env) -> dict:
    """STORAGES["default"]: the public media bucket (S3_MEDIA_BUCKET), else MEDIA_ROOT on disk."""
    bucket = env.get("S3_MEDIA_BUCKET")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = _s3_options(env, bucket)
    options.update(default_acl="public-read", querystring_auth=False)
    if env.get("S3_MEDIA_DOMAIN"):
        # e.g. bnm.lillemetropole.fr/media when the reverse proxy serves the bucket under /media/,
        # so pages load nothing from another host.
        options["custom_domain"] = env["S3_MEDIA_DOMAIN"]
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def private_storage(env) -> dict | None:
    """PRIVATE_STORAGE: the private bucket (S3_PRIVATE_BUCKET); None: PRIVATE_MEDIA_ROOT on disk."""
    bucket = env.get("S3_PRIVATE_BUCKET")
    if not bucket:
        return None
    options = _s3_options(env, bucket)
    # Private ACL; signed URLs if anything ever asked for one, but no view does: the application
    # reads the file and serves it after its own checks.
    options.update(default_acl="private", querystring_auth=True, querystring_expire=60)
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
