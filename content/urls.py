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
    path("manage/feeds/", views.feed_list, name="feed_list"),
    path("manage/feeds/new/", views.feed_new, name="feed_new"),
    path("manage/feeds/bulk/", views.feed_bulk, name="feed_bulk"),
    path("manage/feeds/<uuid:feed_id>/edit/", views.feed_edit, name="feed_edit"),
    path("manage/feeds/<uuid:feed_id>/poll/", views.feed_poll, name="feed_poll"),
]
