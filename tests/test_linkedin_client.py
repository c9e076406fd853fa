"""The LinkedIn client over real HTTP against the sandbox (served by pytest-django's live server).

Nothing is mocked: the sandbox speaks LinkedIn's API (shared/linkedin-api.md), scenario faults
stand in for LinkedIn's failures, and what reached "LinkedIn" is read from the sandbox's own
state (its call counters and posts). Each test counts its daily budgets under a key prefix of
its own, so one test's 429s never pause another's calls, even on a Redis that parallel test
workers share.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from advocacy.linkedin import ratelimit
from advocacy.linkedin.client import (
    DailyFollowerGain,
    DailyValue,
    LinkedInClient,
    MetricCounts,
    PostMetric,
    post_entity,
    trusted_upload_url,
)
from advocacy.linkedin.errors import (
    DuplicatePost,
    Invalid,
    LinkedInError,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TokenExpired,
    TokenRevoked,
    TransportError,
    VersionRetired,
)
from advocacy.linkedin.little_text import MAX_COMMENTARY_LENGTH
from advocacy.linkedin.restli import day_start, epoch_ms

live = pytest.mark.django_db(transaction=True)

ANN = "urn:li:person:m-ann"
ORG = "urn:li:organization:2414183"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TODAY = timezone.now().date()


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def scenario(faults: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    """A small scenario on real dates: Ann gains a follower a day, so does the page."""
    data: dict[str, Any] = {
        "today": TODAY.isoformat(),
        "seed": 7,
        "pages": [
            {
                "id": "2414183",
                "name": "Acme A/S",
                "admins": ["m-ann"],
                "followers": {days_ago(30).isoformat(): 1000, TODAY.isoformat(): 1030},
            }
        ],
        "members": [
            {
                "sub": "m-ann",
                "given_name": "Ann",
                "family_name": "Berg",
                "email": "ann@acme.example",
                "locale": "da_DK",
                "followers": {days_ago(30).isoformat(): 500, TODAY.isoformat(): 530},
            },
            {"sub": "m-bo", "given_name": "Bo", "family_name": "Holm", "email": "bo@acme.example"},
        ],
        "posts": [
            {
                "id": "7301",
                "author": "m-ann",
                "published": f"{days_ago(10).isoformat()}T09:00:00Z",
                "commentary": "What we learned at the fair",
                "metrics": {
                    days_ago(9).isoformat(): {"impressions": 1200, "reactions": 40},
                },
            },
            {
                "id": "7302",
                "type": "ugcPost",
                "author": "m-ann",
                "published": f"{days_ago(10).isoformat()}T10:00:00Z",
                "commentary": "Pictures from the fair",
                "metrics": {days_ago(9).isoformat(): {"impressions": 300}},
            },
            {
                "id": "7303",
                "author": "2414183",
                "published": f"{days_ago(5).isoformat()}T08:00:00Z",
                "commentary": "We are hiring",
                "metrics": {
                    days_ago(4).isoformat(): {"impressions": 800, "clicks": 30, "reactions": 12}
                },
            },
        ],
        "faults": faults or [],
    }
    data.update(overrides)
    return data


@dataclass
class Sandbox:
    """The sandbox as the tests see it: its URL, tokens, and what reached it."""

    api_url: str
    member_keys: list[str] = field(default_factory=list)

    def token(self, sub: str = "m-ann", scopes: list[str] | None = None) -> str:
        from advocacy.sandbox.application import current_app
        from advocacy.sandbox.models import Member
        from advocacy.sandbox.services import mint_tokens

        tokens = mint_tokens(
            member=Member.objects.get(sub=sub),
            scopes=list(current_app().scopes) if scopes is None else scopes,
            client_id="sandbox-client",
            now=timezone.now(),
            with_refresh=False,
        )
        return tokens.access.token

    def client(
        self,
        sub: str = "m-ann",
        *,
        scopes: list[str] | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> LinkedInClient:
        member_key = f"test-{uuid.uuid4().hex}"
        self.member_keys.append(member_key)
        kwargs.setdefault("max_quota_wait", 0)
        access_token = self.token(sub, scopes) if token is None else token
        return LinkedInClient(access_token, member_key=member_key, **kwargs)

    def calls(self, endpoint: str) -> int:
        """How many calls of an operation reached the sandbox (its own counters)."""
        from advocacy.sandbox.models import CallCounter

        total = CallCounter.objects.filter(endpoint=endpoint).aggregate(total=Sum("count"))
        return int(total["total"] or 0)

    def post(self, urn: str) -> Any:
        from advocacy.sandbox.models import Post

        return Post.objects.get(urn=urn)


@pytest.fixture(autouse=True)
def fast_retries(settings: Any) -> None:
    settings.LINKEDIN_RETRY_ATTEMPTS = 3
    settings.LINKEDIN_RETRY_BASE_SECONDS = 0.01
    settings.LINKEDIN_RETRY_MAX_SECONDS = 5
    settings.LINKEDIN_REVOKED_RETRY_SECONDS = 0.01
    settings.LINKEDIN_VERSION = "202609"


@pytest.fixture(autouse=True)
def own_budgets(settings: Any) -> None:
    settings.LINKEDIN_RATE_LIMIT_KEY_PREFIX = f"linkedin:ratelimit:test-{uuid.uuid4().hex}"


@pytest.fixture
def load_sandbox(live_server: Any, settings: Any) -> Callable[..., Sandbox]:
    """Load a scenario into the sandbox and point the client at the live server."""
    base = f"{live_server.url}/{settings.LINKEDIN_SANDBOX_PREFIX}"
    settings.LINKEDIN_API_URL = base
    settings.LINKEDIN_WWW_URL = base

    def load(faults: list[dict[str, Any]] | None = None, **overrides: Any) -> Sandbox:
        from advocacy.sandbox.scenario import load_scenario, parse_scenario

        load_scenario(parse_scenario(scenario(faults, **overrides)))
        return Sandbox(api_url=base)

    return load


@pytest.fixture
def sandbox(load_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return load_sandbox()


def recording_sleeps(client: LinkedInClient) -> list[float]:
    """The client's waits, recorded (it still really sleeps)."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    client.sleep = sleep
    return slept


# -- URLs and headers, without sending -------------------------------------------------------


@pytest.fixture
def linkedin_hosts(settings: Any) -> None:
    settings.LINKEDIN_API_URL = "https://api.linkedin.com"
    settings.LINKEDIN_WWW_URL = "https://www.linkedin.com"


@pytest.mark.usefixtures("linkedin_hosts")
def test_urls_are_restli_encoded_as_documented() -> None:
    client = LinkedInClient("token")
    assert client.build_url(
        "/rest/memberCreatorPostAnalytics",
        {
            "q": "entity",
            "entity": post_entity("urn:li:share:7301"),
            "queryType": PostMetric.IMPRESSION,
            "aggregation": "TOTAL",
        },
    ) == (
        "https://api.linkedin.com/rest/memberCreatorPostAnalytics?q=entity"
        "&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION&aggregation=TOTAL"
    )
    assert client.build_url(
        "/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183",
        {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"},
    ) == (
        "https://api.linkedin.com/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183"
        "?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
    )
    assert client.build_url("/v2/userinfo") == "https://api.linkedin.com/v2/userinfo"


@pytest.mark.usefixtures("linkedin_hosts")
def test_prepared_request_keeps_the_encoding() -> None:
    # requests must not re-encode what Rest.li needs raw, nor decode what must stay encoded.
    client = LinkedInClient("token")
    prepared = client.prepare(
        "GET",
        client.api_url("/rest/memberCreatorPostAnalytics"),
        params={
            "q": "me",
            "queryType": "REACTION",
            "aggregation": "DAILY",
            "dateRange": {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)},
        },
    )
    assert prepared.url == (
        "https://api.linkedin.com/rest/memberCreatorPostAnalytics?q=me&queryType=REACTION"
        "&aggregation=DAILY"
        "&dateRange=(start:(day:1,month:3,year:2026),end:(day:31,month:3,year:2026))"
    )
    follower_statistics = client.prepare(
        "GET",
        client.api_url("/rest/organizationalEntityFollowerStatistics"),
        params={
            "q": "organizationalEntity",
            "organizationalEntity": ORG,
            "timeIntervals": {
                "timeRange": {
                    "start": day_start(dt.date(2026, 1, 1)),
                    "end": day_start(dt.date(2026, 1, 8)),
                },
                "timeGranularityType": "DAY",
            },
        },
    )
    assert follower_statistics.url == (
        "https://api.linkedin.com/rest/organizationalEntityFollowerStatistics"
        "?q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A2414183"
        "&timeIntervals=(timeRange:(start:1767225600000,end:1767830400000),"
        "timeGranularityType:DAY)"
    )


@pytest.mark.usefixtures("linkedin_hosts")
def test_headers_of_versioned_and_unversioned_calls(settings: Any) -> None:
    settings.LINKEDIN_VERSION = "202604"
    client = LinkedInClient("AQX-token")
    rest = client.prepare("DELETE", client.api_url("/rest/posts/x"), restli_method="DELETE")
    assert rest.headers["Authorization"] == "Bearer AQX-token"
    assert rest.headers["LinkedIn-Version"] == "202604"
    assert rest.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert rest.headers["X-RestLi-Method"] == "DELETE"
    v2 = client.prepare("GET", client.api_url("/v2/userinfo"))
    assert v2.headers["Authorization"] == "Bearer AQX-token"
    assert "LinkedIn-Version" not in v2.headers
    assert "X-Restli-Protocol-Version" not in v2.headers
    body = client.prepare("POST", client.api_url("/rest/posts"), json={"a": 1})
    assert body.headers["Content-Type"] == "application/json"


def test_the_token_stays_out_of_reprs() -> None:
    assert "secret-token" not in repr(LinkedInClient("secret-token", member_key="c1"))


def test_post_entity_union() -> None:
    assert post_entity("urn:li:share:1") == {"share": "urn:li:share:1"}
    assert post_entity("urn:li:ugcPost:2") == {"ugc": "urn:li:ugcPost:2"}
    with pytest.raises(ValueError, match="Not a post URN"):
        post_entity("urn:li:image:3")


@pytest.mark.usefixtures("linkedin_hosts")
def test_the_bearer_token_is_uploaded_to_linkedin_only() -> None:
    assert trusted_upload_url("https://www.linkedin.com/dms-uploads/AQ1")
    assert trusted_upload_url("https://api.linkedin.com/mediaUpload/x")
    assert not trusted_upload_url("http://www.linkedin.com/dms-uploads/AQ1")
    assert not trusted_upload_url("https://linkedin.com.evil.example/x")
    assert not trusted_upload_url("https://evil.example/www.linkedin.com")
    assert not trusted_upload_url("https://notlinkedin.com/x")


def test_commentary_is_checked_before_anything_is_sent() -> None:
    client = LinkedInClient("token")
    with pytest.raises(Invalid, match="3,000"):
        client.create_text_post(ANN, "x" * (MAX_COMMENTARY_LENGTH + 1))
    with pytest.raises(Invalid):
        client.create_text_post(ANN, "   ")
    assert client.last_request is None


# -- posts ------------------------------------------------------------------------------------


@live
def test_text_post_is_escaped_and_kept_whole(sandbox: Sandbox) -> None:
    client = sandbox.client()
    text = "What we learned at the fair (part 1) *really* #events https://acme.example/a_b"
    published = client.create_text_post(ANN, text)

    assert published.urn.startswith("urn:li:share:")
    assert published.request_id
    assert published.feed_url == f"https://www.linkedin.com/feed/update/{published.urn}"
    stored = sandbox.post(published.urn)
    sent = "What we learned at the fair \\(part 1\\) \\*really\\* #events https://acme.example/a_b"
    assert stored.submitted_commentary == sent
    assert stored.commentary == sent  # nothing cut off
    assert stored.visibility == "PUBLIC"
    assert stored.body["distribution"]["feedDistribution"] == "MAIN_FEED"
    request = client.last_request
    assert request is not None
    assert request.url == f"{sandbox.api_url}/rest/posts"
    assert request.headers["LinkedIn-Version"] == "202609"
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"


@live
def test_connections_only_visibility(sandbox: Sandbox) -> None:
    published = sandbox.client().create_text_post(ANN, "Only for my network", "CONNECTIONS")
    assert sandbox.post(published.urn).visibility == "CONNECTIONS"


@live
def test_image_upload_and_image_post(sandbox: Sandbox) -> None:
    client = sandbox.client()
    image_urn = client.upload_image(ANN, PNG, "image/png")

    assert image_urn.startswith("urn:li:image:")
    upload = client.last_request
    assert upload is not None
    assert upload.method == "PUT"
    assert upload.body == PNG
    assert upload.headers["Authorization"].startswith("Bearer ")
    assert upload.headers["Content-Type"] == "image/png"
    assert "LinkedIn-Version" not in upload.headers
    from advocacy.sandbox.models import Image

    assert Image.objects.get(urn=image_urn).status == "AVAILABLE"
    assert sandbox.calls("images.initialize") == 1
    assert sandbox.calls("images.upload") == 1

    published = client.create_image_post(ANN, "The stand", image_urn, alt_text="Our stand")
    assert sandbox.post(published.urn).body["content"] == {
        "media": {"id": image_urn, "altText": "Our stand"}
    }


@live
def test_article_post_with_thumbnail(sandbox: Sandbox) -> None:
    client = sandbox.client()
    thumbnail = client.upload_image(ANN, PNG, "image/png")
    published = client.create_article_post(
        ANN,
        "Our recap of the fair",
        source="https://acme.example/blog/fair",
        title="Fair recap",
        description="Five lessons",
        thumbnail_urn=thumbnail,
    )
    assert sandbox.post(published.urn).body["content"] == {
        "article": {
            "source": "https://acme.example/blog/fair",
            "title": "Fair recap",
            "description": "Five lessons",
            "thumbnail": thumbnail,
        }
    }


@live
def test_reshare_with_and_without_words(sandbox: Sandbox) -> None:
    client = sandbox.client()
    silent = client.create_reshare(ANN, "urn:li:share:7301")
    worded = client.create_reshare(ANN, "urn:li:share:7303", "Proud of this (really)")
    assert sandbox.post(silent.urn).body["reshareContext"] == {"parent": "urn:li:share:7301"}
    stored = sandbox.post(worded.urn)
    assert stored.body["reshareContext"] == {"parent": "urn:li:share:7303"}
    assert stored.commentary == "Proud of this \\(really\\)"


@live
def test_reshare_of_an_unknown_post_is_invalid(sandbox: Sandbox) -> None:
    with pytest.raises(Invalid) as caught:
        sandbox.client().create_reshare(ANN, "urn:li:share:1")
    assert caught.value.status == 400
    assert caught.value.request_id


@live
def test_delete_twice(sandbox: Sandbox) -> None:
    client = sandbox.client()
    published = client.create_text_post(ANN, "Here today")
    client.delete_post(published.urn)
    client.delete_post(published.urn)

    assert sandbox.post(published.urn).deleted_at is not None
    assert sandbox.calls("posts.delete") == 2
    request = client.last_request
    assert request is not None
    assert request.method == "DELETE"
    assert request.url == (f"{sandbox.api_url}/rest/posts/{published.urn.replace(':', '%3A')}")
    assert request.headers["X-RestLi-Method"] == "DELETE"


@live
def test_duplicate_post_names_the_existing_one(sandbox: Sandbox) -> None:
    client = sandbox.client()
    first = client.create_text_post(ANN, "Exactly the same words")
    with pytest.raises(DuplicatePost) as caught:
        client.create_text_post(ANN, "Exactly the same words")
    assert caught.value.existing_urn == first.urn
    assert caught.value.status == 422
    assert caught.value.code == "DUPLICATE_POST"


@live
def test_too_long_commentary_never_reaches_linkedin(sandbox: Sandbox) -> None:
    from advocacy.sandbox.models import Post

    client = sandbox.client()
    with pytest.raises(Invalid, match="3,000 characters"):
        client.create_text_post(ANN, "x" * (MAX_COMMENTARY_LENGTH + 1))
    assert client.last_request is None
    assert sandbox.calls("posts.create") == 0
    assert not Post.objects.filter(origin="api").exists()


@live
def test_posting_as_someone_else_is_denied(sandbox: Sandbox) -> None:
    with pytest.raises(PermissionDenied) as caught:
        sandbox.client("m-bo").create_text_post(ANN, "Not mine to say")
    assert caught.value.code == "ACCESS_DENIED"


# -- statistics -------------------------------------------------------------------------------


@live
def test_member_followers_count(sandbox: Sandbox) -> None:
    client = sandbox.client()
    assert client.member_followers_count() == 530
    request = client.last_request
    assert request is not None
    assert request.url == f"{sandbox.api_url}/rest/memberFollowersCount?q=me"
    assert request.headers["X-RestLi-Method"] == "FINDER"


@live
def test_member_followers_by_day(sandbox: Sandbox) -> None:
    client = sandbox.client()
    start, end = days_ago(5), days_ago(2)
    assert client.member_followers_by_day(start, end) == [
        DailyValue(days_ago(5), 1),
        DailyValue(days_ago(4), 1),
        DailyValue(days_ago(3), 1),
    ]
    request = client.last_request
    assert request is not None
    assert request.url == (
        f"{sandbox.api_url}/rest/memberFollowersCount?q=dateRange"
        f"&dateRange=(start:(year:{start.year},month:{start.month},day:{start.day}),"
        f"end:(year:{end.year},month:{end.month},day:{end.day}))&start=0&count=100"
    )


@live
def test_long_lists_are_paged(sandbox: Sandbox) -> None:
    client = sandbox.client(page_size=2)
    days = client.member_followers_by_day(days_ago(6), days_ago(1))
    assert [day for day, _ in days] == [days_ago(n) for n in (6, 5, 4, 3, 2)]
    assert sandbox.calls("member.followers") == 3  # 2 + 2 + 1
    request = client.last_request
    assert request is not None
    assert request.url.endswith("&start=4&count=2")


@live
def test_post_analytics_of_a_share(sandbox: Sandbox) -> None:
    client = sandbox.client()
    impressions = client.post_analytics("urn:li:share:7301", PostMetric.IMPRESSION)
    assert impressions == MetricCounts(metric="IMPRESSION", total=1200, by_day=[])
    request = client.last_request
    assert request is not None
    assert request.url == (
        f"{sandbox.api_url}/rest/memberCreatorPostAnalytics?q=entity"
        "&entity=(share:urn%3Ali%3Ashare%3A7301)&queryType=IMPRESSION&aggregation=TOTAL"
        "&start=0&count=100"
    )


@live
def test_post_analytics_of_a_ugc_post(sandbox: Sandbox) -> None:
    client = sandbox.client()
    assert client.post_analytics("urn:li:ugcPost:7302", "IMPRESSION").total == 300
    request = client.last_request
    assert request is not None
    assert "&entity=(ugc:urn%3Ali%3AugcPost%3A7302)&" in request.url


@live
def test_post_analytics_daily(sandbox: Sandbox) -> None:
    counts = sandbox.client().post_analytics("urn:li:share:7301", "REACTION", "DAILY")
    assert counts.total == 40
    assert sum(value for _, value in counts.by_day) == 40
    assert counts.by_day[0].day == days_ago(10)


@live
def test_no_data_is_none_not_zero(sandbox: Sandbox) -> None:
    counts = sandbox.client().post_analytics("urn:li:share:1", PostMetric.COMMENT)
    assert counts.total is None
    assert counts.by_day == []
    assert sandbox.client().post_analytics("urn:li:share:7301", "COMMENT").total == 0


@live
@pytest.mark.parametrize("version", ["202604", "202609"])
def test_both_metric_type_shapes(
    load_sandbox: Callable[..., Sandbox], settings: Any, version: str
) -> None:
    # 202604 wraps metricType in a union object; from 202605 it is a plain string.
    sandbox = load_sandbox()
    settings.LINKEDIN_VERSION = version
    counts = sandbox.client().post_analytics("urn:li:share:7301", "IMPRESSION")
    assert counts.metric == "IMPRESSION"
    assert counts.total == 1200


@live
def test_all_posts_analytics(sandbox: Sandbox) -> None:
    client = sandbox.client()
    start, end = days_ago(12), TODAY
    counts = client.all_posts_analytics(PostMetric.IMPRESSION, start, end)
    assert counts.total == 1500  # 1200 + 300
    assert all(isinstance(item, DailyValue) for item in counts.by_day)
    request = client.last_request
    assert request is not None
    assert request.url == (
        f"{sandbox.api_url}/rest/memberCreatorPostAnalytics?q=me&queryType=IMPRESSION"
        "&aggregation=DAILY"
        f"&dateRange=(start:(day:{start.day},month:{start.month},year:{start.year}),"
        f"end:(day:{end.day},month:{end.month},year:{end.year}))&start=0&count=100"
    )
    total = client.all_posts_analytics("IMPRESSION", start, end, aggregation="TOTAL")
    assert total.total == 1500
    assert total.by_day == []


@live
def test_page_follower_count(sandbox: Sandbox) -> None:
    client = sandbox.client()
    assert client.page_follower_count(ORG) == 1030
    request = client.last_request
    assert request is not None
    assert request.url == (
        f"{sandbox.api_url}/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183"
        "?edgeType=COMPANY_FOLLOWED_BY_MEMBER"
    )
    assert "X-RestLi-Method" not in request.headers  # a GET by key, not a finder


@live
def test_page_follower_gains(sandbox: Sandbox) -> None:
    client = sandbox.client()
    start, end = days_ago(4), days_ago(1)
    assert client.page_follower_gains(ORG, start, end) == [
        DailyFollowerGain(days_ago(4), 1, 0),
        DailyFollowerGain(days_ago(3), 1, 0),
        DailyFollowerGain(days_ago(2), 1, 0),
    ]
    request = client.last_request
    assert request is not None
    assert request.url == (
        f"{sandbox.api_url}/rest/organizationalEntityFollowerStatistics?q=organizationalEntity"
        "&organizationalEntity=urn%3Ali%3Aorganization%3A2414183"
        f"&timeIntervals=(timeRange:(start:{epoch_ms(day_start(start))},"
        f"end:{epoch_ms(day_start(end))}),timeGranularityType:DAY)&start=0&count=100"
    )


@live
def test_page_share_statistics(sandbox: Sandbox) -> None:
    client = sandbox.client()
    [lifetime] = client.page_share_statistics(ORG)
    assert lifetime.day is None
    assert lifetime.impression_count == 800
    assert lifetime.click_count == 30
    assert lifetime.like_count == 12
    assert lifetime.engagement > 0

    daily = client.page_share_statistics(ORG, days_ago(6), days_ago(1))
    assert [item.day for item in daily] == [days_ago(n) for n in (6, 5, 4, 3, 2)]
    assert sum(item.impression_count for item in daily) == 800
    with pytest.raises(ValueError, match="both"):
        client.page_share_statistics(ORG, days_ago(6))


@live
def test_page_statistics_need_an_administrator(sandbox: Sandbox) -> None:
    with pytest.raises(PermissionDenied):
        sandbox.client("m-bo").page_follower_gains(ORG, days_ago(3), days_ago(1))


@live
def test_unknown_page_is_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(NotFound) as caught:
        sandbox.client().page_follower_count("urn:li:organization:999")
    assert caught.value.status == 404


@live
def test_userinfo(sandbox: Sandbox) -> None:
    client = sandbox.client()
    info = client.userinfo()
    assert info.sub == "m-ann"
    assert info.member_urn == ANN
    assert info.name == "Ann Berg"
    assert info.email == "ann@acme.example"
    assert info.email_verified is True
    assert info.locale == "da-DK"  # LinkedIn's {"country": "DK", "language": "da"}
    request = client.last_request
    assert request is not None
    assert request.url == f"{sandbox.api_url}/v2/userinfo"
    assert "LinkedIn-Version" not in request.headers


@live
def test_missing_scope_is_permission_denied(sandbox: Sandbox) -> None:
    client = sandbox.client(scopes=["openid", "profile", "w_member_social"])
    with pytest.raises(PermissionDenied) as caught:
        client.member_followers_count()
    assert caught.value.code == "ACCESS_DENIED"
    assert "memberFollowersCount" in caught.value.message
    assert sandbox.calls("member.followers") == 1  # not retried


# -- tokens -----------------------------------------------------------------------------------


@live
def test_expired_token(sandbox: Sandbox) -> None:
    from advocacy.sandbox.models import AccessToken

    client = sandbox.client()
    AccessToken.objects.filter(token=client.access_token).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(TokenExpired) as caught:
        client.userinfo()
    assert caught.value.status == 401


@live
def test_unknown_and_empty_tokens_need_a_new_token(sandbox: Sandbox) -> None:
    with pytest.raises(TokenExpired) as unknown:
        sandbox.client(token="AQX-not-a-token").member_followers_count()
    assert unknown.value.service_error_code == 65600
    with pytest.raises(TokenExpired):
        sandbox.client(token="").member_followers_count()


@live
def test_revoked_token_of_an_old_grant_fails_at_once(sandbox: Sandbox) -> None:
    from advocacy.sandbox.models import AccessToken

    client = sandbox.client(token_issued_at=timezone.now() - dt.timedelta(hours=2))
    AccessToken.objects.filter(token=client.access_token).update(revoked_at=timezone.now())
    slept = recording_sleeps(client)
    with pytest.raises(TokenRevoked) as caught:
        client.member_followers_count()
    assert caught.value.service_error_code == 65601
    assert sandbox.calls("member.followers") == 1
    assert slept == []


@live
def test_revoked_young_token_is_tried_once_more(sandbox: Sandbox, settings: Any) -> None:
    from advocacy.sandbox.models import AccessToken

    settings.LINKEDIN_REVOKED_RETRY_SECONDS = 0.05
    client = sandbox.client(token_issued_at=timezone.now())
    AccessToken.objects.filter(token=client.access_token).update(revoked_at=timezone.now())
    slept = recording_sleeps(client)
    with pytest.raises(TokenRevoked):
        client.member_followers_count()
    assert sandbox.calls("member.followers") == 2
    assert slept == [0.05]


@live
def test_young_token_flake_passes_on_retry(load_sandbox: Callable[..., Sandbox]) -> None:
    # The sandbox's injected 401 is LinkedIn's 65601 flake on a live token.
    sandbox = load_sandbox([{"endpoint": "member.followers", "status": 401, "every": 2}])
    client = sandbox.client(token_issued_at=timezone.now() - dt.timedelta(minutes=5))
    assert client.member_followers_count() == 530  # call 1
    assert client.member_followers_count() == 530  # call 2 flakes, call 3 answers
    assert sandbox.calls("member.followers") == 3


# -- injected faults --------------------------------------------------------------------------


@live
@pytest.mark.parametrize(
    ("status", "error", "calls"),
    [
        (400, Invalid, 1),
        (401, TokenRevoked, 1),
        (403, PermissionDenied, 1),
        (404, NotFound, 1),
        (422, Invalid, 1),
        (426, VersionRetired, 1),
        (429, RateLimited, 3),
        (500, ServerError, 3),
        (502, ServerError, 3),
        (503, ServerError, 3),
        (504, ServerError, 3),
    ],
)
def test_every_fault_is_a_typed_error(
    load_sandbox: Callable[..., Sandbox], status: int, error: type[LinkedInError], calls: int
) -> None:
    sandbox = load_sandbox([{"endpoint": "member.followers", "status": status}])
    with pytest.raises(error) as caught:
        sandbox.client().member_followers_count()
    assert type(caught.value) is error
    assert caught.value.status == status
    assert caught.value.request_id  # LinkedIn's x-li-uuid, for the logs
    # Transient errors were retried (LINKEDIN_RETRY_ATTEMPTS), the others sent once.
    assert sandbox.calls("member.followers") == calls


@live
def test_server_errors_pass_when_a_retry_succeeds(load_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = load_sandbox([{"endpoint": "userinfo", "status": 503, "every": 2}])
    client = sandbox.client()
    client.userinfo()
    slept = recording_sleeps(client)
    assert client.userinfo().sub == "m-ann"
    assert sandbox.calls("userinfo") == 3
    assert len(slept) == 1
    assert 0 <= slept[0] <= 0.01  # full jitter under the first backoff step


@live
def test_retry_after_is_honoured(load_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = load_sandbox(
        [{"endpoint": "member.followers", "status": 429, "every": 2, "retry_after": 1}]
    )
    client = sandbox.client()
    client.member_followers_count()
    slept = recording_sleeps(client)
    started = time.monotonic()
    assert client.member_followers_count() == 530
    assert slept == [1.0]
    assert time.monotonic() - started >= 1
    assert sandbox.calls("member.followers") == 3


@live
def test_a_long_retry_after_goes_to_the_caller(
    load_sandbox: Callable[..., Sandbox], settings: Any
) -> None:
    settings.LINKEDIN_RETRY_MAX_SECONDS = 0.5
    sandbox = load_sandbox([{"endpoint": "member.followers", "status": 429, "retry_after": 1}])
    client = sandbox.client()
    slept = recording_sleeps(client)
    with pytest.raises(RateLimited) as caught:
        client.member_followers_count()
    assert caught.value.retry_after == 1.0
    assert slept == []
    assert sandbox.calls("member.followers") == 1


@live
def test_create_is_not_retried_after_a_server_error(load_sandbox: Callable[..., Sandbox]) -> None:
    # The post may exist after a 5xx: the caller reconciles (duplicate check) instead.
    sandbox = load_sandbox([{"endpoint": "posts.create", "status": 500}])
    with pytest.raises(ServerError):
        sandbox.client().create_text_post(ANN, "Will it land?")
    assert sandbox.calls("posts.create") == 1


@live
def test_create_is_retried_after_429(load_sandbox: Callable[..., Sandbox]) -> None:
    # A 429 means LinkedIn did nothing: safe to send again.
    sandbox = load_sandbox([{"endpoint": "posts.create", "status": 429, "every": 1}])
    with pytest.raises(RateLimited) as caught:
        sandbox.client().create_text_post(ANN, "Busy day")
    assert caught.value.retry_after is None  # LinkedIn sends no Retry-After by default
    assert sandbox.calls("posts.create") == 3


@live
def test_create_times_out_with_an_unknown_outcome(
    load_sandbox: Callable[..., Sandbox], settings: Any
) -> None:
    sandbox = load_sandbox([{"endpoint": "posts.create", "latency_ms": 1500}])
    settings.LINKEDIN_TIMEOUT_SECONDS = 1
    with pytest.raises(TransportError):
        sandbox.client().create_text_post(ANN, "Slow day")
    assert sandbox.calls("posts.create") == 1  # not sent twice
    time.sleep(0.8)  # let the sandbox finish the request before the database is flushed


@live
def test_unreachable_linkedin_is_a_transport_error(sandbox: Sandbox, settings: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = sandbox.client()
    settings.LINKEDIN_API_URL = f"http://127.0.0.1:{closed_port}"
    slept = recording_sleeps(client)
    # A refused connection sent nothing, so even a create is tried again.
    with pytest.raises(TransportError):
        client.create_text_post(ANN, "Anyone there?")
    assert len(slept) == 2


@live
def test_retired_version(sandbox: Sandbox, settings: Any) -> None:
    settings.LINKEDIN_VERSION = "202301"
    with pytest.raises(VersionRetired) as caught:
        sandbox.client().member_followers_count()
    assert caught.value.status == 426
    assert caught.value.code == "NONEXISTENT_VERSION"
    assert "202301" in caught.value.message


# -- daily budgets ----------------------------------------------------------------------------


@live
def test_the_daily_budget_stops_calls_before_linkedin(sandbox: Sandbox, settings: Any) -> None:
    settings.LINKEDIN_MEMBER_DAILY_QUOTA = 1
    client = sandbox.client()
    client.member_followers_count()
    with pytest.raises(RateLimited) as caught:
        client.member_followers_count()
    assert caught.value.code == "LOCAL_QUOTA"
    assert caught.value.retry_after is not None
    assert sandbox.calls("member.followers") == 1


@live
def test_workers_wait_for_the_budget_instead_of_failing(sandbox: Sandbox, settings: Any) -> None:
    settings.LINKEDIN_APP_DAILY_QUOTA = 0
    settings.LINKEDIN_MEMBER_DAILY_QUOTA = 2 * ratelimit.SECONDS_PER_DAY  # two calls a second
    settings.LINKEDIN_RATE_LIMIT_AHEAD_SECONDS = 0
    patient = sandbox.client(max_quota_wait=2)
    hasty = sandbox.client(max_quota_wait=0.1)
    with time_machine.travel(day_start(TODAY), tick=True):
        patient.member_followers_count()
        started = time.monotonic()
        patient.member_followers_count()  # the second call of the day fits at 00:00:00.5
        assert time.monotonic() - started >= 0.3
    with time_machine.travel(day_start(TODAY), tick=True):
        hasty.member_followers_count()
        with pytest.raises(RateLimited) as caught:
            hasty.member_followers_count()
    assert caught.value.code == "LOCAL_QUOTA"
    assert sandbox.calls("member.followers") == 3


@live
def test_repeated_429s_pause_the_member_until_midnight(
    load_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = load_sandbox([{"endpoint": "member.followers", "status": 429}])
    client = sandbox.client()
    with pytest.raises(RateLimited):
        client.member_followers_count()  # three attempts, three 429s
    assert ratelimit.is_paused("member.followers", client.member_key)
    with pytest.raises(RateLimited) as caught:
        client.member_followers_count()
    assert caught.value.code == "LOCAL_QUOTA"
    assert sandbox.calls("member.followers") == 3
    # Other endpoints and other members go on.
    assert client.userinfo().sub == "m-ann"
    assert not ratelimit.is_paused("member.followers", "someone-else")
