"""A user's own LinkedIn connection (profile page): connect, callback, disconnect."""

from django.urls import path

from . import views

app_name = "linkedin"

urlpatterns = [
    path("connect/", views.connect, name="connect"),
    # Shared by the member and the company page flows: the session says which one it was.
    path("callback/", views.callback, name="callback"),
    path("disconnect/", views.disconnect, name="disconnect"),
]
