"""Tenant isolation, swept over every API route under /api/v1/.

Every path parameter is filled with an object of Acme's. Greta, admin of Globex, calls each
route with her own token (and her browser session, naming Acme) in every method the route
offers: each answer is a 404 in the envelope, the same body as a missing object, and Acme's
rows stay exactly as they were. A body naming one of Acme's objects from Globex is a 400 on
that field, and nothing is written. A new route, a new path parameter or a new body field
that names another row fails the registry tests below until it is covered here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from advocacy.api.serializers import TenantRelatedField

from .api_support import ApiClient, api_for, error_of
from .conftest import Cast
from .factories import (
    CampaignFactory,
    CaptionFactory,
    ContentItemFactory,
    GoalFactory,
    PostFactory,
    TeamFactory,
)
from .routes import Route, all_routes
from .test_isolation import tenant_rows

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
# Routes that are not an organization's: the caller's own organizations, the 404 of paths
# the API does not know.
NOT_TENANT_ROUTES = {"api:organization-list", "api:unknown"}
API_ROUTES = [
    route
    for route in all_routes()
    if route.route.startswith(API_PREFIX) and route.name not in {"api:unknown"}
]
METHODS = ("get", "post", "put", "patch", "delete")

# Path parameter -> an object of Acme's it names (posts: Acme's admin's own).
PARAM_OBJECTS: dict[str, Callable[[Cast], Any]] = {
    "item_id": lambda cast: ContentItemFactory(organization=cast.acme),
    "campaign_id": lambda cast: CampaignFactory(organization=cast.acme),
    "member_id": lambda cast: cast.membership(cast.emma, cast.acme),
    "team_id": lambda cast: TeamFactory(organization=cast.acme),
    "post_id": lambda cast: PostFactory(author=cast.membership(cast.alice, cast.acme)),
    "goal_id": lambda cast: GoalFactory(organization=cast.acme),
}


def methods_of(route: Route) -> list[str]:
    """The HTTP methods a route answers (other than HEAD and OPTIONS)."""
    callback: Any = route.callback
    allowed = set(getattr(callback.cls, "http_method_names", METHODS))
    actions = getattr(callback, "actions", None)
    if actions is not None:
        offered = {method for method in actions if method in allowed}
    else:
        offered = {method for method in METHODS if hasattr(callback.cls, method)}
    return sorted(method.upper() for method in offered & set(METHODS))


def fill(route: Route, cast: Cast) -> str:
    kwargs = {name: PARAM_OBJECTS[name](cast).public_id for name in route.params}
    return reverse(route.name, kwargs=kwargs)


def call(api: ApiClient, method: str, url: str, body: Any = None) -> Any:
    if method == "GET":
        return api.get(url)
    if method == "DELETE":
        return api.delete(url)
    return getattr(api, method.lower())(url, body or {})


def test_the_sweep_covers_every_api_route():
    assert len(API_ROUTES) >= 20, "the sweep found suspiciously few API routes"
    unnamed = [str(route) for route in API_ROUTES if not route.name]
    assert not unnamed, f"API routes need a name: {unnamed}"
    unknown = {p for route in API_ROUTES for p in route.params if p not in PARAM_OBJECTS}
    assert not unknown, (
        f"no way to fill path parameter(s) {sorted(unknown)}: add them to PARAM_OBJECTS so the "
        "new routes are covered by the isolation sweep"
    )
    assert all(methods_of(route) for route in API_ROUTES)


@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_cannot_reach_other_org_through_any_api_route(route: Route, cast: Cast, client_for):
    # The filled URL must really work for Acme's own admin, or the sweep proves nothing.
    alice = api_for(cast.alice, cast.acme)
    own = alice.get(fill(route, cast), _range(route))
    assert own.status_code in {200, 405}, f"{route} answers {own.status_code} to Acme's admin"

    before = tenant_rows(cast.acme)
    greta_token = api_for(cast.greta, cast.globex)
    greta_session = ApiClient(client=client_for(cast.greta))
    for method in methods_of(route):
        url = fill(route, cast)
        if route.params:
            # Globex's own admin, with Acme's ids in the path: not found.
            response = call(greta_token, method, url)
            assert response.status_code == 404, (
                f"{method} {url} with Globex's token: {response.status_code}"
            )
            assert error_of(response) == {"code": "not_found", "message": "Not found."}
        if route.name not in NOT_TENANT_ROUTES:
            # Naming Acme with Globex's session: Acme is no organization of hers.
            named = call(greta_session, method, f"{url}?organization=acme")
            assert named.status_code == 404, f"{method} {url} in Acme as Greta: {named.status_code}"
            assert error_of(named)["code"] == "not_found"
    after = tenant_rows(cast.acme)
    for label, rows in before.items():
        assert after[label][: len(rows)] == rows, f"{label} rows of Acme changed"


def _range(route: Route) -> dict[str, str]:
    return {"start": "2026-10-01", "end": "2026-10-31"} if "reports/" in route.route else {}


# A body naming another organization's object -----------------------------------------------


def _detail(name: str, **objects: Any) -> str:
    return reverse(name, kwargs={key: value.public_id for key, value in objects.items()})


# Write route -> a body Globex's admin may send to it, and the route's own object if any.
# For each field that names another row, the test swaps in an object of Acme's.
WRITES: dict[tuple[str, str], Callable[[Cast], tuple[str, dict[str, Any]]]] = {
    ("POST", "api:content_item-list"): lambda cast: (
        reverse("api:content_item-list"),
        {"title": "An item", "campaigns": [], "audience": {"teams": []}},
    ),
    ("PATCH", "api:content_item-detail"): lambda cast: (
        _detail("api:content_item-detail", item_id=ContentItemFactory(organization=cast.globex)),
        {"campaigns": [], "audience": {"teams": []}},
    ),
    ("POST", "api:campaign-list"): lambda cast: (
        reverse("api:campaign-list"), {"name": "A campaign", "audience": {"teams": []}}
    ),
    ("PATCH", "api:campaign-detail"): lambda cast: (
        _detail("api:campaign-detail", campaign_id=CampaignFactory(organization=cast.globex)),
        {"audience": {"teams": []}},
    ),
    ("POST", "api:post-list"): lambda cast: (
        reverse("api:post-list"), {"text": "My words", "content_item": None, "caption": None}
    ),
    ("PATCH", "api:member-detail"): lambda cast: (
        _detail("api:member-detail", member_id=cast.membership(cast.gus, cast.globex)),
        {"team": None},
    ),
}  # fmt: skip

# Body field (dotted for nested, [] for a list) -> an object of Acme's to name in it.
FOREIGN_OBJECTS: dict[str, Callable[[Cast], Any]] = {
    "campaigns[]": lambda cast: CampaignFactory(organization=cast.acme),
    "audience.teams[]": lambda cast: TeamFactory(organization=cast.acme),
    "content_item": lambda cast: ContentItemFactory(organization=cast.acme),
    "caption": lambda cast: CaptionFactory(content_item=ContentItemFactory(organization=cast.acme)),
    "team": lambda cast: TeamFactory(organization=cast.acme),
}


def related_fields(serializer: Any, prefix: str = "") -> list[str]:
    """The body fields of a serializer that name rows (TenantRelatedField), dotted."""
    from rest_framework import serializers

    found = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ManyRelatedField) and isinstance(
            field.child_relation, TenantRelatedField
        ):
            found.append(f"{prefix}{name}[]")
        elif isinstance(field, TenantRelatedField):
            found.append(f"{prefix}{name}")
        elif isinstance(field, serializers.Serializer):
            found += related_fields(field, f"{prefix}{name}.")
    return found


def _write_serializers() -> dict[tuple[str, str], Any]:
    from advocacy.tenancy.api.serializers import MemberSerializer
    from campaigns.api.serializers import CampaignWriteSerializer
    from content.api.serializers import (
        ContentItemWriteSerializer,
        PostCreateSerializer,
        PostWriteSerializer,
    )

    return {
        ("POST", "api:content_item-list"): ContentItemWriteSerializer(),
        ("PATCH", "api:content_item-detail"): ContentItemWriteSerializer(),
        ("POST", "api:campaign-list"): CampaignWriteSerializer(),
        ("PATCH", "api:campaign-detail"): CampaignWriteSerializer(),
        ("POST", "api:post-list"): PostCreateSerializer(),
        ("PATCH", "api:post-detail"): PostWriteSerializer(),
        ("PATCH", "api:member-detail"): MemberSerializer(),
        ("POST", "api:team-list"): None,
        ("PATCH", "api:team-detail"): None,
        ("POST", "api:post-schedule"): None,
    }


def test_every_body_field_naming_a_row_is_covered():
    serializers = _write_serializers()
    for key, serializer in serializers.items():
        fields = related_fields(serializer) if serializer is not None else []
        if fields:
            assert key in WRITES, f"{key} takes ids of rows ({fields}): add it to WRITES"
        unknown = [name for name in fields if name not in FOREIGN_OBJECTS]
        assert not unknown, f"{key}: add {unknown} to FOREIGN_OBJECTS"
    offered = {(method, route.name) for route in API_ROUTES for method in methods_of(route)}
    writes = {(method, name) for method, name in offered if method in {"POST", "PATCH", "PUT"}}
    unlisted = (
        writes
        - set(serializers)
        - {
            (method, name)
            for method, name in writes
            if name.endswith(("archive", "deactivate", "reactivate", "cancel"))
        }
    )
    assert not unlisted, (
        f"say in _write_serializers what these write routes take: {sorted(unlisted)}"
    )


def _put(body: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    body = {key: (dict(val) if isinstance(val, dict) else val) for key, val in body.items()}
    target, name = body, field.removesuffix("[]")
    if "." in name:
        outer, name = name.split(".", 1)
        target = body.setdefault(outer, {})
    target[name] = [value] if field.endswith("[]") else value
    return body


def _cases() -> list[tuple[tuple[str, str], str]]:
    return [
        (key, name)
        for key, serializer in _write_serializers().items()
        if serializer is not None and key in WRITES
        for name in related_fields(serializer)
    ]


@pytest.mark.parametrize(("write", "field"), _cases(), ids=lambda value: str(value))
def test_a_foreign_id_in_a_body_is_refused_and_nothing_is_written(
    write: tuple[str, str], field: str, cast: Cast
):
    greta = api_for(cast.greta, cast.globex)
    url, body = WRITES[write](cast)
    foreign = FOREIGN_OBJECTS[field](cast)
    before = {org.slug: tenant_rows(org) for org in (cast.acme, cast.globex)}
    response = call(greta, write[0], url, _put(body, field, str(foreign.public_id)))
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid"
    top = field.split(".")[0].removesuffix("[]")
    assert top in error["fields"], error
    assert str(foreign.public_id) in str(error["fields"][top])
    for org in (cast.acme, cast.globex):
        after = tenant_rows(org)
        for label, rows in before[org.slug].items():
            if label == "api.ApiToken":
                continue  # the token's last use was noted, nothing else
            assert after[label] == rows, f"{label} rows of {org.slug} changed"


def test_a_random_id_reads_like_a_foreign_one(cast: Cast):
    greta = api_for(cast.greta, cast.globex)
    response = greta.get(f"content-items/{uuid.uuid4()}")
    foreign = greta.get(f"content-items/{ContentItemFactory(organization=cast.acme).public_id}")
    assert response.status_code == foreign.status_code == 404
    assert response.json() == foreign.json()
