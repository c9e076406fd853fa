from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("share/<uuid:item_id>/", views.share_item, name="share_item"),
    path("posts/", views.my_posts, name="my_posts"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/bulk/", views.my_posts_bulk, name="my_posts_bulk"),
    path("posts/<uuid:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<uuid:post_id>/cancel/", views.post_cancel, name="post_cancel"),
    path("posts/<uuid:post_id>/retry/", views.post_retry, name="post_retry"),
    path("posts/<uuid:post_id>/delete/", views.post_delete, name="post_delete"),
    path("manage/posts/", views.published_posts, name="published_posts"),
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
    path("manage/content/<uuid:item_id>/preview/", views.item_preview, name="item_preview"),
]
