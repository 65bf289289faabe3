"""The steps of the online dossier, in order. Views, completeness and templates share this list."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    title: str


STEPS = [
    Step(1, "commune", "Commune et référents"),
    Step(2, "bibliotheques", "Bibliothèque(s)"),
    Step(3, "projet", "Projet communal"),
    Step(4, "engagements", "Engagements"),
    Step(5, "objectifs", "Objectifs et groupes de travail"),
    Step(6, "validation", "Validation"),
    Step(7, "recapitulatif", "Récapitulatif et dépôt"),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
FORM_STEPS = [step for step in STEPS if step.slug != "recapitulatif"]


def get_step(slug: str) -> Step | None:
    return STEPS_BY_SLUG.get(slug)


def next_step(step: Step) -> Step | None:
    return STEPS[step.number] if step.number < len(STEPS) else None
