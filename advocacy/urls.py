"""URLs. Tenant pages live under /o/<slug>/; everything else is per user or per platform."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from advocacy.api.views import DocsView, SchemaView
from advocacy.program.views import notifications as program_notifications
from content import views as content_views

from . import views

tenant_patterns = [
    path("", include("content.urls")),
    path("manage/campaigns/", include("campaigns.urls")),
    path("", include("analytics.urls")),
    path("settings/linkedin/", include("advocacy.linkedin.tenant_urls")),
    path("settings/webhooks/", include("advocacy.webhooks.urls")),
    path("settings/", include("advocacy.tenancy.urls")),
    path("program/", include("advocacy.program.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("organizations/", views.organization_picker, name="organization_picker"),
    path("invitations/", include("advocacy.tenancy.invitation_urls")),
    path("accounts/profile/tokens/", include("advocacy.api.token_urls")),
    path("accounts/", include("advocacy.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("linkedin/", include("advocacy.linkedin.urls")),
    path("o/<slug:org_slug>/", include(tenant_patterns)),
    # An employee's tracked short link, as it appears in their LinkedIn post.
    path("l/<str:code>", content_views.follow_link, name="tracked_link"),
    # The unsubscribe link of program mail: it works without signing in.
    path(
        "mail/unsubscribe/<str:token>/",
        program_notifications.unsubscribe,
        name="program_unsubscribe",
    ),
    path("api/schema/", SchemaView.as_view(), name="api_schema"),
    path("api/docs/", DocsView.as_view(), name="api_docs"),
    path("api/v1/", include("advocacy.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media")
    )

if settings.LINKEDIN_SANDBOX:
    urlpatterns.append(
        path(f"{settings.LINKEDIN_SANDBOX_PREFIX}/", include("advocacy.sandbox.urls"))
    )

admin.site.site_header = "Advocacy platform administration"
admin.site.site_title = "Advocacy admin"
