from django.urls import path, register_converter

from . import views


class DossierIdConverter:
    """The opaque public id of a dossier (Dossier.public_id), never its database key."""

    regex = "[A-Za-z0-9_-]{8,22}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DossierIdConverter, "dossier_id")

app_name = "ami"

urlpatterns = [
    path("", views.call_home, name="home"),
    path("questionnaire-vierge.pdf", views.blank_questionnaire, name="blank_questionnaire"),
    path("commencer/", views.start, name="start"),
    path("commencer/lien/", views.send_existing_link, name="send_existing_link"),
    path("reprendre/", views.resume, name="resume"),
    path("acces/<str:token>/", views.access, name="access"),
    path("dossier/", views.dossier_list, name="dossiers"),
    path("dossier/<dossier_id:public_id>/", views.overview, name="dossier"),
    path("dossier/<dossier_id:public_id>/etape/<slug:slug>/", views.step_view, name="step"),
    path("dossier/<dossier_id:public_id>/deposer/", views.submit, name="submit"),
    path("dossier/<dossier_id:public_id>/confirmation/", views.confirmation, name="confirmation"),
    path("dossier/<dossier_id:public_id>/modifier/", views.reopen, name="reopen"),
    path("dossier/<dossier_id:public_id>/quitter/", views.leave, name="leave"),
    path("dossier/<dossier_id:public_id>/recepisse.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("dossier/<dossier_id:public_id>/dossier.pdf", views.draft_pdf, name="draft_pdf"),
    path("dossier/<dossier_id:public_id>/document-signe/", views.signed_document, name="signed_document"),
]
