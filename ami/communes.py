"""The 95 communes of the Métropole Européenne de Lille (INSEE code, name)."""
import csv
from pathlib import Path

COMMUNES_CSV = Path(__file__).resolve().parent / "data" / "mel_communes.csv"


def read_mel_communes() -> list[tuple[str, str]]:
    with COMMUNES_CSV.open(encoding="utf-8") as f:
        return [(row["insee"], row["nom"]) for row in csv.DictReader(f)]


def load_mel_communes(Commune) -> int:
    """Create or update the MEL communes; returns how many were created. Idempotent."""
    created = 0
    for insee, name in read_mel_communes():
        _, was_created = Commune.objects.update_or_create(insee_code=insee, defaults={"name": name})
        created += was_created
    return created
