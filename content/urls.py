from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("manage/content/", views.library, name="library"),
    path("manage/content/bulk/", views.library_bulk, name="library_bulk"),
    path("manage/content/new/", views.item_new, name="item_new"),
    path("manage/content/<uuid:item_id>/edit/", views.item_edit, name="item_edit"),
    path("manage/content/<uuid:item_id>/archive/", views.item_archive, name="item_archive"),
    path("manage/content/<uuid:item_id>/preview/", views.item_preview, name="item_preview"),
]
