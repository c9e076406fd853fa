from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>/", views.accept_invitation, name="accept_invitation"),
]
