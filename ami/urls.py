from django.urls import path

from . import views

app_name = "ami"

urlpatterns = [
    path("", views.call_home, name="home"),
]
