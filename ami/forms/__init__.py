"""Forms of the online AMI dossier (one per step) and of the start / resume pages."""
from .public import ResumeForm, StartForm
from .steps import (
    CommuneStepForm,
    EngagementsStepForm,
    LibraryForm,
    ObjectivesStepForm,
    ProjectStepForm,
    ValidationStepForm,
)

__all__ = [
    "CommuneStepForm", "EngagementsStepForm", "LibraryForm", "ObjectivesStepForm", "ProjectStepForm",
    "ResumeForm", "StartForm", "ValidationStepForm",
]
