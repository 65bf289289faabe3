from django.urls import path

from . import views

app_name = "ami"

urlpatterns = [
    path("", views.call_home, name="home"),
    path("commencer/", views.start, name="start"),
    path("commencer/lien/", views.send_existing_link, name="send_existing_link"),
    path("reprendre/", views.resume, name="resume"),
    path("acces/<str:token>/", views.access, name="access"),
    path("dossier/", views.overview, name="dossier"),
    path("dossier/etape/<slug:slug>/", views.step_view, name="step"),
    path("dossier/deposer/", views.submit, name="submit"),
    path("dossier/confirmation/", views.confirmation, name="confirmation"),
    path("dossier/modifier/", views.reopen, name="reopen"),
    path("dossier/quitter/", views.leave, name="leave"),
    path("dossier/recepisse.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("dossier/dossier.pdf", views.draft_pdf, name="draft_pdf"),
    path("dossier/document-signe/", views.signed_document, name="signed_document"),
]
