from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("manage/content/", views.library, name="library"),
]
