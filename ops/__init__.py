"""Operations tooling outside any Django app: backups (ops/backup.py)."""
