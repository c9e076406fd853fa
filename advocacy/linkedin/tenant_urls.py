"""The organization's LinkedIn company page connection (under /o/<slug>/settings/linkedin/)."""

from django.urls import path  # noqa: F401

app_name = "linkedin_page"

urlpatterns: list = []
