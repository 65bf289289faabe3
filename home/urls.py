from django.urls import path, re_path

from . import integration, views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("recherche/", views.search, name="search"),
    path("integration/", integration.integration_page, name="integration"),
    path("integration/bnm.json", integration.portal_json, name="integration_json"),
    re_path(r"^(?P<path>(?:[\w\-]+/)+[\w\-]+\.ics)$", views.serve_ics, name="serve_ics"),
]
