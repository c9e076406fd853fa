from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("", views.organization_settings, name="settings"),
    path("members/", views.members, name="members"),
]
