"""The invitation link, mounted at /invitations/: outside any organization, since the person
opening it is not a member yet."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>/", views.accept_invitation, name="accept_invitation"),
]
