"""The sandbox's REST API over HTTP: the gateway checks, posts and images (linkedin-api.md 5, 8,
10), answered exactly as LinkedIn answers them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import requests

from advocacy.sandbox.models import AccessToken, Image, Post

from .test_sandbox_support import (
    MEMBER_SCOPES,
    PAGE_SCOPES,
    Sandbox,
    expire,
    frozen_clock,
    sandbox,
    scenario,
)

__all__ = ["frozen_clock", "sandbox"]

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def enc(urn: str) -> str:
    return quote(urn, safe="")


def post_body(commentary: str = "Hello from the sandbox", **changes: Any) -> dict[str, Any]:
    body = {
        "author": "urn:li:person:m-ann",
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def create(sandbox: Sandbox, token: str, body: dict[str, Any]) -> requests.Response:
    return sandbox.post("rest/posts", token, json=body)


def assert_envelope(answer: requests.Response, status: int, code: str, message: str = "") -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["x-restli-error-response"] == "true"
    assert answer.headers["x-restli-protocol-version"] == "2.0.0"
    assert answer.headers["x-li-uuid"]
    body = answer.json()
    assert set(body) == {"status", "serviceErrorCode", "code", "message"}
    assert body["status"] == status
    assert body["code"] == code
    if message:
        assert body["message"] == message


# Tokens ------------------------------------------------------------------------------------


def test_a_missing_token_is_empty_oauth2_access_token(sandbox: Sandbox):
    answer = sandbox.get("rest/memberFollowersCount?q=me", None)
    assert_envelope(answer, 401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token")


def test_an_unknown_token_is_65600(sandbox: Sandbox):
    answer = sandbox.get("v2/userinfo", "AQXnot-a-token", version=None)
    assert_envelope(answer, 401, "INVALID_ACCESS_TOKEN", "Invalid access token")
    assert answer.json()["serviceErrorCode"] == 65600


def test_an_expired_token_is_expired_access_token(sandbox: Sandbox):
    token = sandbox.token()
    expire(token)
    answer = sandbox.get("v2/userinfo", token, version=None)
    assert_envelope(answer, 401, "EXPIRED_ACCESS_TOKEN")


def test_a_revoked_token_is_65601(sandbox: Sandbox):
    token = sandbox.token()
    AccessToken.objects.filter(token=token).update(revoked_at="2026-11-01T00:00:00Z")
    answer = sandbox.get("v2/userinfo", token, version=None)
    assert_envelope(
        answer,
        401,
        "REVOKED_ACCESS_TOKEN",
        "The token used in the request has been revoked by the user",
    )
    assert answer.json()["serviceErrorCode"] == 65601


def test_a_refresh_token_is_no_access_token(sandbox: Sandbox):
    sandbox.token(refresh=True)
    refresh = AccessToken.objects.refresh().get().token
    assert sandbox.get("v2/userinfo", refresh, version=None).status_code == 401


# Versions ----------------------------------------------------------------------------------


def test_rest_without_a_version_is_refused(sandbox: Sandbox):
    answer = sandbox.get("rest/memberFollowersCount?q=me", sandbox.token(), version=None)
    assert_envelope(answer, 426, "VERSION_MISSING")


@pytest.mark.parametrize("version", ["202410", "202510", "202612", "20270101", "2026", "abcdef"])
def test_an_inactive_or_unknown_version_is_426(sandbox: Sandbox, version: str):
    answer = sandbox.get("rest/memberFollowersCount?q=me", sandbox.token(), version=version)
    assert_envelope(
        answer, 426, "NONEXISTENT_VERSION", f"Requested version {version} is not active"
    )


@pytest.mark.parametrize("version", ["202511", "202609", "202611", "20260901"])
def test_active_versions_and_the_yyyymmdd_form_are_served(sandbox: Sandbox, version: str):
    answer = sandbox.get("rest/memberFollowersCount?q=me", sandbox.token(), version=version)
    assert answer.status_code == 200, answer.text


def test_a_scenario_in_the_future_retires_versions(sandbox: Sandbox):
    data = scenario(today="2027-11-01")
    sandbox.load(data)
    answer = sandbox.get("rest/memberFollowersCount?q=me", sandbox.token(), version="202609")
    assert answer.status_code == 426


def test_unversioned_endpoints_ignore_the_version_header(sandbox: Sandbox):
    token = sandbox.token()
    assert sandbox.get("v2/userinfo", token, version=None).status_code == 200
    assert sandbox.get("v2/userinfo", token, version="199901").status_code == 200


# Scopes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "scopes", "message"),
    [
        (
            "rest/memberFollowersCount?q=me",
            ["openid", "profile", "w_member_social"],
            "memberFollowersCount.FINDER-me.20260901",
        ),
        (
            "rest/memberCreatorPostAnalytics?q=me&queryType=IMPRESSION&aggregation=TOTAL",
            ["openid", "profile", "w_member_social"],
            "memberCreatorPostAnalytics.FINDER-me.20260901",
        ),
        ("v2/me", MEMBER_SCOPES, "me.GET.NO_VERSION"),
        ("v2/userinfo", ["openid", "w_member_social"], "userinfo.GET.NO_VERSION"),
        (
            "rest/posts?q=author&author=urn%3Ali%3Aperson%3Am-ann",
            MEMBER_SCOPES,
            "posts.FINDER-author.20260901",
        ),
        ("rest/posts/urn%3Ali%3Ashare%3A7301", MEMBER_SCOPES, "posts.GET.20260901"),
        (
            "rest/networkSizes/urn%3Ali%3Aorganization%3A2414183?edgeType=COMPANY_FOLLOWED_BY_MEMBER",
            MEMBER_SCOPES,
            "networkSizes.GET.20260901",
        ),
        (
            "rest/organizationalEntityFollowerStatistics?q=organizationalEntity"
            "&organizationalEntity=urn%3Ali%3Aorganization%3A2414183",
            MEMBER_SCOPES,
            "organizationalEntityFollowerStatistics.FINDER-organizationalEntity.20260901",
        ),
        (
            "v2/connections/urn%3Ali%3Aperson%3Am-ann",
            MEMBER_SCOPES,
            "connections.GET.NO_VERSION",
        ),
    ],
)
def test_a_missing_scope_is_403_access_denied(
    sandbox: Sandbox, path: str, scopes: list[str], message: str
):
    answer = sandbox.get(path, sandbox.token(scopes=scopes))
    assert_envelope(answer, 403, "ACCESS_DENIED", f"Not enough permissions to access: {message}")
    assert answer.json()["serviceErrorCode"] == 100


def test_an_app_without_the_analytics_products_is_refused_even_with_old_tokens(sandbox: Sandbox):
    token = sandbox.token()
    sandbox.load(scenario(app={"scopes": ["openid", "profile", "email", "w_member_social"]}))
    answer = sandbox.get("rest/memberFollowersCount?q=me", token)
    assert_envelope(
        answer,
        403,
        "ACCESS_DENIED",
        "Not enough permissions to access: memberFollowersCount.FINDER-me.20260901",
    )
    assert create(sandbox, token, post_body()).status_code == 201


def test_posting_needs_w_member_social(sandbox: Sandbox):
    answer = create(sandbox, sandbox.token(scopes=["openid", "profile"]), post_body())
    assert_envelope(
        answer, 403, "ACCESS_DENIED", "Not enough permissions to access: posts.CREATE.20260901"
    )


def test_me_and_connections_with_their_scopes(sandbox: Sandbox):
    token = sandbox.token(scopes=["r_basicprofile", "r_1st_connections_size"])
    me = sandbox.get("v2/me", token, version=None).json()
    assert me["id"] == "m-ann"
    assert me["vanityName"] == "ann-berg"
    assert me["localizedHeadline"] == "Sales lead"
    assert me["localizedFirstName"] == "Ann"
    size = sandbox.get("v2/connections/urn%3Ali%3Aperson%3Am-ann", token, version=None)
    assert size.json() == {"firstDegreeSize": 812}
    raw = sandbox.get("v2/connections/urn:li:person:m-ann", token, version=None)
    assert raw.json() == {"firstDegreeSize": 812}
    other = sandbox.get("v2/connections/urn%3Ali%3Aperson%3Am-bo", token, version=None)
    assert other.status_code == 403


def test_userinfo_leaves_out_what_the_scopes_do_not_cover(sandbox: Sandbox):
    token = sandbox.token("m-bo", scopes=["openid", "profile"])
    body = sandbox.get("v2/userinfo", token, version=None).json()
    assert body == {
        "sub": "m-bo",
        "name": "Bo Holm",
        "given_name": "Bo",
        "family_name": "Holm",
        "locale": {"country": "US", "language": "en"},
    }  # no picture (the scenario says none), no email without the email scope


# Posts -------------------------------------------------------------------------------------


def test_create_is_201_with_an_empty_body_and_the_urn_in_x_restli_id(sandbox: Sandbox):
    answer = create(sandbox, sandbox.token(), post_body("Hello \\(part 1\\) #events"))
    assert answer.status_code == 201, answer.text
    assert answer.content == b""
    urn = answer.headers["x-restli-id"]
    assert urn.startswith("urn:li:share:")
    assert len(urn.removeprefix("urn:li:share:")) == 19
    assert answer.headers["x-restli-protocol-version"] == "2.0.0"
    post = Post.objects.get(urn=urn)
    assert post.commentary == "Hello \\(part 1\\) #events"
    assert post.origin == Post.Origin.API


def test_identical_commentary_is_a_422_duplicate_naming_the_existing_post(sandbox: Sandbox):
    token = sandbox.token()
    first = create(sandbox, token, post_body("Same words twice")).headers["x-restli-id"]
    again = create(sandbox, token, post_body("Same words twice"))
    assert again.status_code == 422
    assert again.headers["x-restli-error-response"] == "true"
    body = again.json()
    assert body["status"] == 422
    assert body["errorDetailType"] == "com.linkedin.common.error.BadRequest"
    assert body["message"] == f"Content is a duplicate of {first}"
    assert body["errorDetails"]["inputErrors"] == [
        {"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}
    ]
    # Another member may say the same thing; a deleted post no longer counts.
    bo = sandbox.token("m-bo")
    assert (
        create(sandbox, bo, post_body("Same words twice", author="urn:li:person:m-bo")).status_code
        == 201
    )
    assert sandbox.delete(f"rest/posts/{enc(first)}", token).status_code == 204
    assert create(sandbox, token, post_body("Same words twice")).status_code == 201


def test_commentary_is_silently_cut_at_an_unescaped_reserved_character(sandbox: Sandbox):
    answer = create(
        sandbox,
        sandbox.token(),
        post_body(
            "Great day at #Expo with @[Acme A/S](urn:li:organization:2414183) (see https://acme.example/a_b)"
        ),
    )
    assert answer.status_code == 201
    post = Post.objects.get(urn=answer.headers["x-restli-id"])
    assert post.commentary == "Great day at #Expo with @[Acme A/S](urn:li:organization:2414183) "
    # The cut text is what duplicates are compared on.
    again = create(sandbox, sandbox.token(), post_body(post.commentary + "(other tail"))
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"visibility": None},
            "ERROR :: /visibility :: field is required but not found and has no default value",
        ),
        (
            {"lifecycleState": None},
            "ERROR :: /lifecycleState :: field is required but not found and has no default value",
        ),
        (
            {"distribution": {}},
            "ERROR :: /distribution/feedDistribution :: field is required but not found and "
            "has no default value",
        ),
        ({"visibility": "FRIENDS"}, 'ERROR :: /visibility :: "FRIENDS" is not an enum symbol'),
        (
            {"content": {"article": {"title": "No source"}}},
            "ERROR :: /content/article/source :: field is required but not found and has no "
            "default value",
        ),
    ],
)
def test_missing_and_invalid_fields_are_422(
    sandbox: Sandbox, changes: dict[str, Any], message: str
):
    answer = create(sandbox, sandbox.token(), post_body(**changes))
    assert answer.status_code == 422
    assert answer.json()["message"] == message


def test_a_body_that_is_not_json_is_400(sandbox: Sandbox):
    answer = sandbox.post("rest/posts", sandbox.token(), data="{nope")
    assert_envelope(answer, 400, "ILLEGAL_ARGUMENT")


def test_posting_as_someone_else_is_403(sandbox: Sandbox):
    answer = create(sandbox, sandbox.token(), post_body(author="urn:li:person:m-bo"))
    assert answer.status_code == 403
    assert answer.json()["code"] == "ACCESS_DENIED"


def test_a_page_admin_posts_as_the_page_with_w_organization_social(sandbox: Sandbox):
    body = post_body("Page news", author="urn:li:organization:2414183")
    assert create(sandbox, sandbox.token(), body).status_code == 403  # no w_organization_social
    token = sandbox.token(scopes=[*MEMBER_SCOPES, "w_organization_social"])
    assert create(sandbox, token, body).status_code == 201
    bo = sandbox.token("m-bo", scopes=["w_organization_social"])
    assert (
        create(
            sandbox, bo, post_body("Other news", author="urn:li:organization:2414183")
        ).status_code
        == 403
    )


def test_article_posts_on_the_page_website_are_company_content(sandbox: Sandbox):
    token = sandbox.token()
    article = {"article": {"source": "https://www.acme.example/news/1", "title": "News"}}
    own = create(sandbox, token, post_body("Our news", content=article)).headers["x-restli-id"]
    other = create(
        sandbox,
        token,
        post_body(
            "Their news", content={"article": {"source": "https://example.org/x", "title": "X"}}
        ),
    ).headers["x-restli-id"]
    mention = create(
        sandbox, token, post_body("Proud of @[Acme A/S](urn:li:organization:2414183)")
    ).headers["x-restli-id"]
    pages = {urn: Post.objects.get(urn=urn).company_page_id for urn in (own, other, mention)}
    assert pages[own] is not None
    assert pages[other] is None
    assert pages[mention] is not None


def test_read_and_find_need_r_member_social(sandbox: Sandbox):
    token = sandbox.token(scopes=[*MEMBER_SCOPES, "r_member_social"])
    post = sandbox.get("rest/posts/urn%3Ali%3Ashare%3A7301", token)
    assert post.status_code == 200, post.text
    body = post.json()
    assert body["id"] == "urn:li:share:7301"
    assert body["author"] == "urn:li:person:m-ann"
    assert body["commentary"] == "What we learned at the fair"
    assert body["content"]["article"]["source"] == "https://acme.example/blog/fair"
    assert isinstance(body["createdAt"], int)
    found = sandbox.get(
        "rest/posts?q=author&author=urn%3Ali%3Aperson%3Am-ann&count=1", token
    ).json()
    assert found["paging"]["count"] == 1
    assert [element["id"] for element in found["elements"]] == ["urn:li:ugcPost:7302"]


def test_delete_is_204_and_idempotent(sandbox: Sandbox):
    token = sandbox.token()
    urn = create(sandbox, token, post_body("To be deleted")).headers["x-restli-id"]
    first = sandbox.delete(f"rest/posts/{enc(urn)}", token)
    assert first.status_code == 204
    assert first.content == b""
    assert sandbox.delete(f"rest/posts/{enc(urn)}", token).status_code == 204
    assert Post.objects.get(urn=urn).deleted_at is not None
    assert sandbox.delete(f"rest/posts/{enc('urn:li:share:1')}", token).status_code == 404
    bo = sandbox.token("m-bo")
    assert sandbox.delete(f"rest/posts/{enc('urn:li:share:7301')}", bo).status_code == 403


def test_a_double_encoded_urn_is_400(sandbox: Sandbox):
    answer = sandbox.delete("rest/posts/urn%253Ali%253Ashare%253A7301", sandbox.token())
    assert answer.status_code == 400


# Images ------------------------------------------------------------------------------------


def initialize(sandbox: Sandbox, token: str, owner: str = "urn:li:person:m-ann") -> dict[str, Any]:
    answer = sandbox.post(
        "rest/images?action=initializeUpload",
        token,
        json={"initializeUploadRequest": {"owner": owner}},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["value"]


def test_image_upload_and_a_post_that_uses_it(sandbox: Sandbox):
    token = sandbox.token()
    value = initialize(sandbox, token)
    assert value["image"].startswith("urn:li:image:")
    assert value["uploadUrl"].startswith(f"{sandbox.url}/dms-uploads/")
    assert isinstance(value["uploadUrlExpiresAt"], int)
    waiting = sandbox.get(f"rest/images/{enc(value['image'])}", token).json()
    assert waiting["status"] == "WAITING_UPLOAD"
    put = requests.put(
        value["uploadUrl"], data=PNG, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert put.status_code == 201
    image = sandbox.get(f"rest/images/{enc(value['image'])}", token).json()
    assert image["status"] == "AVAILABLE"
    assert requests.get(image["downloadUrl"], timeout=10).content == PNG
    answer = create(
        sandbox,
        token,
        post_body("With a picture", content={"media": {"id": value["image"], "title": "A"}}),
    )
    assert answer.status_code == 201
    assert answer.headers["x-restli-id"].startswith("urn:li:ugcPost:")


def test_an_upload_needs_the_owners_token(sandbox: Sandbox):
    value = initialize(sandbox, sandbox.token())
    assert requests.put(value["uploadUrl"], data=PNG, timeout=10).status_code == 401
    bo = sandbox.token("m-bo")
    put = requests.put(
        value["uploadUrl"], data=PNG, headers={"Authorization": f"Bearer {bo}"}, timeout=10
    )
    assert put.status_code == 403


def test_initialize_for_someone_else_is_403_and_needs_an_owner(sandbox: Sandbox):
    token = sandbox.token()
    other = sandbox.post(
        "rest/images?action=initializeUpload",
        token,
        json={"initializeUploadRequest": {"owner": "urn:li:person:m-bo"}},
    )
    assert other.status_code == 403
    missing = sandbox.post(
        "rest/images?action=initializeUpload", token, json={"initializeUploadRequest": {}}
    )
    assert missing.status_code == 422


def test_an_image_of_another_owner_cannot_be_used(sandbox: Sandbox):
    bo = sandbox.token("m-bo")
    value = initialize(sandbox, bo, owner="urn:li:person:m-bo")
    requests.put(
        value["uploadUrl"], data=PNG, headers={"Authorization": f"Bearer {bo}"}, timeout=10
    )
    thumbnail = {
        "article": {"source": "https://acme.example/x", "title": "X", "thumbnail": value["image"]}
    }
    answer = create(sandbox, sandbox.token(), post_body("Borrowed picture", content=thumbnail))
    assert_envelope(answer, 400, "ILLEGAL_ARGUMENT")
    assert "owner" in answer.json()["message"]


def test_an_upload_that_is_no_image_fails_processing(sandbox: Sandbox):
    token = sandbox.token()
    value = initialize(sandbox, token)
    requests.put(
        value["uploadUrl"],
        data=b"%PDF-1.7",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert Image.objects.get(urn=value["image"]).status == Image.Status.PROCESSING_FAILED
    answer = create(sandbox, token, post_body("Broken", content={"media": {"id": value["image"]}}))
    assert answer.status_code == 400


# Odds and ends ----------------------------------------------------------------------------


def test_a_long_query_may_be_tunnelled_as_post(sandbox: Sandbox):
    answer = requests.post(
        f"{sandbox.url}/rest/memberFollowersCount",
        data="q=me",
        headers={
            **sandbox.headers(sandbox.token()),
            "X-HTTP-Method-Override": "GET",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["elements"] == [{"memberFollowersCount": 605}]


def test_a_malformed_restli_query_is_400(sandbox: Sandbox):
    answer = sandbox.get(
        "rest/memberCreatorPostAnalytics?q=entity&entity=(share:urn:li:share:7301)"
        "&queryType=IMPRESSION&aggregation=TOTAL",
        sandbox.token(),
    )
    assert_envelope(answer, 400, "ILLEGAL_ARGUMENT")


def test_the_page_token_scopes_reach_the_page_endpoints(sandbox: Sandbox):
    token = sandbox.token(scopes=PAGE_SCOPES)
    answer = sandbox.get(
        "rest/networkSizes/urn%3Ali%3Aorganization%3A2414183?edgeType=COMPANY_FOLLOWED_BY_MEMBER",
        token,
    )
    assert answer.json() == {"firstDegreeSize": 1300}
    unknown = sandbox.get(
        "rest/networkSizes/urn%3Ali%3Aorganization%3A1?edgeType=COMPANY_FOLLOWED_BY_MEMBER", token
    )
    assert unknown.status_code == 404
    assert json.loads(unknown.text)["status"] == 404
