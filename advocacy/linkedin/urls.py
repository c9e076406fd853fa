"""A user's own LinkedIn connection (profile page): connect, callback, disconnect."""

from django.urls import path  # noqa: F401

app_name = "linkedin"

urlpatterns: list = []
