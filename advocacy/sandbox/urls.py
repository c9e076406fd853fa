"""The sandbox's routes, mounted at settings.LINKEDIN_SANDBOX_PREFIX when the sandbox is on."""

from django.urls import path  # noqa: F401

app_name = "sandbox"

urlpatterns: list = []
