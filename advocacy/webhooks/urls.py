"""Webhook endpoints, under /o/<slug>/settings/webhooks/ (admins only)."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("<uuid:endpoint_id>/", views.endpoint, name="endpoint"),
    path("<uuid:endpoint_id>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("<uuid:endpoint_id>/test/", views.endpoint_test, name="endpoint_test"),
    path("<uuid:endpoint_id>/delete/", views.endpoint_delete, name="endpoint_delete"),
]
