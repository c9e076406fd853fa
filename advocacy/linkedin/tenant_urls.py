"""The organization's LinkedIn company page connection (under /o/<slug>/settings/linkedin/)."""

from django.urls import path

from . import views

app_name = "linkedin_page"

urlpatterns = [
    path("", views.page_settings, name="settings"),
    path("connect/", views.page_connect, name="connect"),
    path("disconnect/", views.page_disconnect, name="disconnect"),
]
