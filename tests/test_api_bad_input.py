"""Bad input to the API: always a 4xx in the envelope, naming the problem, nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from content.models import ContentItem, Post

from .api_support import ApiClient, api_for, error_of, make_token
from .conftest import Cast
from .factories import TeamFactory
from .test_isolation import tenant_rows

pytestmark = pytest.mark.django_db


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


@pytest.fixture
def carol(cast: Cast) -> ApiClient:
    return api_for(cast.carol, cast.acme)


@pytest.fixture
def unchanged(cast: Cast):
    """Acme's rows, before and after the test: equal but for the token's last use."""
    before = tenant_rows(cast.acme)
    yield
    after = tenant_rows(cast.acme)
    for label, rows in before.items():
        if label != "api.ApiToken":
            assert after[label] == rows, f"{label} changed"


def test_malformed_json_is_a_parse_error(carol: ApiClient, unchanged: None):
    response = carol.post("content-items", '{"title": "Half an object"')
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "parse_error"
    assert "JSON" in error["message"]


def test_a_body_that_is_no_object(carol: ApiClient, unchanged: None):
    response = carol.post("content-items", "[1, 2, 3]")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Fine", "featured": "perhaps"}, "featured"),
        ({"title": "Fine", "captions": "one caption"}, "captions"),
        ({"title": "Fine", "captions": ["a", "b", "c", "d"]}, "captions"),
        ({"title": ["a list"]}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": "Fine", "url": "not a link"}, "url"),
        ({"title": "Fine", "kind": "video"}, "kind"),
        ({"title": "Fine", "campaigns": ["not-a-uuid"]}, "campaigns"),
        ({"title": "Fine", "available_from": "tomorrow"}, "available_from"),
        ({"title": "Fine", "audience": {"languages": ["xx"]}}, "audience"),
        ({}, "title"),
    ],
)
def test_wrong_types_and_values_name_the_field(
    carol: ApiClient, unchanged: None, body: dict[str, Any], field: str
):
    response = carol.post("content-items", body)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"], error


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"title": "Fine", "colour": "blue"}, {"colour"}),
        ({"title": "Fine", "id": "c0ffee00-0000-4000-8000-000000000000"}, {"id"}),
        (
            {"title": "Fine", "created_at": "2026-01-01T00:00:00Z", "Title": "x"},
            {"created_at", "Title"},
        ),
        ({"title": "Fine", "audience": {"teams": [], "regions": ["north"]}}, {"audience"}),
    ],
)
def test_unknown_and_read_only_fields_are_refused(
    carol: ApiClient, unchanged: None, body: dict[str, Any], fields: set[str]
):
    response = carol.post("content-items", body)
    assert response.status_code == 400
    error = error_of(response)
    assert set(error["fields"]) == fields
    assert not ContentItem.all_tenants.exists()


def test_an_unknown_field_in_a_change_changes_nothing(cast: Cast):
    emma = api_for(cast.emma, cast.acme)
    post_id = Post.all_tenants.create(
        organization=cast.acme, author=cast.membership(cast.emma, cast.acme), text="Mine"
    ).public_id
    before = Post.all_tenants.values().get(public_id=post_id)
    response = emma.patch(f"posts/{post_id}", {"text": "Changed", "status": "published"})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"status"}
    assert Post.all_tenants.values().get(public_id=post_id) == before


@pytest.mark.parametrize("size", ["100000", "201", "0", "-3", "many", ""])
def test_page_sizes_out_of_bounds(carol: ApiClient, size: str):
    response = carol.get("content-items", {"page_size": size})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_page_size"
    assert "page_size" in error["fields"]


def test_a_cursor_belongs_to_its_own_query(cast: Cast):
    for number in range(4):
        TeamFactory(organization=cast.acme, name=f"Team {number}")
    alice = api_for(cast.alice, cast.acme)
    first = alice.get("teams", {"page_size": 2, "ordering": "name"}).json()
    cursor = cursor_of(first["next"])
    assert alice.client.get(first["next"]).status_code == 200
    # The same list at another page size keeps its place: the size is no part of the query.
    assert (
        alice.get("teams", {"page_size": 3, "ordering": "name", "cursor": cursor}).status_code
        == 200
    )
    for params, path in (
        ({"ordering": "-name"}, "teams"),
        ({"ordering": "name", "q": "Team"}, "teams"),
        ({}, "content-items"),
        ({"ordering": "email"}, "members"),
    ):
        response = alice.client.get(f"/api/v1/{path}", {**params, "cursor": cursor})
        assert response.status_code == 400, (params, path)
        error = error_of(response)
        assert error["code"] == "invalid_cursor"
        assert "cursor" in error["fields"]


@pytest.mark.parametrize("cursor", ["garbage", "cD0yMDI2LTEwLTAx", "x" * 2000])
def test_a_garbled_cursor_is_refused(carol: ApiClient, cursor: str):
    response = carol.get("teams", {"cursor": cursor})
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_cursor"


def test_a_tampered_cursor_is_refused(cast: Cast):
    for number in range(3):
        TeamFactory(organization=cast.acme, name=f"Team {number}")
    alice = api_for(cast.alice, cast.acme)
    cursor = cursor_of(alice.get("teams", {"page_size": 1}).json()["next"])
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    assert (
        error_of(alice.get("teams", {"page_size": 1, "cursor": tampered}))["code"]
        == "invalid_cursor"
    )


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"colour": "blue"}, "unknown_parameter", "colour"),
        ({"status": "nonsense"}, "invalid_parameter", "status"),
        ({"campaign": "not-an-id"}, "invalid_parameter", "campaign"),
        ({"featured": "sometimes"}, "invalid_parameter", "featured"),
        ({"ordering": "price"}, "invalid_ordering", "ordering"),
        ({"ordering": "--title"}, "invalid_ordering", "ordering"),
    ],
)
def test_bad_query_parameters(carol: ApiClient, params: dict[str, str], code: str, field: str):
    response = carol.get("content-items", params)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == code
    assert field in error["fields"]


def test_an_expired_token_writes_nothing(cast: Cast):
    raw = make_token(cast.carol, cast.acme, days=1)
    before = tenant_rows(cast.acme)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        response = ApiClient(raw).post("teams", {"name": "Too late"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"
    assert tenant_rows(cast.acme) == before


def test_other_media_types_methods_and_paths(carol: ApiClient, unchanged: None):
    form = carol.client.post("/api/v1/content-items", {"title": "A form"})
    assert form.status_code == 415
    assert error_of(form)["code"] == "unsupported_media_type"
    put = carol.put("content-items", {"title": "Put"})
    assert put.status_code == 405
    assert error_of(put)["code"] == "method_not_allowed"
    for path in ("/api/v1/nothing-here", "/api/v1/content-items/", "/api/v1/posts/42"):
        missing = carol.client.get(path)
        assert missing.status_code == 404, path
        assert error_of(missing)["code"] == "not_found"
    options = carol.client.options("/api/v1/content-items")
    assert options.status_code == 405


def test_a_body_too_large_is_refused_unread(carol: ApiClient, unchanged: None):
    response = carol.post("content-items", {"title": "Big", "description": "x" * 300_000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "body_too_large"


def test_anonymous_calls_are_401(cast: Cast):
    response = Client().get("/api/v1/content-items")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
