"""Personal API tokens, under the profile (/accounts/profile/tokens/)."""

from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("new/", views.token_new, name="new"),
    path("<uuid:token_id>/revoke/", views.token_revoke, name="revoke"),
]
