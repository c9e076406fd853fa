"""The sandbox's routes, mounted at settings.LINKEDIN_SANDBOX_PREFIX when the sandbox is on.

The prefix stands for both https://www.linkedin.com and https://api.linkedin.com, so the paths
below are LinkedIn's own.
"""

from django.urls import path

from .views import analytics, media, oauth, posts, profile

app_name = "sandbox"

urlpatterns = [
    # www.linkedin.com: OAuth 2.0 and OpenID Connect
    path("oauth/v2/authorization", oauth.authorization, name="authorization"),
    path("oauth/v2/accessToken", oauth.access_token, name="access_token"),
    path("oauth/v2/introspectToken", oauth.introspect_token, name="introspect_token"),
    path("oauth/v2/revoke", oauth.revoke, name="revoke"),
    path(
        "oauth/.well-known/openid-configuration",
        oauth.openid_configuration,
        name="openid_configuration",
    ),
    path("oauth/openid/jwks", oauth.jwks, name="jwks"),
    path("dms-uploads/<str:key>", posts.upload, name="upload"),
    path("dms-downloads/<str:key>", posts.download, name="download"),
    path("media/avatars/<str:sub>", media.avatar, name="avatar"),
    # api.linkedin.com: unversioned
    path("v2/userinfo", profile.userinfo, name="userinfo"),
    path("v2/me", profile.me, name="me"),
    path("v2/connections/<str:urn>", profile.connections, name="connections"),
    # api.linkedin.com: versioned Rest.li
    path("rest/posts", posts.posts, name="posts"),
    path("rest/posts/<str:urn>", posts.post, name="post"),
    path("rest/images", posts.images, name="images"),
    path("rest/images/<str:urn>", posts.image, name="image"),
    path("rest/memberFollowersCount", analytics.member_followers_count, name="member_followers"),
    path(
        "rest/memberCreatorPostAnalytics",
        analytics.member_creator_post_analytics,
        name="member_post_analytics",
    ),
    path("rest/networkSizes/<str:urn>", analytics.network_sizes, name="network_sizes"),
    path(
        "rest/organizationalEntityFollowerStatistics",
        analytics.follower_statistics,
        name="follower_statistics",
    ),
    path(
        "rest/organizationalEntityShareStatistics",
        analytics.share_statistics,
        name="share_statistics",
    ),
]
